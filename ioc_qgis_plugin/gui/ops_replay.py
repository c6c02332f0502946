"""Replay with QGIS's Temporal Controller: temporal settings for the IOC layers and PNG frame export."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDateTimeRange,
    QgsInterval,
    QgsMapLayer,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDateTime, QSize, Qt, QTimeZone
from qgis.PyQt.QtGui import QColor, QFont, QPainter

from ..ops.animation import DEFAULT_STEP_S, Frame

# Reports are shown while open (requested → resolved; an open report has no end) rather than only at the instant
# they arrived, so a replay shows the backlog building up and draining. Lights and camera health stay instants.
TEMPORAL_FIELDS = {
    "field_reports": ("requested_at", "resolved_at"),
    "street_lights": ("last_report", ""),
    "cameras": ("last_seen", ""),
}


def configure_temporal(layer: QgsVectorLayer, table: str, activate: bool = True) -> bool:
    """Set the layer's time fields for `table` (see TEMPORAL_FIELDS); False if the layer lacks them."""
    start, end = TEMPORAL_FIELDS.get(table, ("", ""))
    if not start or layer.fields().indexOf(start) < 0:
        return False
    props = layer.temporalProperties()
    if end and layer.fields().indexOf(end) >= 0:
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
        props.setStartField(start)
        props.setEndField(end)
    else:
        props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField)
        props.setStartField(start)
        # an instant is visible for one step, so a frame shows what was reported during it
        props.setFixedDuration(DEFAULT_STEP_S.get(table, 86400.0) / 3600.0)
        props.setDurationUnits(QgsUnitTypes.TemporalHours)
    props.setIsActive(activate)
    return True


def qdatetime(epoch: float) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(epoch), QTimeZone.utc())


def set_navigation(iface, start: float, end: float, step_s: float) -> None:  # noqa: ANN001
    """Temporal Controller: the period and its step (the planner presses play)."""
    nav = iface.mapCanvas().temporalController()
    if nav is None or not hasattr(nav, "setTemporalExtents"):
        return
    nav.setTemporalExtents(QgsDateTimeRange(qdatetime(start), qdatetime(end)))
    nav.setFrameDuration(QgsInterval(step_s))
    nav.setNavigationMode(nav.Animated)


def render_frames(
    layers: list[QgsMapLayer],
    extent: QgsRectangle,
    crs: QgsCoordinateReferenceSystem,
    frames: list[Frame],
    out_dir: Path,
    size: QSize = QSize(1280, 720),
    title: str = "",
    progress: Optional[Callable[[float], None]] = None,
    canceled: Optional[Callable[[], bool]] = None,
) -> list[Path]:
    """One PNG per frame with the layers filtered to the frame's time range, a caption burned in."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for n, frame in enumerate(frames):
        if canceled and canceled():
            break
        ms = QgsMapSettings()
        ms.setLayers(layers)
        ms.setDestinationCrs(crs)
        ms.setOutputSize(size)
        ms.setExtent(extent)
        ms.setBackgroundColor(QColor(250, 250, 250))
        ms.setIsTemporal(True)
        ms.setTemporalRange(QgsDateTimeRange(qdatetime(frame.start), qdatetime(frame.end), True, False))
        job = QgsMapRendererSequentialJob(ms)
        job.start()
        job.waitForFinished()
        img = job.renderedImage()
        painter = QPainter(img)
        font = QFont("DejaVu Sans")
        font.setPixelSize(max(14, size.height() // 28))
        font.setBold(True)
        painter.setFont(font)
        painter.fillRect(0, 0, size.width(), font.pixelSize() * 2, QColor(31, 58, 95, 220))
        painter.setPen(QColor("white"))
        painter.drawText(12, 0, size.width() - 24, font.pixelSize() * 2, Qt.AlignVCenter | Qt.AlignLeft, title)
        painter.drawText(12, 0, size.width() - 24, font.pixelSize() * 2, Qt.AlignVCenter | Qt.AlignRight, frame.label)
        painter.end()
        path = out_dir / frame.file_name()
        img.save(str(path), "PNG")
        written.append(path)
        if progress:
            progress(100.0 * (n + 1) / len(frames))
    return written
