"""The one logging path: QgsMessageLog under the tag "IOC", and the message bar for what the user must see."""

from __future__ import annotations

import logging
from typing import Any, Optional

from qgis.core import Qgis, QgsMessageLog

TAG = "IOC"
_LEVELS = {"info": Qgis.Info, "warning": Qgis.Warning, "error": Qgis.Critical, "success": Qgis.Success}


def log(message: str, level: str = "info") -> None:
    QgsMessageLog.logMessage(message, TAG, _LEVELS.get(level, Qgis.Info))


def notify(iface: Optional[Any], title: str, message: str, level: str = "info", duration: int = 8) -> None:
    """Log, then show in the message bar (if there is a GUI); never raises."""
    log(f"{title}: {message}", level)
    bar = iface.messageBar() if iface is not None and hasattr(iface, "messageBar") else None
    if bar is not None:
        try:
            bar.pushMessage(title, message, _LEVELS.get(level, Qgis.Info), duration)
        except RuntimeError:  # message bar already deleted during shutdown
            pass


class QgsLogHandler(logging.Handler):
    """Sends Python logging from the QGIS-free modules (logger "ioc.*") to the IOC message log."""

    def emit(self, record: logging.LogRecord) -> None:
        level = (
            "error" if record.levelno >= logging.ERROR else "warning" if record.levelno >= logging.WARNING else "info"
        )
        try:
            log(self.format(record), level)
        except RuntimeError:  # during interpreter shutdown
            pass


def install_log_bridge() -> QgsLogHandler:
    handler = QgsLogHandler()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("ioc")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return handler


def remove_log_bridge(handler: Optional[QgsLogHandler]) -> None:
    if handler is not None:
        logging.getLogger("ioc").removeHandler(handler)
