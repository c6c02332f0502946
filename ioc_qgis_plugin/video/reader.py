"""Camera frame reader on a worker thread: keeps only the latest frame, detects stalls, reconnects with backoff.

The worker reads continuously even when nobody looks at the frames, because FFmpeg ignores CAP_PROP_BUFFERSIZE:
a consumer slower than the stream would otherwise see frames that get older and older. The consumer asks for
`latest()` (or is told by `on_frame`, called on the worker thread) and always gets the newest picture.
No qgis/Qt imports; messages never contain the stream URL (it may carry credentials).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Optional
from urllib.parse import urlsplit

import numpy as np

from .sources import FrameSource, open_source

# Read by OpenCV at every open; set once here, before any capture exists, so threads never race on it.
# TCP avoids UDP loss/firewall trouble; a short analysis makes "click → first frame" fast. `fflags;nobuffer` is
# deliberately absent: it drops the packets read during analysis, i.e. the first key frame (≈ +1 s to first frame).
# HLS: start at the newest segment of a live playlist, not three back (FFmpeg's default adds 2 segments of latency).
# HLS: a read timeout ends the capture for good, and after a reconnect to a playlist that no longer grows FFmpeg
# replays its last segment; the reader recognises those frames by their fingerprints and does not publish them.
FFMPEG_OPTIONS = "rtsp_transport;tcp|flags;low_delay|analyzeduration;200000|probesize;65536|live_start_index;-1"
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", FFMPEG_OPTIONS)


_retiring: set[FrameReader] = set()
_retiring_lock = threading.Lock()


def join_stopped(timeout: float = 10.0) -> bool:
    """Join readers whose stop() returned before their worker ended (a GUI must not wait on a hung camera);
    True when none is left. Call at plugin unload."""
    deadline = time.monotonic() + timeout
    with _retiring_lock:
        readers = list(_retiring)
    for reader in readers:
        reader.stop(max(0.0, deadline - time.monotonic()))
    with _retiring_lock:
        return not _retiring


class State(str, Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"  # connected, but no new frame for `stall_after` seconds
    RECONNECTING = "reconnecting"  # waiting out the backoff before the next attempt
    ERROR = "error"  # last attempt failed; `message` says why; retried after backoff
    PAUSED = "paused"  # nobody can see the picture (hidden tile, minimised window): disconnected until shown
    STOPPED = "stopped"


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR uint8, never modified after publication
    seq: int
    monotonic: float
    wall: float  # time.time() when the frame arrived


@dataclass(frozen=True)
class Status:
    state: State
    message: str = ""
    last_frame_wall: Optional[float] = None
    fps: float = 0.0
    frames: int = 0
    reconnects: int = 0


class FrameReader:
    """`FrameReader(url).start()` … `latest()` … `stop()`; one daemon-free worker thread, joined on stop."""

    def __init__(
        self,
        url: str,
        *,
        name: str = "",
        kind: str = "auto",
        open_timeout: float = 5.0,
        read_timeout: float = 3.0,
        stall_after: float = 3.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 4.0,  # keeps recovery after a camera comes back within ~5 s
        snapshot_interval: float = 1.0,
        on_frame: Optional[Callable[[Frame], None]] = None,
        on_state: Optional[Callable[[Status], None]] = None,
        source_factory: Optional[Callable[[], FrameSource]] = None,
    ) -> None:
        self._url = url
        self.name = name
        self.kind = kind
        self.open_timeout, self.read_timeout, self.stall_after = open_timeout, read_timeout, stall_after
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.snapshot_interval = snapshot_interval
        self.on_frame, self.on_state = on_frame, on_state
        self._source_factory = source_factory
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._latest: Optional[Frame] = None
        self._state, self._message = State.IDLE, ""
        self._seq = 0
        self._reconnects = 0
        self._arrivals: deque[float] = deque(maxlen=50)
        # Fingerprints of recent frames, for HLS only: a replayed segment decodes to identical frames.
        self._replay_guard = kind == "hls" or url.split("?", 1)[0].lower().endswith(".m3u8")
        self._recent: deque[int] = deque(maxlen=400)
        self._recent_set: set[int] = set()
        self._pause = threading.Event()
        self._quick_retry_at = -float("inf")  # last immediate retry of a dropped stream (monotonic)
        self._wake = threading.Event()  # set by resume()/stop() to cut a backoff or pause wait short

    # -- consumer side ---------------------------------------------------------------------------------------
    def start(self) -> FrameReader:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=f"ioc-camera-{self.name or 'reader'}")
            self._thread.start()
        return self

    def stop(self, timeout: Optional[float] = None) -> bool:
        """Ask the worker to stop and join it; True when the thread is gone.

        A worker blocked inside FFmpeg returns within the open/read timeout, so that bounds the wait.
        """
        self._stop.set()
        self._wake.set()
        # A stopped reader is never restarted: drop the callbacks (they hold the widget and its pictures)
        self.on_frame = self.on_state = None
        with self._lock:
            self._latest = None  # a reader stuck in FFmpeg must not keep its last picture (MBs at 720p)
        thread = self._thread
        if thread is not None:
            thread.join(timeout if timeout is not None else self.open_timeout + self.read_timeout + 2.0)
            if thread.is_alive():
                with _retiring_lock:
                    _retiring.add(self)  # still inside FFmpeg; it removes itself when it gets out
                return False
            self._thread = None
        with _retiring_lock:
            _retiring.discard(self)
        self._set_state(State.STOPPED, "")
        return True

    def set_paused(self, paused: bool) -> None:
        """Paused: the worker drops the connection (no decoding) until resumed; resuming reconnects at once."""
        if paused == self._pause.is_set():
            return
        if paused:
            self._pause.set()
        else:
            self._pause.clear()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._pause.is_set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def latest(self) -> Optional[Frame]:
        with self._lock:
            return self._latest

    def status(self) -> Status:
        with self._lock:
            state, message = self._state, self._message
            last = self._latest
            arrivals = list(self._arrivals)
        now = time.monotonic()
        if state == State.LIVE and last is not None and now - last.monotonic > self.stall_after:
            state, message = State.STALLED, f"no new frame for {now - last.monotonic:.0f} s"
        fps = 0.0
        if len(arrivals) >= 2 and now - arrivals[-1] < 2.0:
            fps = (len(arrivals) - 1) / max(1e-6, arrivals[-1] - arrivals[0])
        return Status(
            state=state,
            message=message,
            last_frame_wall=last.wall if last else None,
            fps=fps,
            frames=last.seq if last else 0,
            reconnects=self._reconnects,
        )

    # -- worker side -----------------------------------------------------------------------------------------
    def _set_state(self, state: State, message: str) -> None:
        with self._lock:
            changed = (state, message) != (self._state, self._message)
            self._state, self._message = state, message
        on_state = self.on_state
        if changed and on_state is not None:
            on_state(self.status())

    def _open(self) -> FrameSource:
        if self._source_factory is not None:
            return self._source_factory()
        return open_source(
            self._url,
            kind=self.kind,
            open_timeout=self.open_timeout,
            read_timeout=self.read_timeout,
            snapshot_interval=self.snapshot_interval,
            stop_event=self._stop,
        )

    def _publish(self, image: np.ndarray) -> None:
        if self._stop.is_set():
            return
        now_m, now_w = time.monotonic(), time.time()
        with self._lock:
            self._seq += 1
            frame = Frame(image, self._seq, now_m, now_w)
            self._latest = frame
            self._arrivals.append(now_m)
            was_live = self._state == State.LIVE
            self._state, self._message = State.LIVE, ""
        on_state = self.on_state
        if not was_live and on_state is not None:
            on_state(self.status())
        on_frame = self.on_frame
        if on_frame is not None:
            on_frame(frame)

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._set_state(State.STOPPED, "")
            with self._lock:
                self._latest = None
            with _retiring_lock:
                _retiring.discard(self)  # a worker that outlived stop() releases itself (and its frame) here

    def _wait_paused(self) -> bool:
        """Block while paused; True when stopped meanwhile."""
        if not self._pause.is_set():
            return self._stop.is_set()
        self._set_state(State.PAUSED, "")
        with self._lock:
            self._latest = None
        while self._pause.is_set() and not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
        return self._stop.is_set()

    def _loop(self) -> None:
        backoff = self.backoff_initial
        attempt = 0
        while not self._stop.is_set():
            if self._wait_paused():
                break
            if attempt:
                self._reconnects += 1
            attempt += 1
            self._set_state(State.CONNECTING, "")
            try:
                source = self._open()
            except Exception as exc:  # noqa: BLE001 - any failure to open becomes a visible state, then a retry
                self._set_state(State.ERROR, str(exc) or type(exc).__name__)
                if self._wait_backoff(backoff):
                    break
                backoff = min(backoff * 2, self.backoff_max)
                continue
            try:
                reason = self._read_loop(source)
                if reason is None:  # stopped
                    break
                if reason == "paused":
                    backoff = self.backoff_initial
                    continue
                if self._latest_is_recent():
                    backoff = self.backoff_initial  # it was working: the first retry should be quick
                self._set_state(State.ERROR if reason.startswith("!") else State.RECONNECTING, reason.lstrip("!"))
            finally:
                source.release()
            if self._wait_backoff(backoff, dropped=not reason.startswith("!")):
                break
            backoff = min(backoff * 2, self.backoff_max)

    def _endpoint(self) -> Optional[tuple[str, int]]:
        try:
            parts = urlsplit(self._url)
            port = parts.port or {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}.get(parts.scheme.lower())
        except ValueError:
            return None
        return (parts.hostname, port) if parts.hostname and port else None

    def _reachable(self, timeout: float = 0.3) -> bool:
        endpoint = self._endpoint()
        if endpoint is None:
            return False
        try:
            with socket.create_connection(endpoint, timeout=timeout):
                return True
        except OSError:
            return False

    def _wait_backoff(self, backoff: float, dropped: bool = False) -> bool:
        """Wait out the backoff; True when stopped. While the server does not even accept a connection, a cheap TCP
        connect every 0.1 s ends the wait as soon as it answers again, so recovery does not depend on where in
        the 0.5 → 4 s backoff the camera came back. A server that answers but refuses the stream (401, 404)
        gets the plain backoff: retrying it at once would only hammer it.

        `dropped`: a stream that was playing ended. If its server already answers again when the wait begins (it
        came back while FFmpeg was still being released, which takes seconds on a loaded PC), retry at once —
        once per `backoff_max`, so a server that keeps dropping the stream still gets the backoff."""
        now = time.monotonic()
        deadline = now + backoff
        probeable = self._source_factory is None and self._endpoint() is not None
        reachable = probeable and self._reachable()
        if dropped and reachable and now - self._quick_retry_at > self.backoff_max:
            self._quick_retry_at = now
            return self._stop.is_set()
        watch = probeable and not reachable
        self._wake.clear()
        while True:
            left = deadline - time.monotonic()
            if self._stop.is_set():
                return True
            if left <= 0 or self._pause.is_set():
                return False
            if self._wake.wait(min(0.1, left) if watch else left):
                self._wake.clear()
                continue
            if watch and self._reachable():
                return self._stop.is_set()

    def _pace(self, anchor: Optional[tuple[float, float, float]], pts: Optional[float], now: float):  # noqa: ANN202
        """HLS hands over a whole segment at once; publish its frames at their presentation times instead of in a
        burst (a slideshow). `anchor` is (monotonic, pts ms, playout delay s): a frame that comes later than its
        time raises the delay by that much (a jitter buffer, at most 3 s), so the next segment's wait is absorbed
        instead of shown as a pause. Timestamps that jump, or a stream running far behind, start a new anchor."""
        if pts is None or pts <= 0:
            return anchor
        if anchor is not None:
            start, pts0, delay = anchor
            due = start + (pts - pts0) / 1000.0 + delay
            if -3.0 <= due - now <= 3.0:
                if due > now:
                    self._stop.wait(due - now)
                    return anchor
                if now - due > 0.02:
                    delay = min(3.0, delay + (now - due))
                return (start, pts0, delay)
        return (now, pts, 0.0)

    def _seen_before(self, image: np.ndarray) -> bool:
        """True for a frame identical to one of the last few hundred (hash of a coarse sample of its pixels)."""
        key = hash(np.ascontiguousarray(image[::8, ::8]).tobytes())
        if key in self._recent_set:
            return True
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(key)
        self._recent_set.add(key)
        return False

    def _latest_is_recent(self) -> bool:
        last = self.latest()
        return last is not None and time.monotonic() - last.monotonic < self.stall_after + self.read_timeout + 1

    def _read_loop(self, source: FrameSource) -> Optional[str]:
        """Read until stop (→ None) or until the stream fails or stalls (→ reason)."""
        last_ok = time.monotonic()
        got_any = False
        stall_after = max(self.stall_after, getattr(source, "min_stall", 0.0))
        pts_of = getattr(source, "pts_ms", None) if self._replay_guard else None
        anchor: Optional[tuple[float, float, float]] = None  # pacing reference: (monotonic, pts ms, delay)
        while not self._stop.is_set():
            if self._pause.is_set():
                return "paused"
            ok, image = source.read()
            if self._stop.is_set():
                return None
            now = time.monotonic()
            if ok and image is not None and image.size:
                got_any = True
                if self._replay_guard and self._seen_before(image):
                    continue  # an old segment served again: not a new frame, so the stall clock keeps running
                if pts_of is not None:
                    anchor = self._pace(anchor, pts_of(), now)
                    if self._stop.is_set():
                        return None
                last_ok = time.monotonic()
                self._publish(image)
                continue
            if now - last_ok > stall_after:
                return f"no new frame for {now - last_ok:.0f} s" if got_any else "!connected, but no frames arrive"
            if source.ended:
                return "stream ended" if got_any else "!stream opened but ended at once"
        return None
