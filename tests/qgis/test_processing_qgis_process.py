"""Headless `qgis_process.bin run ioc:hotspots_gistar` with a throwaway profile (QGIS_CUSTOM_CONFIG_PATH).

/usr/bin/qgis_process on Debian adds --noversioncheck, which qgis_process rejects: call qgis_process.bin directly.
qgis_process loads only enabled plugins with hasProcessingProvider=yes and calls their initProcessing().
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QGIS_PROCESS = Path("/usr/bin/qgis_process.bin")
PROBE = '''
def classFactory(iface):
    return Probe()


class Probe:
    """Stand-in plugin: registers the IOC provider from the checkout on PYTHONPATH."""

    def initProcessing(self):
        from qgis.core import QgsApplication
        from ioc_qgis_plugin.processing.provider import IocProcessingProvider

        self.provider = IocProcessingProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()

    def unload(self):
        from qgis.core import QgsApplication

        QgsApplication.processingRegistry().removeProvider(self.provider)
'''
METADATA = """[general]
name=IOC probe
qgisMinimumVersion=3.22
description=test
version=0.0.1
author=tests
email=tests@example.org
about=test
hasProcessingProvider=yes
"""

pytestmark = pytest.mark.skipif(not QGIS_PROCESS.exists(), reason="qgis_process.bin not installed")


def make_profile(root: Path, plugin_name: str, plugin_src: Path | None = None) -> Path:
    profile = root / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    if plugin_src is None:
        (plugins / plugin_name).mkdir()
        (plugins / plugin_name / "__init__.py").write_text(PROBE, encoding="utf-8")
        (plugins / plugin_name / "metadata.txt").write_text(METADATA, encoding="utf-8")
    else:
        shutil.copytree(plugin_src, plugins / plugin_name)
    (profile / "QGIS").mkdir()
    (profile / "QGIS" / "QGIS3.ini").write_text(f"[PythonPlugins]\n{plugin_name}=true\n", encoding="utf-8")
    return root


def incidents_geojson(path: Path) -> Path:
    import numpy as np

    rng = np.random.default_rng(0)
    pts = np.vstack(
        [rng.uniform([107.20, 10.92], [107.26, 10.97], (300, 2)), rng.normal([107.25, 10.96], 0.002, (150, 2))]
    )
    feats = [
        {"type": "Feature", "properties": {"report_id": f"R{i}"}, "geometry": {"type": "Point", "coordinates": [x, y]}}
        for i, (x, y) in enumerate(pts.tolist())
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def qgis_process(config: Path, *args: str, pythonpath: str = "") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "QGIS_CUSTOM_CONFIG_PATH": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "PROJ_DATA": os.environ.get("PROJ_DATA", "/usr/share/proj"),
        "PYTHONPATH": pythonpath,
    }
    return subprocess.run(
        [str(QGIS_PROCESS), "--json", *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def run_gistar(config: Path, tmp: Path, pythonpath: str) -> dict:
    src = incidents_geojson(tmp / "incidents.geojson")
    out = tmp / "hotspots.gpkg"
    proc = qgis_process(
        config, "run", "ioc:hotspots_gistar", "--", f"INPUT={src}", "CELL_SIZE=500", f"OUTPUT={out}",
        pythonpath=pythonpath,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert out.exists()
    return result


def test_qgis_process_with_throwaway_profile(tmp_path: Path) -> None:
    config = make_profile(tmp_path / "cfg", "ioc_process_probe")
    listed = qgis_process(config, "plugins", pythonpath=str(ROOT))
    assert "ioc_process_probe" in listed.stdout, listed.stdout[-2000:] + listed.stderr[-2000:]
    result = run_gistar(config, tmp_path, str(ROOT))
    summary = result["results"]["SUMMARY"]
    assert "Gi*" in summary and "EPSG:5899" in summary


def test_qgis_process_with_staged_plugin(tmp_path: Path) -> None:
    """The installable plugin from `make stage`; needs plugin.py to define initProcessing()."""
    stage = subprocess.run(["make", "-s", "stage"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    staged = ROOT / "build" / "ioc_qgis_plugin"
    if stage.returncode != 0 or not (staged / "processing_scripts").is_dir():
        pytest.skip(f"`make stage` failed: {(stage.stderr or stage.stdout).strip()[-300:]}")
    if "def initProcessing" not in (staged / "plugin.py").read_text(encoding="utf-8"):
        pytest.skip("plugin.py has no initProcessing(): qgis_process would not register the IOC provider")
    config = make_profile(tmp_path / "cfg", "ioc_qgis_plugin", staged)
    result = run_gistar(config, tmp_path, "")  # nothing from the checkout: only the installed plugin
    assert "Gi*" in result["results"]["SUMMARY"]
