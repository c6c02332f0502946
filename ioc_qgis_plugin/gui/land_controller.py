"""Everything land-related the plugin wires in: import dialog, locator filter, parcel map tool and card.

plugin.py: `self.land = LandController(iface, store_factory)`, add `actions()` to the IOC menu/toolbar,
`unload()` in unload().
"""

from __future__ import annotations

from typing import Callable, Optional

from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt
from qgis.PyQt.QtWidgets import QAction

from .land_card import ParcelCardWidget, ParcelMapTool, open_card
from .land_import_dialog import LandImportDialog
from .land_locator import ParcelLocatorFilter


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class LandController(QObject):
    def __init__(self, iface, store_factory: Callable, parent: Optional[QObject] = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.iface = iface
        self.store_factory = store_factory
        self.dialog: Optional[LandImportDialog] = None
        self.card: Optional[ParcelCardWidget] = None
        self.report_distance_m = 200.0
        self.locator = ParcelLocatorFilter(store_factory, self.show_parcel)
        if hasattr(iface, "registerLocatorFilter"):
            iface.registerLocatorFilter(self.locator)
        self.map_tool = ParcelMapTool(iface.mapCanvas(), store_factory)
        self.map_tool.parcel_clicked.connect(self.show_parcel)
        self.import_action = QAction(tr("Import cadastral parcels…"), self)
        self.import_action.triggered.connect(self.open_import)
        self.card_action = QAction(tr("Parcel card"), self)
        self.card_action.setCheckable(True)
        self.card_action.triggered.connect(self._toggle_tool)
        self.map_tool.setAction(self.card_action)

    def actions(self) -> list[QAction]:
        return [self.import_action, self.card_action]

    def _parent(self):  # noqa: ANN202
        try:
            return self.iface.mainWindow()
        except Exception:  # noqa: BLE001
            return None

    def open_import(self) -> LandImportDialog:
        if self.dialog is None:
            self.dialog = LandImportDialog(self.store_factory, self._parent())
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _toggle_tool(self, checked: bool) -> None:
        canvas = self.iface.mapCanvas()
        if checked:
            canvas.setMapTool(self.map_tool)
        elif canvas.mapTool() is self.map_tool:
            canvas.unsetMapTool(self.map_tool)

    def show_parcel(self, fid: int) -> Optional[ParcelCardWidget]:
        if self.card is None:
            self.card = ParcelCardWidget(self._parent())
            self.card.setWindowFlags(Qt.Window)
        open_card(self.store_factory, fid, self.card, self.report_distance_m)
        self.card.show()
        return self.card

    def unload(self) -> None:
        if hasattr(self.iface, "deregisterLocatorFilter"):
            self.iface.deregisterLocatorFilter(self.locator)
        canvas = self.iface.mapCanvas()
        if canvas.mapTool() is self.map_tool:
            canvas.unsetMapTool(self.map_tool)
        if self.dialog is not None:
            self.dialog.shutdown()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if self.card is not None:
            self.card.close()
            self.card.deleteLater()
            self.card = None
        self.map_tool.deleteLater()
        for a in self.actions():
            a.deleteLater()
