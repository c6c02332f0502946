"""Frame reader against a real GStreamer RTSP server and a real MJPEG HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.video import timecode
from ioc_qgis_plugin.video.devhttp import MjpegHttpServer, SilentServer
from ioc_qgis_plugin.video.reader import FrameReader, State
from tests.support.waiting import wait_until

FAST = {"open_timeout": 2.0, "read_timeout": 1.5, "stall_after": 1.5, "backoff_initial": 0.2, "backoff_max": 1.0}


@pytest.fixture(scope="module")
def rtsp():
    with RtspServerProcess(count=2, size=(320, 180), sub_size=(256, 144), user="op", password="s3cret!") as srv:
        yield srv


def rtsp_url(srv: RtspServerProcess, mount: str = "cam01", user: str = "op", password: str = "s3cret%21") -> str:
    return srv.url(mount).replace("rtsp://", f"rtsp://{user}:{password}@")


def wait_for(pred, timeout: float) -> bool:
    return wait_until(pred, timeout, step=0.05)


def no_reader_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith("ioc-camera")]


def test_timecode_roundtrip():
    frame = np.full((144, 256, 3), 90, np.uint8)
    ms = 1_760_000_123_456
    timecode.encode(frame, ms)
    assert timecode.decode(frame) == ms
    frame[5, 40:60] ^= 255  # damage a block: the checksum rejects it rather than returning a wrong time
    assert timecode.decode(frame) in (ms, None)
    assert timecode.decode(np.zeros((144, 256, 3), np.uint8)) is None


def test_rtsp_frames_with_burned_in_time(rtsp):
    reader = FrameReader(rtsp_url(rtsp), name="cam01", **FAST).start()
    try:
        assert wait_for(lambda: reader.status().state == State.LIVE, 5), reader.status()
        assert wait_for(lambda: reader.latest() and reader.latest().seq > 5, 3)
        frame = reader.latest()
        assert frame.image.shape == (180, 320, 3)
        ms = timecode.decode(frame.image)
        assert ms is not None
        assert 0 <= time.time() * 1000 - ms < 1000
        assert reader.status().last_frame_wall is not None
    finally:
        assert reader.stop()
    assert reader.status().state == State.STOPPED
    assert no_reader_threads()


def test_latest_frame_only_latency_does_not_grow(rtsp):
    reader = FrameReader(rtsp_url(rtsp, "cam02"), name="slow", **FAST).start()
    try:
        assert wait_for(lambda: reader.latest() is not None, 5)
        ages = []
        for _ in range(3):
            time.sleep(0.7)  # a consumer far slower than 25 fps
            ms = timecode.decode(reader.latest().image)
            ages.append(time.time() * 1000 - ms)
        assert max(ages) < 400, ages
        assert reader.latest().seq > 30  # the worker kept reading meanwhile
    finally:
        reader.stop()


def test_wrong_password_is_a_clear_error(rtsp):
    reader = FrameReader(rtsp_url(rtsp, password="nope"), name="bad", **FAST).start()
    try:
        assert wait_for(lambda: reader.status().state == State.ERROR, 5)
        assert "unauthorized" in reader.status().message
        assert "nope" not in reader.status().message
    finally:
        t0 = time.monotonic()
        assert reader.stop()
        assert time.monotonic() - t0 < 4
    assert no_reader_threads()


def test_missing_mount_and_refused_port(rtsp):
    r404 = FrameReader(rtsp_url(rtsp, "cam99"), **FAST).start()
    refused = FrameReader("rtsp://127.0.0.1:9/cam01", **FAST).start()
    try:
        assert wait_for(lambda: r404.status().state == State.ERROR, 5)
        assert "404" in r404.status().message
        assert wait_for(lambda: refused.status().state == State.ERROR, 5)
        assert "refused" in refused.status().message
    finally:
        assert r404.stop() and refused.stop()


def test_silent_server_does_not_hang():
    with SilentServer() as silent:
        reader = FrameReader(f"rtsp://127.0.0.1:{silent.port}/cam01", **FAST).start()
        try:
            assert wait_for(lambda: reader.status().state == State.ERROR, 6), reader.status()
            assert "answer" in reader.status().message
        finally:
            t0 = time.monotonic()
            assert reader.stop()
            assert time.monotonic() - t0 < 5
    assert no_reader_threads()


def test_stall_then_reconnect_when_server_returns():
    srv = RtspServerProcess(count=1, size=(320, 180), sub_size=(256, 144)).start()
    port = srv.port
    reader = FrameReader(srv.url("cam01"), **FAST).start()
    try:
        assert wait_for(lambda: reader.status().state == State.LIVE, 5)
        srv.kill()
        assert wait_for(lambda: reader.status().state != State.LIVE, 4), reader.status()
        seq = reader.latest().seq
        srv = RtspServerProcess(port=port, count=1, size=(320, 180), sub_size=(256, 144)).start()
        t0 = time.monotonic()
        assert wait_for(lambda: reader.latest().seq > seq + 3, 6), reader.status()
        assert time.monotonic() - t0 < 5
        assert reader.status().state == State.LIVE
        assert reader.status().reconnects >= 1
    finally:
        reader.stop()
        srv.stop()
    assert no_reader_threads()


def test_mjpeg_with_corrupt_frames_and_death_mid_stream():
    with MjpegHttpServer(size=(320, 180), corrupt_every=4, die_after=1.0) as srv:
        reader = FrameReader(srv.url("/mjpeg"), **FAST).start()
        try:
            assert wait_for(lambda: reader.latest() is not None and reader.latest().seq > 5, 5)
            assert timecode.decode(reader.latest().image) is not None
            # the server ends the stream after 1 s; the reader reconnects and keeps getting frames
            assert wait_for(lambda: reader.status().reconnects >= 1, 5)
            assert wait_for(lambda: reader.status().state == State.LIVE, 5)
        finally:
            reader.stop()


def test_mjpeg_wrong_password_and_snapshot_polling():
    with MjpegHttpServer(size=(320, 180), user="u", password="p") as srv:
        bad = FrameReader(srv.url("/mjpeg", "u", "x"), **FAST).start()
        snap = FrameReader(srv.url("/snapshot.jpg", "u", "p"), snapshot_interval=0.2, **FAST).start()
        try:
            assert wait_for(lambda: bad.status().state == State.ERROR, 5)
            assert "unauthorized" in bad.status().message
            assert wait_for(lambda: snap.latest() is not None and snap.latest().seq >= 3, 5)
            assert snap.latest().image.shape == (180, 320, 3)
        finally:
            bad.stop()
            snap.stop()
    assert no_reader_threads()


def test_unsupported_url_is_an_error_not_a_hang():
    reader = FrameReader("gopher://nowhere/x", **FAST).start()
    try:
        assert wait_for(lambda: reader.status().state == State.ERROR, 3)
        assert "unsupported" in reader.status().message
    finally:
        assert reader.stop()


def test_stopped_reader_keeps_no_picture(rtsp):
    reader = FrameReader(rtsp_url(rtsp), name="drop", **FAST).start()
    try:
        assert wait_for(lambda: reader.latest() is not None, 5)
    finally:
        assert reader.stop()
    assert reader.latest() is None  # the last 2.6 MB (at 720p) go with the reader, not at plugin unload


def test_reader_stuck_in_ffmpeg_releases_itself(monkeypatch):
    from ioc_qgis_plugin.video import reader as reader_module

    # FFmpeg's open cannot be interrupted (GStreamer's can: see test_video_gst_source.py); it is still the path
    # where GStreamer is missing and for streams GStreamer cannot decode
    monkeypatch.setenv("IOC_RTSP_BACKEND", "ffmpeg")
    with SilentServer() as silent:
        reader = FrameReader(f"rtsp://127.0.0.1:{silent.port}/cam01", **{**FAST, "open_timeout": 2.0}).start()
        time.sleep(0.3)  # the worker is now blocked inside FFmpeg's open
        assert reader.stop(0.05) is False  # the GUI does not wait for it
        assert reader in reader_module._retiring
        # when FFmpeg gives up, the worker removes itself: nothing is kept until unload
        assert wait_for(lambda: not reader.running, 8)
        assert wait_for(lambda: reader not in reader_module._retiring, 2)
        assert reader.latest() is None and reader.on_frame is None
    assert no_reader_threads()


def test_first_retry_is_immediate_when_the_server_answers_again():
    """A long backoff is cut short by the cheap TCP probe: recovery follows the server, not the timer.

    The backoff is 120 s, so a recovery within the 60 s this test waits can only come from the probe, however slow
    a loaded machine makes the server's restart (an 8 s backoff with a 4 s bound failed once under load).
    """
    srv = RtspServerProcess(count=1, size=(320, 180), sub_size=(256, 144)).start()
    port = srv.port
    options = {**FAST, "backoff_initial": 120.0, "backoff_max": 120.0}
    reader = FrameReader(srv.url("cam01"), **options).start()
    try:
        assert wait_for(lambda: reader.status().state == State.LIVE, 8)
        srv.kill()
        assert wait_for(lambda: reader.status().state in (State.RECONNECTING, State.ERROR), 6), reader.status()
        time.sleep(1.0)  # well inside the backoff
        seq = reader.latest().seq if reader.latest() else 0
        srv = RtspServerProcess(port=port, count=1, size=(320, 180), sub_size=(256, 144)).start()
        assert wait_for(lambda: (reader.latest() is not None and reader.latest().seq > seq), 60), reader.status()
    finally:
        reader.stop()
        srv.stop()


def test_first_retry_is_immediate_when_the_server_is_back_before_the_wait_begins():
    """The camera comes back while the reader is still releasing the dropped stream (FFmpeg's release can take
    seconds on a loaded PC): at the start of the backoff it already answers, so no "it went down" is ever seen.
    The reader must still retry at once, not sit out the 120 s backoff. The ordering is forced by holding the
    reader at the start of its backoff until the new server is up."""
    srv = RtspServerProcess(count=1, size=(320, 180), sub_size=(256, 144)).start()
    port = srv.port
    reader = FrameReader(srv.url("cam01"), **{**FAST, "backoff_initial": 120.0, "backoff_max": 120.0})
    back = threading.Event()
    plain_wait = reader._wait_backoff

    def wait_after_server_is_back(*args, **kwargs) -> bool:  # noqa: ANN002, ANN003 - the reader's own arguments
        back.wait(60)
        return plain_wait(*args, **kwargs)

    reader._wait_backoff = wait_after_server_is_back
    reader.start()
    try:
        assert wait_for(lambda: reader.status().state == State.LIVE, 8)
        srv.kill()
        assert wait_for(lambda: reader.status().state in (State.RECONNECTING, State.ERROR), 6), reader.status()
        seq = reader.latest().seq if reader.latest() else 0
        srv = RtspServerProcess(port=port, count=1, size=(320, 180), sub_size=(256, 144)).start()
        back.set()
        assert wait_for(lambda: (reader.latest() is not None and reader.latest().seq > seq), 60), reader.status()
    finally:
        back.set()
        reader.stop()
        srv.stop()


def test_wrong_password_is_not_retried_at_once(rtsp):
    """The server answers but refuses: plain backoff, no hammering."""
    reader = FrameReader(rtsp_url(rtsp, password="nope"), **{**FAST, "backoff_initial": 1.0, "backoff_max": 1.0})
    reader.start()
    try:
        time.sleep(3.0)
        assert reader.status().reconnects <= 3
    finally:
        reader.stop()


def test_paused_reader_disconnects_and_resumes(rtsp):
    reader = FrameReader(rtsp_url(rtsp), name="pause", **FAST).start()
    try:
        assert wait_for(lambda: reader.latest() is not None and reader.latest().seq > 3, 5)
        reader.set_paused(True)
        assert wait_for(lambda: reader.status().state == State.PAUSED, 3)
        assert reader.latest() is None
        time.sleep(0.5)
        assert reader.latest() is None  # nothing decoded while paused
        t0 = time.monotonic()
        reader.set_paused(False)
        assert wait_for(lambda: reader.latest() is not None, 5)
        assert time.monotonic() - t0 < 3.0
        assert reader.status().state == State.LIVE
    finally:
        assert reader.stop()


def test_timecode_survives_display_scaling():
    import cv2

    frame = np.full((360, 640, 3), 90, np.uint8)
    ms = 1_760_000_987_654
    timecode.encode(frame, ms)
    for width in (316, 420, 797, 1000):
        shown = cv2.resize(frame, (width, width * 360 // 640), interpolation=cv2.INTER_AREA)
        assert timecode.decode_scaled(shown, 640) == ms, width
