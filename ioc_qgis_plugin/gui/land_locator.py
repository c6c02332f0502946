"""Locator filter "Thửa đất / parcel": '12/345' (sheet/parcel) or address text; selecting zooms to the parcel."""

from __future__ import annotations

from typing import Callable, Optional

from qgis.core import QgsLocatorFilter, QgsLocatorResult
from qgis.PyQt.QtCore import QCoreApplication

from ..land.search import search_parcels


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def result_fid(result: QgsLocatorResult, store_factory: Callable) -> Optional[int]:
    """Parcel fid of a result. The parcel id travels in `description`: QGIS 3.22's Python binding loses an int
    userData on the way through the resultFetched signal."""
    store = store_factory()
    try:
        rows = store.fetch("parcels", "parcel_id = ?", (result.description,), ["fid"], limit=1)
    finally:
        store.close()
    return int(rows[0]["fid"]) if rows else None


class ParcelLocatorFilter(QgsLocatorFilter):
    def __init__(self, store_factory: Callable, on_select: Optional[Callable[[int], None]] = None) -> None:
        super().__init__()
        self.store_factory = store_factory
        self.on_select = on_select

    def clone(self) -> ParcelLocatorFilter:  # the locator runs a clone in its worker thread
        return ParcelLocatorFilter(self.store_factory, self.on_select)

    def name(self) -> str:
        return "ioc_parcels"

    def displayName(self) -> str:
        return tr("Thửa đất / parcel")

    def prefix(self) -> str:
        return "td"

    def flags(self):  # noqa: ANN201
        return QgsLocatorFilter.FlagFast

    def fetchResults(self, string, context, feedback) -> None:  # noqa: ANN001
        if feedback.isCanceled() or len((string or "").strip()) < 2:
            return
        try:
            store = self.store_factory()  # own connection: this runs off the GUI thread
        except Exception:  # noqa: BLE001 - no store configured: no results
            return
        try:
            hits = search_parcels(store, string, limit=20)
        finally:
            store.close()
        for hit in hits:
            if feedback.isCanceled():
                return
            r = QgsLocatorResult()
            r.filter = self
            r.displayString = hit.display()
            r.description = hit.parcel_id
            r.score = 1.0
            self.resultFetched.emit(r)

    def triggerResult(self, result) -> None:  # noqa: ANN001
        fid = result_fid(result, self.store_factory)
        if fid is not None and self.on_select is not None:
            self.on_select(fid)
