"""RTSP through GStreamer (rtspsrc → decodebin → BGR appsink), used instead of OpenCV's FFmpeg backend when present.

Why: OpenCV's FFmpeg capture hands out each frame about two frame intervals (≈ 80 ms at 25 fps) after it arrived,
whatever the capture options (OpenCV 4.6 passes none of them to the decoder), and under CPU load that grows to
100–200 ms at the 95th percentile. rtspsrc with latency=0, a one-frame appsink that drops older frames and no
clock sync delivers a frame 10–20 ms after the server made it (same machine, same run).

Credentials go to rtspsrc's user-id/user-pw properties, never into a pipeline string or a message.
No qgis/Qt imports; GStreamer (python3-gi, gir1.2-gstreamer-1.0, gstreamer1.0-plugins-good/-libav) is
optional: `available()` says whether it can be used, and the caller falls back to FFmpeg otherwise.
Set IOC_RTSP_BACKEND=ffmpeg to force the FFmpeg path.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Optional
from urllib.parse import unquote, urlsplit, urlunsplit

import numpy as np

_lock = threading.Lock()
_gst = None  # the Gst module once initialised, False when GStreamer cannot be used
_ELEMENTS = ("rtspsrc", "decodebin", "videoconvert", "appsink", "rtph264depay")
PIPELINE = (
    "rtspsrc name=src latency=0 protocols=tcp ! application/x-rtp,media=video ! decodebin "
    "! videoconvert ! video/x-raw,format=BGR ! appsink name=sink sync=false max-buffers=1 drop=true"
)
_POLL_S = 0.1  # how often a blocked read looks at the bus and the stop flag


def _load():  # noqa: ANN202 - the Gst module, or None
    global _gst
    with _lock:
        if _gst is None:
            _gst = False
            try:
                import gi

                gi.require_version("Gst", "1.0")
                from gi.repository import Gst

                if Gst.init_check(None) and all(Gst.ElementFactory.find(e) for e in _ELEMENTS):
                    _gst = Gst
            except (ImportError, ValueError):
                pass
        return _gst or None


def available() -> bool:
    """True when RTSP can go through GStreamer here (and IOC_RTSP_BACKEND does not ask for FFmpeg)."""
    if os.environ.get("IOC_RTSP_BACKEND", "").lower() == "ffmpeg":
        return False
    return _load() is not None


def split_credentials(url: str) -> tuple[str, str, str]:
    """(URL without user:password, user, password), percent-decoded as typed into the URL."""
    parts = urlsplit(url)
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), user, password


class OpenFailed(RuntimeError):
    """The stream did not start: `reason` is GStreamer's message (no URL); the caller explains it."""


class GstRtspSource:
    """FrameSource over rtspsrc: open() waits for the first decoded frame (or an error) within open_timeout."""

    def __init__(
        self, url: str, open_timeout: float, read_timeout: float, stop_event: Optional[threading.Event] = None
    ) -> None:
        Gst = self._Gst = _load()
        if Gst is None:
            raise OpenFailed("GStreamer is not available")
        self.ended = False
        self._read_timeout = read_timeout
        self._stop = stop_event or threading.Event()
        self._pending: Optional[np.ndarray] = None
        location, user, password = split_credentials(url)
        self._pipeline = Gst.parse_launch(PIPELINE)
        src = self._pipeline.get_by_name("src")
        src.set_property("location", location)
        if user:
            src.set_property("user-id", user)
            src.set_property("user-pw", password)
        # the TCP connect and each RTSP request give up with the open timeout instead of rtspsrc's 20 s
        src.set_property("tcp-timeout", int(open_timeout * 1_000_000))
        self._sink = self._pipeline.get_by_name("sink")
        self._bus = self._pipeline.get_bus()
        self._pipeline.set_state(Gst.State.PLAYING)
        image, problem = self._next(open_timeout)
        if image is None:
            self.release()
            raise OpenFailed(problem or f"no picture within {open_timeout:.0f} s")
        self._pending = image

    def _bus_problem(self) -> Optional[str]:
        Gst = self._Gst
        msg = self._bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.EOS)
        if msg is None:
            return None
        if msg.type == Gst.MessageType.EOS:
            return "stream ended"
        err, _debug = msg.parse_error()  # the debug text can name the location: not passed on
        return err.message or "stream error"

    def _next(self, timeout: float) -> tuple[Optional[np.ndarray], Optional[str]]:
        """The next decoded frame within `timeout`, or (None, why) — why is None for a plain timeout or a stop."""
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return None, None
            # the action signal, not GstApp.AppSink.try_pull_sample: that method is missing when an appsink was
            # wrapped before the GstApp typelib was loaded (another user of GStreamer in the process)
            sample = self._sink.emit("try-pull-sample", int(min(_POLL_S, left) * 1e9))
            if sample is not None:
                image = self._to_array(sample)
                if image is not None:
                    return image, None
                continue
            problem = self._bus_problem()
            if problem is not None:
                return None, problem
        return None, None

    def _to_array(self, sample) -> Optional[np.ndarray]:  # noqa: ANN001 - Gst.Sample
        caps = sample.get_caps().get_structure(0)
        ok_w, width = caps.get_int("width")
        ok_h, height = caps.get_int("height")
        buf = sample.get_buffer()
        if not (ok_w and ok_h) or buf is None:
            return None
        stride = (width * 3 + 3) & ~3  # GStreamer pads each BGR row to 4 bytes
        ok, info = buf.map(self._Gst.MapFlags.READ)
        if not ok:
            return None
        try:
            if info.size < stride * height:
                return None
            data = info.data
            image = np.frombuffer(data, np.uint8, stride * height).reshape(height, stride)[:, : width * 3]
            # The published frame must outlive the buffer, which GStreamer reuses. PyGObject hands out a private
            # bytes copy; with gst-python's overrides `data` is the mapped memory itself, so copy then.
            if not isinstance(data, bytes) or not image.flags.c_contiguous:
                image = image.copy()
            return image.reshape(height, width, 3)
        finally:
            buf.unmap(info)

    def read(self) -> tuple[bool, Optional[np.ndarray]]:
        if self._pending is not None:
            image, self._pending = self._pending, None
            return True, image
        if self.ended:
            return False, None
        image, _problem = self._next(self._read_timeout)
        if image is None:
            # an error, the end of the stream or a read timeout: the capture is over (as FFmpeg's read timeout)
            self.ended = not self._stop.is_set()
            return False, None
        return True, image

    def release(self) -> None:
        pipeline, self._pipeline = getattr(self, "_pipeline", None), None
        if pipeline is not None:
            pipeline.set_state(self._Gst.State.NULL)
        self._pending = None
