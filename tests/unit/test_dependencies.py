"""Optional modules (core.dependencies) and `make setup`'s choice of packages per distribution."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ioc_qgis_plugin.core.dependencies import (
    BY_MODULE,
    OPTIONAL,
    MissingDependency,
    is_available,
    missing_message,
    missing_module_of,
    require,
    status,
)

ROOT = Path(__file__).resolve().parents[2]


class _Hide:
    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path=None, target=None):  # noqa: ANN001, ANN201
        if fullname == self.name or fullname.startswith(self.name + "."):
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname)
        return None


@pytest.fixture
def no_defusedxml():
    saved = {k: v for k, v in sys.modules.items() if k == "defusedxml" or k.startswith("defusedxml.")}
    for k in saved:
        del sys.modules[k]
    hook = _Hide("defusedxml")
    sys.meta_path.insert(0, hook)
    yield
    sys.meta_path.remove(hook)
    sys.modules.update(saved)


def test_every_message_names_module_and_both_platforms() -> None:
    for info in OPTIONAL:
        text = missing_message(info.module)
        assert f"'{info.module}'" in text and info.label in text
        assert info.osgeo4w in text and f"apt install {info.debian}" in text and "restart QGIS" in text
    assert missing_message("cv2", "the camera grid").startswith("The camera grid needs the Python module 'cv2'")


def test_missing_module_is_reported_and_present_one_is_not(no_defusedxml) -> None:
    assert not is_available("defusedxml")
    with pytest.raises(MissingDependency, match="python3-defusedxml") as caught:
        require("defusedxml", "hardened XML")
    assert caught.value.module == "defusedxml" and isinstance(caught.value, RuntimeError)
    rows = {s.info.module: s for s in status()}
    assert not rows["defusedxml"].present and rows["defusedxml"].version == ""
    assert rows["requests"].present and rows["requests"].version  # installed wherever the tests run
    require("json")  # a present module passes silently


def test_missing_module_of_follows_the_exception_chain() -> None:
    try:
        try:
            raise ModuleNotFoundError("No module named 'scipy.spatial'", name="scipy.spatial")
        except ImportError as inner:
            raise RuntimeError("script failed") from inner
    except RuntimeError as exc:
        assert missing_module_of(exc) == "scipy"
    assert missing_module_of(ModuleNotFoundError("x", name="not_optional_thing")) == ""
    assert missing_module_of(ValueError("unrelated")) == ""
    assert missing_module_of(MissingDependency("cv2")) == "cv2"
    assert set(BY_MODULE) == {"cv2", "scipy", "sklearn", "psycopg2", "defusedxml", "requests", "yaml"}


def _make_n(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-n", "-s", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_setup_picks_postgis_by_distribution_and_stops_elsewhere() -> None:
    assert "postgresql-15-postgis-3" in _make_n("apt", "DISTRO=debian-bookworm").stdout
    trixie = _make_n("apt", "DISTRO=debian-trixie").stdout
    assert "postgresql-17-postgis-3" in trixie and "postgresql-15" not in trixie
    venv = _make_n("-B", ".venv/.done", "DISTRO=debian-trixie").stdout
    assert "requirements-dev-debian13.txt" in venv and "requirements-dev.lock" not in venv
    other = subprocess.run(
        ["make", "-s", "apt", "DISTRO=ubuntu-noble"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert other.returncode != 0 and "supports Debian 12 (bookworm) and Debian 13 (trixie)" in other.stderr
    assert "ubuntu-noble" in other.stderr
