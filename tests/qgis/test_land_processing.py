"""ioc:parcel_quality, ioc:planning_conformity and ioc:import_cadastre through processing.run (real QGIS)."""

from __future__ import annotations

import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet
from ioc_qgis_plugin.store.gpkg import GeoPackageStore


def test_parcel_quality_report(ioc_provider, tmp_path):
    import processing

    sheet = make_sheet(400, seed=2, defects=0.02)
    path = write_sheet(sheet, str(tmp_path / "thua.gpkg"), driver="GPKG")
    layer = QgsVectorLayer(f"{path}|layername=thua_dat", "thua", "ogr")
    assert layer.isValid()
    res = processing.run("ioc:parcel_quality", {"INPUT": layer, "AREA_FIELD": "DienTich", "OUTPUT": "memory:"})
    out = res["OUTPUT"]
    kinds = [f["kind"] for f in out.getFeatures()]
    assert kinds.count("sliver") == len(sheet.planted["sliver"])
    assert "overlap" in kinds and "area" in kinds
    assert all(f["reason"] for f in out.getFeatures())
    assert "parcels:" in res["SUMMARY"]


def test_planning_conformity_on_demo(ioc_provider, demo_copy):
    import processing

    # a private copy: QGIS's OGR provider changes the journal mode of a GeoPackage it releases (WAL → DELETE),
    # and the session's shared demo city must stay as built for the tests after this one
    parcels = QgsVectorLayer(f"{demo_copy}|layername=parcels", "parcels", "ogr")
    zones = QgsVectorLayer(f"{demo_copy}|layername=planning_zones", "zones", "ogr")
    res = processing.run(
        "ioc:planning_conformity",
        {
            "PARCELS": parcels,
            "LAND_USE": "land_use",
            "ZONES": zones,
            "ZONE_ID": "zone_id",
            "ALLOWED_USES": "allowed_uses",
            "OUTPUT": "memory:",
        },
    )
    out = res["OUTPUT"]
    assert out.featureCount() == parcels.featureCount()
    values = {f["conforming"] for f in out.getFeatures()}
    assert 1 in values and 0 in values  # the demo city plants ~10 % non-conforming uses
    assert "QH-01" in res["SUMMARY"] and "%" in res["SUMMARY"]


def test_import_cadastre_algorithm(ioc_provider, demo_gpkg, tmp_path):
    import processing

    store = tmp_path / "ioc.gpkg"
    GeoPackageStore.copy_file(demo_gpkg, store)  # backup API, never a file copy of a store
    path = write_sheet(make_sheet(150, seed=9), str(tmp_path / "to.shp"))
    res = processing.run("ioc:import_cadastre", {"INPUT": path, "STORE": str(store), "MODE": 1})
    assert res["IMPORTED"] == 150
    bad = make_sheet(10)
    bad.land_use[0] = "QQQ"
    path = write_sheet(bad, str(tmp_path / "bad.shp"))
    with pytest.raises(QgsProcessingException, match="QQQ"):
        processing.run("ioc:import_cadastre", {"INPUT": path, "STORE": str(store), "MODE": 1})
