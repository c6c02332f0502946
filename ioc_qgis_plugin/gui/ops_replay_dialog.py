"""Dialog: period, step and output folder for the replay animation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QDateTime
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from ..core.timeutil import CITY_TZ


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class ReplayDialog(QDialog):
    def __init__(self, out_dir: Path, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Replay animation"))
        form = QFormLayout(self)
        now = QDateTime.currentDateTime()
        self.start = QDateTimeEdit(now.addDays(-30))
        self.end = QDateTimeEdit(now)
        for w in (self.start, self.end):
            w.setDisplayFormat("dd/MM/yyyy HH:mm")
            w.setCalendarPopup(True)
        form.addRow(tr("From"), self.start)
        form.addRow(tr("To"), self.end)
        self.step_h = QDoubleSpinBox()
        self.step_h.setRange(0.25, 24 * 31)
        self.step_h.setValue(24)
        self.step_h.setSuffix(" h")
        form.addRow(tr("Step"), self.step_h)
        self.video = QCheckBox(tr("Also make a video"))
        self.video.setChecked(True)
        form.addRow(self.video)
        self.out = QLineEdit(str(out_dir))
        form.addRow(tr("Output folder"), self.out)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[float, float, float, bool, Path]:
        def epoch(w: QDateTimeEdit) -> float:
            d = w.dateTime()
            dt = datetime(d.date().year(), d.date().month(), d.date().day(), d.time().hour(), d.time().minute())
            return dt.replace(tzinfo=CITY_TZ).timestamp()  # the planner thinks in city time

        return (
            epoch(self.start),
            epoch(self.end),
            self.step_h.value() * 3600,
            self.video.isChecked(),
            Path(self.out.text()),
        )
