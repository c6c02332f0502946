"""RTSP through GStreamer (video.gst_source) against the real GStreamer RTSP devserver on 127.0.0.1."""

from __future__ import annotations

import threading
import time

import pytest

from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.video import gst_source, timecode
from ioc_qgis_plugin.video.devhttp import SilentServer
from ioc_qgis_plugin.video.sources import CvSource, OpenError, open_source

pytestmark = pytest.mark.skipif(not gst_source.available(), reason="GStreamer (python3-gi, rtspsrc) not installed")

PASSWORD = 'p@ss w"/d\\x'  # '@', '/', a space, a quote and a backslash: nothing may be parsed out of it


@pytest.fixture(scope="module")
def rtsp():
    with RtspServerProcess(count=1, size=(320, 180), sub_size=(256, 144), user="op", password=PASSWORD) as srv:
        yield srv


def with_credentials(url: str, user: str, password: str) -> str:
    from urllib.parse import quote

    return url.replace("rtsp://", f"rtsp://{quote(user, safe='')}:{quote(password, safe='')}@")


def test_rtsp_goes_through_gstreamer_with_awkward_credentials(rtsp):
    source = open_source(with_credentials(rtsp.url("cam01"), "op", PASSWORD), open_timeout=5, read_timeout=3)
    try:
        assert isinstance(source, gst_source.GstRtspSource)
        images = [source.read() for _ in range(5)]
        assert all(ok for ok, _ in images)
        image = images[-1][1]
        assert image.shape == (180, 320, 3) and image.flags.c_contiguous
        assert timecode.decode(image) is not None
    finally:
        source.release()


def test_wrong_password_and_missing_mount_are_explained_without_fallback(rtsp):
    started = time.monotonic()
    with pytest.raises(OpenError, match="unauthorized"):
        open_source(with_credentials(rtsp.url("cam01"), "op", "nope"), open_timeout=3, read_timeout=2)
    with pytest.raises(OpenError, match="404|not found"):
        open_source(with_credentials(rtsp.url("cam99"), "op", PASSWORD), open_timeout=3, read_timeout=2)
    assert time.monotonic() - started < 4  # neither waited out an open timeout (nor tried FFmpeg after it)


def test_a_stream_gstreamer_cannot_decode_gets_ffmpeg(rtsp, monkeypatch):
    """GStreamer failing on a stream the camera does announce (DESCRIBE 200: e.g. a codec without a GStreamer
    decoder here) falls back to FFmpeg. The GStreamer failure is simulated; the server, the probe and FFmpeg are
    real."""

    def cannot_decode(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise gst_source.OpenFailed("Internal data stream error.")

    monkeypatch.setattr(gst_source, "GstRtspSource", cannot_decode)
    source = open_source(with_credentials(rtsp.url("cam01"), "op", PASSWORD), open_timeout=5, read_timeout=3)
    try:
        assert isinstance(source, CvSource)
        assert source.read()[0]
    finally:
        source.release()


def test_ffmpeg_can_be_forced(rtsp, monkeypatch):
    monkeypatch.setenv("IOC_RTSP_BACKEND", "ffmpeg")
    source = open_source(with_credentials(rtsp.url("cam01"), "op", PASSWORD), open_timeout=5, read_timeout=3)
    try:
        assert isinstance(source, CvSource)
        assert source.read()[0]
    finally:
        source.release()


def test_stop_ends_a_hanging_open_at_once_and_the_wait_holds_no_gil():
    """Opening a camera that accepts the connection and says nothing: stop() ends the wait within a poll interval
    (FFmpeg's open cannot be interrupted), and the waiting thread lets the others (the GUI) run meanwhile."""
    stop = threading.Event()
    errors: list[BaseException] = []
    ticks: list[float] = []

    def opener() -> None:
        try:
            gst_source.GstRtspSource(f"rtsp://127.0.0.1:{silent.port}/cam01", 10.0, 3.0, stop)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    with SilentServer() as silent:
        thread = threading.Thread(target=opener)
        thread.start()
        end = time.monotonic() + 1.5
        while time.monotonic() < end:  # a Python thread beside the blocked open, like the GUI thread
            ticks.append(time.monotonic())
            time.sleep(0.001)
        stop.set()
        stopped_at = time.monotonic()
        thread.join(5)
        assert not thread.is_alive()
        assert time.monotonic() - stopped_at < 1.0
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < 0.05, max(gaps)  # a poll of 0.1 s holding the GIL would show here
    assert errors and isinstance(errors[0], gst_source.OpenFailed)


def test_server_gone_ends_the_stream(rtsp):
    srv = RtspServerProcess(count=1, size=(320, 180), sub_size=(256, 144)).start()
    source = gst_source.GstRtspSource(srv.url("cam01"), 5.0, 1.5)
    try:
        assert source.read()[0]
        srv.kill()
        started = time.monotonic()
        while source.read()[0]:
            assert time.monotonic() - started < 5
        assert source.ended
        assert time.monotonic() - started < 3
    finally:
        source.release()
        srv.stop()


def test_works_when_gstreamer_was_used_before_in_the_process(rtsp):
    """Another user of GStreamer in QGIS may have made an appsink before the plugin: the Python class of appsink is
    then fixed without GstApp's methods (try_pull_sample); the source must not depend on them."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys, gi\n"
        "gi.require_version('Gst', '1.0')\n"
        "from gi.repository import Gst\n"
        "Gst.init(None)\n"
        "Gst.ElementFactory.make('appsink', None)\n"
        "from ioc_qgis_plugin.video import gst_source\n"
        "s = gst_source.GstRtspSource(sys.argv[1], 5.0, 3.0)\n"
        "print('frames', sum(s.read()[0] for _ in range(3)))\n"
        "s.release()\n"
    )
    url = with_credentials(rtsp.url("cam01"), "op", PASSWORD)
    root = str(Path(__file__).resolve().parents[2])
    proc = subprocess.run(
        [sys.executable, "-c", script, url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={"PYTHONPATH": root},
    )
    assert "frames 3" in proc.stdout, proc.stderr[-800:]


AV_SERVER = """
import sys, gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer
Gst.init(None)
audio = "audiotestsrc is-live=true ! audioconvert ! alawenc ! rtppcmapay name=pay{} pt=97"
video = ("videotestsrc is-live=true ! video/x-raw,width=320,height=180,framerate=25/1 "
         "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay{} pt=96")
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service("0")
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch("( " + audio.format(0) + " " + video.format(1) + " )")  # the audio stream comes first
server.get_mount_points().add_factory("/av", factory)
server.attach(None)
print("READY", server.get_bound_port(), flush=True)
GLib.MainLoop().run()
"""


def test_camera_with_an_audio_track_first():
    """Many cameras send audio too, some as the first stream of the SDP: only the video is decoded."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", AV_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY"), line
        source = open_source(f"rtsp://127.0.0.1:{line.split()[1]}/av", open_timeout=5, read_timeout=3)
        try:
            assert isinstance(source, gst_source.GstRtspSource)
            images = [source.read() for _ in range(10)]
            assert all(ok for ok, _ in images)
            assert images[-1][1].shape == (180, 320, 3)
        finally:
            source.release()
    finally:
        proc.terminate()
        proc.wait(5)
