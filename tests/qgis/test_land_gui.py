"""Land GUI in real QGIS: import dialog + task end to end, locator, parcel card, map tool, controller unload."""

from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsLocatorContext, QgsPointXY
from qgis.PyQt.QtCore import QCoreApplication

from ioc_qgis_plugin.gui.land_card import ParcelCardWidget, ParcelMapTool, open_card
from ioc_qgis_plugin.gui.land_controller import LandController
from ioc_qgis_plugin.gui.land_import_dialog import LandImportDialog
from ioc_qgis_plugin.gui.land_locator import ParcelLocatorFilter, result_fid
from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.qgis.conftest import flush_deletes, wait_tasks


def factory(path):
    return lambda: GeoPackageStore.open(path)


def test_import_dialog_runs_task(qgis_app, tmp_path, demo_gpkg):
    store = tmp_path / "ioc.gpkg"
    GeoPackageStore.copy_file(demo_gpkg, store)  # backup API, never a file copy of a store
    src = write_sheet(make_sheet(120, seed=21), str(tmp_path / "to.shp"))
    dlg = LandImportDialog(factory(store), presets_dir=tmp_path / "presets")
    dlg.load_file(src)
    m = dlg.mapping()
    assert m.sheet_no == "SoHieuToBa" and m.land_use == "KyHieuMuc"
    got = []
    dlg.imported.connect(got.append)
    dlg.start_import()
    wait_tasks()
    assert got and got[0].imported == 120, dlg.message.text()
    s = GeoPackageStore.open(store)
    before = s.count("parcels")
    s.close()
    dlg.start_import()  # same sheets again in append mode: refused, nothing written
    wait_tasks()
    assert "Nothing was imported" in dlg.message.text() and "already in the store" in dlg.message.text()
    s = GeoPackageStore.open(store)
    assert s.count("parcels") == before
    s.close()
    dlg.close()


def test_locator_finds_demo_parcel(qgis_app, demo_gpkg):
    s = GeoPackageStore.open(demo_gpkg)
    row = s.fetch("parcels", limit=1, order_by="fid")[0]
    s.close()
    chosen = []
    flt = ParcelLocatorFilter(factory(demo_gpkg), chosen.append).clone()
    results = []
    flt.resultFetched.connect(results.append)
    from qgis.core import QgsFeedback

    flt.fetchResults(f"{int(row['sheet_no'])}/{int(row['parcel_no'])}", QgsLocatorContext(), QgsFeedback())
    QCoreApplication.processEvents()
    assert [r.description for r in results] == [row["parcel_id"]]
    assert result_fid(results[0], factory(demo_gpkg)) == row["fid"]
    flt.triggerResult(results[0])
    assert chosen == [row["fid"]]


def test_card_and_map_tool(qgis_app, qgis_canvas, demo_gpkg):
    s = GeoPackageStore.open(demo_gpkg)
    row = s.fetch("parcels", limit=1, order_by="fid", geometry=True)[0]
    s.close()
    tool = ParcelMapTool(qgis_canvas, factory(demo_gpkg))
    c = row["geom"].representative_point()
    assert tool.parcel_at(QgsPointXY(c.x, c.y), QgsCoordinateReferenceSystem("EPSG:4326")) == row["fid"]
    w = ParcelCardWidget()
    card = open_card(factory(demo_gpkg), row["fid"], w, distance_m=5000)
    text = w.view.toPlainText()
    assert f"{row['sheet_no']} / {row['parcel_no']}" in text and row["land_use"] in text
    assert card.main_zone["zone_id"] in text and ("conforming" in text)
    assert card.reports and card.reports[0]["report_id"] in text
    w.close()


def test_controller_unload(qgis_app, qgis_iface, demo_gpkg):
    ctl = LandController(qgis_iface, factory(demo_gpkg))
    assert len(ctl.actions()) == 2
    ctl.open_import()
    s = GeoPackageStore.open(demo_gpkg)
    fid = s.fetch("parcels", limit=1)[0]["fid"]
    s.close()
    assert ctl.show_parcel(fid) is not None
    ctl.card_action.trigger()
    ctl.unload()
    flush_deletes()
    assert ctl.dialog is None and ctl.card is None
