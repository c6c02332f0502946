"""Frame sources behind one tiny interface: RTSP/HLS/files via OpenCV+FFmpeg, MJPEG over HTTP, snapshot polling.

`open_source(url)` picks the source: rtsp:// and .m3u8 go to FFmpeg; for other http(s) URLs the response's
content type decides (multipart → MJPEG parser, image/* → snapshot polling, anything else → FFmpeg).
Error messages never include the URL: it may carry credentials.
"""

from __future__ import annotations

import threading
import time
from typing import Optional, Protocol
from urllib.parse import urlsplit

import numpy as np

from . import gst_source
from .probe import NOT_DECODED, explain_rtsp_failure


class OpenError(RuntimeError):
    """The source could not be opened; the message is safe to show (no URL, no credentials)."""


class FrameSource(Protocol):
    ended: bool

    def read(self) -> tuple[bool, Optional[np.ndarray]]: ...

    def release(self) -> None: ...


class CvSource:
    """OpenCV VideoCapture (FFmpeg backend) with open/read timeouts so nothing blocks for FFmpeg's default 30 s."""

    def __init__(self, url: str, open_timeout: float, read_timeout: float, min_stall: float = 0.0) -> None:
        import cv2

        self.ended = False
        self.min_stall = min_stall  # an HLS stream is silent for up to a segment: no stall before that
        self._read_timeout = read_timeout
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(open_timeout * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(read_timeout * 1000),
        ]
        started = time.monotonic()
        self._cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
        if not self._cap.isOpened():
            self._cap.release()
            if url.lower().startswith("rtsp"):
                raise OpenError(explain_rtsp_failure(url, timeout=min(2.0, open_timeout)))
            if url.lower().startswith(("http:", "https:")):  # e.g. an HLS playlist: let the server say why
                _, resp = _http_kind(url, min(2.0, open_timeout), min(2.0, read_timeout))
                if resp is not None:
                    resp.close()
            if time.monotonic() - started >= open_timeout * 0.9:
                raise OpenError(f"no answer within {open_timeout:.0f} s")
            raise OpenError("cannot open stream")

    def read(self) -> tuple[bool, Optional[np.ndarray]]:
        started = time.monotonic()
        ok, image = self._cap.read()
        if ok and time.monotonic() - started >= self._read_timeout:
            # Only FFmpeg's read timeout ends a read this long: the frame is one its (frame-threaded) decoder still
            # held, flushed out seconds late, one per timed-out read (FFmpeg 7 does). The source has gone quiet, so
            # it is no sign of life: the capture is over (a dead HLS encoder must not show LIVE again).
            ok = False
        if not ok:
            self.ended = True
        return ok, image if ok else None

    def pts_ms(self) -> Optional[float]:
        """Presentation time of the frame just read (FFmpeg's stream time), for pacing HLS."""
        import cv2

        value = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        return float(value) if value and value > 0 else None

    def release(self) -> None:
        self._cap.release()


def hls_target_duration(url: str, timeout: float) -> float:
    """#EXT-X-TARGETDURATION of a live playlist (of its first variant for a master playlist); 0 when unknown."""
    import requests

    try:
        text = requests.get(url, timeout=(timeout, timeout)).text
        for line in text.splitlines():
            if line.startswith("#EXT-X-TARGETDURATION:"):
                return float(line.split(":", 1)[1].strip())
        variant = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
        if variant:
            from urllib.parse import urljoin

            return hls_target_duration(urljoin(url, variant), timeout) if variant.endswith(".m3u8") else 0.0
    except (requests.RequestException, ValueError):
        return 0.0
    return 0.0


def _imdecode(data: bytes) -> Optional[np.ndarray]:
    import cv2

    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return image if image is not None and image.size else None


class MjpegSource:
    """multipart/x-mixed-replace JPEG stream; returns the newest complete JPEG in the buffer, skips corrupt ones."""

    def __init__(self, response, read_timeout: float) -> None:  # noqa: ANN001 - requests.Response
        self.ended = False
        self._resp = response
        raw = response.raw
        # read1 returns what has arrived instead of waiting for a full buffer (latency)
        self._read1 = getattr(raw, "read1", None) or raw._fp.read1
        self._buf = bytearray()
        self._read_timeout = read_timeout

    def read(self) -> tuple[bool, Optional[np.ndarray]]:
        deadline = time.monotonic() + self._read_timeout
        while time.monotonic() < deadline:
            newest = self._take_newest_jpeg()
            if newest is not None:
                image = _imdecode(newest)
                if image is not None:
                    return True, image
                continue  # corrupt frame: skip it, keep reading
            try:
                chunk = self._read1(65536)
            except Exception:  # noqa: BLE001 - socket timeout / reset: the stream is over
                self.ended = True
                return False, None
            if not chunk:
                self.ended = True
                return False, None
            self._buf += chunk
            if len(self._buf) > 16 * 1024 * 1024:  # garbage without JPEG markers
                del self._buf[:-65536]
        return False, None

    def _take_newest_jpeg(self) -> Optional[bytes]:
        end = self._buf.rfind(b"\xff\xd9")
        if end < 0:
            return None
        start = self._buf.rfind(b"\xff\xd8", 0, end)
        if start < 0:
            del self._buf[: end + 2]
            return None
        jpeg = bytes(self._buf[start : end + 2])
        del self._buf[: end + 2]
        return jpeg

    def release(self) -> None:
        self._resp.close()


