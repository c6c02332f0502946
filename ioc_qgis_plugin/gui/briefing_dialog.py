"""Dialog: day, period length, ward (or all) and output folder for the ward briefing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QDate
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class BriefingDialog(QDialog):
    def __init__(self, wards: list[tuple[str, str]], out_dir: Path, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Ward briefing"))
        form = QFormLayout(self)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        form.addRow(tr("Last day"), self.date_edit)
        self.days = QSpinBox()
        self.days.setRange(1, 366)
        form.addRow(tr("Days"), self.days)
        self.ward = QComboBox()
        self.ward.addItem(tr("All wards"), "")
        for ward_id, name in wards:
            self.ward.addItem(f"{name} ({ward_id})", ward_id)
        form.addRow(tr("Ward"), self.ward)
        row = QHBoxLayout()
        self.out = QLineEdit(str(out_dir))
        browse = QPushButton("…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.out)
        row.addWidget(browse)
        form.addRow(tr("Output folder"), row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Output folder"), self.out.text())
        if folder:
            self.out.setText(folder)

    def values(self) -> tuple[date, int, Optional[list[str]], Path]:
        d = self.date_edit.date()
        ward = self.ward.currentData()
        return date(d.year(), d.month(), d.day()), self.days.value(), [ward] if ward else None, Path(self.out.text())
