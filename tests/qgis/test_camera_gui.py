"""Camera viewer, grid, snapshot, map tool, health and unload in a real (offscreen) QGIS with a real RTSP server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from qgis.core import (
    Qgis,
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
    """Stream readers and probe rounds (the health checker's own worker thread lives as long as the controller)."""
    return [t for t in threading.enumerate() if t.name.startswith("ioc-camera")]


def health_worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ioc-health-cameras"]


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
    # close() never waits for the worker; it ends on its own once its stream is released (rtspsrc's teardown
    # takes ≈ 40 ms, longer on a loaded machine)
    assert wait_until(lambda: not camera_threads(), 5)


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
    assert health_worker_threads()
    ctl.unload()
    QgsApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not camera_threads()
    assert not health_worker_threads()
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
        QTest.qWait(300)  # the worker is now blocked inside the stream's open
        t0 = time.monotonic()
        viewer.close()
        assert time.monotonic() - t0 < 0.5
        ctl.unload()  # joins the retiring worker
        assert not camera_threads()


# -- defects of issue 19 / items 7, 12, 13 of issue 21 -----------------------------------------------------------
def set_attr(layer: QgsVectorLayer, cid: str, /, **values) -> None:  # noqa: ANN003
    fid = next(f.id() for f in layer.getFeatures() if f["camera_id"] == cid)
    layer.dataProvider().changeAttributeValues({fid: {layer.fields().indexOf(k): v for k, v in values.items()}})


def test_health_survives_a_malformed_url(controller):
    """One camera with port 99999 must not end the round: every camera still gets a status."""
    set_attr(controller.layer, "CAM-02", stream_url="rtsp://127.0.0.1:99999/x", substream_url="")
    results = []
    controller.health.checked.connect(results.append)
    assert controller.health.check_now()
    assert wait_until(lambda: bool(results), 15)
    assert set(results[0]) == {f"CAM-{i:02d}" for i in range(1, 6)}
    assert results[0]["CAM-02"]["state"] == "offline" and "invalid URL" in results[0]["CAM-02"]["reason"]
    assert results[0]["CAM-01"]["state"] in ("online", "slow")
    assert wait_until(lambda: not controller.health.busy, 5)
    assert controller.health.check_now()  # the checker is alive for the next round


def test_missing_authcfg_shows_the_credential_error(controller):
    set_attr(controller.layer, "CAM-03", authcfg="zzzzzz9")
    viewer = controller.open_camera("CAM-03")
    QTest.qWait(1500)  # long enough for a reader to have failed with its own message
    assert "zzzzzz9" in viewer.video._message and "not found" in viewer.video._message
    assert "stream" not in viewer.video._message.lower()
    assert not viewer.reader.running
    viewer.close()
    grid = controller.open_grid(["CAM-03", "CAM-04"])
    QTest.qWait(1500)
    assert "zzzzzz9" in grid.tiles[0].video._message
    assert wait_until(lambda: grid.tiles[1].displayed > 0, 8)
    grid.close()


def test_snapshot_names_cannot_escape_the_folder(controller, tmp_path):
    for bad, expected in (("../x", "x_"), ("CAM/01", "CAM_01_")):
        set_attr(controller.layer, "CAM-0" + ("1" if bad == "../x" else "2"), camera_id=bad)
        viewer = controller.open_camera(bad)
        assert wait_until(lambda v=viewer: v.displayed > 0, 8), viewer.status()
        path = viewer.take_snapshot()
        assert path is not None, bad
        assert Path(path).parent == controller.snapshot_dir and Path(path).name.startswith(expected)
        assert QImage(path).text("camera_id") == bad  # the real id stays in the metadata
        viewer.close()
    assert not (tmp_path / "x_").exists() and not list(tmp_path.glob("x_*.png"))


def test_grid_tiles_have_a_snapshot_button(controller):
    got = []
    controller.snapshot_taken.connect(lambda cid, path: got.append((cid, path)))
    grid = controller.open_grid(["CAM-01", "CAM-02"])
    tile = grid.tiles[0]
    assert wait_until(lambda: tile.displayed > 0, 8)
    assert tile.snapshot_button.isVisible()
    QTest.mouseClick(tile.snapshot_button, Qt.LeftButton)
    assert got and got[0][0] == "CAM-01" and Path(got[0][1]).exists()
    grid.close()


def test_credentials_typed_in_a_url_move_to_the_auth_manager(controller, qgis_iface, rtsp):  # noqa: ANN001
    layer = controller.layer
    fid = next(f.id() for f in layer.getFeatures() if f["camera_id"] == "CAM-04")
    typed = rtsp.url("cam04").replace("rtsp://", "rtsp://op:p@ss/w rd@")
    qgis_iface.messageBar().clear_messages()
    assert layer.startEditing()
    layer.changeAttributeValue(fid, layer.fields().indexOf("stream_url"), typed)
    layer.changeAttributeValue(fid, layer.fields().indexOf("authcfg"), "")
    assert layer.commitChanges(), layer.commitErrors()
    saved = layer.getFeature(fid)
    assert saved["stream_url"] == rtsp.url("cam04")
    assert saved["authcfg"]
    cfg = QgsAuthMethodConfig()
    assert QgsApplication.authManager().loadAuthenticationConfig(saved["authcfg"], cfg, True)
    assert (cfg.config("username"), cfg.config("password")) == ("op", "p@ss/w rd")
    warnings = qgis_iface.messageBar().get_messages(Qgis.Warning)
    assert any("CAM-04" in w for w in warnings) and not any("p@ss" in w for w in warnings)
    QgsApplication.authManager().removeAuthenticationConfig(saved["authcfg"])


def test_window_title_and_action_texts(controller):
    set_attr(controller.layer, "CAM-01", name="Camera 01")
    viewer = controller.open_camera("CAM-01")
    assert "Camera Camera" not in viewer.windowTitle()
    assert "Camera 01" in viewer.windowTitle()
    viewer.close()
    texts = [a.text() for a in controller.actions()]
    # English without a translator; no "A · B" pairs
    assert texts == ["View camera", "Camera grid"]
    assert not any("·" in t for t in texts)


def test_minimised_viewer_pauses_decoding(controller):
    viewer = controller.open_camera("CAM-01")
    viewer.pause_after_s = 0.3
    assert wait_until(lambda: viewer.displayed > 0, 8)
    viewer.showMinimized()
    assert wait_until(lambda: viewer.status().state == State.PAUSED, 4), viewer.status()
    QTest.qWait(200)  # a frame already on its way may still be painted
    shown = viewer.displayed
    QTest.qWait(600)
    assert viewer.displayed == shown
    viewer.showNormal()
    assert wait_until(lambda: viewer.status().state == State.LIVE and viewer.displayed > shown, 6), viewer.status()
    viewer.close()


class SlowRtsp:
    """An RTSP server that answers DESCRIBE correctly but only after `delay` seconds (a camera on a busy link)."""

    def __init__(self, delay: float) -> None:
        import socket

        self.delay = delay
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn) -> None:  # noqa: ANN001
        with conn:
            try:
                conn.recv(4096)
                if self._stop.wait(self.delay):
                    return
                conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass

    def __enter__(self) -> SlowRtsp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()


