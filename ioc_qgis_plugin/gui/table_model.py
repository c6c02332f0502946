"""A read-only table model over numpy columns: filtering swaps an index array, cells format lazily."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np
from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt

Formatter = Callable[[object], str]


class ColumnarTableModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._columns: list[np.ndarray] = []
        self._formatters: list[Optional[Formatter]] = []
        self._colors: Optional[Callable[[int], Optional[object]]] = None
        self.rows = np.zeros(0, dtype=np.int64)  # positions into the columns, in display order

    def set_data(
        self,
        columns: Sequence[np.ndarray],
        formatters: Sequence[Optional[Formatter]],
        colors: Optional[Callable[[int], Optional[object]]] = None,
    ) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self._formatters = list(formatters)
        self._colors = colors
        self.rows = np.arange(len(columns[0]) if columns else 0)
        self.endResetModel()

    def set_rows(self, rows: np.ndarray) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or not self._columns:
            return None
        pos = int(self.rows[index.row()])
        if role == Qt.DisplayRole:
            value = self._columns[index.column()][pos]
            fmt = self._formatters[index.column()]
            if fmt is not None:
                return fmt(value)
            return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        if role == Qt.ForegroundRole and self._colors is not None:
            return self._colors(pos)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and section < len(self._headers):
            return self._headers[section]
        return None

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if not self._columns or not len(self.rows):
            return
        values = self._columns[column][self.rows]
        try:
            keys = np.argsort(values.astype(str) if values.dtype == object else values, kind="stable")
        except TypeError:
            return
        if order == Qt.DescendingOrder:
            keys = keys[::-1]
        self.set_rows(self.rows[keys])
