"""`make package` builds a zip the official QGIS plugin repository accepts."""

from __future__ import annotations

import configparser
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_package_zip_is_repository_ready():
    meta = configparser.ConfigParser()
    meta.read(ROOT / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    subprocess.run(["make", "-s", "package"], cwd=ROOT, check=True, capture_output=True, timeout=300)
    path = ROOT / "dist" / f"ioc_qgis_plugin-{version}.zip"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert {n.split("/")[0] for n in names} == {"ioc_qgis_plugin"}  # one top folder
        for required in (
            "metadata.txt",
            "__init__.py",
            "LICENSE",
            "resources_rc.py",
            "i18n/ioc_vi.qm",
            "layers/schema.json",
            "processing_scripts/hotspots_gistar.py",
        ):
            assert f"ioc_qgis_plugin/{required}" in names, required
        assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".ts")) or "/tests/" in n]
        packaged = configparser.ConfigParser()
        packaged.read_string(zf.read("ioc_qgis_plugin/metadata.txt").decode("utf-8"))
        general = packaged["general"]
        for key in (
            "name",
            "qgisMinimumVersion",
            "qgisMaximumVersion",
            "description",
            "about",
            "version",
            "author",
            "email",
            "tracker",
            "repository",
            "tags",
        ):
            assert general.get(key), key
        assert general["qgisMinimumVersion"] == "3.22" and general["qgisMaximumVersion"] == "3.99"
        assert general["version"] == version
        assert "def classFactory" in zf.read("ioc_qgis_plugin/__init__.py").decode("utf-8")
        assert "from PyQt5" not in zf.read("ioc_qgis_plugin/resources_rc.py").decode("utf-8")
