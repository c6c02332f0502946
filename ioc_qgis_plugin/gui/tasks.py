"""Background work for the GUI: a QgsTask that runs a function on its own store connection."""

from __future__ import annotations

from typing import Any, Callable, Optional

from qgis.core import QgsApplication, QgsTask

from .messages import log


class FunctionTask(QgsTask):
    """Runs `work(task)` off the GUI thread; `done(result)` or `failed(message)` run on the GUI thread."""

    def __init__(
        self,
        description: str,
        work: Callable[[QgsTask], Any],
        done: Callable[[Any], None],
        failed: Optional[Callable[[str], None]] = None,
        can_cancel: bool = True,
    ) -> None:
        super().__init__(description, QgsTask.CanCancel if can_cancel else QgsTask.Flags())
        self._work, self._done, self._failed = work, done, failed
        self.result: Any = None
        self.error: str = ""

    def run(self) -> bool:
        try:
            self.result = self._work(self)
            return not self.isCanceled()
        except Exception as exc:  # reported on the GUI thread in finished(); never a traceback dialog
            self.error = f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
            return False

    def finished(self, ok: bool) -> None:
        if ok:
            self._done(self.result)
        elif self.isCanceled():
            log(f"{self.description()}: cancelled", "info")
        else:
            log(f"{self.description()}: {self.error}", "warning")
            if self._failed is not None:
                self._failed(self.error)


def run_task(task: QgsTask) -> QgsTask:
    QgsApplication.taskManager().addTask(task)
    return task


def cancel_task(task: Optional[QgsTask]) -> None:
    """Cancel a task that the task manager may already have finished and deleted (nothing to do then)."""
    if task is None:
        return
    try:
        task.cancel()
    except RuntimeError:  # already finished and deleted by the task manager
        pass
