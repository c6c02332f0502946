"""The desk officer's and the operator's day in real QGIS (offscreen): snapshots into reports, row clicks."""

from __future__ import annotations

from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtGui import QColor, QImage
from qgis.PyQt.QtWidgets import QApplication, QMessageBox
from shapely.geometry import Point

from ioc_qgis_plugin.core.fov import fov_wedge
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.qgis.conftest import wait_tasks


def answer_next_question(button: int, seen: list) -> None:
    """Click a button of the next modal question box, as the user would."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(20, click)


def seen_and_unseen(path) -> tuple[str, str, str]:  # noqa: ANN001
    """(report id, a camera that sees it, a camera that does not)."""
    store = GeoPackageStore.open(path)
    cams = store.fetch("cameras", geometry=True)
    reps = store.fetch("field_reports", columns=["report_id", "lon", "lat"])
    store.close()
    wedges = {c["camera_id"]: fov_wedge(c["geom"].x, c["geom"].y, c["bearing"], c["angle"], c["range_m"]) for c in cams}
    for r in reps:
        if r["lon"] is None:
            continue
        ids = [cid for cid, w in wedges.items() if w.covers(Point(r["lon"], r["lat"]))]
        if ids:
            other = next(cid for cid in wedges if cid not in ids)
            return r["report_id"], ids[0], other
    raise AssertionError("no report seen by a camera in the demo city")


def attachments(path, report_id: str) -> int:  # noqa: ANN001
    store = GeoPackageStore.open(path)
    try:
        return store.count("report_attachments", "report_id = ?", (report_id,))
    finally:
        store.close()


def test_snapshot_is_attached_only_when_confirmed_and_only_from_a_camera_that_sees_the_report(
    plugin, demo_copy, tmp_path
):  # noqa: ANN001
    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks()
    report_id, seeing, blind = seen_and_unseen(demo_copy)
    plugin.show_report(report_id)
    assert plugin.report_detail.report_id == report_id
    img = QImage(64, 48, QImage.Format_RGB32)
    img.fill(QColor("#2c3e50"))
    png = tmp_path / "snap.png"
    assert img.save(str(png))
    before = attachments(demo_copy, report_id)
    asked: list = []

    # a camera that does not see the report: no question, nothing attached
    plugin._snapshot_taken(blind, str(png))
    assert asked == [] and attachments(demo_copy, report_id) == before

    # the user says No: nothing attached
    answer_next_question(QMessageBox.No, asked)
    plugin._snapshot_taken(seeing, str(png))
    assert len(asked) == 1 and report_id in asked[0] and seeing in asked[0]
    assert attachments(demo_copy, report_id) == before

    # the user says Yes: attached
    answer_next_question(QMessageBox.Yes, asked)
    plugin._snapshot_taken(seeing, str(png))
    assert len(asked) == 2
    assert attachments(demo_copy, report_id) == before + 1


def test_search_has_one_meaning_in_table_map_and_locator(plugin, demo_copy):
    """Issue 21 item 5: the table, the map's filter and the parcel locator find the same, whatever the case and
    accents, and % or _ are plain characters."""
    from ioc_qgis_plugin.core.text_fold import fold
    from ioc_qgis_plugin.land.search import search_parcels

    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks()
    tab = plugin.dock.reports
    tab.filter_map.setChecked(True)
    counts = {}
    for needle in ("NGUYỄN TRÃI", "nguyen trai", "Nguyễn Trãi", "%", "_", "50%"):
        tab.search.setText(needle)
        tab.apply_filter()
        counts[needle] = tab.model.rowCount()
        assert tab.layer.featureCount() == counts[needle], needle
    assert counts["NGUYỄN TRÃI"] == counts["nguyen trai"] == counts["Nguyễn Trãi"] > 0
    assert counts["%"] == counts["_"] == 0  # not wildcards: no demo text contains them
    store = GeoPackageStore.open(demo_copy)
    try:
        hits = search_parcels(store, "nguyen trai", limit=100000)
        expected = [r for r in store.fetch("parcels", columns=["address"]) if "nguyen trai" in fold(r["address"])]
        assert hits and len(hits) == len(expected)
        assert len(search_parcels(store, "NGUYỄN TRÃI", limit=100000)) == len(expected)
        assert search_parcels(store, "%", limit=10) == []
    finally:
        store.close()


def test_overview_light_figures_are_the_lights_tab_figures(plugin, demo_copy):
    """Issue 21 item 9: one definition and one moment — after a refresh changed the lights, both agree."""
    from ioc_qgis_plugin.lights.refresh import RefreshResult

    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks()
    overview, lights = plugin.dock.overview, plugin.lights_tab
    assert lights is not None

    def figures() -> tuple:
        return overview.figures["lights_fault"].value, overview.figures["lights_nodata"].value

    assert figures() == (lights.counts["fault"], lights.counts["nodata"])
    # a background refresh changes states in the store (as the SensorThings refresh does), then the tab re-reads
    store = GeoPackageStore.open(demo_copy)
    ids = [r["light_id"] for r in store.fetch("street_lights", "state = 'on'", columns=["light_id"], limit=7)]
    store.update_rows("street_lights", "light_id", [{"light_id": i, "state": "fault"} for i in ids[:4]])
    store.update_rows("street_lights", "light_id", [{"light_id": i, "state": "nodata"} for i in ids[4:]])
    store.close()
    before = figures()
    plugin._lights_refreshed(RefreshResult(True, 0.0))
    assert figures() == (lights.counts["fault"], lights.counts["nodata"]) == (before[0] + 4, before[1] + 3)
    plugin.reload()  # the panel's own reload gives the same figures
    wait_tasks()
    assert figures() == (lights.counts["fault"], lights.counts["nodata"])


def test_dock_fits_a_1366_px_screen(qgis_iface, qgis_new_project, demo_copy, tmp_path):
    """Issue 21 item 8: in Vietnamese (the longer texts), with every tab filled (report card, lights detail…), no
    tab needs more than ~380 px, so the dock leaves the map and QGIS's own panels their room at 1366×768."""
    import shutil
    import subprocess
    from pathlib import Path

    import pytest
    from qgis.core import QgsApplication, QgsSettings
    from qgis.PyQt.QtCore import QLocale, QTranslator

    from ioc_qgis_plugin import classFactory
    from tests.qgis.conftest import flush_deletes

    if not shutil.which("lrelease"):
        pytest.skip("lrelease not installed")
    qm = tmp_path / "ioc_vi.qm"
    ts = Path(__file__).resolve().parents[2] / "ioc_qgis_plugin" / "i18n" / "ioc_vi.ts"
    subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QgsApplication.installTranslator(translator)
    old_locale = QLocale()
    QLocale.setDefault(QLocale("vi"))
    QgsSettings().remove("ioc")
    QgsSettings().setValue("ioc/language", "vi")
    p = classFactory(qgis_iface)
    p.initGui()
    try:
        assert p.open_gpkg(str(demo_copy))
        wait_tasks()
        dock = p.dock
        widths = {dock.tabs.tabText(i): dock.tabs.widget(i).minimumSizeHint().width() for i in range(dock.tabs.count())}
        assert max(widths.values()) <= 380, widths
        assert dock.minimumSizeHint().width() <= 390, dock.minimumSizeHint().width()
        header = dock.reports.view.horizontalHeader()
        assert max(header.sectionSize(i) for i in range(header.count() - 1)) <= 280
    finally:
        p.unload()
        flush_deletes()
        QgsApplication.removeTranslator(translator)
        QLocale.setDefault(old_locale)
        QgsSettings().remove("ioc")


