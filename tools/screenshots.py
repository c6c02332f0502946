"""The operator's and the desk officer's day in the real QGIS desktop under Xvfb, with the demo's services, in
Vietnamese and English at 1366×768 and 1920×1080: a screenshot per step plus a JSON of what was seen.

    .venv/bin/python tools/screenshots.py --plugin-dir build/ioc_qgis_plugin --out docs/screenshots

Everything runs on free ports of 127.0.0.1 (its own demo city points its cameras at its own RTSP server), so it
can run beside a `make demo`. The demo's Open311 api key goes into the throwaway profile's auth manager, as in
`make demo`, so the desk's changes really reach the reporting system.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from qgis_profile import desktop_command, make_profile  # noqa: E402
from run_demo import DEMO_AUTHCFG, DEMO_OPEN311_KEY, start, stop  # noqa: E402

RUNS = (("vi", "1366x768"), ("en", "1366x768"), ("vi", "1920x1080"), ("en", "1920x1080"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shrink(folder: Path) -> None:
    """256-colour PNGs (a third of the size; UI screenshots lose nothing visible) when Pillow is there."""
    try:
        from PIL import Image
    except ImportError:
        return
    for png in folder.glob("*.png"):
        with Image.open(png) as im:
            small = im.convert("RGB").quantize(colors=256, method=Image.MEDIANCUT, dither=Image.NONE)
        small.save(png, optimize=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "walk")
    ap.add_argument("--runs", default=",".join(f"{lang}:{size}" for lang, size in RUNS))
    a = ap.parse_args()
    py = sys.executable
    a.work.mkdir(parents=True, exist_ok=True)
    rtsp, o311, sta = free_port(), free_port(), free_port()
    gpkg = a.work / "city.gpkg"
    subprocess.run(
        [
            py,
            "-m",
            "ioc_qgis_plugin.demo.citygen",
            "--out",
            str(gpkg),
            "--force",
            "--rtsp-base",
            f"rtsp://127.0.0.1:{rtsp}",
        ],
        cwd=ROOT,
        check=True,
    )
    procs = [
        start(
            [py, "-m", "ioc_qgis_plugin.devservers.rtsp_server", "--port", str(rtsp), "--count", "12"]
            + ["--size", "1280x720", "--sub-size", "640x360"],
            "READY",
            "cameras (RTSP)",
        ),
        start(
            [py, "-m", "ioc_qgis_plugin.devservers.open311_server", "--gpkg", str(gpkg), "--port", str(o311)],
            "ready",
            "field reports (Open311)",
        ),
        start(
            [py, "-m", "ioc_qgis_plugin.devservers.sensorthings_server", "--gpkg", str(gpkg), "--port", str(sta)]
            + ["--live"],
            "READY",
            "street lights (SensorThings)",
        ),
    ]
    for p in procs:  # keep reading the services' output, or a full pipe would stall them mid-walk
        if p.stdout is not None:
            threading.Thread(target=lambda f=p.stdout: [None for _ in f], daemon=True).start()
    code = 0
    try:
        for run in a.runs.split(","):
            lang, size = run.split(":")
            folder = (a.out / f"{lang}-{size}").resolve()
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            work_gpkg = a.work / f"city-{lang}-{size}.gpkg"
            for stale in (work_gpkg, Path(f"{work_gpkg}-wal"), Path(f"{work_gpkg}-shm")):
                stale.unlink(missing_ok=True)  # a journal left from an earlier walk would corrupt the fresh copy
            shutil.copy(gpkg, work_gpkg)  # each walk changes reports: start each from the same city
            profiles = a.work / f"profile-{lang}-{size}"
            shutil.rmtree(profiles, ignore_errors=True)
            make_profile(
                profiles,
                a.plugin_dir.resolve(),
                lang,
                settings={
                    "ioc": {
                        "open311_url": f"http://127.0.0.1:{o311}/",
                        "open311_authcfg": DEMO_AUTHCFG,
                        "sensorthings_url": f"http://127.0.0.1:{sta}/v1.1/",
                        "role": "admin",
                    }
                },
            )
            verdict = folder / "walk.json"
            env = dict(
                os.environ,
                IOC_GPKG=str(work_gpkg.resolve()),
                IOC_WALK_DIR=str(folder),
                IOC_RESULT=str(verdict),
                IOC_EXIT_AFTER_S="1",
                IOC_DEMO_AUTH_MASTER=secrets.token_urlsafe(24),
                IOC_DEMO_OPEN311_KEY=DEMO_OPEN311_KEY,
                IOC_DEMO_OPEN311_AUTHCFG=DEMO_AUTHCFG,
                QT_QPA_PLATFORM="xcb",
            )
            env.pop("PYTHONPATH", None)
            print(f"walk {lang} {size} …", flush=True)
            log = a.work / f"qgis-{lang}-{size}.log"
            with log.open("w") as fh:
                rc = subprocess.call(
                    desktop_command(profiles, headless=True, screen=size), env=env, stdout=fh, stderr=fh, timeout=400
                )
            if not verdict.exists():
                print(f"  no verdict (exit {rc}); see {log}", file=sys.stderr)
                code = 1
                continue
            shrink(folder)
            data = json.loads(verdict.read_text(encoding="utf-8"))
            print(json.dumps(data.get("walk", {}), ensure_ascii=False, indent=1)[:3000])
            if data.get("errors"):
                print("  errors:", data["errors"], file=sys.stderr)
                code = 1
    finally:
        stop(procs)
    return code


if __name__ == "__main__":
    sys.exit(main())
