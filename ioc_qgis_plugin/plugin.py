"""IocPlugin: wires actions, the dock, the Processing provider and the feature controllers into QGIS — and
removes every one of them again in unload()."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Optional

from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, QTimer, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QFileDialog, QMenu

from .gui.layers import StepwiseLayerLoader, analysis_crs_of, ioc_layer, layer_specs, remove_ioc_layers
from .gui.messages import install_log_bridge, log, notify, remove_log_bridge
from .gui.panel import IocDock
from .gui.settings import IocSettings
from .gui.store_opener import camera_state_writer, open_store
from .gui.tasks import cancel_task
from .store.base import IocStore
from .store.errors import StoreError

PLUGIN_DIR = Path(__file__).resolve().parent
MENU = "&IOC"
# Feature controllers: (module under gui/, class). Each has actions() and unload(); a missing one is logged.
CONTROLLERS = (
    ("land_controller", "LandController"),
    ("export_dialog", "ExportController"),
    ("ops_controller", "OpsController"),
    ("onvif_dialog", "OnvifController"),
)


def _icon(name: str) -> QIcon:
    # Compiled resources when built (`make`), the SVG files in a checkout otherwise.
    try:
        from . import resources_rc  # noqa: F401
    except ImportError:
        pass
    icon = QIcon(f":/plugins/ioc_qgis_plugin/icons/{name}")
    if icon.isNull():
        for folder in (PLUGIN_DIR / "icons", PLUGIN_DIR.parent / "icons"):
            if (folder / name).exists():
                return QIcon(str(folder / name))
    return icon


def _delete(obj: Any) -> None:
    if isinstance(obj, QObject):
        try:
            obj.deleteLater()
        except RuntimeError:  # already deleted by Qt
            pass


def ui_language(settings: IocSettings) -> str:
    if settings.language:
        return settings.language
    # QGIS's effective UI locale (its override setting, else the system's)
    locale = QgsApplication.locale() or QgsSettings().value("locale/userLocale", "") or ""
    return "vi" if str(locale).startswith("vi") else "en"


class IocPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.settings = IocSettings.load()
        self.lang = ui_language(self.settings)
        self.translator: Optional[QTranslator] = None
        self.actions: list[QAction] = []
        self.borrowed_actions: list[QAction] = []  # owned by sub-controllers; only unhooked here
        self.toolbar = None
        self.menu: Optional[QMenu] = None  # our own submenu of Plugins (see _init_menu)
        self.dock: Optional[IocDock] = None
        self.provider = None
        self.cameras = None
        self.controllers: list[Any] = []
        self.report_detail = None
        self.lights_tab = None
        self.lights_task: Any = None
        self.lights_refresher = None
        self.store: Optional[IocStore] = None  # the GUI thread's connection (detail views, small reads)
        self.layer_loader = None
        self.sync_task = None
        self._log_handler = None
        self._project_signal = False
        self.dependency_guard = None  # features disabled for missing optional modules (gui/dependencies.py)

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("IocPlugin", text)

    # -- QGIS entry points --------------------------------------------------------------------------------
    def initProcessing(self) -> None:
        """Called by QGIS (and by headless qgis_process, which never calls initGui)."""
        self._init_processing()

    def initGui(self) -> None:
        self._install_translator()
        self._log_handler = install_log_bridge()
        self.toolbar = self.iface.addToolBar(self.tr("IOC"))
        self.toolbar.setObjectName("IocToolbar")
        self._init_menu()
        self.panel_action = self._action("panel.svg", self.tr("IOC panel"), self.toggle_panel, checkable=True)
        self._action("open_store.svg", self.tr("Open IOC data store…"), self.choose_store)
        self._action(
            "open_store.svg", self.tr("Connect to the city database (PostGIS)…"), self.choose_postgis, toolbar=False
        ).setObjectName("ioc_postgis")
        self.dock = IocDock(self.iface, self.lang, self.iface.mainWindow())
        self.dock.setVisible(False)
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.visibilityChanged.connect(self.panel_action.setChecked)
        self.dock.reload_requested.connect(self.reload)
        self.dock.open_store_requested.connect(self.choose_store)
        self.dock.sync_requested.connect(self.sync_reports)
        self.dock.reports.report_activated.connect(self.show_report)
        QgsProject.instance().layersWillBeRemoved.connect(self._layers_removed)
        self._project_signal = True
        self._init_processing()
        self._init_cameras()
        self._init_report_detail()
        self._init_controllers()
        self._init_dependencies()

    def unload(self) -> None:
        if self.dependency_guard is not None:
            self.dependency_guard.unload()
            self.dependency_guard = None
        if self._project_signal:
            QgsProject.instance().layersWillBeRemoved.disconnect(self._layers_removed)
            self._project_signal = False
        if self.layer_loader is not None:
            self.layer_loader.cancel()
            self.layer_loader = None
        cancel_task(self.sync_task)
        self.sync_task = None
        for action in self.borrowed_actions:
            self._menu_remove(action)
            self.iface.removeToolBarIcon(action)
        self.borrowed_actions = []
        for controller in self.controllers:
            controller.unload()
            _delete(controller)  # parented to the main window: it would outlive the plugin with its children
        self.controllers = []
        if self.cameras is not None:
            self.cameras.unload()
            _delete(self.cameras)
            self.cameras = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        self._detach_lights()
        if self.dock is not None:
            self.dock.detach()
            self.iface.removeDockWidget(self.dock)
            self.dock.setParent(None)
            self.dock.deleteLater()
            self.dock = None
        self.report_detail = None
        for action in self.actions:
            self._menu_remove(action)
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        if self.menu is not None:
            self.iface.pluginMenu().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        if self.toolbar is not None:
            self.toolbar.setParent(None)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.store is not None:
            self.store.close()
            self.store = None
        remove_log_bridge(self._log_handler)
        self._log_handler = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    # -- setup helpers ------------------------------------------------------------------------------------
    def _action(self, icon: str, text: str, slot, checkable: bool = False, toolbar: bool = True) -> QAction:
        action = QAction(_icon(icon), text, self.iface.mainWindow())
        action.setObjectName("ioc_" + Path(icon).stem)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self._menu_add(action)
        if toolbar and self.toolbar is not None:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def _init_menu(self) -> None:
        """Our own "IOC" submenu of the Plugins menu, deleted in unload().

        iface.addPluginToMenu() creates the submenu (and a separator) itself and removePluginMenu() only takes
        them out of the menu: both stayed alive under the main window after every unload.
        """
        plugins = self.iface.pluginMenu() if hasattr(self.iface, "pluginMenu") else None
        if plugins is None:  # an interface without menus (tests): fall back to QGIS's helper
            return
        self.menu = QMenu(MENU, self.iface.mainWindow())
        self.menu.setObjectName("IocMenu")
        plugins.addMenu(self.menu)

    def _menu_add(self, action: QAction) -> None:
        if self.menu is not None:
            self.menu.addAction(action)
        else:
            self.iface.addPluginToMenu(MENU, action)

    def _menu_remove(self, action: QAction) -> None:
        if self.menu is not None:
            self.menu.removeAction(action)
        else:
            self.iface.removePluginMenu(MENU, action)

    def _borrow(self, actions: list[QAction], toolbar: bool = True) -> None:
        for action in actions:
            self._menu_add(action)
            if toolbar:
                self.toolbar.addAction(action)
            self.borrowed_actions.append(action)

    def _install_translator(self) -> None:
        qm = PLUGIN_DIR / "i18n" / f"ioc_{self.lang}.qm"
        if qm.exists():
            self.translator = QTranslator()
            if self.translator.load(str(qm)):
                QCoreApplication.installTranslator(self.translator)
            else:
                self.translator = None

    def _init_processing(self) -> None:
        if self.provider is not None:  # QGIS calls initProcessing before initGui
            return
        try:
            from .processing.provider import IocProcessingProvider
        except ImportError as exc:  # provider module missing in a partial install: the rest still works
            log(f"Processing provider not available: {exc}", "warning")
            return
        provider = IocProcessingProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider
        else:  # an "ioc" provider is already registered (and QGIS has deleted this one): leave that one alone
            log("an IOC Processing provider is already registered; not adding a second one", "warning")

    def _init_cameras(self) -> None:
        try:
            from .gui.camera_controller import CameraController
        except ImportError as exc:
            log(f"camera tools not available: {exc}", "warning")
            return
        self.cameras = CameraController(self.iface, self.iface.mainWindow())
        self._borrow(self.cameras.actions())
        self.dock.cameras.open_camera.connect(self.cameras.open_camera)
        self.dock.cameras.open_grid.connect(self.cameras.open_grid)
        self.cameras.snapshot_taken.connect(self._snapshot_taken)
        self.cameras.health.checked.connect(self._camera_health)

    def _init_report_detail(self) -> None:
        from .gui.report_detail import ReportDetail

        self.report_detail = ReportDetail(None, actor=QgsApplication.userFullName() or "", lang=self.lang)
        self.report_detail.changed.connect(self._report_changed)
        self.dock.reports.add_detail(self.report_detail)

    def _init_controllers(self) -> None:
        for module_name, class_name in CONTROLLERS:
            try:
                cls = getattr(importlib.import_module(f".gui.{module_name}", __package__), class_name)
                if class_name == "OpsController":
                    controller = cls(self.iface, self.store_factory, self.cameras, self.iface.mainWindow())
                else:
                    controller = cls(self.iface, self.store_factory, self.iface.mainWindow())
            except Exception as exc:  # one broken feature must not take the panel down
                log(f"{class_name} not available: {exc}", "warning")
                continue
            self.controllers.append(controller)
            self._borrow(controller.actions(), toolbar=False)
            if class_name == "OpsController" and hasattr(controller, "report_activated"):
                self.dock.reports.report_activated.connect(controller.report_activated)

    def _init_dependencies(self) -> None:
        """IOC ▸ Dependencies…, and features needing a missing optional module disabled with install steps."""
        from .gui.dependencies import DependencyGuard

        self._action("ioc.svg", self.tr("Dependencies…"), self.show_dependencies, toolbar=False).setObjectName(
            "ioc_dependencies"
        )
        self.dependency_guard = DependencyGuard(self.iface)
        self.dependency_guard.apply(self)

    def show_dependencies(self) -> None:
        from .gui.dependencies import DependenciesDialog

        dialog = DependenciesDialog(self.iface.mainWindow())
        dialog.exec_()
        dialog.deleteLater()

    # -- store --------------------------------------------------------------------------------------------
    def store_factory(self) -> IocStore:
        """A fresh connection to the configured store (background tasks each use their own)."""
        return open_store(self.settings)

    def toggle_panel(self, checked: bool) -> None:
        if self.dock is not None:
            self.dock.setVisible(checked)
            if checked and self.store is None and self.settings.gpkg_path:
                self.open_configured_store(add_layers=ioc_layer("field_reports") is None)

    def choose_store(self) -> None:
        start = self.settings.gpkg_path or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self.iface.mainWindow(), self.tr("Open IOC GeoPackage"), start, self.tr("GeoPackage (*.gpkg)")
        )
        if path:
            self.open_gpkg(path)

    def choose_postgis(self) -> None:
        from .gui.postgis_settings import PostgisSettingsDialog

        dialog = PostgisSettingsDialog(IocSettings.load(), self.iface.mainWindow())
        if dialog.exec_():
            settings = IocSettings.load()  # the dialog saved host, database and the authcfg id (no password)
            if self._open(settings, add_layers=True):
                self.settings = settings

    def open_gpkg(self, path: str, add_layers: bool = True) -> bool:
        settings = IocSettings(**{**self.settings.__dict__, "store_kind": "gpkg", "gpkg_path": str(path)})
        if not self._open(settings, add_layers):
            return False
        self.settings = settings
        self.settings.save()
        return True

    def open_configured_store(self, add_layers: bool = True) -> bool:
        return self._open(self.settings, add_layers)

    def _open(self, settings: IocSettings, add_layers: bool) -> bool:
        """Open and check the store first; the project and settings change only if that succeeds.

        Layers are opened and styled in a background task, the panel reads its data in another: the GUI thread
        only adds the finished layers to the project.
        """
        try:
            store = open_store(settings)
        except StoreError as exc:
            from .gui.store_recovery import is_damage, offer_backup

            offered = settings.store_kind != "postgis" and is_damage(exc)
            if not (offered and offer_backup(self.iface, settings.gpkg_path, exc, self.open_gpkg)):
                notify(self.iface, self.tr("IOC data store"), str(exc), "error")
            return False
        if self.store is not None:
            self.store.close()
        self.store = store
        if self.report_detail is not None:
            self.report_detail.set_store(store)

        def load_panel() -> None:
            if self.dock is not None:
                self.dock.load(lambda: open_store(settings, read_only=True), on_loaded=self._panel_loaded)

        if self.dock is not None:
            self.dock.setVisible(True)
            self.dock.show_loading()
            QTimer.singleShot(0, self._size_dock)
        if add_layers:
            if self.layer_loader is not None:
                self.layer_loader.cancel()
            self.layer_loader = StepwiseLayerLoader(layer_specs(store, settings), analysis_crs_of(store), self.dock)
            # The panel reads the store once the layers are on the map, not meanwhile: its reading thread would
            # hold Python's lock in 5 ms slices while the GUI thread, which takes that lock back after every call
            # into QGIS, builds the layers — each step of the map then waited on the panel.
            self.layer_loader.finished.connect(lambda layers: (self._layers_ready(layers, True), load_panel()))
            self.layer_loader.start()
        else:
            load_panel()
            self._layers_ready(
                {
                    t: lyr
                    for t in ("field_reports", "cameras", "parcels", "street_lights")
                    if (lyr := ioc_layer(t)) is not None
                },
                False,
            )
        if self.cameras is not None:
            self.cameras.health.writer = camera_state_writer(settings)
        self._attach_lights(settings)
        self._invalidate_controllers()
        if settings.store_kind != "postgis" and settings.gpkg_path:
            from .gui.store_recovery import start_daily_backup

            start_daily_backup(settings.gpkg_path)  # once a day, SQLite backup API, in the background
        notify(self.iface, self.tr("IOC data store"), self.tr("opened {0}").format(store.describe()), "success", 4)
        return True

    def _invalidate_controllers(self) -> None:
        """Controllers that cache store data (e.g. the report ↔ camera index) rebuild it on next use."""
        for controller in self.controllers:
            if hasattr(controller, "invalidate"):
                controller.invalidate()

    def _size_dock(self) -> None:
        """Keep the map the largest thing on screen (once the dock is part of the window's layout)."""
        window = self.iface.mainWindow()
        if self.dock is not None and hasattr(window, "resizeDocks") and not self.dock.isFloating():
            window.resizeDocks([self.dock], [max(380, min(window.width() // 3, 600))], Qt.Horizontal)

    def _layers_ready(self, layers: dict, zoom: bool) -> None:
        self.layer_loader = None
        if self.dock is None:  # unloaded meanwhile
            return
        if zoom:
            self._zoom_to_city(layers)
        self.dock.set_layers(layers)
        if self.cameras is not None and "cameras" in layers:
            self.cameras.set_layer(layers["cameras"])

    def _panel_loaded(self) -> None:
        if self.report_detail is not None and self.dock is not None:
            self.report_detail.units = self.dock.units
            self.report_detail.ward_names = self.dock.reports.ward_names
        log("IOC panel ready")

    def _zoom_to_city(self, layers: dict) -> None:
        wards = layers.get("wards")
        canvas = self.iface.mapCanvas()
        if wards is None or canvas is None:
            return
        from qgis.core import QgsCoordinateTransform

        xform = QgsCoordinateTransform(wards.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
        extent = xform.transformBoundingBox(wards.extent())
        extent.scale(1.05)
        canvas.setExtent(extent)
        canvas.refresh()

    def reload(self) -> None:
        if self.store is not None and hasattr(self.store, "replay_pending"):
            try:  # edits kept locally when the database connection dropped go out first
                self.store.replay_pending()
            except StoreError as exc:
                log(f"pending edits not sent yet: {exc}", "warning")
        if getattr(self.store, "damaged", False):  # a connection that saw damage never writes again: reopen
            self.store.close()
            self.store = None
        if self.store is None:
            self.open_configured_store()
        elif self.dock is not None:
            settings = self.settings
            self.dock.load(lambda: open_store(settings, read_only=True))

    def _layers_removed(self, layer_ids) -> None:
        if self.dock is None:
            return
        for tab in (self.dock.reports, self.dock.cameras, self.dock.parcels):
            if tab.layer is not None and tab.layer.id() in layer_ids:
                tab.detach()

    # -- field-report desk --------------------------------------------------------------------------------
    def show_report(self, report_id: str) -> None:
        if self.report_detail is not None and self.store is not None:
            self.report_detail.show_report(report_id)

    def _report_changed(self, _report_id: str) -> None:
        layer = ioc_layer("field_reports")
        if layer is not None:
            layer.triggerRepaint()
        self.reload()

    def _camera_health(self, summary: dict) -> None:
        """Background health results → the Cameras tab and the overview's "cameras offline"."""
        if self.dock is None:
            return
        self.dock.cameras.set_statuses(
            {cid: ("online" if r.get("online") else "offline", r.get("last_seen") or "") for cid, r in summary.items()}
        )
        offline = sum(1 for r in summary.values() if not r.get("online"))
        self.dock.overview.set_figures({"cameras_offline": offline})

    def _ops(self) -> Optional[Any]:
        return next((c for c in self.controllers if hasattr(c, "cameras_seeing")), None)

    def _snapshot_taken(self, camera_id: str, path: str) -> None:
        """A snapshot goes into the open report only when that camera sees the report and the user confirms."""
        detail = self.report_detail
        report_id = detail.report_id if detail is not None else None
        if not report_id:
            notify(
                self.iface,
                self.tr("Snapshot"),
                self.tr("saved to {0}; open a report in the panel to attach the next one").format(path),
                "info",
            )
            return
        ops = self._ops()
        try:
            seeing = ops.cameras_seeing(report_id) if ops is not None else []
        except Exception as exc:  # noqa: BLE001 - the store may be gone: keep the file, attach nothing
            log(f"cameras seeing {report_id}: {exc}", "warning")
            seeing = []
        if camera_id not in seeing:
            notify(
                self.iface,
                self.tr("Snapshot"),
                self.tr("saved to {0}; not attached: camera {1} does not see report {2}").format(
                    path, camera_id, report_id
                ),
                "info",
            )
            return
        if not self.confirm(
            self.tr("Attach snapshot"),
            self.tr("Attach the snapshot from camera {0} to report {1}?").format(camera_id, report_id),
        ):
            notify(self.iface, self.tr("Snapshot"), self.tr("saved to {0}; not attached").format(path), "info", 4)
            return
        detail.attach_photo(path, camera_id=camera_id, kind="snapshot")
        notify(self.iface, self.tr("Snapshot"), self.tr("attached to report {0}").format(report_id), "success", 4)

    def confirm(self, title: str, text: str) -> bool:
        """A Yes/No question to the user (No is the default: nothing is attached by an absent-minded Enter)."""
        from qgis.PyQt.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.Yes | QMessageBox.No, self.iface.mainWindow())
        box.setObjectName("IocConfirm")
        box.setDefaultButton(QMessageBox.No)
        answer = box.exec_()
        box.deleteLater()
        return answer == QMessageBox.Yes

    def sync_reports(self) -> None:
        if not self.settings.open311_url:
            notify(
                self.iface,
                self.tr("Sync reports"),
                self.tr("no reporting system (Open311) address is set in the IOC settings"),
                "warning",
            )
            return
        if self.sync_task is not None:
            return
        if self.dependency_guard is not None and self.dependency_guard.refuse("requests", self.tr("Sync reports")):
            return
        from .connectors.open311 import Open311Client
        from .gui.report_sync_task import ReportSyncTask, api_key_from_authcfg, start_sync

        url, authcfg, settings = self.settings.open311_url, self.settings.open311_authcfg, self.settings
        api_key = api_key_from_authcfg(authcfg) if authcfg else None  # resolved now, on the GUI thread
        task = ReportSyncTask(lambda: open_store(settings), lambda: Open311Client(url, api_key=api_key))
        task.done.connect(self._sync_done)
        task.failed.connect(self._sync_failed)
        self.sync_task = start_sync(task)

    def _sync_done(self, outcome) -> None:
        self.sync_task = None
        self._invalidate_controllers()
        text, level = outcome.message()
        notify(self.iface, self.tr("Sync reports"), text, level, 6 if level == "success" else 0)
        self._report_changed("")

    def _sync_failed(self, message: str) -> None:
        self.sync_task = None
        if message == "cancelled":
            text = self.tr("cancelled; what was fetched so far is kept and the next sync resumes")
        else:
            text = self.tr("failed: {0}").format(message)
        notify(self.iface, self.tr("Sync reports"), text, "error")

    # -- street lights ------------------------------------------------------------------------------------
    def _attach_lights(self, settings: IocSettings) -> None:
        try:
            from .gui.lights_tab import LightsTab
        except ImportError as exc:
            log(f"street-light tab not available: {exc}", "warning")
            return
        self._detach_lights()
        self.lights_tab = LightsTab(self.store, self.iface, self.dock, load=False)
        self.lights_tab.zoom_to_light.connect(self._zoom_to_light)
        self.dock.set_lights_widget(self.lights_tab)
        self._load_lights(settings, self.lights_tab)
        if settings.sensorthings_url and not (
            self.dependency_guard is not None and self.dependency_guard.refuse("requests", self.tr("Street lights"))
        ):
            from .gui.lights_refresher import LightsRefresher, client_factory

            self.lights_refresher = LightsRefresher(
                client_factory(settings.sensorthings_url, settings.sensorthings_authcfg),
                lambda: open_store(settings),
                float(settings.lights_refresh_s),
                parent=self.dock,
            )
            self.lights_refresher.refreshed.connect(self._lights_refreshed)
            if hasattr(self.lights_tab, "detail"):
                self.lights_tab.detail.send_command = self.lights_refresher.send_command
                self.lights_tab.detail.update_permissions()
            self.lights_refresher.start()

    def _load_lights(self, settings: IocSettings, tab: Any) -> None:
        """The tab's first read of the lights, in the background on its own read-only connection (the GUI thread
        read them twice before: ~100 ms under load)."""
        from .gui.lights_tab import read_columns
        from .gui.tasks import FunctionTask, run_task

        def work(_task) -> dict:  # noqa: ANN001
            store = open_store(settings, read_only=True)
            try:
                return read_columns(store)
            finally:
                store.close()

        def done(cols: dict) -> None:
            self.lights_task = None
            if self.lights_tab is tab:  # not replaced or unloaded meanwhile
                tab.show_lights(cols)

        def failed(message: str) -> None:
            self.lights_task = None
            notify(self.iface, self.tr("Street lights"), message, "warning")

        self.lights_task = run_task(FunctionTask(self.tr("IOC: reading the street lights"), work, done, failed))

    def _lights_refreshed(self, result) -> None:
        if self.lights_tab is not None:
            self.lights_tab.on_refreshed(result)
        layer = ioc_layer("street_lights")
        if layer is not None:
            layer.triggerRepaint()

    def _zoom_to_light(self, light_id: str) -> None:
        layer = ioc_layer("street_lights")
        if layer is None:
            return
        ids = [f.id() for f in layer.getFeatures(f"\"light_id\" = '{light_id}'")]
        if ids:
            canvas = self.iface.mapCanvas()
            canvas.zoomToFeatureIds(layer, ids)
            canvas.zoomScale(max(canvas.scale(), 1500))
            canvas.flashFeatureIds(layer, ids)

    def _detach_lights(self) -> None:
        cancel_task(self.lights_task)
        self.lights_task = None
        if self.lights_refresher is not None:
            self.lights_refresher.stop()
            self.lights_refresher = None
        if self.lights_tab is not None and hasattr(self.lights_tab, "detach"):
            self.lights_tab.detach()
        self.lights_tab = None

    # used by the demo launcher and tests
    def remove_layers(self) -> None:
        remove_ioc_layers()
