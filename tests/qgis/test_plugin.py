"""The plugin in real QGIS (pytest-qgis, offscreen): loads, opens the demo store, panel fills, unloads cleanly."""

from __future__ import annotations

import gc
import sqlite3
import threading

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QToolBar

from tests.qgis.conftest import flush_deletes, wait_tasks
from tests.support.waiting import wait_until


def _ioc_objects(main_window) -> dict[str, int]:
    project = QgsProject.instance()
    return {
        "project_signal_receivers": sum(
            project.receivers(s) for s in (project.layersWillBeRemoved, project.layersAdded, project.cleared)
        ),
        "actions": len([a for a in main_window.findChildren(QAction) if a.objectName().startswith("ioc_")]),
        "docks": len([d for d in main_window.findChildren(QDockWidget) if d.objectName() == "IocDock"]),
        "toolbars": len([t for t in main_window.findChildren(QToolBar) if t.objectName() == "IocToolbar"]),
        "providers": len([p for p in QgsApplication.processingRegistry().providers() if p.id() == "ioc"]),
    }


def test_open_demo_store_adds_styled_layers_and_fills_panel(plugin, demo_copy):
    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    layers = {lyr.customProperty("ioc/table"): lyr for lyr in QgsProject.instance().mapLayers().values()}
    assert {"wards", "cameras", "field_reports", "parcels", "planning_zones", "street_lights"} <= set(layers)
    assert layers["field_reports"].featureCount() == 3000
    assert layers["field_reports"].renderer().type() == "RuleRenderer"
    assert layers["parcels"].renderer().type() == "categorizedSymbol"
    tab = plugin.dock.reports
    assert tab.model.rowCount() == 3000
    assert "3,000" in tab.count_label.text()


def test_filter_and_selection_sync(plugin, demo_copy):
    plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    tab = plugin.dock.reports
    layer = tab.layer
    idx = tab.category.findData("traffic")
    tab.category.setCurrentIndex(idx)
    expected = sum(1 for f in layer.getFeatures() if f["service_code"] == "traffic")
    assert tab.model.rowCount() == expected
    # map → table
    fid = int(tab.visible_fids()[3])
    layer.selectByIds([fid])
    assert tab.selected_fids() == [fid]
    # table → map
    tab.view.selectRow(0)
    assert layer.selectedFeatureIds() == [int(tab.visible_fids()[0])]
    # filter the map too: the layer shows exactly the listed reports
    tab.filter_map.setChecked(True)
    assert layer.featureCount() == expected


def test_overdue_filter_matches_sql_subset(plugin, demo_copy):
    from ioc_qgis_plugin.core.sla import DeadlineState

    plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    tab = plugin.dock.reports
    tab.filter_map.setChecked(True)
    for state in (DeadlineState.OVERDUE, DeadlineState.RESOLVED_LATE, DeadlineState.RESOLVED_ON_TIME):
        tab.show_state(int(state))
        assert tab.model.rowCount() > 0
        assert tab.layer.featureCount() == tab.model.rowCount(), state


def test_store_left_in_rollback_journal_mode_opens_and_filters(plugin, demo_copy):
    """QGIS sets a GeoPackage it releases back to journal_mode=DELETE (so does sqlite3 or ogr2ogr by default).

    The plugin's layers then failed with "unable to open database file" as soon as the map was filtered: the
    store opened such a file in rollback mode while QGIS's own connections switched it to WAL.
    """
    con = sqlite3.connect(str(demo_copy))
    assert con.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    con.close()
    plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    tab = plugin.dock.reports
    tab.category.setCurrentIndex(tab.category.findData("traffic"))
    tab.filter_map.setChecked(True)
    assert tab.layer.featureCount() == tab.model.rowCount() > 0


def test_bad_store_gives_message_not_traceback(plugin, tmp_path, qgis_iface):
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"this is not a database at all" * 100)
    assert plugin.open_gpkg(str(bad)) is False
    assert bad.read_bytes().startswith(b"this is not")  # nothing overwritten
    assert not [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.customProperty("ioc/table")]


def test_load_unload_twenty_times_leaves_nothing(qgis_iface, qgis_new_project):
    from ioc_qgis_plugin import classFactory

    main_window = qgis_iface.mainWindow()

    def cycle() -> None:
        p = classFactory(qgis_iface)
        p.initGui()
        assert _ioc_objects(main_window)["docks"] == 1
        p.unload()
        flush_deletes()

    cycle()  # the baseline is QGIS after one load/unload, so leftovers of earlier tests do not count
    gc.collect()
    flush_deletes()
    before = _ioc_objects(main_window)
    assert before["docks"] == before["toolbars"] == before["actions"] == 0
    for _ in range(20):
        cycle()
    gc.collect()
    flush_deletes()
    assert _ioc_objects(main_window) == before


def test_camera_health_reaches_the_panel(plugin, demo_copy):
    """The health checker's results (here: every demo camera unreachable, no RTSP server) reach the Cameras tab
    and the overview figure."""
    plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    summary = {f"CAM{i:02d}": {"online": i % 2 == 0, "reason": "", "last_seen": None} for i in range(1, 51)}
    plugin.cameras.health.checked.emit(summary)
    tab = plugin.dock.cameras
    tab.state.setCurrentIndex(tab.state.findData("offline"))
    assert tab.model.rowCount() == 25
    assert plugin.dock.overview.figures["cameras_offline"].text().startswith("25")


