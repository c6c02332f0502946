"""Camera viewer, grid, snapshot, map tool, health and unload in a real (offscreen) QGIS with a real RTSP server."""

from __future__ import annotations

import threading
import time

import pytest
from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt, QVariant
from qgis.PyQt.QtGui import QImage
from qgis.PyQt.QtTest import QTest

from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.gui.camera_controller import CameraController
from ioc_qgis_plugin.video.reader import State
from tests.support.waiting import wait_until

FAST = {"open_timeout": 2.0, "read_timeout": 1.5, "stall_after": 1.5, "backoff_initial": 0.2, "backoff_max": 1.0}
FIELDS = [
    ("camera_id", QVariant.String),
    ("name", QVariant.String),
    ("bearing", QVariant.Double),
    ("angle", QVariant.Double),
    ("range_m", QVariant.Double),
    ("stream_url", QVariant.String),
    ("substream_url", QVariant.String),
    ("snapshot_url", QVariant.String),
    ("onvif_url", QVariant.String),
    ("authcfg", QVariant.String),
    ("ward_id", QVariant.String),
    ("status", QVariant.String),
    ("last_seen", QVariant.DateTime),
]


@pytest.fixture(scope="module")
def rtsp():
    with RtspServerProcess(count=4, size=(320, 180), sub_size=(256, 144), user="op", password="pw") as srv:
        yield srv


@pytest.fixture(scope="module")
def authcfg(qgis_app):  # noqa: ANN001
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setMasterPassword("ioc-test-master", True)
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName("ioc test camera")
    cfg.setConfig("username", "op")
    cfg.setConfig("password", "pw")
    assert manager.storeAuthenticationConfig(cfg)[0]
    yield cfg.id()
    manager.removeAuthenticationConfig(cfg.id())


def make_layer(rtsp: RtspServerProcess, authcfg: str, extra_bad: bool = False) -> QgsVectorLayer:
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "cameras", "memory")
    layer.dataProvider().addAttributes([QgsField(n, t) for n, t in FIELDS])
    layer.updateFields()
    feats = []
    n = 5 if extra_bad else 4
    for i in range(1, n + 1):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(105.85 + i * 0.001, 21.03)))
        f["camera_id"] = f"CAM-{i:02d}"
        f["name"] = f"Ngã tư {i}"
        f["bearing"] = 90.0
        f["angle"] = 60.0
        f["range_m"] = 80.0
        if i <= 4:
            f["stream_url"] = rtsp.url(f"cam{i:02d}")
            f["substream_url"] = rtsp.url(f"cam{i:02d}", sub=True)
        else:
            f["stream_url"] = "rtsp://127.0.0.1:9/none"
        f["authcfg"] = authcfg
        f["status"] = "unknown"
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("ioc-camera")]


@pytest.fixture
def controller(qgis_iface, rtsp, authcfg, tmp_path):  # noqa: ANN001
    ctl = CameraController(qgis_iface)
    ctl.reader_options = FAST
    ctl.snapshot_dir = tmp_path / "snaps"
    layer = make_layer(rtsp, authcfg, extra_bad=True)
    ctl.set_layer(layer, start_health=False)
    yield ctl
    ctl.unload()


def test_viewer_shows_live_frames_and_snapshot(controller, tmp_path):
    got = []
    controller.snapshot_taken.connect(lambda cid, path: got.append((cid, path)))
    viewer = controller.open_camera("CAM-01")
    assert viewer is not None
    assert wait_until(lambda: viewer.displayed >= 5, 6), viewer.status()
    assert viewer.status().state == State.LIVE
    assert "Ngã tư 1" in viewer.title.text()
    assert "90°" in viewer.info_label.text()
    # the password never reaches the UI
    assert "pw@" not in viewer.info_label.text() + viewer.state_label.toolTip() + viewer.windowTitle()
    path = viewer.take_snapshot()
    assert path and got == [("CAM-01", path)]
    assert "CAM-01_" in path and path.endswith(".png")
    img = QImage(path)
    assert img.width() == 320 and img.text("camera_id") == "CAM-01" and img.text("captured_at")
    assert controller.open_camera("CAM-01") is viewer  # a second click raises the same window
    viewer.close()
    assert wait_until(lambda: "CAM-01" not in controller.viewers, 2)
    assert not camera_threads()


