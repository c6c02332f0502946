"""Cameras tab: list with health, filter by ward and state, open one camera or a grid of the selected."""

from __future__ import annotations

import numpy as np
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QComboBox, QPushButton

from .base import TableTab, make_combo_data


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


_STATUS_COLORS = {"online": QColor("#1a7f37"), "offline": QColor("#c0151a")}


class CamerasTab(TableTab):
    open_camera = pyqtSignal(str)
    open_grid = pyqtSignal(list)

    def __init__(self, iface, parent=None) -> None:
        super().__init__(
            iface,
            [
                tr("ID"),
                tr("Name"),
                tr("Ward"),
                tr("State"),
                tr("Bearing"),
                tr("Last frame"),
            ],
            parent,
        )
        self.ward = QComboBox()
        self.state = QComboBox()
        make_combo_data(self.ward, [], self.tr("All wards"))
        make_combo_data(
            self.state,
            [(self.tr("Online"), "online"), (self.tr("Offline"), "offline"), (self.tr("Unknown"), "unknown")],
            self.tr("Any state"),
        )
        self.view_btn = QPushButton(self.tr("Live view"))
        self.grid_btn = QPushButton(self.tr("Grid of selected"))
        for w in (self.ward, self.state):
            w.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
            self.filters.addWidget(w, 1)
            w.currentIndexChanged.connect(self.apply_filter)
        self.filters2.addStretch(1)
        self.filters2.addWidget(self.view_btn)
        self.filters2.addWidget(self.grid_btn)
        self.view_btn.clicked.connect(self._view_clicked)
        self.grid_btn.clicked.connect(self._grid_clicked)
        self.view.doubleClicked.connect(self._view_clicked)
        self.cols: dict[str, np.ndarray] = {}
        self.ward_names: dict[str, str] = {}

    def set_wards(self, wards: dict[str, str]) -> None:
        self.ward_names = wards
        make_combo_data(self.ward, sorted((n, w) for w, n in wards.items()), self.tr("All wards"))

    def set_cameras(self, cols: dict[str, np.ndarray]) -> None:
        self.cols = cols
        names = self.ward_names
        labels = {"online": self.tr("Online"), "offline": self.tr("Offline"), "unknown": self.tr("Unknown")}
        status = cols["status"]
        self.set_columns(
            cols["fid"].astype(np.int64),
            [cols["camera_id"], cols["name"], cols["ward_id"], status, cols["bearing"], cols["last_seen"]],
            [
                None,
                None,
                lambda v: names.get(v, v or ""),
                lambda v: labels.get(v or "unknown", str(v)),
                lambda v: "360°" if v is None or v != v else f"{v:.0f}°",
                lambda v: (v or "")[:19].replace("T", " "),
            ],
            colors=lambda pos: _STATUS_COLORS.get(status[pos]),
        )

    def compute_mask(self) -> np.ndarray:
        m = np.ones(len(self.fids), dtype=bool)
        if not self.cols:
            return m
        if self.ward.currentData():
            m &= self.cols["ward_id"] == self.ward.currentData()
        if self.state.currentData():
            m &= np.array([(s or "unknown") == self.state.currentData() for s in self.cols["status"]], dtype=bool)
        return m

    def _ids_of_selection(self) -> list[str]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [str(self.cols["camera_id"][self.model.rows[r]]) for r in rows]

    def _view_clicked(self, *_args) -> None:
        ids = self._ids_of_selection()
        if ids:
            self.open_camera.emit(ids[0])

    def _grid_clicked(self) -> None:
        ids = self._ids_of_selection()
        if ids:
            self.open_grid.emit(ids[:16])

    def set_statuses(self, statuses: dict[str, tuple[str, str]]) -> None:
        """Health checker results: camera_id → (status, last_seen)."""
        if not self.cols:
            return
        idx = {cid: i for i, cid in enumerate(self.cols["camera_id"])}
        for cid, (st, seen) in statuses.items():
            i = idx.get(cid)
            if i is not None:
                self.cols["status"][i] = st
                self.cols["last_seen"][i] = seen
        self.model.layoutChanged.emit()
        self.apply_filter()
