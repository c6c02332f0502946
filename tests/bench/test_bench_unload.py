"""`unload_leaked_qobjects`: QObjects left alive under the real desktop's main window by 20 unload/load cycles.

Runs tools/smoke.py: the QGIS desktop under Xvfb with the staged plugin, a small demo city opened through the
plugin, then 20 cycles of load/start/unload; every QObject under the main window is counted by class before and
after the cycles (ours or QGIS's, e.g. a submenu QGIS made for us). Target: 0.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_unload_leaked_qobjects(bench_record, tmp_path) -> None:  # noqa: ANN001
    if not (shutil.which("xvfb-run") and shutil.which("qgis.bin")):
        pytest.skip("needs the QGIS desktop and Xvfb (make setup)")
    build = tmp_path / "build"
    subprocess.run(["make", "-s", "-C", str(ROOT), "stage", f"BUILD={build}"], check=True)
    gpkg = tmp_path / "city.gpkg"
    subprocess.run(
        [sys.executable, "-m", "ioc_qgis_plugin.demo.citygen", "--out", str(gpkg), "--force", "--reports", "500"],
        cwd=ROOT,
        check=True,
    )
    out = tmp_path / "smoke"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "smoke.py"),
            "--plugin-dir",
            str(build / "ioc_qgis_plugin"),
            "--out",
            str(out),
            "--gpkg",
            str(gpkg),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    keep = ROOT / "build" / "bench"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(out / "smoke.json", keep / "unload_smoke.json")  # the by-class counts, for a look afterwards
    verdict = json.loads((out / "smoke.json").read_text(encoding="utf-8"))
    leaked = verdict["unload_leaked_qobjects"]
    by_class = verdict.get("leaked_qobjects_by_class") or {}
    bench_record(
        "unload_leaked_qobjects",
        leaked,
        "objects",
        target="0",
        note=f"{verdict['unload_cycles']} unload/load cycles in the QGIS 3.22 desktop under Xvfb"
        + (f"; left: {by_class}" if by_class else ""),
    )
    assert not verdict["errors"], verdict["errors"]
    assert proc.returncode == 0 or leaked, proc.stderr[-3000:]
