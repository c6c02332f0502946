"""Lights tab of the IOC panel: fault list, time since last report, grouping by cabinet/circuit/ward; detail view.

`LightsTab(store, iface, parent)`; `refresh()` re-reads street_lights (bulk, ~10 ms for 3,000 lights) into a
lazy tree model, so filling never blocks. Signals for the lead: `zoom_to_light(str)`.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

import numpy as np
from qgis.core import Qgis, QgsMessageLog, QgsSettings
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QAbstractItemModel, QCoreApplication, QModelIndex, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core.timeutil import epoch_to_iso, iso_to_epoch_array
from ..lights.commands import can_command, command_parameters
from ..lights.state import FAULT_LABELS, STATE_LABELS, age_text, state_counts
from .formats import city_time
from .lights_plot import TimeSeriesPlot

LOG_TAG = "IOC"
COLUMNS = ("light_id", "state", "fault", "last_report", "ward_id", "cabinet_id", "circuit_id")
GROUPS = ("", "cabinet_id", "circuit_id", "ward_id")
STATE_ORDER = {"fault": 0, "nodata": 1, "off": 2, "dimmed": 3, "on": 4}
STATE_COLOURS = {"fault": "#d7191c", "nodata": "#878787", "off": "#404040", "dimmed": "#fdae61", "on": "#1a9641"}


def read_columns(store: Any) -> dict[str, np.ndarray]:
    """What the tab shows, read in one query (the plugin runs it in a background task on its own connection)."""
    return store.columns("street_lights", list(COLUMNS))


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def is_vi() -> bool:
    return str(QgsSettings().value("locale/userLocale", "") or "").lower().startswith("vi")


class LightsModel(QAbstractItemModel):
    """Groups (top level) → lights, or a flat list; rows are indices into numpy columns (nothing per row)."""

    # QT_TRANSLATE_NOOP only marks the texts for pylupdate5; headerData() translates them with tr()
    HEADERS = (
        QT_TRANSLATE_NOOP("@default", "Light"),
        QT_TRANSLATE_NOOP("@default", "State"),
        QT_TRANSLATE_NOOP("@default", "Fault"),
        QT_TRANSLATE_NOOP("@default", "Since last report"),
        QT_TRANSLATE_NOOP("@default", "Ward"),
        QT_TRANSLATE_NOOP("@default", "Cabinet"),
        QT_TRANSLATE_NOOP("@default", "Circuit"),
    )

    def __init__(self, parent: Optional[Any] = None) -> None:
        super().__init__(parent)
        self.cols: dict[str, np.ndarray] = {c: np.zeros(0, dtype=object) for c in COLUMNS}
        self.last_epoch = np.zeros(0)
        self.groups: list[tuple[str, np.ndarray]] = []
        self.flat = np.zeros(0, dtype=np.int64)
        self.group_by = ""
        self.now = time.time()
        self.lang = "vi" if is_vi() else "en"

    def set_data(self, cols: dict[str, np.ndarray], group_by: str, only_problems: bool) -> None:
        self.beginResetModel()
        self.cols = cols
        self.now = time.time()
        self.last_epoch = iso_to_epoch_array(cols["last_report"])
        severity = np.array([STATE_ORDER.get(str(s), 5) for s in cols["state"]], dtype=np.int64)
        keep = np.flatnonzero(severity <= 1) if only_problems else np.arange(len(severity))
        order = keep[np.lexsort((cols["light_id"][keep].astype(str), severity[keep]))]
        self.group_by = group_by
        self.flat = order
        self.groups = []
        if group_by:
            keys = np.array(["" if v is None else str(v) for v in cols[group_by][order]], dtype=object)
            for key in sorted(set(keys.tolist())):
                self.groups.append((key, order[keys == key]))
        self.endResetModel()

    # tree structure: internalId 0 = top-level row; g + 1 = child of group g
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: QModelIndex) -> QModelIndex:  # noqa: D401
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.groups) if self.group_by else len(self.flat)
        if self.group_by and parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()][1])
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return tr(self.HEADERS[section])
        return None

    def light_row(self, index: QModelIndex) -> Optional[int]:
        if not index.isValid():
            return None
        if self.group_by:
            if index.internalId() == 0:
                return None
            return int(self.groups[index.internalId() - 1][1][index.row()])
        return int(self.flat[index.row()])

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        i = self.light_row(index)
        if i is None:  # group row
            key, members = self.groups[index.row()]
            if role == Qt.DisplayRole and index.column() == 0:
                states = self.cols["state"][members]
                faults = int(np.count_nonzero(states == "fault"))
                nodata = int(np.count_nonzero(states == "nodata"))
                w_faults, w_nodata = tr("faults"), tr("no data")  # outside the f-string so pylupdate5 sees them
                return f"{key or '—'}  ({len(members)} · {faults} {w_faults} · {nodata} {w_nodata})"
            return None
        col = COLUMNS[index.column()]
        state = str(self.cols["state"][i] or "nodata")
        if role == Qt.DisplayRole:
            if col == "state":
                return STATE_LABELS.get(state, (state, state))[0 if self.lang == "vi" else 1]
            if col == "fault":
                names = [f for f in str(self.cols["fault"][i] or "").split(",") if f]
                return ", ".join(FAULT_LABELS.get(f, (f, f))[0 if self.lang == "vi" else 1] for f in names)
            if col == "last_report":
                text = age_text(self.now - self.last_epoch[i], self.lang)
                return tr("no data since") + f" {text}" if state == "nodata" else text
            v = self.cols[col][i]
            return "" if v is None else str(v)
        if role == Qt.ForegroundRole and col == "state":
            return QColor(STATE_COLOURS.get(state, "#000000"))
        if role == Qt.ToolTipRole and col == "last_report":
            t = self.last_epoch[i]
            return epoch_to_iso(t) if t == t else tr("never reported")
        if role == Qt.UserRole:
            return str(self.cols["light_id"][i])
        return None


class LightDetail(QWidget):
    """Time series of one light (level and power, last days) plus dim/switch for users whose role allows it."""

    def __init__(self, store: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.light_id = ""
        self.send_command: Optional[Callable[[str, dict], Any]] = None  # set by the lead: (light_id, params) → task
        self.title = QLabel("")
        self.level_plot = TimeSeriesPlot(tr("Light level"), "%", "#fdae61")
        self.power_plot = TimeSeriesPlot(tr("Active power"), "W", "#1f78b4")
        self.dim = QSlider(Qt.Horizontal)
        self.dim.setRange(0, 100)
        self.dim.setValue(100)
        self.dim_btn = QPushButton(tr("Dim to"))
        self.on_btn = QPushButton(tr("Switch on"))
        self.off_btn = QPushButton(tr("Switch off"))
        self.cmd_status = QLabel("")
        row = QHBoxLayout()
        for w in (self.dim, self.dim_btn, self.on_btn, self.off_btn):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.level_plot)
        lay.addWidget(self.power_plot)
        lay.addLayout(row)
        lay.addWidget(self.cmd_status)
        self.dim_btn.clicked.connect(lambda: self.command("dim", float(self.dim.value())))
        self.on_btn.clicked.connect(lambda: self.command("on"))
        self.off_btn.clicked.connect(lambda: self.command("off"))
        self.update_permissions()

    @staticmethod
    def role() -> str:
        """The user's one role setting (IocSettings.role, key ioc/role) — the demo and the settings set that."""
        from .settings import IocSettings

        return IocSettings.load().role

    def update_permissions(self) -> None:
        allowed = can_command(self.role()) and self.send_command is not None
        for w in (self.dim, self.dim_btn, self.on_btn, self.off_btn):
            w.setEnabled(allowed)
            w.setToolTip("" if allowed else tr("Your role may not send commands to street lights"))

    def show_light(self, light_id: str, days: float = 7.0) -> None:
        self.light_id = light_id
        self.title.setText(f"<b>{light_id}</b>")
        rows = self.store.columns(
            "light_readings", ["at", "light_level", "active_power_w"], "light_id = ?", (light_id,)
        )
        t = iso_to_epoch_array(rows["at"])
        keep = t >= (np.nanmax(t) - days * 86400) if len(t) else np.zeros(0, dtype=bool)
        self.level_plot.set_series(t[keep], rows["light_level"][keep])
        self.power_plot.set_series(t[keep], rows["active_power_w"][keep])
        self.update_permissions()

    def command(self, command: str, level: Optional[float] = None) -> bool:
        role = self.role()
        if not can_command(role) or self.send_command is None:
            QgsMessageLog.logMessage(
                f"lights command refused: role {role!r}, {command} {self.light_id}", LOG_TAG, Qgis.Warning
            )
            return False
        params = command_parameters(command, level)
        try:
            self.send_command(self.light_id, params)
        except Exception as exc:  # noqa: BLE001 - shown to the operator, logged
            self.cmd_status.setText(tr("Command failed") + f": {exc}")
            QgsMessageLog.logMessage(f"lights command failed: {self.light_id} {params}: {exc}", LOG_TAG, Qgis.Warning)
            return False
        self.cmd_status.setText(tr("Command sent"))
        QgsMessageLog.logMessage(f"lights command by role {role}: {self.light_id} {params}", LOG_TAG, Qgis.Info)
        return True


