"""Background health check of every camera: online / slow / offline and last_seen written to the camera layer.

Probing (RTSP DESCRIBE / HTTP GET, no decoding) runs on a worker thread with a small pool. The states are written
(not through the undo stack: health is not a user edit) by the `writer` the plugin gives — its own store connection,
on a worker thread, so a busy disk never stalls the map — or, without one, through the layer's data provider.

What an operator should see, and why it is not "one failed probe = offline":
- a camera is "offline" only after `fail_threshold` consecutive probes without an answer (a probe that times out is
  retried within the round with a longer timeout, and failures also count across rounds); a camera that answers
  "no" (connection refused, 401, 404) is offline at once: that is not a busy camera;
- a probe that succeeds slowly, or times out while the camera has not yet failed often enough, is "slow": on a busy
  server (e.g. a grid of streams is open) answers take longer, but the cameras do stream;
- a camera whose stream is live in a viewer or a grid tile right now is online, without probing it at all.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from qgis.core import QgsFeatureRequest, QgsVectorLayer
from qgis.PyQt.QtCore import QDateTime, QObject, Qt, QTimer, QVariant, pyqtSignal

from ..video.probe import probe
from .camera_auth import connect_url
from .messages import log
from .serial_worker import SerialWorker

ONLINE, SLOW, OFFLINE, UNKNOWN = "online", "slow", "offline", "unknown"
URL_FIELDS = ("substream_url", "stream_url", "snapshot_url")  # probed in this order


def _is_timeout(reason: str) -> bool:
    """The probe got no answer in time (a busy or slow camera), as opposed to an answer that says no."""
    return "answer" in reason or "Timeout" in reason or "timed out" in reason


class HealthTracker:
    """Consecutive failures per camera → state. Pure logic, so its rules are easy to test and to read."""

    def __init__(self, fail_threshold: int = 3, slow_s: float = 1.0) -> None:
        self.fail_threshold, self.slow_s = fail_threshold, slow_s
        self.failures: dict[str, int] = {}
        self.states: dict[str, str] = {}

    def update(self, camera_id: str, ok: bool, elapsed_s: float, reason: str, failures: int = 1) -> str:
        if ok:
            self.failures[camera_id] = 0
            state = SLOW if elapsed_s >= self.slow_s else ONLINE
        else:
            n = self.failures.get(camera_id, 0) + failures
            self.failures[camera_id] = n
            if n >= self.fail_threshold:
                state = OFFLINE
            elif _is_timeout(reason):
                state = SLOW  # it did not refuse: it is busy; not red until it fails again and again
            else:
                state = self.states.get(camera_id, UNKNOWN)
        self.states[camera_id] = state
        return state


class CameraHealthChecker(QObject):
    checked = pyqtSignal(dict)  # camera_id -> {"online": bool, "state": str, "reason": str, "last_seen": str|None}
    _results_ready = pyqtSignal(object)
    _written = pyqtSignal(str)  # "" or why the states could not be written

    def __init__(  # noqa: PLR0913
        self,
        interval_s: float = 30.0,
        timeout_s: float = 2.0,
        workers: int = 8,
        parent=None,  # noqa: ANN001
        *,
        fail_threshold: int = 3,
        slow_s: float = 1.0,
        retry_pause_s: float = 0.5,
    ) -> None:
        super().__init__(parent)
        self.layer: Optional[QgsVectorLayer] = None
        self.timeout_s, self.workers = timeout_s, workers
        self.retry_pause_s = retry_pause_s
        self.tracker = HealthTracker(fail_threshold, slow_s)
        self.live_ids: Callable[[], set[str]] = set  # camera ids whose stream is live on screen right now
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_s * 1000))
        self._timer.timeout.connect(self.check_now)
        self._worker = SerialWorker("ioc-health-cameras")  # lives as long as the checker
        self._rounds = 0  # rounds handed to the worker and not finished yet
        self._stop = threading.Event()
        self._results_ready.connect(self._apply, Qt.QueuedConnection)
        self._written.connect(self._after_write, Qt.QueuedConnection)
        self.last_results: dict = {}
        #: writes [{"camera_id", "status", "last_seen" (UTC ISO or None)}] in a worker thread; None: the layer
        self.writer: Optional[Callable[[list[dict]], None]] = None
        self._write_error = ""

    def set_layer(self, layer: Optional[QgsVectorLayer]) -> None:
        self.layer = layer

    def start(self, check_now: bool = True) -> None:
        self._stop.clear()
        self._timer.start()
        if check_now:
            self.check_now()

    @property
    def busy(self) -> bool:
        """A round is probing (its states may still be being written after it)."""
        return self._rounds > 0

    @property
    def idle(self) -> bool:
        """No round and no write left."""
        return self._worker.pending == 0

    def check_now(self) -> bool:
        """Start one round in the background; False when a round is still running or there is no layer."""
        layer = self.layer
        if self.busy or layer is None or not layer.isValid():
            return False
        targets = []
        fields = layer.fields()
        live = set(self.live_ids())
        i_timeout = fields.indexOf("open_timeout_s")
        wanted = [n for n in ("camera_id", "authcfg", "open_timeout_s", *URL_FIELDS) if fields.indexOf(n) >= 0]
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(wanted, fields)
        for feature in layer.getFeatures(request):  # on the GUI thread: no geometry, only the columns used
            cid = str(feature["camera_id"])
            if cid in live:
                targets.append((feature.id(), cid, [], "", 0.0, True))
                continue
            authcfg = str(feature["authcfg"] or "") if fields.indexOf("authcfg") >= 0 else ""
            timeout = self.timeout_s
            if i_timeout >= 0:
                try:
                    timeout = float(feature[i_timeout]) if feature[i_timeout] not in (None, "") else timeout
                except (TypeError, ValueError):
                    pass
            urls = [str(feature[n] or "") for n in URL_FIELDS if fields.indexOf(n) >= 0]
            try:  # credentials are resolved here, in the GUI thread, and live only in this list
                urls = [connect_url(u, authcfg) for u in urls if u]
                targets.append((feature.id(), cid, urls, "", timeout, False))
            except ValueError as exc:  # e.g. port 99999: this camera is offline, the round goes on
                targets.append((feature.id(), cid, [], f"invalid URL: {exc}", timeout, False))
            except Exception as exc:  # noqa: BLE001 - a camera whose credentials fail is reported offline
                targets.append((feature.id(), cid, [], str(exc), timeout, False))
        self._rounds += 1
        self._worker.submit(lambda: self._run(targets))
        return True

    def _probe_camera(self, urls: list[str], timeout: float) -> tuple[bool, str, float, int]:
        """(ok, reason, seconds of the successful probe, failed attempts): each URL in order; a failure is retried
        up to the tracker's threshold with a doubled timeout, so one hiccup is not an outage."""
        reason, failures = "no URL", 0
        for attempt in range(self.tracker.fail_threshold):
            if self._stop.is_set():
                break
            wait = timeout if attempt == 0 else 2 * timeout
            for url in urls:
                started = time.monotonic()
                ok, reason = probe(url, wait)
                if ok:
                    return True, reason, time.monotonic() - started, failures
            failures += 1
            if not urls or "invalid URL" in reason:
                break  # retrying cannot help
            if not _is_timeout(reason):
                # refused, 401, 404: the camera answered, and the answer is "no" — that is not a busy camera,
                # and asking again now would only repeat it; it counts as a confirmed failure
                return False, reason, 0.0, self.tracker.fail_threshold
            if failures >= self.tracker.fail_threshold or self._stop.wait(self.retry_pause_s):
                break  # a busy camera got its breather between the attempts
        return False, reason, 0.0, max(1, failures)

    def _run(self, targets: list) -> None:
        try:
            self._probe_round(targets)
        finally:
            self._rounds -= 1

    def _probe_round(self, targets: list) -> None:
        def one(target: tuple) -> tuple:
            fid, cid, urls, err, timeout, live = target
            if self._stop.is_set():
                return fid, cid, None, "stopped", 0.0, 0
            if live:
                return fid, cid, True, "live in a viewer", 0.0, 0
            if err:
                return fid, cid, False, err, 0.0, self.tracker.fail_threshold
            try:
                ok, reason, elapsed, failures = self._probe_camera(urls, timeout)
            except Exception as exc:  # noqa: BLE001 - one bad record must never end the round for all cameras
                return fid, cid, False, f"probe failed: {type(exc).__name__}", 0.0, 1
            return fid, cid, ok, reason, elapsed, failures

        try:
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ioc-camera-health") as pool:
                results = [r for r in pool.map(one, targets) if r[2] is not None]
        except Exception:  # noqa: BLE001 - (pool shutdown at exit) nothing to report this round
            return
        if not self._stop.is_set():
            try:
                self._results_ready.emit(results)
            except RuntimeError:  # checker deleted while probing
                pass

    def _apply(self, results: list) -> None:
        layer = self.layer
        now = QDateTime.currentDateTime()
        summary = {}
        if layer is not None and layer.isValid():
            fields = layer.fields()
            i_status, i_seen = fields.indexOf("status"), fields.indexOf("last_seen")
            seen_is_dt = i_seen >= 0 and fields.at(i_seen).type() in (QVariant.DateTime, QVariant.Date)
            seen_value = now if seen_is_dt else now.toString(Qt.ISODate)
            changes = {}
            rows = []
            seen_utc = now.toUTC().toString("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'")
            for fid, cid, ok, reason, elapsed, failures in results:
                state = self.tracker.update(cid, ok, elapsed, reason, failures)
                attrs = {}
                if i_status >= 0:
                    attrs[i_status] = state
                if ok and i_seen >= 0:
                    attrs[i_seen] = seen_value
                if attrs:
                    changes[fid] = attrs
                rows.append({"camera_id": cid, "status": state, "last_seen": seen_utc if ok else None})
                summary[cid] = {
                    "online": state in (ONLINE, SLOW),
                    "state": state,
                    "reason": reason,
                    "last_seen": now.toString(Qt.ISODate) if ok else None,
                }
            if rows and self.writer is not None:
                self._write_in_background(rows)
            elif changes:
                layer.dataProvider().changeAttributeValues(changes)
                layer.triggerRepaint()
        self.last_results = summary
        self.checked.emit(summary)

    def _write_in_background(self, rows: list[dict]) -> None:
        writer = self.writer

        def write() -> None:
            try:
                writer(rows)
                error = ""
            except Exception as exc:  # noqa: BLE001 - e.g. a locked file or a role without UPDATE: said, not raised
                error = str(exc) or type(exc).__name__
            try:
                self._written.emit(error)
            except RuntimeError:  # checker deleted meanwhile
                pass

        self._worker.submit(write)  # after the round that probed them, before the next one

    def _after_write(self, error: str) -> None:
        if error and error != self._write_error:  # a read-only share fails every round: said once, not every 30 s
            log(f"camera states not saved: {error}", "warning")
        self._write_error = error
        if not error and self.layer is not None and self.layer.isValid():
            self.layer.triggerRepaint()

    def stop(self, timeout: float = 10.0) -> bool:
        self._timer.stop()
        self._stop.set()
        done = self._worker.wait(timeout)
        self._worker.close(join_s=1.0 if done else 0.0)
        return done
