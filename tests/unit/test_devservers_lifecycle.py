"""Local servers clean up on SIGTERM as on Ctrl-C (a service manager or the demo launcher sends SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ckan_server_removes_its_temporary_folder_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ioc_qgis_plugin.devservers.ckan_server", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ready = proc.stdout.readline()
        assert "ready on http://127.0.0.1:" in ready, ready
        assert [p.name for p in tmp_path.glob("ckan-local-*")], "the server keeps uploads in a temporary folder"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not list(tmp_path.glob("ckan-local-*"))