def test_one_slow_probe_is_slow_not_offline(controller):
    with SlowRtsp(delay=1.3) as slow:
        set_attr(controller.layer, "CAM-04", stream_url=f"rtsp://127.0.0.1:{slow.port}/x", substream_url="", authcfg="")
        controller.health.timeout_s = 1.0  # the first probe times out, the retry (2 s) gets the late answer
        results = []
        controller.health.checked.connect(results.append)
        assert controller.health.check_now()
        assert wait_until(lambda: bool(results), 15)
    assert results[0]["CAM-04"]["state"] == "slow" and results[0]["CAM-04"]["online"] is True
    by_id = {f["camera_id"]: f for f in controller.layer.getFeatures()}
    assert by_id["CAM-04"]["status"] == "slow"
    assert results[0]["CAM-05"]["state"] == "offline"  # refused three times in a row


def test_live_cameras_are_online_without_probing(controller):
    viewer = controller.open_camera("CAM-01")
    assert wait_until(lambda: viewer.status().state == State.LIVE, 8)
    results = []
    controller.health.checked.connect(results.append)
    assert controller.health.check_now()
    assert wait_until(lambda: bool(results), 15)
    assert results[0]["CAM-01"] == {**results[0]["CAM-01"], "state": "online", "reason": "live in a viewer"}
    viewer.close()


