"""A panel tab: filter widgets, a count line and a table kept in sync with one map layer's selection."""

from __future__ import annotations

from typing import Optional

import numpy as np
from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QItemSelection, QItemSelectionModel, QLocale, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..table_model import ColumnarTableModel


class TableTab(QWidget):
    """Subclasses fill `filters` with widgets, set data with `set_columns`, and implement `compute_mask`."""

    rows_changed = pyqtSignal(int, int)  # shown, total

    def __init__(self, iface, headers: list[str], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.layer: Optional[QgsVectorLayer] = None
        self.fids = np.zeros(0, dtype=np.int64)
        self._syncing = False
        self.filters = QHBoxLayout()
        self.filters2 = QHBoxLayout()  # more rows keep the dock narrow enough to leave the map its room
        self.filters3 = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)  # "181/12.000 phản ánh · … quá hạn" must not set the dock's width
        self.model = ColumnarTableModel(headers, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setSortingEnabled(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(20)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(40)
        header.setMaximumSectionSize(280)  # one long address must not push the other columns out of sight
        header.setResizeContentsPrecision(40)  # size columns from 40 rows, not Qt's default 1,000 (×8 columns)
        self._columns_sized = False
        self.view.selectionModel().selectionChanged.connect(self._table_selection_changed)
        self.view.clicked.connect(self._row_clicked)
        self.splitter = QSplitter(Qt.Vertical, self)
        self.splitter.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.filters)
        layout.addLayout(self.filters2)
        layout.addLayout(self.filters3)
        layout.addWidget(self.count_label)
        layout.addWidget(self.splitter, 1)

    # -- data ---------------------------------------------------------------------------------------------
    def set_columns(self, fids: np.ndarray, columns: list[np.ndarray], formatters, colors=None) -> None:
        self.fids = np.asarray(fids, dtype=np.int64)
        self.model.set_data(columns, formatters, colors)
        self.apply_filter()

    def add_detail(self, widget: QWidget) -> None:
        """A detail view under the table (report card, light history…), scrollable so the table keeps its room."""
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(widget)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([300, 360])

    def compute_mask(self) -> np.ndarray:
        return np.ones(len(self.fids), dtype=bool)

    def apply_filter(self) -> None:
        if not len(self.fids):
            self.model.set_rows(np.zeros(0, dtype=np.int64))
            self.update_count(0, 0)
            return
        rows = np.flatnonzero(self.compute_mask())
        self.model.set_rows(rows)
        self.update_count(len(rows), len(self.fids))
        if not self._columns_sized and len(rows):
            # once, from the first rows (resizeContentsPrecision), so this is cheap at any size
            self._columns_sized = True
            self.view.resizeColumnsToContents()

    def update_count(self, shown: int, total: int) -> None:
        # PyQt's self.tr() would look the text up under the subclass's name; pylupdate5 files it under TableTab
        text = QCoreApplication.translate("TableTab", "{shown} of {total}")
        n = QLocale().toString
        self.count_label.setText(text.format(shown=n(int(shown)), total=n(int(total))))
        self.rows_changed.emit(shown, total)

    def visible_fids(self) -> np.ndarray:
        return self.fids[self.model.rows]

    # -- map link -----------------------------------------------------------------------------------------
    def set_layer(self, layer: Optional[QgsVectorLayer]) -> None:
        if self.layer is not None:
            try:
                self.layer.selectionChanged.disconnect(self._layer_selection_changed)
            except (TypeError, RuntimeError):
                pass
        self.layer = layer
        if layer is not None:
            layer.selectionChanged.connect(self._layer_selection_changed)

    def detach(self) -> None:
        """Drop every connection to map objects (plugin unload, layer removal)."""
        self.set_layer(None)

    def _table_selection_changed(self, *_args) -> None:
        if self._syncing or self.layer is None:
            return
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        fids = [int(self.fids[self.model.rows[r]]) for r in rows]
        self._syncing = True
        try:
            self.layer.selectByIds(fids)
        finally:
            self._syncing = False

    def _layer_selection_changed(self, selected, _deselected, _clear) -> None:
        if self._syncing or self.layer is None:
            return
        wanted = np.fromiter(self.layer.selectedFeatureIds(), dtype=np.int64)
        visible = self.fids[self.model.rows]
        rows = np.flatnonzero(np.isin(visible, wanted))
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for r in rows[:5000]:  # selecting more rows than anyone reads would stall the GUI
            selection.select(self.model.index(int(r), 0), self.model.index(int(r), last))
        self._syncing = True
        try:
            self.view.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect)
            if len(rows):
                self.view.scrollTo(self.model.index(int(rows[0]), 0))
        finally:
            self._syncing = False

    def _row_clicked(self, index) -> None:
        if self.layer is None or self.iface is None or not index.isValid():
            return
        fid = int(self.fids[self.model.rows[index.row()]])
        canvas = self.iface.mapCanvas()
        canvas.zoomToFeatureIds(self.layer, [fid])
        if self.layer.geometryType() == 0 and canvas.scale() < 5000:  # points: keep some context around
            canvas.zoomScale(5000)
        canvas.flashFeatureIds(self.layer, [fid])
        self.row_activated(fid)

    def row_activated(self, fid: int) -> None:
        """Hook for subclasses (open a detail view)."""

    def selected_fids(self) -> list[int]:
        return [int(self.fids[self.model.rows[i.row()]]) for i in self.view.selectionModel().selectedRows()]


def make_combo_data(combo, items: list[tuple[str, object]], all_label: str) -> None:
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(all_label, None)
    for label, value in items:
        combo.addItem(label, value)
    combo.blockSignals(False)
