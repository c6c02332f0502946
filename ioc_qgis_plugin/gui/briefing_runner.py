"""Ward briefing from the panel: figures in a background QgsTask, then the PDF pages on the GUI thread.

QGIS layouts are QGraphicsScene items and must be exported on the GUI thread, so each page is one short export
scheduled with a zero-delay timer (the GUI stays responsive between pages); a proxy task shows progress in the
task manager and its cancel button stops after the current page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Optional

from qgis.core import QgsApplication, QgsProxyProgressTask
from qgis.PyQt.QtCore import QCoreApplication, QObject, QTimer, pyqtSignal

from ..briefing.figures import Briefing, compute_briefing
from .tasks import FunctionTask, run_task


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class BriefingRunner(QObject):
    finished = pyqtSignal(list)  # written PDF paths
    failed = pyqtSignal(str)

    def __init__(
        self,
        store_factory: Callable,
        out_dir: Path,
        day: date,
        ward_ids: Optional[list[str]] = None,
        days: int = 1,
        combined: bool = True,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        self.store_factory, self.out_dir, self.day, self.ward_ids, self.days = (
            store_factory,
            out_dir,
            day,
            ward_ids,
            days,
        )
        self.combined = combined
        self.written: list[Path] = []
        self._layout = None
        self._proxy: Optional[QgsProxyProgressTask] = None
        self._index = 0
        self.running = False

    def start(self) -> None:
        self.running = True

        def work(task) -> Briefing:  # noqa: ANN001 - runs off the GUI thread on its own store connection
            store = self.store_factory()
            try:
                return compute_briefing(store, self.day, self.ward_ids, days=self.days)
            finally:
                store.close()

        self._task = FunctionTask(tr("IOC: ward briefing figures"), work, self._figures_ready, self._fail)
        run_task(self._task)

    def cancel(self) -> None:
        if self._proxy is not None:
            self._proxy.cancel()
        elif getattr(self, "_task", None) is not None:
            self._task.cancel()
        self.running = False

    def _fail(self, message: str) -> None:
        self.running = False
        if self._proxy is not None:
            self._proxy.finalize(False)
            self._proxy = None
        self.failed.emit(message)

    def _figures_ready(self, briefing: Briefing) -> None:
        from ..briefing.layout import build_layout

        if not briefing.pages:
            self._fail("no ward to report on")
            return
        self.briefing = briefing
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._layout = build_layout(briefing)
        self._layout.atlas.beginRender()
        self._count = self._layout.atlas.count()
        self._proxy = QgsProxyProgressTask(tr("IOC: ward briefing PDF"))
        QgsApplication.taskManager().addTask(self._proxy)
        self._index = 0
        QTimer.singleShot(0, self._next_page)

    def _next_page(self) -> None:
        from qgis.core import QgsLayoutExporter

        from ..briefing.layout import combined_name, export_page, ward_file_name

        bl = self._layout
        try:
            if self._proxy is not None and self._proxy.isCanceled():
                self._fail("cancelled")
                return
            if self._index < self._count:
                bl.atlas.seekTo(self._index)
                ward_id = str(bl.layout.reportContext().feature()["ward_id"])
                path = self.out_dir / ward_file_name(ward_id, self.briefing)
                export_page(bl, self._index, path)
                self.written.append(path)
                self._index += 1
                self._proxy.setProxyProgress(100.0 * self._index / (self._count + (1 if self.combined else 0)))
                QTimer.singleShot(0, self._next_page)
                return
            bl.atlas.endRender()
            if self.combined and self._count > 1:
                path = self.out_dir / combined_name(self.briefing)
                from ..briefing.layout import pdf_settings

                result, error = QgsLayoutExporter.exportToPdf(bl.atlas, str(path), pdf_settings())
                if result != QgsLayoutExporter.Success:
                    raise RuntimeError(error)
                self.written.append(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback dialog
            self._fail(str(exc))
            return
        self._proxy.finalize(True)
        self._proxy = None
        self.running = False
        self.finished.emit(list(self.written))
