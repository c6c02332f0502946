"""Overview: the city's key figures at a glance; each figure is a button that filters the map and the tables."""

from __future__ import annotations

from typing import Callable, Optional

from qgis.PyQt.QtCore import QLocale, Qt
from qgis.PyQt.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

_STYLE = (
    "QPushButton {{ text-align: left; padding: 6px; border: 1px solid #c8c8c8; border-radius: 4px; "
    "background: {bg}; }} QPushButton:hover {{ border-color: #0b4f8a; }}"
)


class FigureButton(QPushButton):
    def __init__(self, title: str, color: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.title = title
        self.color = color
        self.setStyleSheet(_STYLE.format(bg="#ffffff"))
        self.setMinimumHeight(54)
        self.setMinimumWidth(140)  # not the width of its longest title: the dock must fit a 1366 px screen
        self.set_value(None)

    def set_value(self, value: Optional[int], detail: str = "") -> None:
        self.value = value
        number = "…" if value is None else QLocale().toString(int(value))  # the UI locale's digit grouping
        self.setText(f"{number}\n{self.title}" + (f" · {detail}" if detail else ""))
        self.set_stale(False)

    def set_stale(self, stale: bool) -> None:
        """Stale figures are greyed and italic so nobody reads them as current."""
        color, style = ("#8c8c8c", "italic") if stale else (self.color, "normal")
        self.setStyleSheet(
            _STYLE.format(bg="#f2f2f2" if stale else "#ffffff")
            + f" QPushButton {{ color: {color}; font-weight: bold; font-style: {style}; }}"
        )


class OverviewTab(QWidget):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.city_label = QLabel()
        self.city_label.setAlignment(Qt.AlignLeft)
        self.city_label.setWordWrap(True)
        self.figures: dict[str, FigureButton] = {}
        grid = QGridLayout()
        spec = [
            ("open", self.tr("open reports"), "#2b83ba"),
            ("overdue", self.tr("overdue"), "#c0151a"),
            ("due_soon", self.tr("due soon"), "#c06a00"),
            ("resolved_late", self.tr("resolved late (all time)"), "#8a5a00"),
            ("cameras_offline", self.tr("cameras offline"), "#c0151a"),
            ("lights_fault", self.tr("street lights in fault"), "#c0151a"),
            ("lights_nodata", self.tr("lights with no data"), "#7b3294"),
            ("parcels", self.tr("cadastral parcels"), "#303030"),
        ]
        for i, (key, title, color) in enumerate(spec):
            btn = FigureButton(title, color, self)
            self.figures[key] = btn
            grid.addWidget(btn, i // 2, i % 2)
        self.stale_label = QLabel()  # "data as of …" after a failed load
        self.stale_label.setWordWrap(True)
        self.stale_label.setStyleSheet("color: #8a1c00; font-weight: bold;")
        self.stale_label.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.city_label)
        layout.addLayout(grid)
        layout.addStretch(1)

    def on_click(self, key: str, callback: Callable[[], None]) -> None:
        self.figures[key].clicked.connect(callback)

    def set_figures(self, values: dict[str, int]) -> None:
        for key, value in values.items():
            if key in self.figures:
                self.figures[key].set_value(value)

    def set_stale(self, text: str) -> None:
        """Mark every figure as old (text: "data as of …"), or as current again with an empty text."""
        self.stale_label.setText(text)
        self.stale_label.setVisible(bool(text))
        for button in self.figures.values():
            button.set_stale(bool(text))
