"""When the GeoPackage is damaged: say which file and what to do, offer the last good backup; take daily backups.

Backups run in a background task on their own read-only connection (SQLite backup API, see store/gpkg_backup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from qgis.core import Qgis
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QPushButton

from ..store import gpkg_backup
from ..store.errors import NotAnIocStore, StoreDamaged, StoreError
from .messages import log, notify
from .tasks import FunctionTask, run_task


def tr(text: str) -> str:
    # module-level tr(): pylupdate5 files these under @default
    return QCoreApplication.translate("@default", text)


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, (StoreDamaged, NotAnIocStore))


def start_daily_backup(store_path: str) -> FunctionTask:
    """Today's backup (once a day, rotated) off the GUI thread; a damaged store is reported, not backed up."""

    def work(task: Any) -> Optional[Path]:
        from ..store.gpkg import GeoPackageStore

        store = GeoPackageStore.open(store_path, read_only=True)
        try:
            return gpkg_backup.daily_backup(store)
        finally:
            store.close()

    def done(path: Optional[Path]) -> None:
        if path is not None:
            log(f"daily backup written: {path}")

    def failed(message: str) -> None:
        log(f"daily backup of {store_path} not made: {message}", "warning")

    return run_task(FunctionTask(tr("IOC: daily backup of the data store"), work, done, failed))


def offer_backup(iface: Any, store_path: str, error: StoreError, open_path: Callable[[str], Any]) -> bool:
    """Show the error with a button that opens a working copy of the last good backup; False if there is none."""
    backup = gpkg_backup.last_good_backup(store_path) if store_path else None
    bar = iface.messageBar() if iface is not None and hasattr(iface, "messageBar") else None
    if backup is None or bar is None:
        return False
    item = bar.createMessage(tr("IOC data store"), str(error))
    button = QPushButton(tr("Open last good backup ({0})").format(backup.stem[-10:]))  # its date

    def restore() -> None:
        try:
            copy = gpkg_backup.restore_copy(backup, store_path)
        except StoreError as exc:
            notify(iface, tr("IOC data store"), str(exc), "error")
            return
        bar.popWidget(item)
        notify(
            iface,
            tr("IOC data store"),
            tr("Working on {0}, made from the backup {1}. The damaged file {2} was left as it is.").format(
                copy, backup, store_path
            ),
            "warning",
            0,
        )
        open_path(str(copy))

    button.clicked.connect(restore)
    item.layout().addWidget(button)
    bar.pushWidget(item, Qgis.Critical, 0)
    return True
