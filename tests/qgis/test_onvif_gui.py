"""'Add cameras from ONVIF…' in a real (offscreen) QGIS: WS-Discovery finds the simulator's two cameras, their
profiles are read with a login from the auth manager, one is placed by a map click and one by typing, both are
saved into a GeoPackage store with their authcfg — and the saved main stream plays through the project's reader
from the RTSP devserver.

Discovery goes unicast to the simulator's responder on 127.0.0.1 (multicast is not routed on this loopback).
"""

from __future__ import annotations

import math
import time

import pytest
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsCoordinateReferenceSystem, QgsPointXY, QgsRectangle
from qgis.PyQt.QtCore import QCoreApplication, Qt

from ioc_qgis_plugin.devservers.onvif_device import OnvifDeviceSimulator
from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.gui.camera_auth import connect_url
from ioc_qgis_plugin.gui.onvif_dialog import OnvifController, OnvifDialog
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from ioc_qgis_plugin.video.reader import FrameReader

USER, PASSWORD = "op", "pw:w/ @1"


def wait_until(condition, timeout_s: float = 30.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture(scope="module")
def rtsp():
    with RtspServerProcess(count=2, size=(320, 180), sub_size=(160, 96), user=USER, password=PASSWORD) as srv:
        yield srv


@pytest.fixture(scope="module")
def sim(rtsp):
    with OnvifDeviceSimulator(
        count=2, user=USER, password=PASSWORD, auth="both", rtsp_base=rtsp.url(""), discovery_port=0
    ) as s:
        yield s


@pytest.fixture(scope="module")
def authcfg(qgis_app):  # noqa: ANN001
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setMasterPassword("ioc-test-master", True)
    ids = {}
    for name, password in (("good", PASSWORD), ("bad", "not-the-password")):
        cfg = QgsAuthMethodConfig("Basic")
        cfg.setName(f"onvif test {name}")
        cfg.setConfig("username", USER)
        cfg.setConfig("password", password)
        assert manager.storeAuthenticationConfig(cfg)[0]
        ids[name] = cfg.id()
    yield ids
    for cid in ids.values():
        manager.removeAuthenticationConfig(cid)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "ioc.gpkg"
    GeoPackageStore.create(path).close()
    return path


def make_dialog(qgis_iface, store_path, sim) -> OnvifDialog:  # noqa: ANN001
    dialog = OnvifDialog(qgis_iface, lambda: GeoPackageStore.open(store_path))
    dialog.discovery_target = sim.discovery_address
    dialog.discovery_timeout = 1.5
    dialog.interface.addItem("127.0.0.1", "127.0.0.1")
    dialog.interface.setCurrentIndex(dialog.interface.count() - 1)
    return dialog


def test_add_two_cameras_from_discovery_and_play_the_main_stream(qgis_iface, qgis_canvas, store_path, sim, authcfg):
    dialog = make_dialog(qgis_iface, store_path, sim)
    dialog.show()
    dialog.search_button.click()
    assert dialog.running()
    assert wait_until(lambda: not dialog.running())
    assert sorted(d.device_url for d in dialog.devices) == sorted(sim.device_urls), dialog.status.text()

    dialog.auth.setConfigId(authcfg["good"])
    dialog.read_button.click()
    assert wait_until(lambda: not dialog.running())
    assert "2 of 2" in dialog.status.text(), dialog.status.text()
    for r in range(2):
        assert dialog.table.cellWidget(r, 3).currentData() == "profile_main"
        assert dialog.table.cellWidget(r, 4).currentData() == "profile_sub"

    # first camera: position typed; second: clicked on a map in Web Mercator
    order = sorted(range(2), key=lambda r: dialog.devices[r].device_url)
    dialog.table.item(order[0], 7).setText("106.820500")
    dialog.table.item(order[0], 8).setText("10.950100")
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    qgis_canvas.setExtent(QgsRectangle(11890000, 1225000, 11892000, 1227000))
    dialog.table.selectRow(order[1])
    dialog.pick_button.setChecked(True)
    assert qgis_canvas.mapTool() is dialog._map_tool
    dialog._map_tool.canvasClicked.emit(QgsPointXY(11891000.0, 1226000.0), Qt.LeftButton)
    assert not dialog.pick_button.isChecked()
    # spherical Mercator inverse, worked out independently of QGIS
    lon = math.degrees(11891000.0 / 6378137.0)
    lat = math.degrees(2 * math.atan(math.exp(1226000.0 / 6378137.0)) - math.pi / 2)
    assert abs(float(dialog.table.item(order[1], 7).text()) - lon) < 1e-5
    assert abs(float(dialog.table.item(order[1], 8).text()) - lat) < 1e-5
    dialog.bearing.setValue(135)

    dialog.save_button.click()
    assert wait_until(lambda: not dialog.running())
    assert "2 camera(s) added" in dialog.status.text(), dialog.status.text()

    store = GeoPackageStore.open(store_path)
    try:
        rows = {r["onvif_url"]: r for r in store.fetch("cameras", geometry=True)}
    finally:
        store.close()
    assert sorted(rows) == sorted(sim.device_urls)
    first = rows[dialog.devices[order[0]].device_url]
    mount = "cam01" if first["onvif_url"] == sim.device_urls[0] else "cam02"
    assert first["stream_url"] == sim.rtsp_base + mount
    assert first["substream_url"] == sim.rtsp_base + mount + "_sub"
    assert first["snapshot_url"].startswith(first["onvif_url"].split("/onvif/")[0])
    assert first["authcfg"] == authcfg["good"] and first["bearing"] == 135
    assert abs(first["geom"].x - 106.8205) < 1e-6 and abs(first["geom"].y - 10.9501) < 1e-6
    for row in rows.values():  # no credentials anywhere in the stored row
        assert all(PASSWORD not in str(v) and f"{USER}:" not in str(v) for v in row.values())
    assert first["camera_id"] in ("SIM-CAM01", "SIM-CAM02")

    # saving the same cameras again is refused as a whole, with the ids named
    dialog.save_button.click()
    assert wait_until(lambda: not dialog.running())
    assert "already in the store" in dialog.status.text() and "SIM-CAM0" in dialog.status.text()
    store = GeoPackageStore.open(store_path)
    try:
        assert store.count("cameras") == 2
    finally:
        store.close()

    # the stored main stream plays through the project's reader, with the login from the auth manager
    reader = FrameReader(connect_url(first["stream_url"], first["authcfg"]), name="onvif-test", open_timeout=10)
    reader.start()
    try:
        assert wait_until(lambda: reader.latest() is not None, 30), reader.status().message
        assert reader.latest().image.shape[:2] == (180, 320)
    finally:
        reader.stop(10)
    dialog.close()


def test_wrong_password_is_shown_per_camera_and_nothing_is_saved(qgis_iface, store_path, sim, authcfg):
    logged: list[str] = []

    def keep(text: str, *_args) -> None:  # noqa: ANN002
        logged.append(text)

    QgsApplication.messageLog().messageReceived.connect(keep)
    dialog = make_dialog(qgis_iface, store_path, sim)
    dialog.address.setText(sim.device_urls[0].replace("http://", f"http://{USER}:typed@"))
    assert dialog.add_address()
    assert "removed" in dialog.status.text() and "typed" not in dialog.devices[0].device_url
    dialog.auth.setConfigId(authcfg["bad"])
    dialog.read_profiles()
    assert wait_until(lambda: not dialog.running())
    assert "unauthorized" in dialog.table.item(0, 9).text()
    assert "not-the-password" not in dialog.table.item(0, 9).text()
    dialog.table.item(0, 7).setText("106.8")
    dialog.table.item(0, 8).setText("10.9")
    assert dialog.save() is None
    assert "no main stream" in dialog.status.text()
    store = GeoPackageStore.open(store_path)
    try:
        assert store.count("cameras") == 0
    finally:
        store.close()
    QCoreApplication.processEvents()
    QgsApplication.messageLog().messageReceived.disconnect(keep)
    assert logged  # the failure was logged (so the check below looks at something)
    assert not [text for text in logged if "not-the-password" in text or "typed" in text]


def test_cancel_ends_a_long_search(qgis_iface, store_path, sim):
    dialog = make_dialog(qgis_iface, store_path, sim)
    dialog.discovery_timeout = 120
    dialog.search()
    assert wait_until(lambda: dialog.task is not None and dialog.task.status() == dialog.task.Running, 10)
    started = time.monotonic()
    dialog.cancel_button.click()
    assert wait_until(lambda: not dialog.running(), 15)
    assert time.monotonic() - started < 10
    assert dialog.search_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_controller_action_opens_the_dialog_and_unloads(qgis_iface, store_path):
    controller = OnvifController(qgis_iface, lambda: GeoPackageStore.open(store_path))
    assert [a.text() for a in controller.actions()] == ["Add cameras from ONVIF…"]
    controller.action.trigger()
    assert controller.dialog is not None and controller.dialog.isVisible()
    controller.unload()
    assert controller.dialog is None


def test_search_on_an_address_this_machine_does_not_have(qgis_iface, store_path, sim):
    dialog = make_dialog(qgis_iface, store_path, sim)
    dialog.interface.addItem("203.0.113.77", "203.0.113.77")  # TEST-NET-3: not on any interface here
    dialog.interface.setCurrentIndex(dialog.interface.count() - 1)
    dialog.search()
    assert wait_until(lambda: not dialog.running())
    assert "Cannot search on this network interface" in dialog.status.text()
    assert dialog.search_button.isEnabled()
