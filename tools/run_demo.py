"""`make demo`: start the demo city's services on 127.0.0.1 and open QGIS with the plugin and its layers.

Services: GStreamer RTSP cameras (rtsp://127.0.0.1:8554/camNN, sub-streams camNN_sub), the Open311 reporting
system (:8311), the SensorThings street-light server (:8090), all seeded from the demo GeoPackage, a local
CKAN action API (:8800, token demo-ckan-token) standing in for the open-data portal, and two simulated ONVIF
cameras (:8081, :8082; user admin) whose streams are the RTSP server's cam01 and cam02. They stop
when QGIS closes. Without a display (no $DISPLAY) QGIS runs under Xvfb, saves a screenshot and exits.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_ONVIF_PASSWORD = "demo-onvif"  # the simulated cameras' login (README, operator section)
ROOT = HERE.parent
DEMO_CKAN_TOKEN = "demo-ckan-token"  # the token the demo portal accepts (README: publishing)
sys.path.insert(0, str(HERE))
from processes import stop  # noqa: E402
from qgis_profile import desktop_command, make_profile  # noqa: E402

# The demo Open311 server's default api key (devservers/open311_server.py) and the auth manager id it is kept under.
DEMO_OPEN311_KEY = "demo-key"
DEMO_AUTHCFG = "iocd311"


def start(
    cmd: list[str], ready: str, name: str, timeout: float = 30.0, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start a service and wait for its ready line; a service that fails is reported, the demo goes on."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    end = time.time() + timeout
    while time.time() < end:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        if ready in line:
            print(f"  {name}: {line.strip()}")
            return proc
    print(f"  {name}: did not start (exit {proc.poll()}); continuing without it", file=sys.stderr)
    return proc


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpkg", type=Path, required=True)
    ap.add_argument("--plugin-dir", type=Path, required=True)
    ap.add_argument("--cameras", type=int, default=50)
    ap.add_argument("--locale", default=os.environ.get("IOC_LOCALE", "vi"))
    a = ap.parse_args()
    py = sys.executable
    gpkg = str(a.gpkg.resolve())
    print("Starting demo services on 127.0.0.1 …")
    os.environ["IOC_DEMO_CKAN"] = DEMO_CKAN_TOKEN
    secret = a.gpkg.parent / "export-id-secret"  # written by make demo-data; QGIS's export dialog reads it
    if secret.is_file():
        os.environ.setdefault("IOC_EXPORT_ID_SECRET", secret.read_text(encoding="utf-8").strip())
    procs = [
        start(
            [
                py,
                "-m",
                "ioc_qgis_plugin.devservers.rtsp_server",
                "--port",
                "8554",
                "--count",
                str(a.cameras),
                "--size",
                "1280x720",
                "--sub-size",
                "640x360",
            ],
            "READY",
            "cameras (RTSP)",
        ),
        start(
            [py, "-m", "ioc_qgis_plugin.devservers.open311_server", "--gpkg", gpkg, "--port", "8311"],
            "ready",
            "field reports (Open311)",
        ),
        start(
            [py, "-m", "ioc_qgis_plugin.devservers.sensorthings_server", "--gpkg", gpkg, "--port", "8090", "--live"],
            "READY",
            "street lights (SensorThings)",
        ),
        # the provincial portal's stand-in, so the README's publishing example runs as written
        start(
            [py, "-m", "ioc_qgis_plugin.devservers.ckan_server", "--port", "8800", "--token-env", "IOC_DEMO_CKAN"],
            "ready",
            "open-data portal (CKAN)",
        ),
        start(  # two ONVIF cameras to try "Add cameras from ONVIF…" on (type 127.0.0.1:8081 and 127.0.0.1:8082)
            [py, "-m", "ioc_qgis_plugin.devservers.onvif_device", "--count", "2", "--port", "8081"]
            + ["--user", "admin", "--rtsp", "rtsp://127.0.0.1:8554/"],
            "READY",
            "ONVIF cameras",
            env=dict(os.environ, IOC_ONVIF_PASSWORD=DEMO_ONVIF_PASSWORD),  # not on the command line
        ),
    ]
    profiles = ROOT / "build" / "demo" / "qgis-profile"
    make_profile(
        profiles,
        a.plugin_dir.resolve(),
        a.locale,
        settings={
            "ioc": {
                "open311_url": "http://127.0.0.1:8311/",
                "open311_authcfg": DEMO_AUTHCFG,
                "sensorthings_url": "http://127.0.0.1:8090/v1.1/",
                "role": "admin",
            }
        },
    )
    # A fresh auth database with a one-run master password; the startup script keeps the demo server's api key
    # in it (credentials travel in the environment, never on a command line or in the profile's settings).
    (profiles / "profiles" / "default" / "qgis-auth.db").unlink(missing_ok=True)
    env = dict(
        os.environ,
        IOC_GPKG=gpkg,
        IOC_DEMO_AUTH_MASTER=secrets.token_urlsafe(24),
        IOC_DEMO_OPEN311_KEY=DEMO_OPEN311_KEY,
        IOC_DEMO_OPEN311_AUTHCFG=DEMO_AUTHCFG,
    )
    env.pop("PYTHONPATH", None)
    env.pop("QT_QPA_PLATFORM", None)
    headless = not os.environ.get("DISPLAY")
    cmd = desktop_command(profiles, headless)
    if headless:
        shot = ROOT / "build" / "demo" / "demo.png"
        env.update(IOC_SCREENSHOT=str(shot), IOC_EXIT_AFTER_S="25", IOC_RESULT=str(shot.with_suffix(".json")))
        print("No display: running QGIS under Xvfb; it saves a screenshot and exits.")
    print("Opening QGIS with the IOC plugin …")
    try:
        code = subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        code = 130
    finally:
        stop(procs)
        print("Demo services stopped.")
    if headless:
        print(f"screenshot: {ROOT / 'build' / 'demo' / 'demo.png'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
