"""IocPlugin: wires actions, the dock, the Processing provider and the camera tools into QGIS — and removes
every one of them again in unload()."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QFileDialog

from .gui.layers import add_ioc_layers, ioc_layer, remove_ioc_layers
from .gui.messages import log, notify
from .gui.panel import IocDock
from .gui.settings import IocSettings
from .gui.store_opener import open_store
from .store.base import IocStore
from .store.errors import StoreError

PLUGIN_DIR = Path(__file__).resolve().parent
MENU = "&IOC"


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


def ui_language(settings: IocSettings) -> str:
    if settings.language:
        return settings.language
    locale = QgsSettings().value("locale/userLocale", "") or ""
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
        self.dock: Optional[IocDock] = None
        self.provider = None
        self.cameras = None
        self.lights_tab = None
        self.store: Optional[IocStore] = None
        self._project_signal = False

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("IocPlugin", text)

    # -- QGIS entry points --------------------------------------------------------------------------------
    def initProcessing(self) -> None:
        """Called by QGIS (and by headless qgis_process, which never calls initGui)."""
        self._init_processing()

    def initGui(self) -> None:
        self._install_translator()
        self.toolbar = self.iface.addToolBar(self.tr("IOC"))
        self.toolbar.setObjectName("IocToolbar")
        self.panel_action = self._action("panel.svg", self.tr("IOC panel"), self.toggle_panel, checkable=True)
        self._action("open_store.svg", self.tr("Open IOC data store…"), self.choose_store)
        self.dock = IocDock(self.iface, self.lang, self.iface.mainWindow())
        self.dock.setVisible(False)
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.visibilityChanged.connect(self.panel_action.setChecked)
        self.dock.reload_requested.connect(self.reload)
        self.dock.open_store_requested.connect(self.choose_store)
        QgsProject.instance().layersWillBeRemoved.connect(self._layers_removed)
        self._project_signal = True
        self._init_processing()
        self._init_cameras()

    def unload(self) -> None:
        if self._project_signal:
            QgsProject.instance().layersWillBeRemoved.disconnect(self._layers_removed)
            self._project_signal = False
        for action in self.borrowed_actions:
            self.iface.removePluginMenu(MENU, action)
            self.iface.removeToolBarIcon(action)
        self.borrowed_actions = []
        if self.cameras is not None:
            self.cameras.unload()
            self.cameras = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.dock is not None:
            self.dock.detach()
            self.iface.removeDockWidget(self.dock)
            self.dock.setParent(None)
            self.dock.deleteLater()
            self.dock = None
        for action in self.actions:
            self.iface.removePluginMenu(MENU, action)
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        if self.toolbar is not None:
            self.toolbar.setParent(None)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    # -- setup helpers ------------------------------------------------------------------------------------
    def _action(self, icon: str, text: str, slot, checkable: bool = False, toolbar: bool = True) -> QAction:
        action = QAction(_icon(icon), text, self.iface.mainWindow())
        action.setObjectName("ioc_" + Path(icon).stem)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.iface.addPluginToMenu(MENU, action)
        if toolbar and self.toolbar is not None:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

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
        self.provider = IocProcessingProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def _init_cameras(self) -> None:
        try:
            from .gui.camera_controller import CameraController
        except ImportError as exc:
            log(f"camera tools not available: {exc}", "warning")
            return
        self.cameras = CameraController(self.iface, self.iface.mainWindow())
        for action in self.cameras.actions():
            self.iface.addPluginToMenu(MENU, action)
            self.toolbar.addAction(action)
            self.borrowed_actions.append(action)
        self.dock.cameras.open_camera.connect(self.cameras.open_camera)
        self.dock.cameras.open_grid.connect(self.cameras.open_grid)

    # -- user actions -------------------------------------------------------------------------------------
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

    def open_gpkg(self, path: str, add_layers: bool = True) -> bool:
        settings = IocSettings(**{**self.settings.__dict__, "store_kind": "gpkg", "gpkg_path": str(path)})
        ok = self._open(settings, add_layers)
        if ok:
            self.settings = settings
            self.settings.save()
        return ok

    def open_configured_store(self, add_layers: bool = True) -> bool:
        return self._open(self.settings, add_layers)

    def _open(self, settings: IocSettings, add_layers: bool) -> bool:
        """Open and check the store first; the project and settings change only if that succeeds."""
        try:
            store = open_store(settings)
        except StoreError as exc:
            notify(self.iface, self.tr("IOC data store"), str(exc), "error")
            return False
        if self.store is not None:
            self.store.close()
        self.store = store
        layers = {}
        if add_layers:
            layers = add_ioc_layers(store, settings)
            self._zoom_to_city(layers)
        else:
            layers = {t: lyr for t in ("field_reports", "cameras", "parcels") if (lyr := ioc_layer(t)) is not None}
        if self.dock is not None:
            self.dock.set_layers(layers)
            self.dock.setVisible(True)
            if hasattr(self.iface.mainWindow(), "resizeDocks"):  # keep the map the largest thing on screen
                self.iface.mainWindow().resizeDocks([self.dock], [560], Qt.Horizontal)
            self.dock.load(lambda: open_store(settings), on_loaded=self._panel_loaded)
        if self.cameras is not None and "cameras" in layers:
            self.cameras.set_layer(layers["cameras"])
        self._attach_lights(settings)
        notify(self.iface, self.tr("IOC data store"), self.tr("opened {0}").format(store.describe()), "success", 4)
        return True

    def _attach_lights(self, settings: IocSettings) -> None:
        try:
            from .gui.lights_tab import LightsTab
        except ImportError:
            return
        if self.lights_tab is not None and hasattr(self.lights_tab, "detach"):
            self.lights_tab.detach()
        self.lights_tab = LightsTab(lambda: open_store(settings), self.iface, self.dock)
        self.dock.set_lights_widget(self.lights_tab)
        if hasattr(self.lights_tab, "refresh"):
            self.lights_tab.refresh()

    def _panel_loaded(self) -> None:
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
        if self.store is None:
            self.open_configured_store()
        elif self.dock is not None:
            settings = self.settings
            self.dock.load(lambda: open_store(settings))

    def _layers_removed(self, layer_ids) -> None:
        if self.dock is None:
            return
        for tab in (self.dock.reports, self.dock.cameras, self.dock.parcels):
            if tab.layer is not None and tab.layer.id() in layer_ids:
                tab.detach()

    # used by the demo launcher and tests
    def remove_layers(self) -> None:
        remove_ioc_layers()
