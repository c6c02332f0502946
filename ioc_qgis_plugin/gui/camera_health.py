"""Background health check of every camera: online/offline and last_seen written to the camera layer.

Probing (RTSP DESCRIBE / HTTP GET, no decoding) runs on a worker thread with a small pool; only the layer update
happens in the GUI thread, through the data provider (not the undo stack: health is not a user edit).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import QDateTime, QObject, Qt, QTimer, QVariant, pyqtSignal

from ..video.probe import probe_first
from .camera_auth import connect_url


class CameraHealthChecker(QObject):
    checked = pyqtSignal(dict)  # camera_id -> {"online": bool, "reason": str, "last_seen": str | None}
    _results_ready = pyqtSignal(object)

    def __init__(self, interval_s: float = 30.0, timeout_s: float = 2.0, workers: int = 8, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.layer: Optional[QgsVectorLayer] = None
        self.timeout_s, self.workers = timeout_s, workers
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_s * 1000))
        self._timer.timeout.connect(self.check_now)
        self._thread: Optional[threading.Thread] = None
        self._stop = threading.Event()
        self._results_ready.connect(self._apply, Qt.QueuedConnection)
        self.last_results: dict = {}

    def set_layer(self, layer: Optional[QgsVectorLayer]) -> None:
        self.layer = layer

    def start(self, check_now: bool = True) -> None:
        self._stop.clear()
        self._timer.start()
        if check_now:
            self.check_now()

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def check_now(self) -> bool:
        """Start one round in the background; False when a round is still running or there is no layer."""
        layer = self.layer
        if self.busy or layer is None or not layer.isValid():
            return False
        targets = []
        fields = layer.fields()
        for feature in layer.getFeatures():
            cid = str(feature["camera_id"])
            authcfg = str(feature["authcfg"] or "") if fields.indexOf("authcfg") >= 0 else ""
            urls = [
                str(feature[n] or "") for n in ("substream_url", "stream_url", "snapshot_url") if fields.indexOf(n) >= 0
            ]
            try:  # credentials are resolved here, in the GUI thread, and live only in this list
                urls = [connect_url(u, authcfg) for u in urls if u]
                targets.append((feature.id(), cid, urls, ""))
            except Exception as exc:  # noqa: BLE001 - a camera whose credentials fail is reported offline
                targets.append((feature.id(), cid, [], str(exc)))
        self._thread = threading.Thread(target=self._run, args=(targets,), name="ioc-camera-health")
        self._thread.start()
        return True

    def _run(self, targets: list) -> None:
        def one(target: tuple) -> tuple:
            fid, cid, urls, err = target
            if self._stop.is_set():
                return fid, cid, None, "stopped"
            if err:
                return fid, cid, False, err
            ok, reason, _ = probe_first(urls, self.timeout_s)
            return fid, cid, ok, reason

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ioc-camera-health") as pool:
            results = [r for r in pool.map(one, targets) if r[2] is not None]
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
            for fid, cid, ok, reason in results:
                attrs = {}
                if i_status >= 0:
                    attrs[i_status] = "online" if ok else "offline"
                if ok and i_seen >= 0:
                    attrs[i_seen] = seen_value
                if attrs:
                    changes[fid] = attrs
                summary[cid] = {"online": ok, "reason": reason, "last_seen": now.toString(Qt.ISODate) if ok else None}
            if changes:
                layer.dataProvider().changeAttributeValues(changes)
                layer.triggerRepaint()
        self.last_results = summary
        self.checked.emit(summary)

    def stop(self, timeout: float = 10.0) -> bool:
        self._timer.stop()
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
            self._thread = None
        return True