def test_camera_states_are_written_off_the_gui_thread_through_the_store(plugin, demo_copy):
    """A health round's states go to the store on a worker thread (a busy disk never stalls the map): the
    cameras table has them, the layer shows them, and the layer was never edited (no undo entries)."""
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    health = plugin.cameras.health
    assert wait_until(lambda: health.idle, 30)
    store = GeoPackageStore.open(demo_copy)
    try:
        with store.transaction():
            ids = store.columns("cameras", ["camera_id"])["camera_id"]
            store.update_rows("cameras", "camera_id", [{"camera_id": c, "status": "unknown"} for c in ids])
    finally:
        store.close()
    threads = []
    written = health.writer

    def recording(rows: list) -> None:
        threads.append(threading.get_ident())
        written(rows)

    health.writer = recording
    results = []
    health.checked.connect(results.append)
    assert health.check_now()
    # no demo camera is served here: every one refuses the connection, which is "offline" at once
    assert wait_until(lambda: bool(results) and health.idle, 30)
    assert threads and threads[0] != threading.get_ident()
    with sqlite3.connect(str(demo_copy)) as con:
        stored = dict(con.execute("SELECT camera_id, status FROM cameras"))
    assert set(stored.values()) == {"offline"}, stored
    assert stored == {cid: r["state"] for cid, r in results[0].items()}
    layer = plugin.cameras.layer
    assert {f["status"] for f in layer.getFeatures()} == {"offline"}
    assert layer.undoStack().count() == 0 and not layer.isModified()


def test_camera_states_that_cannot_be_written_are_logged_not_raised(plugin, demo_copy):
    plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin)
    health = plugin.cameras.health
    messages = []
    QgsApplication.messageLog().messageReceived.connect(lambda m, tag, level: messages.append(m))

    def failing(rows: list) -> None:
        raise RuntimeError("database is locked")

    health.writer = failing
    said = lambda: [m for m in messages if "camera states not saved: database is locked" in m]  # noqa: E731
    health._apply([(1, "CAM01", False, "refused", 0.0, 3)])
    assert wait_until(lambda: len(said()) == 1, 10)
    health._apply([(1, "CAM01", False, "refused", 0.0, 3)])  # the same failure next round is not said again
    assert wait_until(lambda: health.idle, 10)
    QCoreApplication.processEvents()
    assert len(said()) == 1


def test_layer_definition_adds_the_styled_group(demo_copy, tmp_path, qgis_new_project):
    import subprocess
    import sys

    from qgis.core import QgsLayerDefinition

    qlr = demo_copy.parent / "ioc_layers.qlr"
    subprocess.run([sys.executable, "layers/make_qlr.py", str(demo_copy), str(qlr)], check=True, capture_output=True)
    project = QgsProject.instance()
    ok, err = QgsLayerDefinition.loadLayerDefinition(str(qlr), project, project.layerTreeRoot())
    assert ok, err
    group = project.layerTreeRoot().findGroup("IOC")
    layers = [n.layer() for n in group.findLayers()]
    assert len(layers) == 6 and all(lyr.isValid() for lyr in layers)
    reports = next(lyr for lyr in layers if lyr.customProperty("ioc/table") == "field_reports")
    assert reports.renderer().type() == "RuleRenderer"
    assert reports.featureCount() == 3000


def _bar_texts(qgis_iface) -> list[str]:
    """Messages pushed to the message bar (pytest-qgis keeps them per level)."""
    from qgis.core import Qgis

    bar = qgis_iface.messageBar()
    return [m for level in (Qgis.Critical, Qgis.Warning) for m in bar.get_messages(level)]


def test_wrong_schema_version_message(plugin, tmp_path, qgis_iface):
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    path = tmp_path / "old.gpkg"
    store = GeoPackageStore.create(path)
    store.set_meta("schema_version", "0")
    store.close()
    before = path.read_bytes()
    assert plugin.open_gpkg(str(path)) is False
    assert any("schema version 0" in t for t in _bar_texts(qgis_iface))
    assert path.read_bytes() == before


def test_unreachable_postgis_message(plugin, qgis_iface):
    from ioc_qgis_plugin.gui.settings import IocSettings
    from tests.support.pgcluster import free_port

    settings = IocSettings(store_kind="postgis", pg_host="127.0.0.1", pg_port=free_port(), pg_dbname="ioc")
    assert plugin._open(settings, add_layers=True) is False
    assert any("cannot connect to PostGIS" in t for t in _bar_texts(qgis_iface))


def _alive_under(main_window) -> dict[str, int]:
    """Every QObject alive under the main window, by class — not only the ones that look like ours."""
    from collections import Counter

    from qgis.PyQt.QtCore import QObject

    return dict(Counter(type(o).__name__ for o in main_window.findChildren(QObject)))


def test_unload_leaves_no_qobject_alive_under_the_main_window(qgis_iface, qgis_new_project):
    from ioc_qgis_plugin import classFactory

    main_window = qgis_iface.mainWindow()

    def cycle() -> None:
        p = classFactory(qgis_iface)
        p.initGui()
        p.unload()
        flush_deletes()
        gc.collect()
        flush_deletes()

    cycle()  # QGIS's own lazily created objects (first use of a menu, the message bar…) are in the baseline
    before = _alive_under(main_window)
    for _ in range(3):
        cycle()
    after = _alive_under(main_window)
    grown = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    assert {k: v for k, v in grown.items() if v} == {}
