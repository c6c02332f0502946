"""The IOC dock panel: overview, reports, cameras, lights and parcels, loaded in the background."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

import numpy as np
from qgis.core import QgsVectorLayer
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ..core.report_filter import REPORT_COLUMNS, ReportData
from ..core.sla import DeadlineState, SlaRules
from ..lights.state import state_counts
from ..store.base import IocStore
from .formats import city_time
from .messages import log
from .tabs.cameras_tab import CamerasTab
from .tabs.overview_tab import OverviewTab
from .tabs.parcels_tab import ParcelsTab
from .tabs.reports_tab import ReportsTab
from .tasks import FunctionTask, run_task

StoreFactory = Callable[[], IocStore]
CAMERA_COLUMNS = ("fid", "camera_id", "name", "ward_id", "status", "bearing", "last_seen")
PARCEL_COLUMNS = ("fid", "sheet_no", "parcel_no", "land_use", "area_declared", "address", "ward_id")


def load_panel_data(store: IocStore, now: float, rules: SlaRules) -> dict[str, Any]:
    """Everything the panel shows, read in bulk (runs in a background task on its own connection)."""
    wards = {w["ward_id"]: w["name"] for w in store.fetch("wards", columns=["ward_id", "name"])}
    reports = ReportData.from_columns(store.columns("field_reports", REPORT_COLUMNS), now, rules)
    cameras = store.columns("cameras", CAMERA_COLUMNS)
    parcels = store.columns("parcels", PARCEL_COLUMNS)
    lights = store.columns("street_lights", ("state",))
    units = store.distinct("field_reports", "agency_responsible")
    return {
        "wards": wards,
        "units": units,
        "reports": reports,
        "cameras": cameras,
        "parcels": parcels,
        "light_states": lights["state"],
        "city": store.get_meta("city_name", "") or "",
        "store": store.describe(),
    }


class IocDock(QgsDockWidget):
    reload_requested = pyqtSignal()
    open_store_requested = pyqtSignal()
    sync_requested = pyqtSignal()

    def __init__(self, iface, lang: str = "vi", parent: Optional[QWidget] = None) -> None:
        super().__init__(QCoreApplication.translate("IocDock", "IOC – Operations centre"), parent)
        self.setObjectName("IocDock")
        self.iface = iface
        self.rules = SlaRules.default()
        self.task: Optional[FunctionTask] = None
        body = QWidget(self)
        self.store_label = QLabel(self.tr("No data store open"))
        self.store_label.setWordWrap(True)
        self.open_btn = QPushButton(self.tr("Open…"))
        self.reload_btn = QPushButton(self.tr("Reload"))
        self.sync_btn = QPushButton(self.tr("Sync reports"))
        self.sync_btn.setToolTip(self.tr("Send pending changes to the reporting system (Open311), then fetch updates"))
        self.open_btn.clicked.connect(self.open_store_requested)
        self.reload_btn.clicked.connect(self.reload_requested)
        self.sync_btn.clicked.connect(self.sync_requested)
        top = QHBoxLayout()  # the store's name on its own row above: the dock stays narrow
        top.addStretch(1)
        top.addWidget(self.sync_btn)
        top.addWidget(self.open_btn)
        top.addWidget(self.reload_btn)
        self.tabs = QTabWidget(body)
        self.overview = OverviewTab()
        self.reports = ReportsTab(iface, lang)
        self.cameras = CamerasTab(iface)
        self.lights: QWidget = QLabel(self.tr("Street lights: open a data store"))
        self.parcels = ParcelsTab(iface, lang)
        self.tabs.addTab(self.overview, self.tr("Overview"))
        self.tabs.addTab(self.reports, self.tr("Reports"))
        self.tabs.addTab(self.cameras, self.tr("Cameras"))
        self.lights_index = self.tabs.addTab(self.lights, self.tr("Lights"))
        self.tabs.addTab(self.parcels, self.tr("Parcels"))
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.store_label)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.setWidget(body)
        self.overview.on_click("open", lambda: self._show_reports(None, open_only=True))
        self.overview.on_click("overdue", lambda: self._show_reports(DeadlineState.OVERDUE))
        self.overview.on_click("due_soon", lambda: self._show_reports(DeadlineState.DUE_SOON))
        self.overview.on_click("resolved_late", lambda: self._show_reports(DeadlineState.RESOLVED_LATE))
        self.overview.on_click("cameras_offline", self._show_offline_cameras)
        self.overview.on_click("parcels", lambda: self.tabs.setCurrentWidget(self.parcels))
        self.overview.on_click("lights_fault", lambda: self.tabs.setCurrentIndex(self.lights_index))
        self.overview.on_click("lights_nodata", lambda: self.tabs.setCurrentIndex(self.lights_index))
        self.loaded_at: Optional[float] = None
        self.units: list[str] = []

    # -- loading ------------------------------------------------------------------------------------------
    def show_loading(self) -> None:
        self.store_label.setText(self.tr("Loading…"))

    def load(self, store_factory: StoreFactory, on_loaded: Optional[Callable[[], None]] = None) -> FunctionTask:
        """Read the store in the background; the GUI stays responsive and the tabs fill when done."""
        self.store_label.setText(self.tr("Loading…"))
        now = time.time()
        rules = self.rules

        def work(task):
            store = store_factory()
            try:
                return load_panel_data(store, now, rules)
            finally:
                store.close()

        def done(result: dict[str, Any]) -> None:
            self.task = None
            self.show_data(result)
            if on_loaded is not None:
                on_loaded()

        def failed(message: str) -> None:
            self.task = None
            self.store_label.setText(self.tr("Could not load: {0}").format(message))
            self.mark_stale()

        self.task = FunctionTask(self.tr("IOC: loading the panel"), work, done, failed)
        run_task(self.task)
        return self.task

    def show_data(self, data: dict[str, Any]) -> None:
        wards = data["wards"]
        self.units = data["units"]
        self.reports.set_wards(wards)
        self.cameras.set_wards(wards)
        self.reports.set_reports(data["reports"])
        self.cameras.set_cameras(data["cameras"])
        self.parcels.set_parcels(data["parcels"], wards)
        self.store_label.setText(f"<b>{data['city']}</b> · {data['store']}" if data["city"] else data["store"])
        self.overview.city_label.setText(
            self.tr("{n} wards · data loaded {t}").format(n=len(wards), t=city_time(time.time(), seconds=True))
        )
        self.update_figures(data)
        self.loaded_at = time.time()
        self.overview.set_stale("")
        log(f"panel loaded: {len(data['reports']):,} reports, {len(data['cameras']['fid'])} cameras")

    def mark_stale(self) -> None:
        """After a failed load the old figures stay visible, marked with their time, never passed off as current."""
        if self.loaded_at is None:
            return
        since = time.strftime("%H:%M:%S", time.localtime(self.loaded_at))
        self.overview.set_stale(
            self.tr("Data as of {0} (not current: the last load failed). Press Reload once the file is fixed.").format(
                since
            )
        )

    def update_figures(self, data: dict[str, Any]) -> None:
        r: ReportData = data["reports"]
        # the Lights tab re-reads the lights after every refresh: its counts are the newest, and the same figures
        lights = getattr(self.lights, "counts", None) or state_counts(data["light_states"])
        self.overview.set_figures(
            {
                "open": int(r.is_open.sum()),
                "overdue": int(np.count_nonzero(r.state == DeadlineState.OVERDUE)),
                "due_soon": int(np.count_nonzero(r.state == DeadlineState.DUE_SOON)),
                "resolved_late": int(np.count_nonzero(r.state == DeadlineState.RESOLVED_LATE)),
                "cameras_offline": int(np.count_nonzero(data["cameras"]["status"] == "offline")),
                "lights_fault": lights["fault"],
                "lights_nodata": lights["nodata"],
                "parcels": len(data["parcels"]["fid"]),
            }
        )

    def set_layers(self, layers: dict[str, QgsVectorLayer]) -> None:
        self.reports.set_layer(layers.get("field_reports"))
        self.cameras.set_layer(layers.get("cameras"))
        self.parcels.set_layer(layers.get("parcels"))

    def set_lights_widget(self, widget: QWidget) -> None:
        old = self.tabs.widget(self.lights_index)
        self.tabs.removeTab(self.lights_index)
        self.tabs.insertTab(self.lights_index, widget, self.tr("Lights"))
        self.lights = widget
        if hasattr(widget, "counts_changed"):
            widget.counts_changed.connect(self._light_counts)
            if getattr(widget, "counts", None):
                self._light_counts(widget.counts)
        if old is not None:
            old.deleteLater()

    def _light_counts(self, counts: dict) -> None:
        self.overview.set_figures({"lights_fault": counts.get("fault", 0), "lights_nodata": counts.get("nodata", 0)})

    # -- overview actions ---------------------------------------------------------------------------------
    def _show_reports(self, state: Optional[int], open_only: bool = False) -> None:
        self.tabs.setCurrentWidget(self.reports)
        self.reports.filter_map.setChecked(True)
        self.reports.show_state(state, open_only)

    def _show_offline_cameras(self) -> None:
        self.tabs.setCurrentWidget(self.cameras)
        for i in range(self.cameras.state.count()):
            if self.cameras.state.itemData(i) == "offline":
                self.cameras.state.setCurrentIndex(i)

    def detach(self) -> None:
        """Called on unload: cancel background work and drop connections to layers."""
        if self.task is not None:
            try:
                self.task.cancel()
            except RuntimeError:
                pass
            self.task = None
        for tab in (self.reports, self.cameras, self.parcels):
            tab.detach()
        if hasattr(self.lights, "detach"):
            self.lights.detach()