def test_grid_uses_substreams_and_double_click_opens_full(controller):
    grid = controller.open_grid(["CAM-01", "CAM-02", "CAM-03", "CAM-04"])
    assert grid.grid_size == 2 and len(grid.tiles) == 4
    assert wait_until(lambda: all(t.displayed >= 3 for t in grid.tiles), 8), [t.status() for t in grid.tiles]
    assert grid.tiles[0].reader.latest().image.shape == (144, 256, 3)  # sub-stream
    QTest.mouseDClick(grid.tiles[1].video, Qt.LeftButton)
    assert "CAM-02" in controller.viewers
    grid.set_grid_size(3)
    assert len(grid.tiles) == 4 and wait_until(lambda: all(t.displayed >= 1 for t in grid.tiles), 8)
    grid.close()
    controller.viewers["CAM-02"].close()
    assert wait_until(lambda: not camera_threads(), 3)


def test_broken_camera_shows_clear_state_without_freezing(controller):
    viewer = controller.open_camera("CAM-05")  # returns at once: the failing open runs in the reader's worker
    # the viewer's text follows the reader's state on its next GUI refresh, so wait for both
    assert wait_until(lambda: viewer.status().state == State.ERROR and "refused" in viewer.video._message, 5), (
        viewer.status(),
        viewer.video._message,
    )
    viewer.close()


def test_map_tool_click_opens_viewer(controller, qgis_iface, qgis_canvas):  # noqa: ANN001
    qgis_canvas.setDestinationCrs(controller.layer.crs())
    qgis_canvas.setExtent(QgsRectangle(105.85, 21.02, 105.856, 21.04))
    qgis_canvas.refresh()
    controller.view_action.trigger()
    assert qgis_canvas.mapTool() is controller.map_tool
    event = QgsMapMouseEvent(qgis_canvas, QEvent.MouseButtonRelease, QPoint(5, 5), Qt.LeftButton, Qt.LeftButton)
    # the offscreen canvas is never laid out, so pixels do not map to the extent: give the click in map units
    event.setMapPoint(QgsPointXY(105.85302, 21.03001))
    controller.map_tool.canvasReleaseEvent(event)
    assert "CAM-03" in controller.viewers
    assert controller.map_tool.camera_at(QgsPointXY(105.0, 20.0), 0.0001) is None


def test_health_marks_online_and_offline(controller):
    results = []
    controller.health.checked.connect(results.append)
    assert controller.health.check_now()
    assert wait_until(lambda: bool(results), 8)
    by_id = {f["camera_id"]: f for f in controller.layer.getFeatures()}
    assert by_id["CAM-01"]["status"] == "online" and by_id["CAM-01"]["last_seen"]
    assert by_id["CAM-05"]["status"] == "offline"
    assert controller.layer.undoStack().count() == 0
    assert results[0]["CAM-05"]["online"] is False


def test_unload_leaves_nothing_running(qgis_iface, rtsp, authcfg):  # noqa: ANN001
    ctl = CameraController(qgis_iface)
    ctl.reader_options = FAST
    ctl.set_layer(make_layer(rtsp, authcfg), start_health=True)
    ctl.open_camera("CAM-01")
    ctl.open_grid(["CAM-02", "CAM-03"])
    ctl.view_action.trigger()
    assert wait_until(lambda: ctl.viewers["CAM-01"].displayed > 0, 6)
    ctl.unload()
    QgsApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not camera_threads()
    assert not ctl.viewers and not ctl.grids
    assert qgis_iface.mapCanvas().mapTool() is not ctl.map_tool
    assert not ctl.health.busy
    QgsProject.instance().clear()


def test_closing_a_hung_camera_does_not_block_the_gui(qgis_iface, rtsp, authcfg):  # noqa: ANN001
    from ioc_qgis_plugin.video.devhttp import SilentServer

    with SilentServer() as silent:
        layer = make_layer(rtsp, authcfg)
        layer.dataProvider().changeAttributeValues(
            {1: {layer.fields().indexOf("stream_url"): f"rtsp://127.0.0.1:{silent.port}/x"}}
        )
        ctl = CameraController(qgis_iface)
        ctl.reader_options = {**FAST, "open_timeout": 3.0}
        ctl.set_layer(layer, start_health=False)
        viewer = ctl.open_camera("CAM-01")
        QTest.qWait(300)  # the worker is now blocked inside FFmpeg's open
        t0 = time.monotonic()
        viewer.close()
        assert time.monotonic() - t0 < 0.5
        ctl.unload()  # joins the retiring worker
        assert not camera_threads()
