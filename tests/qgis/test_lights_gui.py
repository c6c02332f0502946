"""Lights tab, detail view, commands by role, and the background refresher against the local SensorThings server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QModelIndex, Qt

from ioc_qgis_plugin.connectors.sensorthings import SensorThingsClient
from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.devservers.sensorthings_server import SensorThingsServer, model_from_gpkg
from ioc_qgis_plugin.gui.lights_refresher import LightsRefresher
from ioc_qgis_plugin.gui.lights_tab import LightsTab
from ioc_qgis_plugin.lights.refresh import RefreshOptions
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.waiting import wait_until

SMALL = CityConfig(lights=300, reports=200, parcels=20, cameras=5, end="2024-06-15")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lights_gui") / "demo.gpkg"
    store = GeoPackageStore.create(path)
    build(store, SMALL, log=lambda *_: None)
    store.close()
    return path


@pytest.fixture
def store(demo: Path, tmp_path: Path):
    work = tmp_path / "ioc.gpkg"
    GeoPackageStore.copy_file(demo, work)  # backup API, never a file copy of a store
    s = GeoPackageStore.open(work)
    yield s
    s.close()


def wait_for(cond, timeout_s: float = 20.0) -> None:  # noqa: ANN001
    assert wait_until(cond, timeout_s)


def test_tab_fills_groups_and_shows_detail(qgis_app, store) -> None:  # noqa: ANN001
    QgsSettings().setValue("ioc/role", "viewer")
    tab = LightsTab(store)
    m = tab.model
    problems = m.rowCount()
    assert problems == store.count("street_lights", "state IN ('fault', 'nodata')")
    first = m.index(0, 1)
    assert m.data(first) in ("Lỗi", "Fault")  # faults sort first
    tab.group.setCurrentIndex(1)  # cabinet
    groups = m.rowCount()
    assert 0 < groups < problems
    g = m.index(0, 0)
    assert "(" in m.data(g) and m.rowCount(g) >= 1
    child = m.index(0, 0, g)
    light_id = m.data(child, Qt.UserRole)
    assert light_id.startswith("DEN-")
    tab.only_problems.setChecked(False)
    assert sum(m.rowCount(m.index(r, 0)) for r in range(m.rowCount())) == store.count("street_lights")
    child = m.index(0, 0, m.index(0, 0))
    light_id = m.data(child, Qt.UserRole)
    zoomed: list[str] = []
    tab.zoom_to_light.connect(zoomed.append)
    tab._activated(child)
    assert zoomed == [light_id]
    tab._clicked(child)
    assert len(tab.detail.level_plot.t) > 10 and tab.detail.level_plot.grab().width() > 0
    # a viewer may not send commands
    assert not tab.detail.dim_btn.isEnabled() and tab.detail.command("dim", 30) is False
    assert m.index(0, 0, QModelIndex()).isValid()


def test_commands_only_for_allowed_roles(qgis_app, store) -> None:  # noqa: ANN001
    tab = LightsTab(store)
    sent: list = []
    tab.detail.send_command = lambda lid, params: sent.append((lid, params))
    tab.detail.light_id = "DEN-00001"
    QgsSettings().setValue("ioc/role", "viewer")
    assert tab.detail.command("off") is False and sent == []
    QgsSettings().setValue("ioc/role", "operator")
    tab.detail.update_permissions()
    assert tab.detail.dim_btn.isEnabled()
    assert tab.detail.command("dim", 40) is True
    assert sent == [("DEN-00001", {"command": "dim", "level": 40.0})]
    QgsSettings().setValue("ioc/role", "viewer")


def test_background_refresher_and_server_down(qgis_app, store, demo: Path) -> None:  # noqa: ANN001
    model = model_from_gpkg(demo)
    model.shift_times(time.time() - 60 - model.newest_time())
    srv = SensorThingsServer(model).start()
    path = store.path
    refresher = LightsRefresher(
        # generous client timeouts: on a loaded machine the first page can take seconds; what is tested is the outcome
        lambda: SensorThingsClient(srv.url, retries=0, timeout=(10.0, 60.0)),
        lambda: GeoPackageStore.open(path),
        interval_s=3600,
        opts=RefreshOptions(),
    )
    tab = LightsTab(store)
    results: list = []
    refresher.refreshed.connect(results.append)
    refresher.refreshed.connect(tab.on_refreshed)
    # the GUI thread keeps ticking while the task runs
    assert refresher.refresh_now()
    assert not refresher.refresh_now()  # one at a time
    assert not results  # refresh_now() returned before the refresh ran: it runs as a task, off the GUI thread
    turns = 0
    while not results:
        QCoreApplication.processEvents()
        turns += 1
        time.sleep(0.002)
    assert results[0].ok and results[0].updated == 300
    assert turns > 1  # the event loop kept turning while the task ran (the stall itself is measured in the bench)
    assert "updated" in tab.status.text()
    QgsSettings().setValue("ioc/role", "operator")
    refresher.send_command("DEN-00002", {"command": "dim", "level": 20})
    srv.stop()
    refresher.refresh_now()
    wait_for(lambda: len(results) == 2)
    assert not results[1].ok and refresher.last_good is results[0]
    assert "unreachable" in tab.status.text() and "no data since" in tab.status.text()
    refresher.stop()
    QgsSettings().setValue("ioc/role", "viewer")
    assert QgsApplication.taskManager().countActiveTasks() == 0


def test_periodic_refresh_is_quiet_and_closes_its_sockets(qgis_app, store, demo: Path) -> None:  # noqa: ANN001
    """Issue 21 item 6: the minute-by-minute refresh is no task in QGIS's task manager (no status-bar progress
    bar, no "Task complete" notification) and leaves no socket open."""
    import gc
    import warnings

    model = model_from_gpkg(demo)
    model.shift_times(time.time() - 60 - model.newest_time())
    srv = SensorThingsServer(model).start()
    path = store.path
    clients: list = []

    def make_client() -> SensorThingsClient:
        clients.append(SensorThingsClient(srv.url, retries=0, timeout=(1.0, 5.0)))
        return clients[-1]

    refresher = LightsRefresher(make_client, lambda: GeoPackageStore.open(path), interval_s=3600)
    results: list = []
    refresher.refreshed.connect(results.append)
    manager = QgsApplication.taskManager()
    tasks_seen = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(2):
            assert refresher.refresh_now()
            n = len(results)
            while len(results) == n:
                tasks_seen = max(tasks_seen, manager.countActiveTasks())
                QCoreApplication.processEvents()
                time.sleep(0.002)
        refresher.stop()
        srv.stop()
        clients.clear()
        gc.collect()
    assert all(r.ok for r in results) and len(results) == 2
    assert tasks_seen == 0
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []


def test_commands_follow_the_one_role_setting(qgis_app, store) -> None:  # noqa: ANN001
    """Issue 21 item 10: the demo (and IocSettings) set ioc/role; the Lights tab reads the same key."""
    from ioc_qgis_plugin.gui.settings import IocSettings

    settings = IocSettings.load()
    tab = LightsTab(store)
    tab.detail.send_command = lambda light_id, params: None
    try:
        for role, allowed in (("admin", True), ("operator", True), ("planner", False)):
            settings.role = role
            settings.save()
            tab.detail.update_permissions()
            assert tab.detail.on_btn.isEnabled() is allowed, role
    finally:
        QgsSettings().remove("ioc/role")