class SnapshotSource:
    """Polls a still-image URL every `interval` seconds (cameras without a stream, or a cheap overview)."""

    def __init__(
        self,
        url: str,
        open_timeout: float,
        read_timeout: float,
        interval: float,
        stop_event: Optional[threading.Event],
        first=None,  # noqa: ANN001 - an already fetched requests.Response
    ) -> None:
        import requests

        self.ended = False
        self._session = requests.Session()
        self._url, self._timeout, self._interval = url, (open_timeout, read_timeout), interval
        self._stop = stop_event or threading.Event()
        self._next = 0.0
        self._first = first

    def read(self) -> tuple[bool, Optional[np.ndarray]]:
        wait = self._next - time.monotonic()
        if wait > 0 and self._stop.wait(wait):
            return False, None
        self._next = time.monotonic() + self._interval
        try:
            if self._first is not None:
                resp, self._first = self._first, None
            else:
                resp = self._session.get(self._url, timeout=self._timeout)
            if resp.status_code != 200:
                return False, None
            return (True, image) if (image := _imdecode(resp.content)) is not None else (False, None)
        except Exception:  # noqa: BLE001 - a failed poll is a missed frame; stall detection decides
            return False, None

    def release(self) -> None:
        self._session.close()


def _http_kind(url: str, open_timeout: float, read_timeout: float):  # noqa: ANN202
    """GET the URL and decide from the answer; returns (kind, response or None)."""
    import requests

    try:
        resp = requests.get(url, stream=True, timeout=(open_timeout, read_timeout))
    except requests.exceptions.ConnectTimeout as exc:
        raise OpenError(f"no answer within {open_timeout:.0f} s") from exc
    except requests.exceptions.ReadTimeout as exc:
        raise OpenError("connected, but the server sends nothing") from exc
    except requests.exceptions.ConnectionError as exc:
        raise OpenError("connection refused or host unreachable") from exc
    if resp.status_code == 401:
        resp.close()
        raise OpenError("unauthorized: wrong or missing user/password")
    if resp.status_code == 404:
        resp.close()
        raise OpenError("not found (HTTP 404)")
    if resp.status_code >= 400:
        resp.close()
        raise OpenError(f"HTTP {resp.status_code}")
    ctype = resp.headers.get("Content-Type", "").lower()
    if ctype.startswith("multipart/"):
        return "mjpeg", resp
    if ctype.startswith("image/"):
        return "snapshot", resp
    resp.close()
    return "ffmpeg", None


def _open_rtsp_gstreamer(
    url: str, open_timeout: float, read_timeout: float, stop_event: Optional[threading.Event]
) -> FrameSource:
    """RTSP via GStreamer (a frame ≈ 80 ms sooner than OpenCV's FFmpeg backend). When GStreamer fails on a stream
    the camera does announce (a codec it cannot decode), FFmpeg gets its chance; a camera that is down, refuses
    the credentials or has no such stream is reported at once, without a second wait."""
    try:
        return gst_source.GstRtspSource(url, open_timeout, read_timeout, stop_event)
    except gst_source.OpenFailed:
        if stop_event is not None and stop_event.is_set():
            raise OpenError("stopped") from None
        reason = explain_rtsp_failure(url, timeout=min(2.0, open_timeout))
    if reason != NOT_DECODED:
        raise OpenError(reason)
    return CvSource(url, open_timeout, read_timeout)


def open_source(
    url: str,
    *,
    kind: str = "auto",
    open_timeout: float = 5.0,
    read_timeout: float = 3.0,
    snapshot_interval: float = 1.0,
    stop_event: Optional[threading.Event] = None,
) -> FrameSource:
    scheme = urlsplit(url).scheme.lower()
    if not url or not scheme:
        raise OpenError("no stream URL")
    if kind == "auto":
        path = urlsplit(url).path.lower()
        if scheme in ("http", "https") and not path.endswith(".m3u8"):
            kind, resp = _http_kind(url, open_timeout, read_timeout)
            if kind == "mjpeg":
                return MjpegSource(resp, read_timeout)
            if kind == "snapshot":
                # the probe already fetched one image: use it as the first frame
                resp.content  # noqa: B018 - read the body now, while the response is open
                return SnapshotSource(url, open_timeout, read_timeout, snapshot_interval, stop_event, first=resp)
        kind = "ffmpeg"
    if kind == "snapshot":
        return SnapshotSource(url, open_timeout, read_timeout, snapshot_interval, stop_event)
    if kind == "mjpeg":
        k, resp = _http_kind(url, open_timeout, read_timeout)
        if k != "mjpeg":
            if resp is not None:
                resp.close()
            raise OpenError("server did not answer with an MJPEG (multipart) stream")
        return MjpegSource(resp, read_timeout)
    if scheme not in ("rtsp", "rtsps", "http", "https", "file", "rtmp", "udp", "tcp"):
        raise OpenError(f"unsupported URL scheme '{scheme}'")
    if scheme in ("rtsp", "rtsps") and kind in ("auto", "ffmpeg") and gst_source.available():
        return _open_rtsp_gstreamer(url, open_timeout, read_timeout, stop_event)
    if scheme in ("http", "https") and urlsplit(url).path.lower().endswith(".m3u8"):
        # A live playlist gains a segment every target duration; FFmpeg waits that long for it, so neither its
        # read timeout nor the stall detection may be shorter (4 s segments otherwise flap to "reconnecting").
        target = hls_target_duration(url, min(2.0, open_timeout))
        if target > 0:
            return CvSource(url, open_timeout, max(read_timeout, 2 * target + 1), min_stall=2 * target + 1)
    return CvSource(url, open_timeout, read_timeout)
