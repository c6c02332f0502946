"""OGC API – Features round trip: export → publish to a real local pygeoapi → read /collections/{id}/items back."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ioc_qgis_plugin.devservers.pygeoapi_runner import PygeoapiServer, available
from ioc_qgis_plugin.export.ogcapi import OgcApiError, collection_id, verify_collection
from ioc_qgis_plugin.export.package import DatasetInfo
from ioc_qgis_plugin.export.policy import Policy
from ioc_qgis_plugin.export.publish import run_export
from ioc_qgis_plugin.export.select import Selection
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

pytestmark = pytest.mark.skipif(not available(), reason="pygeoapi is not installed in this venv")


def test_round_trip_through_pygeoapi(demo_copy: Path, tmp_path: Path) -> None:
    info = DatasetInfo(name="phan-anh", title="Phản ánh hiện trường", keywords=["IOC"])
    store = GeoPackageStore.open(demo_copy)
    sel = Selection(tables=("field_reports", "wards"), statuses=("closed",))
    opts = {"data_dir": str(tmp_path / "data"), "config": str(tmp_path / "pygeoapi.yml")}
    res = run_export(
        store,
        sel,
        Policy(id_secret="ogc-test-city-secret-01"),
        info,
        tmp_path / "pkg",
        target="ogcapi",
        target_options=opts,
    )
    phones = {r["reporter_phone"] for r in store.fetch("field_reports", columns=["reporter_phone"])}
    store.close()
    n = res.records["field_reports"]
    assert res.uploaded == ["phan-anh-field-reports", "phan-anh-wards"] and 0 < n < 3000
    with PygeoapiServer(tmp_path / "pygeoapi.yml") as srv:
        cid = collection_id(info, "field_reports")
        assert verify_collection(srv.url, cid, n) == n
        items = requests.get(f"{srv.url}/collections/{cid}/items", params={"f": "json", "limit": 50}, timeout=10)
        feats = items.json()["features"]
        assert len(feats) == 50 and feats[0]["geometry"]["type"] == "Point"
        props = feats[0]["properties"]
        assert "reporter_phone" not in props and props["status"] == "closed"
        assert not any(p in items.text for p in phones)
        one = requests.get(f"{srv.url}/collections/{cid}/items/{feats[0]['id']}", params={"f": "json"}, timeout=10)
        assert one.status_code == 200
        with pytest.raises(OgcApiError, match="features"):
            verify_collection(srv.url, cid, n + 1)
        with pytest.raises(OgcApiError, match="restart"):
            verify_collection(srv.url, "not-published", 1)
