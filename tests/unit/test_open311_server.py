"""The local Open311 server as the demo starts it: CLI seeded from a GeoPackage, ready line, spec answers."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from ioc_qgis_plugin.connectors.open311 import Open311Client
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.open311_data import demo_rows
from tests.support.pgcluster import free_port


def test_cli_serves_a_geopackage(tmp_path) -> None:
    path = tmp_path / "ioc.gpkg"
    store = GeoPackageStore.create(path)
    rows = demo_rows(100)
    store.insert("field_reports", rows, store.point_geometries(rows))
    store.close()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ioc_qgis_plugin.devservers.open311_server", "--gpkg", str(path), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert "ready" in line and f"127.0.0.1:{port}" in line and "100 requests" in line
        base = f"http://127.0.0.1:{port}"
        client = Open311Client(base, fmt="xml")
        assert client.supports_update()
        assert client.request("PA-000001")["detailed_status"] == rows[0]["status"]
        r = requests.get(f"{base}/requests.json", params={"start_date": "not a date"}, timeout=5)
        assert r.status_code == 400 and r.json()[0]["code"] == 400
        r = requests.get(f"{base}/nothing.json", timeout=5)
        assert r.status_code == 404 and "description" in r.json()[0]
        r = requests.post(f"{base}/requests.xml", data={"api_key": "nope", "service_code": "traffic"}, timeout=5)
        assert r.status_code == 403 and r.text.startswith("<?xml") and "<errors>" in r.text
    finally:
        proc.terminate()
        proc.wait(10)
