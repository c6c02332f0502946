"""Frame reader against a real live HLS stream (GStreamer hlssink2 + http.server) on 127.0.0.1."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from ioc_qgis_plugin.devservers.hls_server import HlsServer
from ioc_qgis_plugin.video import timecode
from ioc_qgis_plugin.video.reader import FrameReader, State
from tests.support.waiting import wait_until

# HLS delivers a whole 1 s segment at a time: a healthy stream is silent for up to ~1 s between bursts.
HLS = {"open_timeout": 3.0, "read_timeout": 2.0, "stall_after": 2.5, "backoff_initial": 0.2, "backoff_max": 1.0}


def wait_for(pred, timeout: float) -> bool:
    return wait_until(pred, timeout, step=0.05)


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("ioc-camera")]


@pytest.fixture
def hls():
    srv = HlsServer(size=(320, 180), fps=25)
    srv.start()
    try:
        yield srv
    finally:
        producer = srv.proc
        srv.stop()
        assert producer is None or producer.poll() is not None
        assert not [t for t in threading.enumerate() if t.name == "ioc-hls-http"]


def test_server_content_types(hls):
    playlist = requests.get(hls.url(), timeout=2)
    assert playlist.status_code == 200
    assert playlist.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "#EXT-X-TARGETDURATION:1" in playlist.text
    assert "#EXT-X-ENDLIST" not in playlist.text  # live
    segment = next(line for line in playlist.text.splitlines() if line.endswith(".ts"))
    ts = requests.get(hls.url(segment), timeout=2)
    assert ts.headers["Content-Type"] == "video/mp2t"
    assert ts.content[:1] == b"\x47"  # MPEG-TS sync byte


def test_hls_frames_advance_then_stall_when_segments_stop(hls):
    reader = FrameReader(hls.url(), name="hls01", **HLS).start()
    try:
        assert wait_for(lambda: reader.status().state == State.LIVE, 5), reader.status()
        first = reader.latest()
        assert first.image.shape == (180, 320, 3)
        ms0 = timecode.decode(first.image)
        assert ms0 is not None, "not the server's frame"
        # the picture advances: a later frame carries a later burned-in time, and the stream is seconds old at most
        assert wait_for(lambda: (timecode.decode(reader.latest().image) or 0) > ms0 + 1500, 5)
        frame = reader.latest()
        age_ms = time.time() * 1000 - timecode.decode(frame.image)
        assert 0 <= age_ms < 4000, age_ms
        assert frame.seq > 25

        hls.stop_producing()  # the encoder dies; the playlist is still served and still claims to be live
        stopped_ms = time.time() * 1000
        t0 = time.monotonic()
        assert wait_for(lambda: reader.status().state != State.LIVE, 6), reader.status()
        assert time.monotonic() - t0 < HLS["stall_after"] + HLS["read_timeout"] + 1.5
        status = reader.status()
        assert status.state in (State.STALLED, State.RECONNECTING, State.CONNECTING, State.ERROR), status
        # Reconnects replay the playlist's last segment; those frames are recognised, so the dead camera never
        # shows LIVE again and nothing made after the encoder stopped appears.
        states, end = set(), time.monotonic() + 2 * (HLS["read_timeout"] + HLS["backoff_max"]) + 2
        while time.monotonic() < end:
            states.add(reader.status().state)
            time.sleep(0.05)
        assert State.LIVE not in states, states
        assert timecode.decode(reader.latest().image) < stopped_ms
    finally:
        t0 = time.monotonic()
        assert reader.stop()
        assert time.monotonic() - t0 < HLS["open_timeout"] + HLS["read_timeout"] + 2
    assert reader.status().state == State.STOPPED
    assert not reader_threads()


def test_missing_playlist_is_a_clear_error_quickly(hls):
    reader = FrameReader(hls.url("nope.m3u8"), name="missing", **HLS).start()
    try:
        t0 = time.monotonic()
        assert wait_for(lambda: reader.status().state == State.ERROR, 3), reader.status()
        assert time.monotonic() - t0 < 2.0
        assert "404" in reader.status().message
        assert "127.0.0.1" not in reader.status().message and "nope" not in reader.status().message
    finally:
        t0 = time.monotonic()
        assert reader.stop()
        assert time.monotonic() - t0 < 2
    assert not reader_threads()


def _publish_times(reader_options: dict, url: str, seconds: float) -> tuple[list[float], set]:
    times: list[float] = []
    reader = FrameReader(url, name="paced", on_frame=lambda _f: times.append(time.monotonic()), **reader_options)
    states: set = set()
    reader.start()
    try:
        assert wait_for(lambda: reader.status().state == State.LIVE, 8), reader.status()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            states.add(reader.status().state)
            time.sleep(0.05)
    finally:
        reader.stop()
    return times, states


def test_hls_frames_are_paced_by_presentation_time(hls):
    """A segment arrives in one piece; its frames must still be shown at 25 fps, not as a burst then a pause."""
    times, _ = _publish_times(HLS, hls.url(), 5.0)
    gaps = [b - a for a, b in zip(times[10:], times[11:])]
    assert len(gaps) > 60, len(gaps)
    long_gaps = [g for g in gaps if g > 0.3]
    # bursts at segment boundaries would give one ~1 s gap per segment (4–5 here) and most frames < 5 ms apart;
    # the jitter buffer may show one or two short pauses while it learns the segment delivery
    assert len(long_gaps) <= 2, long_gaps
    assert sorted(gaps)[len(gaps) // 2] > 0.02, "frames published in bursts"


def test_hls_long_segments_stay_live():
    """4 s segments: no flapping to "reconnecting" between segments (the playlist's target duration counts)."""
    with HlsServer(size=(320, 180), fps=25, segment_s=4) as srv:
        options = {"open_timeout": 5.0, "read_timeout": 3.0, "stall_after": 3.0, "backoff_initial": 0.2}
        times, states = _publish_times(options, srv.url(), 14.0)
    assert states == {State.LIVE}, states
    assert len(times) > 200