def test_numbers_and_times_follow_the_ui_locale_in_the_city_time_zone(plugin, demo_copy):
    """Issue 21 item 12: "3.000" in a Vietnamese UI (as QGIS's legend writes numbers), times in Vietnam time
    whatever the machine's zone, and the history names fields in words and shows local times."""
    import os
    import time as _time
    from datetime import datetime, timedelta

    from qgis.PyQt.QtCore import QLocale

    from ioc_qgis_plugin.core.timeutil import CITY_TZ

    old_locale, old_tz = QLocale(), os.environ.get("TZ")
    QLocale.setDefault(QLocale("vi"))
    os.environ["TZ"] = "America/New_York"  # far from the city: a machine-zone time would show
    _time.tzset()
    try:
        assert plugin.open_gpkg(str(demo_copy))
        wait_tasks()
        dock = plugin.dock
        assert "3.000" in dock.reports.count_label.text()
        assert "3,000" not in dock.reports.count_label.text()
        now = datetime.now(CITY_TZ)
        stamps = {(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}
        label = dock.overview.city_label.text()
        assert any(s in label for s in stamps), label
        # history of an edited time field
        store = GeoPackageStore.open(demo_copy)
        rid = store.fetch("field_reports", "status = 'closed'", order_by="report_id", limit=1)[0]["report_id"]
        store.update_report(rid, {"resolved_at": "2024-05-01T01:30:00Z"}, actor="desk", enqueue=False)
        store.close()
        plugin.show_report(rid)
        top = plugin.report_detail.history.topLevelItem(0)
        action, change = top.text(2), top.text(3)
        assert "edit:" not in action and "resolved_at" not in action
        assert "Z" not in change and "01/05/2024 08:30" in change  # 01:30 UTC is 08:30 in Vietnam
    finally:
        QLocale.setDefault(old_locale)
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        _time.tzset()


def test_map_symbols_and_legend(plugin, demo_copy):
    """Issue 21 item 11 (+ layer names of item 12): a faulty light is not drawn like an overdue report, camera
    legend entries keep an icon's size at any zoom, and names and legends are in the UI language only."""
    from qgis.core import QgsLayerTreeModel, QgsProject

    from ioc_qgis_plugin.gui.layers import ioc_layer

    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks()
    lights, reports, cameras = ioc_layer("street_lights"), ioc_layer("field_reports"), ioc_layer("cameras")
    fault = next(c for c in lights.renderer().categories() if c.value() == "fault")
    overdue = next(r for r in reports.renderer().rootRule().children() if "Overdue" in r.label() or "Quá" in r.label())
    f_layer, o_layer = fault.symbol().symbolLayer(0), overdue.symbol().symbolLayer(0)
    assert (f_layer.shape(), f_layer.color().name()) != (o_layer.shape(), o_layer.color().name())
    assert f_layer.shape() != o_layer.shape()
    # one language (the test plugin runs in English): names and legend entries without the other half
    for layer in (lights, reports, cameras):
        assert " · " not in layer.name()
        for item in layer.renderer().legendSymbolItems():
            assert " · " not in item.label(), item.label()
    assert reports.name() == "Field reports"
    # camera legend icons: an icon's size, whatever the zoom
    root = QgsProject.instance().layerTreeRoot()
    model = QgsLayerTreeModel(root)
    node = root.findLayer(cameras.id())
    for map_units_per_pixel in (1e-4, 1e-6):
        model.setLegendMapViewData(map_units_per_pixel, 96, 1000)
        nodes = model.layerLegendNodes(node)
        assert len(nodes) == 3
        assert max(n.minimumIconSize().width() for n in nodes) <= 32


def test_small_things_of_the_desk(qgis_app, demo_copy):
    """Issue 21 item 13: the next status offered is a step forward, an empty card says what to do, and a light
    that drew nothing has a 0–1 axis, not 1e-09."""
    import numpy as np

    from ioc_qgis_plugin.core import statuses
    from ioc_qgis_plugin.gui.lights_plot import TimeSeriesPlot
    from ioc_qgis_plugin.gui.report_detail import ReportDetail

    store = GeoPackageStore.open(demo_copy)
    try:
        w = ReportDetail(store, actor="desk", lang="en")
        assert not w.isEnabled() and "Click a report" in w.title.text()
        expected = {"in_progress": "resolved", "assigned": "in_progress", "resolved": "closed", "received": "assigned"}
        for current, forward in expected.items():
            rid = store.fetch("field_reports", "status = ?", (current,), columns=["report_id"], limit=1)[0]["report_id"]
            assert w.show_report(rid)
            assert w.status_combo.currentData() == forward, current
        closed = store.fetch("field_reports", "status = 'closed'", columns=["report_id"], limit=1)[0]["report_id"]
        w.show_report(closed)
        assert w.status_combo.currentData() == "in_progress"  # the only way from closed: reopen
        assert statuses.next_step("closed") is None
    finally:
        store.close()
    plot = TimeSeriesPlot("Power", "W")
    plot.set_series(np.arange(10.0) * 3600, np.zeros(10))
    assert plot.axis_labels() == ("1", "0")
    plot.grab()  # paints without error
