"""Renders the README screenshots from the real QGIS desktop under Xvfb, with the demo cameras streaming.

    .venv/bin/python tools/screenshots.py --gpkg build/demo/ioc.gpkg \
        --plugin-dir build/ioc_qgis_plugin --out docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from qgis_profile import desktop_command, make_profile  # noqa: E402
from run_demo import start, stop  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpkg", type=Path, required=True)
    ap.add_argument("--plugin-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--locale", default="vi")
    a = ap.parse_args()
    procs = [
        start(
            [
                sys.executable,
                "-m",
                "ioc_qgis_plugin.devservers.rtsp_server",
                "--port",
                "8554",
                "--count",
                "12",
                "--size",
                "1280x720",
                "--sub-size",
                "640x360",
            ],
            "READY",
            "cameras (RTSP)",
        )
    ]
    profiles = HERE.parent / "build" / "shots-profile"
    make_profile(profiles, a.plugin_dir.resolve(), a.locale)
    env = dict(
        os.environ,
        IOC_GPKG=str(a.gpkg.resolve()),
        IOC_SHOTS_DIR=str(a.out.resolve()),
        IOC_EXIT_AFTER_S="2",
        QT_QPA_PLATFORM="xcb",
    )
    env.pop("PYTHONPATH", None)
    try:
        return subprocess.call(
            desktop_command(profiles, headless=True),
            env=env,
            timeout=240,
        )
    finally:
        stop(procs)


if __name__ == "__main__":
    sys.exit(main())