class LightsTab(QWidget):
    zoom_to_light = pyqtSignal(str)
    counts_changed = pyqtSignal(dict)  # {state: count} every time the tab re-reads the lights

    def __init__(self, store: Any, iface: Any = None, parent: Optional[QWidget] = None, load: bool = True) -> None:
        """load=False: the caller reads the lights off the GUI thread (read_columns) and passes them to show()."""
        super().__init__(parent)
        self.store, self.iface = store, iface
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.group = QComboBox()
        for key, label in zip(GROUPS, (tr("No grouping"), tr("Cabinet"), tr("Circuit"), tr("Ward"))):
            self.group.addItem(label, key)
        self.only_problems = QCheckBox(tr("Faults and no data only"))
        self.only_problems.setChecked(True)
        self.model = LightsModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.detail = LightDetail(store)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Group by")))
        top.addWidget(self.group, 1)
        self.group.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.group.setMinimumContentsLength(6)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addLayout(top)
        lay.addWidget(self.only_problems)  # its own row: the dock stays narrow enough for a 1366 px screen
        lay.addWidget(split)
        self.group.currentIndexChanged.connect(self.refresh)
        self.only_problems.toggled.connect(self.refresh)
        self.view.doubleClicked.connect(self._activated)
        self.view.clicked.connect(self._clicked)
        self.last_result: Any = None
        self.counts: dict[str, int] = {}
        if load:
            self.refresh()

    def refresh(self) -> None:
        self.show_lights(read_columns(self.store))

    def show_lights(self, cols: dict[str, np.ndarray]) -> None:
        """Display lights read by read_columns() (on any thread, from any connection to the store)."""
        self.model.set_data(cols, self.group.currentData() or "", self.only_problems.isChecked())
        self._update_status(cols)

    def on_refreshed(self, result: Any) -> None:
        """Connect LightsRefresher.refreshed here: reload after a good refresh, explain a failed one."""
        self.last_result = result
        self.refresh()

    def _update_status(self, cols: dict[str, np.ndarray]) -> None:
        states = cols["state"].astype(str)
        n = len(states)
        counts = state_counts(states)
        self.counts = counts
        # the words are translated outside the f-strings so that pylupdate5 extracts them
        w_lights, w_faults, w_nodata, w_lit = tr("lights"), tr("faults"), tr("no data"), tr("lit")
        text = (
            f"{n} {w_lights} · {counts['fault']} {w_faults} · {counts['nodata']} {w_nodata} · "
            f"{counts['on'] + counts['dimmed']} {w_lit}"
        )
        r = self.last_result
        if r is not None and not r.ok:
            newest = np.nanmax(iso_to_epoch_array(cols["last_report"])) if n else float("nan")
            since = age_text(time.time() - newest, self.model.lang) if newest == newest else "—"
            unreachable = tr("Street light server unreachable")
            last_known = tr("showing the last known state; no data since")
            text = f"<b>{unreachable}</b>: {r.error} — {last_known} {since}<br>{text}"
        elif r is not None:
            text += " · " + tr("updated") + f" {city_time(r.at, seconds=True)}"
        self.status.setText(text)
        self.counts_changed.emit(counts)

    def _clicked(self, index: QModelIndex) -> None:
        light_id = self.model.data(index, Qt.UserRole)
        if light_id:
            self.detail.show_light(light_id)

    def _activated(self, index: QModelIndex) -> None:
        light_id = self.model.data(index, Qt.UserRole)
        if light_id:
            self.zoom_to_light.emit(light_id)
