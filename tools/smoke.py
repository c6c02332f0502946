"""`make smoke`: the real QGIS desktop under Xvfb with the plugin deployed in a throwaway profile.

Opens the demo city through the plugin, saves a screenshot, loads/unloads the plugin 20 times and fails on any
Python error or anything left behind.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from qgis_profile import desktop_command, make_profile  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--gpkg", type=Path, default=None)
    ap.add_argument("--locale", default="vi")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    gpkg = a.gpkg
    if gpkg is None:
        gpkg = a.out / "smoke-city.gpkg"
        subprocess.run(
            [sys.executable, "-m", "ioc_qgis_plugin.demo.citygen", "--out", str(gpkg), "--force"], check=True
        )
    profiles = Path(tempfile.mkdtemp(prefix="ioc-qgis-profile-"))
    make_profile(profiles, a.plugin_dir.resolve(), a.locale)
    result = a.out / "smoke.json"
    shot = a.out / "smoke.png"
    result.unlink(missing_ok=True)
    env = dict(
        os.environ,
        IOC_GPKG=str(gpkg.resolve()),
        IOC_SCREENSHOT=str(shot),
        IOC_RESULT=str(result),
        IOC_SMOKE="1",
        QT_QPA_PLATFORM="xcb",
    )
    env.pop("PYTHONPATH", None)  # the desktop must run the deployed plugin, not the checkout
    cmd = desktop_command(profiles, headless=True)
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") + (exc.stderr or b"").decode(errors="replace")
        (a.out / "qgis.log").write_text(out, encoding="utf-8")
        print(f"smoke: QGIS did not finish within 180 s; see {a.out / 'qgis.log'}", file=sys.stderr)
        return 1
    (a.out / "qgis.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if not result.exists():
        print(f"smoke: QGIS exited ({proc.returncode}) without a verdict; see {a.out / 'qgis.log'}", file=sys.stderr)
        return 1
    verdict = json.loads(result.read_text(encoding="utf-8"))
    print(json.dumps(verdict, indent=2, ensure_ascii=False))
    print(f"screenshot: {shot}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
