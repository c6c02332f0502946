"""Background refresh of street-light state every N seconds on a worker thread; the GUI thread only receives results.

The worker opens its own store connection and HTTP session (closed again after every refresh), so nothing it does
holds the GUI thread. On failure the store is untouched (last good state kept) and `refreshed` carries ok=False
with the error.

It is deliberately not a QgsTask: a refresh every minute in QGIS's task manager meant a status-bar progress bar
that hardly ever went away and a "Task complete" notification every minute or two (QGIS 3.22 has no hidden
task flag). Commands and long one-off jobs stay QgsTasks; this is routine background noise.
"""

from __future__ import annotations

import base64
import gc
from contextlib import contextmanager
from typing import Any, Callable, Optional

from qgis.core import Qgis, QgsApplication, QgsAuthMethodConfig, QgsMessageLog
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..connectors.sensorthings import SensorThingsClient
from ..lights.refresh import RefreshOptions, RefreshResult, refresh
from .serial_worker import SerialWorker

LOG_TAG = "IOC"


def auth_headers(authcfg: str) -> dict[str, str]:
    """HTTP headers from a QGIS auth manager config (Basic, or API header); the secret never leaves this call."""
    if not authcfg:
        return {}
    cfg = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True):
        raise ValueError(f"authentication configuration {authcfg} cannot be loaded")
    if cfg.method() == "Basic":
        token = base64.b64encode(f"{cfg.config('username')}:{cfg.config('password')}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    if cfg.method() == "APIHeader":
        return {str(k): str(v) for k, v in cfg.configMap().items()}
    raise ValueError(
        f"authentication method {cfg.method()} is not supported for SensorThings (use Basic or API header)"
    )


def client_factory(url: str, authcfg: str = "", page_size: int = 250) -> Callable[[], SensorThingsClient]:
    """Resolve credentials once here (GUI thread); the task builds its own client (own HTTP session) from them.

    Pages of 250 Things keep each JSON decode — which holds the GIL — to a few ms, so the GUI thread stays fluid.
    """
    headers = auth_headers(authcfg)
    return lambda: SensorThingsClient(url, headers=dict(headers), page_size=page_size)


@contextmanager
def _no_cyclic_gc():
    """A refresh allocates ~10^5 short-lived dicts; a full cyclic collection over QGIS's heap that they trigger
    holds the GIL for 50+ ms in the worker and freezes the GUI. They hold no cycles, so pause the collector."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def close_client(client: Any) -> None:
    """Close the client's HTTP session (its keep-alive sockets), whatever kind of client it is."""
    closer = getattr(client, "close", None)
    if callable(closer):
        closer()
        return
    session = getattr(client, "session", None)
    if session is not None:
        session.close()


class _RefreshWorker:
    """One refresh off the GUI thread (run() on the refresher's SerialWorker); the result is queued to the GUI
    thread through the relay."""

    def __init__(
        self, make_client: Callable[[], Any], open_store: Callable[[], Any], opts: RefreshOptions, relay
    ) -> None:  # noqa: ANN001
        self.make_client, self.open_store, self.opts, self.relay = make_client, open_store, opts, relay
        self.result: Optional[RefreshResult] = None
        self.error = ""
        self.cancelled = False

    def run(self) -> None:
        store = client = None
        try:
            with _no_cyclic_gc():
                store = self.open_store()
                client = self.make_client()
                self.result = refresh(client, store, opts=self.opts)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the panel as a message, never a crash
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            if client is not None:
                close_client(client)
            if store is not None:
                store.close()
        try:
            self.relay.finished.emit(self)  # queued: the relay lives in the GUI thread
        except RuntimeError:  # the refresher was deleted (plugin unloaded) meanwhile
            pass


class _Relay(QObject):
    finished = pyqtSignal(object)


class LightsRefresher(QObject):
    """`LightsRefresher(make_client, open_store, interval_s=60)`; connect `refreshed(RefreshResult)`; `start()`."""

    refreshed = pyqtSignal(object)

    def __init__(
        self,
        make_client: Callable[[], Any],
        open_store: Callable[[], Any],
        interval_s: float = 60.0,
        opts: Optional[RefreshOptions] = None,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        self.make_client, self.open_store = make_client, open_store
        self.opts = opts or RefreshOptions()
        self.last_good: Optional[RefreshResult] = None
        self.last: Optional[RefreshResult] = None
        self._worker: Optional[_RefreshWorker] = None
        self._relay = _Relay(self)
        self._pool = SerialWorker("ioc-lights-refresh")
        self._relay.finished.connect(self._done)
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.refresh_now)

    def start(self) -> None:
        self.timer.start()
        self.refresh_now()

    def stop(self, wait_s: float = 0.0) -> None:
        """No more refreshes; a running one finishes on its own (its result is dropped)."""
        self.timer.stop()
        worker = self._worker
        if worker is not None:
            worker.cancelled = True
            if wait_s:
                self._pool.wait(wait_s)
        self._pool.close(join_s=1.0 if self._pool.pending == 0 else 0.0)
        self._worker = None

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def refresh_now(self) -> bool:
        """Start a refresh unless one is running; returns whether one was started."""
        if self._worker is not None:
            return False
        worker = _RefreshWorker(self.make_client, self.open_store, self.opts, self._relay)
        self._worker = worker
        self._pool.submit(worker.run)
        return True

    def send_command(self, light_id: str, params: dict) -> Any:
        """Tasking for one light (its Thing's TaskingCapability); for LightDetail.send_command."""
        if self.last_good is None or light_id not in self.last_good.thing_ids:
            raise ValueError(f"{light_id} is not known on the SensorThings server yet")
        client = self.make_client()
        try:
            return client.send_task(self.last_good.thing_ids[light_id], params)
        finally:
            close_client(client)

    def _done(self, worker: _RefreshWorker) -> None:  # GUI thread
        if worker.cancelled or worker is not self._worker:
            return
        self._worker = None
        result = worker.result or RefreshResult(False, 0.0, error=worker.error or "cancelled")
        if result.ok:
            self.last_good = result
        else:
            QgsMessageLog.logMessage(f"Street lights refresh failed: {result.error}", LOG_TAG, Qgis.Warning)
        self.last = result
        self.refreshed.emit(result)
