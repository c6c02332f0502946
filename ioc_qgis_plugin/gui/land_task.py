"""Cadastral import as a QgsTask: its own store connection, progress, cancel; the store is left unchanged on error."""

from __future__ import annotations

from typing import Callable, Optional

from qgis.core import QgsTask
from qgis.PyQt.QtCore import QCoreApplication

from ..land.errors import CadastreError, ImportCancelled
from ..land.importer import ImportResult, import_cadastre
from ..land.mapping import FieldMapping


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class CadastreImportTask(QgsTask):
    def __init__(
        self,
        path: str,
        mapping: FieldMapping,
        store_factory: Callable,
        mode: str = "append",
        layer: Optional[str] = None,
        done: Optional[Callable[[ImportResult], None]] = None,
        failed: Optional[Callable[[str], None]] = None,
    ) -> None:
        super().__init__(tr("Importing cadastral parcels"), QgsTask.CanCancel)
        self.path, self.mapping, self.store_factory, self.mode, self.layer = path, mapping, store_factory, mode, layer
        self._done, self._failed = done, failed
        self.result: Optional[ImportResult] = None
        self.error = ""

    def run(self) -> bool:
        try:
            store = self.store_factory()  # a connection of its own: never share one across threads
            try:
                self.result = import_cadastre(
                    self.path,
                    store,
                    self.mapping,
                    layer=self.layer,
                    mode=self.mode,
                    progress=lambda f, text: self.setProgress(100.0 * f),
                    cancelled=self.isCanceled,
                )
            finally:
                store.close()
            return True
        except ImportCancelled as exc:
            self.error = str(exc)
            return False
        except CadastreError as exc:
            self.error = str(exc)
            return False
        except Exception as exc:  # noqa: BLE001 - reported in the dialog, never a traceback window
            self.error = f"{type(exc).__name__}: {exc}"
            return False

    def finished(self, ok: bool) -> None:
        if ok and self.result is not None and self._done is not None:
            self._done(self.result)
        elif not ok and self._failed is not None:
            self._failed(self.error or tr("Import cancelled; nothing was imported."))
