"""`make repo` output served over HTTP on 127.0.0.1, used by QGIS's own Plugin Manager in the real desktop
(qgis.bin under Xvfb, throwaway profile): it installs the IOC plugin from the provincial repository, then upgrades
it to a newer version published into the same folder, reloading it on the fly without an error.

Also the repository folder itself: what plugins.xml says, and that republishing a version with other content is
refused (cities that installed it would never get the change).
"""

from __future__ import annotations

import configparser
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from make_repo import RepoError, build  # noqa: E402

SCRIPT = ROOT / "tests" / "desktop" / "repo_install.py"


@pytest.fixture(scope="module")
def plugin_zip() -> Path:
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(ROOT / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    subprocess.run(["make", "-s", "package"], cwd=ROOT, check=True, capture_output=True, timeout=300)
    return ROOT / "dist" / f"ioc_qgis_plugin-{version}.zip"


def bumped(src: Path, dst: Path, version: str, note: str) -> Path:
    """A copy of the plugin zip as the next release: metadata version and changelog changed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "ioc_qgis_plugin/metadata.txt":
                lines = data.decode("utf-8").splitlines()
                lines = [f"version={version}" if ln.startswith("version=") else ln for ln in lines]
                lines = [f"changelog={version} {note}" if ln.startswith("changelog=") else ln for ln in lines]
                data = ("\n".join(lines) + "\n").encode("utf-8")
            zout.writestr(item, data)
    return dst


def _why(tmp_path: Path, result_path: Path) -> str:
    """QGIS's output and the script's verdict, for a failure message."""
    text = (tmp_path / "qgis.log").read_text(errors="replace")[-3000:]
    if result_path.exists():
        text += "\n" + result_path.read_text(encoding="utf-8")[-3000:]
    return text


class _Quiet(SimpleHTTPRequestHandler):
    requests_seen: list[str] = []

    def log_message(self, fmt, *args) -> None:  # noqa: ANN001, ANN002
        self.requests_seen.append(self.path)


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_plugins_xml_lists_the_newest_version_with_checksum(plugin_zip, tmp_path) -> None:
    import hashlib

    out = tmp_path / "repo"
    base = "https://gis.example-province.gov.vn/qgis-plugins"
    newer = bumped(plugin_zip, tmp_path / "newer.zip", "9.8.7", "next release")
    build(newer, out, base)
    build(plugin_zip, out, base)  # publishing an older zip later does not downgrade the cities
    entry = ET.parse(out / "plugins.xml").getroot().find("pyqgis_plugin")
    assert entry.get("version") == "9.8.7" and entry.get("plugin_id") == "ioc_qgis_plugin"
    assert entry.findtext("file_name") == "ioc_qgis_plugin.9.8.7.zip"  # Plugin Manager's id = name up to the first dot
    assert entry.findtext("download_url") == f"{base}/ioc_qgis_plugin.9.8.7.zip"
    assert entry.findtext("md5_sum") == hashlib.md5((out / "ioc_qgis_plugin.9.8.7.zip").read_bytes()).hexdigest()  # noqa: S324
    assert entry.findtext("qgis_minimum_version") == "3.22.0" and entry.findtext("qgis_maximum_version") == "3.99.0"
    assert entry.findtext("experimental") in ("True", "False") and entry.findtext("changelog").startswith("9.8.7")
    assert entry.findtext("about") and entry.findtext("author_name") and entry.findtext("description")
    assert sorted(p.name for p in out.glob("*.zip")) == ["ioc_qgis_plugin.0.1.0.zip", "ioc_qgis_plugin.9.8.7.zip"]
    assert len((out / "SHA256SUMS").read_text().splitlines()) == 2
    changed = bumped(plugin_zip, tmp_path / "changed.zip", "9.8.7", "same number, other content")
    before = (out / "plugins.xml").read_bytes()
    with pytest.raises(RepoError, match="raise the version"):
        build(changed, out, base)
    assert (out / "plugins.xml").read_bytes() == before  # nothing published, nothing lost


def test_bad_zip_and_bad_url_are_clear_errors(plugin_zip, tmp_path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(RepoError, match="not a zip"):
        build(junk, tmp_path / "repo", "https://x/")
    with pytest.raises(RepoError, match="base URL"):
        build(plugin_zip, tmp_path / "repo", "gis.example.gov.vn/plugins")
    assert not (tmp_path / "repo" / "plugins.xml").exists()


@pytest.mark.skipif(not (shutil.which("qgis.bin") and shutil.which("xvfb-run")), reason="needs the QGIS desktop")
def test_plugin_manager_installs_then_upgrades_from_the_repository(plugin_zip, served, tmp_path) -> None:
    folder, base = served
    version = configparser.ConfigParser(interpolation=None)
    version.read(ROOT / "metadata.txt", encoding="utf-8")
    first = version["general"]["version"]
    second = first + ".1"  # compares newer in QGIS and in make_repo
    build(plugin_zip, folder, base)

    profiles = tmp_path / "profiles"
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(
        "[Qgis]\ncheckVersion=false\nshowTips322=false\nnewProjectDefault=false\n"
        "[qgis]\ncheckVersion=false\nallowVersionCheck=false\nshowTips=false\n",
        encoding="utf-8",
    )
    flags = tmp_path / "flags"
    flags.mkdir()
    result_path = tmp_path / "result.json"
    env = dict(
        os.environ,
        IOC_REPO_URL=base + "plugins.xml",
        IOC_RESULT=str(result_path),
        IOC_FLAG_DIR=str(flags),
        QT_QPA_PLATFORM="xcb",
    )
    env.pop("PYTHONPATH", None)  # the desktop must run what the Plugin Manager installed, not the checkout
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", "qgis.bin", "--profiles-path", str(profiles)]
    cmd += ["--noversioncheck", "--nologo", "--code", str(SCRIPT)]
    log = open(tmp_path / "qgis.log", "w", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        end = time.time() + 240
        while not (flags / "installed").exists():
            assert proc.poll() is None, _why(tmp_path, result_path)
            assert time.time() < end, "QGIS did not install the plugin within 240 s"
            time.sleep(0.2)
        # the province publishes the next release into the same folder
        build(bumped(plugin_zip, tmp_path / "next.zip", second, "upgrade test"), folder, base)
        (flags / "published").touch()
        proc.wait(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    assert result_path.exists(), _why(tmp_path, result_path)
    result = json.loads(result_path.read_text(encoding="utf-8"))
    steps = {s["step"]: s for s in result["steps"]}
    assert result["errors"] == [], result
    assert steps["fetched"]["version_available"] == first and steps["fetched"]["status_exp"] == "not installed"
    installed = steps["installed"]
    assert installed["version_installed"] == first and installed["active"] and installed["loaded_version"] == first
    assert installed["ioc_actions"] > 0 and installed["provider"] and not installed["error"]
    again = steps["fetched again"]
    assert again["version_available"] == second and again["status_exp"] == "upgradeable"
    upgraded = steps["upgraded"]
    assert upgraded["version_installed"] == second and upgraded["loaded_version"] == second, upgraded
    assert upgraded["active"] and upgraded["ioc_actions"] == installed["ioc_actions"] and upgraded["provider"]
    assert not upgraded["error"]
    messages = " ".join(result["manager_messages"])
    assert "successfully" in messages and "restart" not in messages.lower(), messages
    installed_meta = profiles / "profiles" / "default" / "python" / "plugins" / "ioc_qgis_plugin" / "metadata.txt"
    assert f"version={second}" in installed_meta.read_text(encoding="utf-8")
    assert f"/ioc_qgis_plugin.{second}.zip" in _Quiet.requests_seen
