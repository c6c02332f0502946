"""The map layers are opened and styled on the GUI thread, one step per event-loop turn, while another connection
keeps writing the store (as the sync task or a second desk does), and nothing a worker thread made outlives it.

Layers were built in a QgsTask for a while: QGIS 3.22 then kept CRS objects made in that task thread in its
process-wide cache, and once the thread pool retired the thread, every GeoPackage layer with that CRS had no WKT and
Processing wrote its outputs with an "Undefined geographic SRS" (found by CI; test below).
"""

from __future__ import annotations

import faulthandler
import sys
import threading
import time

from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QThreadPool

from ioc_qgis_plugin.gui import layers as layers_module
from ioc_qgis_plugin.gui.layers import LAYER_ORDER, ioc_group
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.qgis.conftest import wait_tasks

HANG_S = 240  # far beyond a loaded machine's load time: only a deadlock gets here


class _Writer(threading.Thread):
    """Another connection to the store writing short transactions in a loop, each holding the write lock."""

    def __init__(self, path) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.commits = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        store = GeoPackageStore.open(self.path)
        try:
            while not self.stop.is_set():
                with store.transaction():
                    store.set_meta("ioc_test_writer", str(self.commits))
                    time.sleep(0.02)  # the lock stays held a while, as a real sync batch does
                self.commits += 1
                time.sleep(0.005)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            store.close()


def _record_builder_threads(monkeypatch) -> list[int]:  # noqa: ANN001
    seen: list[int] = []
    real = layers_module.open_layer

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(layers_module, "open_layer", spy)
    return seen


def test_layers_load_on_the_gui_thread_while_store_is_written(plugin, demo_copy, monkeypatch):
    builders = _record_builder_threads(monkeypatch)
    writer = _Writer(demo_copy)
    faulthandler.dump_traceback_later(HANG_S, exit=True, file=sys.stderr)  # a deadlock fails with every stack
    try:
        writer.start()
        assert plugin.open_gpkg(str(demo_copy))
        wait_tasks(plugin, timeout_s=180)
        _check_layers_and_filter(plugin, builders)
    finally:
        writer.stop.set()
        writer.join(30)
        faulthandler.cancel_dump_traceback_later()
    assert writer.error is None, writer.error
    assert writer.commits > 0  # the store really was being written meanwhile


def _check_layers_and_filter(plugin, builders: list[int]) -> None:  # noqa: ANN001
    gui = threading.get_ident()
    assert len(builders) == len(LAYER_ORDER)
    assert set(builders) == {gui}, "layers were opened off the GUI thread"

    app_thread = QCoreApplication.instance().thread()
    group = ioc_group(QgsProject.instance())
    assert group is not None
    loaded = {node.layer().customProperty("ioc/table"): node.layer() for node in group.findLayers()}
    assert list(loaded) == list(LAYER_ORDER)  # the drawing order is kept
    for table, layer in loaded.items():
        assert layer.isValid(), table
        assert layer.thread() == app_thread, table
        assert layer.dataProvider().thread() == app_thread, table
        assert layer.legend() is None or layer.legend().thread() == app_thread, table
    assert loaded["field_reports"].featureCount() == 3000
    assert loaded["field_reports"].renderer().type() == "RuleRenderer"
    assert loaded["parcels"].renderer().type() == "categorizedSymbol"
    assert loaded["field_reports"].temporalProperties().startField() == "requested_at"
    # the registry's WGS 84 -> VN-2000 operation is preset in the fresh project
    project = QgsProject.instance()
    operation = project.transformContext().coordinateOperations().get(("EPSG:4326", project.crs().authid()), "")
    assert "+x=" in operation
    # the panel drives the map filter on the installed layer from the GUI thread (while the store is written):
    # the provider kept in update mode still counts and draws exactly the listed reports
    tab = plugin.dock.reports
    reports = loaded["field_reports"]
    tab.filter_map.setChecked(True)
    for code in ("traffic", "waste", None):
        tab.category.setCurrentIndex(tab.category.findData(code) if code else 0)
        assert reports.featureCount() == tab.model.rowCount() > 0, code
        assert sum(1 for _ in reports.getFeatures()) == tab.model.rowCount(), code
    tab.filter_map.setChecked(False)
    assert reports.subsetString() == ""
    assert reports.featureCount() == 3000