def test_health_tracker_needs_consecutive_failures():
    from ioc_qgis_plugin.gui.camera_health import HealthTracker

    t = HealthTracker(fail_threshold=3, slow_s=1.0)
    assert t.update("A", True, 0.1, "RTSP 200") == "online"
    assert t.update("A", False, 0.0, "no answer") == "slow"
    assert t.update("A", False, 0.0, "no answer") == "slow"
    assert t.update("A", True, 1.5, "RTSP 200") == "slow"  # answered, slowly; failures reset
    assert t.update("A", False, 0.0, "connection refused") == "slow"
    assert t.update("A", False, 0.0, "connection refused", failures=2) == "offline"


def test_per_camera_timeouts_in_form_and_reader(qgis_iface, rtsp, authcfg):  # noqa: ANN001
    layer = make_layer(rtsp, authcfg)
    extra = [QgsField(n, QVariant.Double) for n in ("open_timeout_s", "read_timeout_s", "stall_after_s")]
    layer.dataProvider().addAttributes(extra)
    layer.updateFields()
    set_attr(layer, "CAM-01", read_timeout_s=9.0, stall_after_s=9.5)
    ctl = CameraController(qgis_iface)
    ctl.reader_options = FAST
    ctl.set_layer(layer, start_health=False)
    try:
        idx = layer.fields().indexOf("stall_after_s")
        assert layer.editorWidgetSetup(idx).type() == "Range"
        assert layer.attributeDisplayName(idx) == "No picture after (s)"
        viewer = ctl.open_camera("CAM-01")
        assert (viewer.reader.read_timeout, viewer.reader.stall_after) == (9.0, 9.5)
        assert viewer.reader.open_timeout == FAST["open_timeout"]  # empty: the default
        other = ctl.open_camera("CAM-02")
        assert other.reader.stall_after == FAST["stall_after"]
    finally:
        ctl.unload()


def test_camera_texts_in_vietnamese(controller, tmp_path):
    import shutil
    import subprocess

    from qgis.PyQt.QtCore import QTranslator

    lrelease = shutil.which("lrelease")
    if not lrelease:
        pytest.skip("no lrelease to compile i18n/ioc_vi.ts")
    ts = Path(__file__).resolve().parents[2] / "ioc_qgis_plugin" / "i18n" / "ioc_vi.ts"
    qm = tmp_path / "ioc_vi.qm"
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QgsApplication.installTranslator(translator)
    try:
        assert [a.text() for a in controller.actions()] == ["Xem camera", "Lưới camera"]
        viewer = controller.open_camera("CAM-01")
        assert viewer.snapshot_button.text() == "Ảnh chụp" and "Xem trực tiếp" in viewer.windowTitle()
        assert wait_until(lambda: viewer.state_label.text() == "Trực tiếp", 8)
        viewer.close()
        grid = controller.open_grid(["CAM-01", "CAM-02"])
        assert grid.windowTitle() == "Lưới camera"
        grid.close()
    finally:
        QgsApplication.removeTranslator(translator)
        controller.retranslate()


def test_health_round_never_waits_for_a_thread_start_on_the_gui_thread(controller, monkeypatch):  # noqa: ANN001
    """threading.Thread.start() waits until the new thread runs: on a busy PC that is a GUI stall at every round.
    Rounds (and their writes) go to a long-lived pool thread instead."""
    gui = threading.get_ident()
    started_here = []
    real_start = threading.Thread.start

    def start(self) -> None:  # noqa: ANN001
        if threading.get_ident() == gui:
            started_here.append(self.name)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    controller.health.writer = lambda rows: None
    results = []
    controller.health.checked.connect(results.append)
    for _ in range(2):
        assert wait_until(lambda: controller.health.idle, 10)
        assert controller.health.check_now()
        assert wait_until(lambda: len(results) and controller.health.idle, 15)
        results.clear()
    assert started_here == []
