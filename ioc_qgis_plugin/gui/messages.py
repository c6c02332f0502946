"""The one logging path: QgsMessageLog under the tag "IOC", and the message bar for what the user must see."""

from __future__ import annotations

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