def test_other_timers_run_between_any_two_layer_steps(plugin, demo_copy, monkeypatch):
    """Each open/style step is followed by a turn in which the desktop's own timers run: a step that takes longer
    than a timer's interval must not be followed directly by the next step (a repeating 0 ms timer was re-armed
    with its turn's start time, so after a long step it ran again before any other timer)."""
    from qgis.PyQt.QtCore import QTimer

    events: list[str] = []
    real_open, real_style = layers_module.open_layer, layers_module.style_layer

    def slow_open(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.02)  # longer than the 5 ms timer below: as a step on a busy PC
        events.append("step")
        return real_open(*args, **kwargs)

    def slow_style(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.02)
        events.append("step")
        return real_style(*args, **kwargs)

    monkeypatch.setattr(layers_module, "open_layer", slow_open)
    monkeypatch.setattr(layers_module, "style_layer", slow_style)
    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(lambda: events.append("tick"))
    ticker.start()
    try:
        assert plugin.open_gpkg(str(demo_copy))
        wait_tasks(plugin, timeout_s=180)
    finally:
        ticker.stop()
    steps = [i for i, e in enumerate(events) if e == "step"]
    assert len(steps) == 2 * len(LAYER_ORDER)
    back_to_back = [i for i in steps if i + 1 in steps]
    assert not back_to_back, events


def test_reopening_while_layers_load_keeps_only_the_newest_layers(plugin, demo_copy):
    assert plugin.open_gpkg(str(demo_copy))
    assert plugin.open_gpkg(str(demo_copy))  # the first load's layers are never added
    wait_tasks(plugin, timeout_s=180)
    project = QgsProject.instance()
    tables = sorted(lyr.customProperty("ioc/table") for lyr in project.mapLayers().values())
    assert tables == sorted(LAYER_ORDER)
    assert len(project.layerTreeRoot().findGroups()) == 1


def test_lights_tab_reads_the_store_off_the_gui_thread(plugin, demo_copy, monkeypatch):
    from ioc_qgis_plugin.gui import lights_tab as lights_module

    readers: list[int] = []
    real = lights_module.read_columns

    def spy(store):  # noqa: ANN001, ANN202
        readers.append(threading.get_ident())
        return real(store)

    monkeypatch.setattr(lights_module, "read_columns", spy)
    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin, timeout_s=180)
    assert readers and threading.get_ident() not in readers, "the street lights were read on the GUI thread"
    store = GeoPackageStore.open(demo_copy)
    try:
        states = store.columns("street_lights", ["state"])["state"]
    finally:
        store.close()
    tab = plugin.lights_tab
    assert tab.model.rowCount() > 0
    assert tab.counts["fault"] == int((states == "fault").sum())
    assert plugin.dock.overview.figures["lights_fault"].value == tab.counts["fault"]


def test_layer_crs_stays_whole_after_the_task_threads_retire(plugin, demo_copy):
    """After the panel has loaded (its tasks done) and the thread pool has retired its threads — QGIS's pool does
    that after 30 s idle; waitForDone() does it now — a GeoPackage layer opened on the main thread still has its
    whole CRS. With the layers built in a task, the CRS objects made in that thread lost their PROJ object here and
    toWkt() was empty (Processing then wrote outputs without a CRS)."""
    assert plugin.open_gpkg(str(demo_copy))
    wait_tasks(plugin, timeout_s=180)
    assert QThreadPool.globalInstance().waitForDone(120_000)
    for table in ("wards", "field_reports", "parcels"):
        layer = QgsVectorLayer(f"{demo_copy}|layername={table}", table, "ogr")
        assert layer.isValid(), table
        assert layer.crs().isValid() and layer.crs().toWkt(), (table, layer.crs().authid())
    for layer in QgsProject.instance().mapLayers().values():
        assert layer.crs().toWkt(), (layer.name(), layer.crs().authid())
