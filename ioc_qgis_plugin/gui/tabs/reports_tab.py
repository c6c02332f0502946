"""Reports tab: field reports by ward, category, status, deadline state and date, synced with the map."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Optional

import numpy as np
from qgis.PyQt.QtCore import QDate, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QCheckBox, QComboBox, QDateEdit, QGridLayout, QLabel, QLineEdit

from ...core.categories import CATEGORIES, category_label
from ...core.report_filter import ReportData, ReportFilter
from ...core.sla import DeadlineState
from ...core.statuses import ReportStatus
from ...core.timeutil import CITY_TZ
from ..formats import city_datetime, number
from .base import TableTab, make_combo_data

_STATE_COLORS = {
    DeadlineState.OVERDUE: QColor("#c0151a"),
    DeadlineState.DUE_SOON: QColor("#c06a00"),
    DeadlineState.RESOLVED_LATE: QColor("#8a5a00"),
}


def _local_time(epoch: object) -> str:
    if epoch is None or (isinstance(epoch, float) and np.isnan(epoch)):
        return ""
    return city_datetime(float(epoch), empty="")


class ReportsTab(TableTab):
    report_activated = pyqtSignal(str)  # report_id
    filter_changed = pyqtSignal()

    def __init__(self, iface, lang: str = "vi", parent=None) -> None:
        super().__init__(
            iface,
            [
                tr("ID"),
                tr("Category"),
                tr("Status"),
                tr("Deadline"),
                tr("Ward"),
                tr("Received"),
                tr("Due"),
                tr("Address"),
            ],
            parent,
        )
        self.lang = lang
        self.data: Optional[ReportData] = None
        self.ward_names: dict[str, str] = {}
        self.ward = QComboBox()
        self.category = QComboBox()
        self.status = QComboBox()
        self.deadline = QComboBox()
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("dd/MM/yyyy")
        self.date_on = QCheckBox(self.tr("Dates"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search ID, address, text…"))
        self.filter_map = QCheckBox(self.tr("Filter map"))
        self.filter_map.setToolTip(self.tr("Show on the map only the reports listed here"))
        make_combo_data(self.category, [(c.label(lang), c.code) for c in CATEGORIES], self.tr("All categories"))
        make_combo_data(self.status, [(s.label(lang), s.value) for s in ReportStatus], self.tr("All statuses"))
        make_combo_data(
            self.deadline,
            [
                (self.tr("Open"), "open"),
                (DeadlineState.OVERDUE.label(lang), (int(DeadlineState.OVERDUE),)),
                (DeadlineState.DUE_SOON.label(lang), (int(DeadlineState.DUE_SOON),)),
                (DeadlineState.ON_TIME.label(lang), (int(DeadlineState.ON_TIME),)),
                (DeadlineState.RESOLVED_ON_TIME.label(lang), (int(DeadlineState.RESOLVED_ON_TIME),)),
                (DeadlineState.RESOLVED_LATE.label(lang), (int(DeadlineState.RESOLVED_LATE),)),
            ],
            self.tr("Any deadline"),
        )
        make_combo_data(self.ward, [], self.tr("All wards"))
        combos = QGridLayout()  # two by two: the dock stays narrow at 1366 px
        combos.setContentsMargins(0, 0, 0, 0)
        for i, w in enumerate((self.ward, self.category, self.status, self.deadline)):
            w.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
            combos.addWidget(w, i // 2, i % 2)
            w.currentIndexChanged.connect(self.apply_filter)
        self.filters.addLayout(combos, 1)
        self.filters2.addWidget(self.date_on)
        self.filters2.addWidget(self.date_from)
        self.filters2.addWidget(QLabel("–"))
        self.filters2.addWidget(self.date_to)
        self.filters2.addStretch(1)
        self.filters3.addWidget(self.search, 1)
        self.filters3.addWidget(self.filter_map)
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(self.apply_filter)
        self.date_on.toggled.connect(self.apply_filter)
        self.filter_map.toggled.connect(self.apply_filter)
        # typing waits for a pause so each key stroke does not refilter
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.last_filter_ms = 0.0

    # -- data ---------------------------------------------------------------------------------------------
    def set_wards(self, wards: dict[str, str]) -> None:
        self.ward_names = wards
        make_combo_data(self.ward, sorted(((name, wid) for wid, name in wards.items())), self.tr("All wards"))

    def set_reports(self, data: ReportData) -> None:
        self.data = data
        c = data.cols
        if len(data):
            first = datetime.fromtimestamp(float(np.nanmin(data.requested)), CITY_TZ)
            last = datetime.fromtimestamp(float(np.nanmax(data.requested)), CITY_TZ)
            self.date_from.setDate(QDate(first.year, first.month, first.day))
            self.date_to.setDate(QDate(last.year, last.month, last.day))
        lang = self.lang
        status_labels = {s.value: s.label(lang) for s in ReportStatus}
        state_labels = {int(s): s.label(lang) for s in DeadlineState}
        ward_names = self.ward_names
        self.set_columns(
            c["fid"].astype(np.int64),
            [
                c["report_id"],
                c["service_code"],
                c["status"],
                data.state,
                c["ward_id"],
                data.requested,
                data.due,
                c["address"],
            ],
            [
                None,
                lambda v: category_label(str(v), lang),
                lambda v: status_labels.get(v, str(v)),
                lambda v: state_labels.get(int(v), ""),
                lambda v: ward_names.get(v, v or ""),
                _local_time,
                _local_time,
                None,
            ],
            colors=lambda pos: _STATE_COLORS.get(int(data.state[pos])),
        )

    def current_filter(self) -> ReportFilter:
        f = ReportFilter()
        if self.ward.currentData():
            f.wards = (self.ward.currentData(),)
        if self.category.currentData():
            f.categories = (self.category.currentData(),)
        if self.status.currentData():
            f.statuses = (self.status.currentData(),)
        d = self.deadline.currentData()
        if d == "open":
            f.open_only = True
        elif d:
            f.states = tuple(d)
        if self.date_on.isChecked():
            f.date_from = _day_start(self.date_from.date())
            f.date_to = _day_start(self.date_to.date()) + 86400
        f.text = self.search.text().strip()
        return f

    def compute_mask(self) -> np.ndarray:
        if self.data is None:
            return super().compute_mask()
        return self.current_filter().mask(self.data)

    def apply_filter(self) -> None:
        t0 = time.perf_counter()
        super().apply_filter()
        self.last_filter_ms = (time.perf_counter() - t0) * 1000
        self._apply_to_map()
        self.filter_changed.emit()

    def _apply_to_map(self) -> None:
        if self.layer is None:
            return
        subset = ""
        if self.filter_map.isChecked():
            dialect = "postgres" if self.layer.providerType() == "postgres" else "sqlite"
            subset = self.current_filter().to_sql(time.time(), dialect=dialect)
        if self.layer.subsetString() != subset:
            self.layer.setSubsetString(subset)

    def detach(self) -> None:
        if self.layer is not None and self.layer.subsetString():
            self.layer.setSubsetString("")
        super().detach()

    def update_count(self, shown: int, total: int) -> None:
        if self.data is None or not total:
            return super().update_count(shown, total)
        rows = self.model.rows
        st = self.data.state[rows]
        overdue = int(np.count_nonzero(st == DeadlineState.OVERDUE))
        soon = int(np.count_nonzero(st == DeadlineState.DUE_SOON))
        open_ = int(np.count_nonzero(self.data.is_open[rows]))
        self.count_label.setText(
            self.tr("{shown} of {total} reports · {open} open · {overdue} overdue · {soon} due soon").format(
                shown=number(shown), total=number(total), open=number(open_), overdue=number(overdue), soon=number(soon)
            )
        )
        self.rows_changed.emit(shown, total)

    def show_state(self, state: Optional[int], open_only: bool = False) -> None:
        """Used by the overview: jump to e.g. all overdue reports."""
        target = "open" if open_only else ((int(state),) if state is not None else None)
        for i in range(self.deadline.count()):
            if self.deadline.itemData(i) == target:
                self.deadline.setCurrentIndex(i)
                return

    def row_activated(self, fid: int) -> None:
        if self.data is None:
            return
        pos = np.flatnonzero(self.fids == fid)
        if len(pos):
            self.report_activated.emit(str(self.data.cols["report_id"][pos[0]]))


def _day_start(qdate: QDate) -> float:
    return datetime(qdate.year(), qdate.month(), qdate.day(), tzinfo=CITY_TZ).timestamp()


def tr(text: str) -> str:
    from qgis.PyQt.QtCore import QCoreApplication

    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)
