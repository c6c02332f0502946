"""QgsTask for the Reports tab: push the outbox, then pull from Open311 — with progress and cancel.

The task opens its own store connection in the worker thread (`open_store`), never sharing the GUI's. The api key
comes from QGIS's auth manager (`api_key_from_authcfg`, read on the GUI thread) and is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QLocale, pyqtSignal

from ..connectors.open311 import Open311Client
from ..sync.common import SyncCancelled
from ..sync.open311_sync import ReportSync, SyncResult
from ..sync.outbox import OutboxPusher, PushResult
from .messages import log


def api_key_from_authcfg(authcfg: str) -> Optional[str]:
    """The secret of an auth configuration ("apikey", "token" or a Basic password field), or None."""
    if not authcfg:
        return None
    cfg = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True):
        log(f"Open311: auth configuration {authcfg} could not be loaded", "warning")
        return None
    for key in ("apikey", "key", "token", "password"):
        value = cfg.config(key, "")
        if value:
            return value
    return None


def store_api_key(name: str, api_key: str, authcfg_id: str = "") -> str:
    """Keep an Open311 api key in QGIS's auth manager (Basic method, key in the password field); returns its id.

    With `authcfg_id` an existing configuration of that id is updated, else one with that id is created. The
    auth manager must be usable (master password set); raises RuntimeError otherwise.
    """
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        raise RuntimeError("the QGIS auth manager is locked (no master password set)")
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName(name)
    cfg.setConfig("username", "api_key")
    cfg.setConfig("password", api_key)
    if authcfg_id:
        cfg.setId(authcfg_id)
        if authcfg_id in manager.configIds():
            ok = manager.updateAuthenticationConfig(cfg)
        else:
            ok = manager.storeAuthenticationConfig(cfg, True)[0]
    else:
        ok = manager.storeAuthenticationConfig(cfg)[0]
    if not ok:
        raise RuntimeError(f"the auth configuration {name!r} could not be stored")
    return cfg.id()


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


@dataclass
class ReportSyncOutcome:
    push: Optional[PushResult] = None
    pull: Optional[SyncResult] = None

    def summary(self) -> str:
        parts = [x.summary() for x in (self.push, self.pull) if x is not None]
        return "; ".join(parts)

    def message(self) -> tuple[str, str]:
        """(text in the UI language, message level): refused changes are an error, waiting ones a warning."""
        n = QLocale().toString
        parts: list[str] = []
        level = "success"
        push, pull = self.push, self.pull
        if push is not None:
            if push.unsupported:
                parts.append(
                    tr("the reporting system cannot take updates: {0} changes stay queued").format(n(push.waiting))
                )
                level = "warning"
            elif push.sent or push.failed or push.waiting:
                parts.append(
                    tr("changes sent: {0}, refused: {1}, waiting: {2}").format(
                        n(push.sent), n(push.failed), n(push.waiting)
                    )
                )
                if push.failed:
                    level = "error"
                elif push.waiting:
                    level = "warning"
            if push.errors and level != "success":
                parts.append(tr("reporting system said: {0}").format(push.errors[0]))
        if pull is not None:
            parts.append(
                tr("reports fetched: {0} ({1} new, {2} changed)").format(
                    n(pull.fetched), n(pull.inserted), n(pull.updated)
                )
            )
            if pull.problems:
                parts.append(tr("{0} reports could not be read").format(n(len(pull.problems))))
                if level == "success":
                    level = "warning"
        return "; ".join(parts), level


class ReportSyncTask(QgsTask):
    """`done(outcome)` / `failed(message)` are emitted on the GUI thread from finished()."""

    done = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(
        self,
        open_store: Callable[[], Any],
        make_client: Callable[[], Open311Client],
        push: bool = True,
        pull: bool = True,
        description: str = "",
        sync_options: Optional[dict[str, Any]] = None,
    ) -> None:
        super().__init__(description or tr("IOC: reports sync"), QgsTask.CanCancel)
        self._open_store, self._make_client = open_store, make_client
        self._push, self._pull = push, pull
        self._options = sync_options or {}
        self.outcome = ReportSyncOutcome()
        self.error = ""

    def _progress(self, lo: float, hi: float) -> Callable[[float, str], None]:
        def report(fraction: float, message: str) -> None:
            self.setProgress(lo + (hi - lo) * fraction)

        return report

    def run(self) -> bool:
        store = None
        try:
            store = self._open_store()
            client = self._make_client()
            if self._push:
                self.outcome.push = OutboxPusher(
                    store, client, progress=self._progress(0, 10), is_cancelled=self.isCanceled
                ).push()
            if self._pull and not self.isCanceled():
                self.outcome.pull = ReportSync(
                    store, client, progress=self._progress(10, 100), is_cancelled=self.isCanceled, **self._options
                ).run()
            return not self.isCanceled()
        except SyncCancelled:
            return False
        except Exception as exc:  # shown to the user in finished(); the committed part stays committed
            self.error = str(exc) or type(exc).__name__
            return False
        finally:
            if store is not None:
                store.close()

    def finished(self, ok: bool) -> None:
        if ok:
            log(self.outcome.summary())
            problems = self.outcome.pull.problems if self.outcome.pull is not None else []
            for p in [p for p in problems if p.severity == "error"][:200]:  # each named by its request id
                log(str(p), "warning")
            self.done.emit(self.outcome)
        elif self.isCanceled():
            log(f"{self.description()}: cancelled; what was fetched so far is kept and the next sync resumes")
            self.failed.emit("cancelled")
        else:
            log(f"{self.description()}: {self.error}", "warning")
            self.failed.emit(self.error)


def start_sync(task: ReportSyncTask) -> ReportSyncTask:
    QgsApplication.taskManager().addTask(task)
    return task
