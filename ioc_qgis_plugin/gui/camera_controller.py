"""Everything camera-related the plugin wires in: map tool, viewer windows, grid, health checker, snapshots.

plugin.py: `self.cameras = CameraController(iface)`, `set_layer(cameras_layer)`, add `actions()` to a toolbar/menu,
connect `snapshot_taken` to the report desk, and call `unload()` in unload().
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsVectorLayer
from qgis.PyQt.QtCore import QFile, QObject, Qt, pyqtSignal
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from ..connectors.cameras import mask_text
from ..core.model import Camera
from ..core.paths import PACKAGE_DIR
from ..video.reader import join_stopped
from .camera_auth import connect_url
from .camera_grid import CameraGrid
from .camera_health import CameraHealthChecker
from .camera_maptool import CameraMapTool
from .camera_viewer import CameraViewer

LOG_TAG = "IOC"


def _icon(name: str) -> QIcon:
    resource = f":/plugins/ioc_qgis_plugin/icons/{name}"
    if QFile.exists(resource):
        return QIcon(resource)
    for folder in (PACKAGE_DIR / "icons", PACKAGE_DIR.parent / "icons"):
        if (folder / name).exists():
            return QIcon(str(folder / name))
    return QIcon()


def _num(value) -> Optional[float]:  # noqa: ANN001 - QVariant/None/number
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _text(value) -> str:  # noqa: ANN001
    return "" if value is None or (hasattr(value, "isNull") and value.isNull()) else str(value)


class CameraController(QObject):
    snapshot_taken = pyqtSignal(str, str)  # camera_id, path of the PNG
    viewer_opened = pyqtSignal(str)

    def __init__(self, iface, parent: Optional[QObject] = None, *, health_interval_s: float = 30.0) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.iface = iface
        self.layer: Optional[QgsVectorLayer] = None
        self.viewers: dict[str, CameraViewer] = {}
        self.grids: list[CameraGrid] = []
        self.snapshot_dir = Path(QgsApplication.qgisSettingsDirPath()) / "ioc" / "snapshots"
        self.reader_options: dict = {}
        self.map_tool = CameraMapTool(iface.mapCanvas())
        self.map_tool.camera_clicked.connect(self.open_camera)
        self.health = CameraHealthChecker(interval_s=health_interval_s, parent=self)
        self.view_action = QAction(_icon("camera.svg"), "Xem camera · View camera", self)
        self.view_action.setCheckable(True)
        self.view_action.setToolTip("Nhấp vào camera trên bản đồ để xem trực tiếp · Click a camera on the map")
        self.view_action.triggered.connect(self._toggle_map_tool)
        self.map_tool.setAction(self.view_action)
        self.grid_action = QAction(_icon("grid.svg"), "Lưới camera · Camera grid", self)
        self.grid_action.setToolTip("Mở các camera đang chọn trong lưới · Open the selected cameras in a grid")
        self.grid_action.triggered.connect(self.open_selected_grid)

    # -- wiring --------------------------------------------------------------------------------------------
    def set_layer(self, layer: Optional[QgsVectorLayer], start_health: bool = True) -> None:
        self.layer = layer
        self.map_tool.set_layer(layer)
        self.health.set_layer(layer)
        if layer is not None and start_health:
            self.health.start()

    def actions(self) -> list[QAction]:
        return [self.view_action, self.grid_action]

    def _toggle_map_tool(self, checked: bool) -> None:
        canvas = self.iface.mapCanvas()
        if checked:
            canvas.setMapTool(self.map_tool)
        elif canvas.mapTool() is self.map_tool:
            canvas.unsetMapTool(self.map_tool)

    # -- cameras from the layer ----------------------------------------------------------------------------
    def camera(self, camera_id: str) -> Optional[Camera]:
        layer = self.layer
        if layer is None:
            return None
        expr = f"\"camera_id\" = '{camera_id.replace(chr(39), chr(39) * 2)}'"
        for f in layer.getFeatures(expr):
            return self._camera_from_feature(f)
        return None

    def cameras(self, camera_ids: list[str]) -> list[Camera]:
        found = [self.camera(cid) for cid in camera_ids]
        return [c for c in found if c is not None]

    def _camera_from_feature(self, f) -> Camera:  # noqa: ANN001 - QgsFeature
        names = set(f.fields().names())
        pt = f.geometry().asPoint() if f.hasGeometry() else None

        def get(name: str):  # noqa: ANN202
            return f[name] if name in names else None

        return Camera(
            camera_id=_text(get("camera_id")),
            name=_text(get("name")) or _text(get("camera_id")),
            lon=pt.x() if pt else 0.0,
            lat=pt.y() if pt else 0.0,
            bearing=_num(get("bearing")),
            angle=_num(get("angle")),
            range_m=_num(get("range_m")),
            stream_url=_text(get("stream_url")),
            substream_url=_text(get("substream_url")),
            snapshot_url=_text(get("snapshot_url")),
            onvif_url=_text(get("onvif_url")),
            authcfg=_text(get("authcfg")),
            ward_id=_text(get("ward_id")),
            status=_text(get("status")) or "unknown",
            last_seen=_text(get("last_seen")) or None,
        )

    # -- viewers -------------------------------------------------------------------------------------------
    def _log(self, text: str, level=Qgis.Info) -> None:  # noqa: ANN001
        QgsMessageLog.logMessage(mask_text(text), LOG_TAG, level)

    def _parent_window(self):  # noqa: ANN202
        try:
            return self.iface.mainWindow()
        except Exception:  # noqa: BLE001 - test interfaces may have no main window
            return None

    def open_camera(self, camera_id: str) -> Optional[CameraViewer]:
        viewer = self.viewers.get(camera_id)
        if viewer is not None:
            viewer.show()
            viewer.raise_()
            viewer.activateWindow()
            return viewer
        cam = self.camera(camera_id)
        if cam is None:
            self._log(f"Camera {camera_id} not found in the camera layer", Qgis.Warning)
            return None
        url, error = self._resolve(cam, cam.stream_url or cam.substream_url or cam.snapshot_url)
        viewer = CameraViewer(
            cam, url, snapshot_dir=self.snapshot_dir, reader_options=self.reader_options, parent=self._parent_window()
        )
        viewer.setWindowFlags(Qt.Window)
        viewer.setAttribute(Qt.WA_DeleteOnClose)
        viewer.resize(800, 500)
        viewer.snapshot_taken.connect(self.snapshot_taken)
        viewer.closed.connect(self._viewer_closed)
        self.viewers[camera_id] = viewer
        viewer.show()
        if error:
            viewer.video.set_message(error)
        viewer.start()
        self.viewer_opened.emit(camera_id)
        return viewer

    def _resolve(self, cam: Camera, url: str) -> tuple[str, str]:
        """(connect URL, error); the error text is safe to display."""
        if not url:
            return "", "Camera chưa có địa chỉ luồng · no stream URL"
        try:
            return connect_url(url, cam.authcfg), ""
        except Exception as exc:  # noqa: BLE001
            self._log(f"Camera {cam.camera_id}: {exc}", Qgis.Warning)
            return "", str(exc)

    def _viewer_closed(self, camera_id: str) -> None:
        self.viewers.pop(camera_id, None)

    def open_grid(self, camera_ids: list[str], size: Optional[int] = None) -> Optional[CameraGrid]:
        cams = self.cameras(camera_ids)
        if not cams:
            return None

        def resolve(cam: Camera) -> str:
            url, error = self._resolve(cam, cam.grid_url() or cam.snapshot_url)
            if error:
                raise RuntimeError(error)
            return url

        grid = CameraGrid(cams, resolve, size=size, reader_options=self.reader_options, parent=self._parent_window())
        grid.setWindowFlags(Qt.Window)
        grid.setAttribute(Qt.WA_DeleteOnClose)
        grid.open_full.connect(self.open_camera)
        grid.snapshot_taken.connect(self.snapshot_taken)
        grid.closed.connect(lambda g=grid: self.grids.remove(g) if g in self.grids else None)
        self.grids.append(grid)
        grid.show()
        return grid

    def open_selected_grid(self) -> Optional[CameraGrid]:
        layer = self.layer
        if layer is None:
            return None
        ids = [str(f["camera_id"]) for f in layer.getSelectedFeatures()]
        if not ids:
            try:
                self.iface.messageBar().pushMessage(
                    "IOC", "Chọn camera trên bản đồ trước · Select cameras on the map first", Qgis.Info, 4
                )
            except Exception:  # noqa: BLE001
                pass
            return None
        return self.open_grid(ids)

    # -- teardown ------------------------------------------------------------------------------------------
    def unload(self) -> None:
        """Stop every reader thread, timer and health check; close windows; remove the map tool."""
        started = time.monotonic()
        self.health.stop()
        for viewer in list(self.viewers.values()):
            viewer.stop(wait=False)  # all workers are told at once, then joined together below
            viewer.close()
        self.viewers.clear()
        for grid in list(self.grids):
            grid.stop()
            grid.close()
        self.grids.clear()
        if not join_stopped(timeout=10.0):
            self._log("A camera reader thread did not stop within 10 s", Qgis.Warning)
        canvas = self.iface.mapCanvas()
        if canvas is not None and canvas.mapTool() is self.map_tool:
            canvas.unsetMapTool(self.map_tool)
        self.view_action.setChecked(False)
        self.map_tool.set_layer(None)
        self.map_tool.deleteLater()  # a child of the map canvas, which outlives the plugin
        self.health.set_layer(None)
        self.layer = None
        self._log(f"Cameras unloaded in {1000 * (time.monotonic() - started):.0f} ms")
