"""Background refresh of street-light state every N seconds (QgsTask); the GUI thread only receives results.

The task opens its own store connection and HTTP session, so nothing it does holds the GUI thread. On failure the
store is untouched (last good state kept) and `refreshed` carries ok=False with the error.
"""

from __future__ import annotations

import base64
import gc
from contextlib import contextmanager
from typing import Any, Callable, Optional

from qgis.core import Qgis, QgsApplication, QgsAuthMethodConfig, QgsMessageLog, QgsTask
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..connectors.sensorthings import SensorThingsClient
from ..lights.refresh import RefreshOptions, RefreshResult, refresh

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


class _RefreshTask(QgsTask):
    def __init__(self, make_client: Callable[[], Any], open_store: Callable[[], Any], opts: RefreshOptions) -> None:
        super().__init__("IOC: street lights refresh", QgsTask.CanCancel)
        self.make_client, self.open_store, self.opts = make_client, open_store, opts
        self.result: Optional[RefreshResult] = None
        self.error = ""
        self.done: Optional[Callable[[_RefreshTask], None]] = None

    def run(self) -> bool:
        store = None
        try:
            with _no_cyclic_gc():
                store = self.open_store()
                self.result = refresh(self.make_client(), store, opts=self.opts)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the panel as a message, never a crash
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            if store is not None:
                store.close()
        return self.result is not None

    def finished(self, ok: bool) -> None:  # GUI thread
        if self.done is not None:
            self.done(self)


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
        self._task: Optional[_RefreshTask] = None
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.refresh_now)

    def start(self) -> None:
        self.timer.start()
        self.refresh_now()

    def stop(self) -> None:
        self.timer.stop()
        if self._task is not None:
            self._task.cancel()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def refresh_now(self) -> bool:
        """Start a refresh unless one is running; returns whether one was started."""
        if self._task is not None:
            return False
        task = _RefreshTask(self.make_client, self.open_store, self.opts)
        task.done = self._done
        self._task = task
        QgsApplication.taskManager().addTask(task)
        return True

    def send_command(self, light_id: str, params: dict) -> Any:
        """Tasking for one light (its Thing's TaskingCapability); for LightDetail.send_command."""
        if self.last_good is None or light_id not in self.last_good.thing_ids:
            raise ValueError(f"{light_id} is not known on the SensorThings server yet")
        return self.make_client().send_task(self.last_good.thing_ids[light_id], params)

    def _done(self, task: _RefreshTask) -> None:
        self._task = None
        result = task.result or RefreshResult(False, 0.0, error=task.error or "cancelled")
        if result.ok:
            self.last_good = result
        else:
            QgsMessageLog.logMessage(f"Street lights refresh failed: {result.error}", LOG_TAG, Qgis.Warning)
        self.last = result
        self.refreshed.emit(result)
