"""A small time-series plot drawn with QPainter (no matplotlib needed inside QGIS)."""

from __future__ import annotations

import time
from typing import Optional

import numpy as np
from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QPainter, QPainterPath, QPen
from qgis.PyQt.QtWidgets import QSizePolicy, QWidget

from .formats import number


def axis_range(values: np.ndarray) -> tuple[float, float]:
    """(low, high) of the value axis: from 0 (or below), and a whole unit high when everything is 0 — not a
    1e-09 axis for a lamp that drew no power all week."""
    lo = float(min(0.0, values.min())) if len(values) else 0.0
    hi = float(values.max()) if len(values) else 1.0
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


class TimeSeriesPlot(QWidget):
    """Draws one series (epoch seconds, values) as a step line with min/max and day ticks in city time."""

    def __init__(self, title: str = "", unit: str = "", colour: str = "#1f78b4", parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.title, self.unit, self.colour = title, unit, QColor(colour)
        self.t = np.zeros(0)
        self.v = np.zeros(0)
        self.tz_offset_s = 7 * 3600
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_series(self, t: np.ndarray, v: np.ndarray) -> None:
        ok = ~(np.isnan(np.asarray(t, dtype=float)) | np.isnan(np.asarray(v, dtype=float)))
        order = np.argsort(np.asarray(t, dtype=float)[ok])
        self.t, self.v = np.asarray(t, dtype=float)[ok][order], np.asarray(v, dtype=float)[ok][order]
        self.update()

    def axis_labels(self) -> tuple[str, str]:
        """Top and bottom of the value axis in the UI locale's number format."""
        lo, hi = axis_range(self.v)
        return tuple(number(round(x, 1) if abs(x) < 100 else round(x)) for x in (hi, lo))

    def paintEvent(self, event) -> None:  # noqa: ANN001, N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(48, 18, -8, -20)
        p.setPen(self.palette().text().color())
        p.drawText(QRectF(4, 0, self.width() - 8, 16), Qt.AlignLeft, f"{self.title} ({self.unit})")
        p.setPen(QPen(QColor("#999999"), 1))
        p.drawRect(r)
        if len(self.t) < 1:
            p.drawText(r, Qt.AlignCenter, "—")
            p.end()
            return
        t0, t1 = float(self.t[0]), float(max(self.t[-1], self.t[0] + 1))
        lo, hi = axis_range(self.v)

        def pt(t: float, v: float) -> QPointF:
            return QPointF(r.left() + (t - t0) / (t1 - t0) * r.width(), r.bottom() - (v - lo) / (hi - lo) * r.height())

        day = 86400
        first = (int((t0 + self.tz_offset_s) // day) + 1) * day - self.tz_offset_s
        for td in range(first, int(t1) + 1, day):
            x = pt(td, lo).x()
            p.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 3))
            label = time.strftime("%d/%m", time.gmtime(td + self.tz_offset_s))
            p.drawText(QRectF(x - 20, r.bottom() + 3, 40, 14), Qt.AlignCenter, label)
        hi_text, lo_text = self.axis_labels()
        p.drawText(QRectF(0, r.top() - 6, 44, 14), Qt.AlignRight, hi_text)
        p.drawText(QRectF(0, r.bottom() - 8, 44, 14), Qt.AlignRight, lo_text)
        path = QPainterPath(pt(self.t[0], self.v[0]))
        for a, b, v_prev in zip(self.t[1:], self.v[1:], self.v[:-1]):
            path.lineTo(pt(a, v_prev))
            path.lineTo(pt(a, b))
        p.setPen(QPen(self.colour, 1.6))
        p.drawPath(path)
        p.end()
