"""Everything camera-related the plugin wires in: map tool, viewer windows, grid, health checker, snapshots.

plugin.py: `self.cameras = CameraController(iface)`, `set_layer(cameras_layer)`, add `actions()` to a toolbar/menu,
connect `snapshot_taken` to the report desk, and call `unload()` in unload().
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Optional

from qgis.core import Qgis, QgsApplication, QgsEditorWidgetSetup, QgsMessageLog, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QFile, QObject, Qt, pyqtSignal
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from ..connectors.cameras import mask_text, split_credentials
from ..core.model import Camera
from ..core.paths import PACKAGE_DIR
from ..video.reader import State, join_stopped
from .camera_auth import connect_url, store_basic_credentials
from .camera_grid import CameraGrid
from .camera_health import CameraHealthChecker
from .camera_maptool import CameraMapTool
from .camera_viewer import CameraViewer

LOG_TAG = "IOC"
URL_FIELDS = ("stream_url", "substream_url", "snapshot_url", "onvif_url")
TIMEOUT_FIELDS = {"open_timeout_s": "open_timeout", "read_timeout_s": "read_timeout", "stall_after_s": "stall_after"}
_warm_lock = threading.Lock()
_warm_thread: Optional[threading.Thread] = None


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def configure_timeout_fields(layer: QgsVectorLayer) -> None:
    """The camera form: per-camera timeouts as spin boxes in seconds (empty = the viewer's default), with a name
    the operator understands and a range that cannot freeze a viewer for minutes."""
    labels = {
        "open_timeout_s": tr("Connect timeout (s)"),
        "read_timeout_s": tr("Read timeout (s)"),
        "stall_after_s": tr("No picture after (s)"),
    }
    fields = layer.fields()
    for name, label in labels.items():
        idx = fields.indexOf(name)
        if idx < 0:
            continue
        config = {"AllowNull": True, "Min": 0.5, "Max": 120.0, "Step": 0.5, "Precision": 1, "Style": "SpinBox"}
        layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("Range", config))
        layer.setFieldAlias(idx, label)
        layer.setConstraintExpression(
            idx,
            f'"{name}" IS NULL OR ("{name}" >= 0.5 AND "{name}" <= 120)',
            tr("Between 0.5 and 120 seconds, or empty for the default"),
        )


def warm_up_video() -> threading.Thread:
    """Import OpenCV (1–1.5 s on a busy machine, most of a first click's wait) and initialise GStreamer on a worker
    thread at plugin start, so the operator's first click finds them loaded. Idempotent; the GUI never waits."""
    global _warm_thread
    with _warm_lock:
        if _warm_thread is None:

            def load() -> None:
                try:
                    import cv2  # noqa: F401

                    from ..video import gst_source, sources  # noqa: F401

                    gst_source.available()  # GStreamer's init and plugin registry (RTSP goes through it)
                except Exception:  # noqa: BLE001 - no OpenCV: the viewer will say so when opened
                    pass

            _warm_thread = threading.Thread(target=load, name="ioc-video-warmup", daemon=True)
            _warm_thread.start()
        return _warm_thread


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
        warm_up_video()
        self.map_tool = CameraMapTool(iface.mapCanvas())
        self.map_tool.camera_clicked.connect(self.open_camera)
        self.health = CameraHealthChecker(interval_s=health_interval_s, parent=self)
        self.health.live_ids = self.live_camera_ids

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
        if self.layer is not None and self.layer is not layer:
            try:
                self.layer.beforeCommitChanges.disconnect(self._before_commit)
            except (TypeError, RuntimeError):  # never connected, or the layer is already deleted
                pass
        if layer is not None and layer is not self.layer:
            layer.beforeCommitChanges.connect(self._before_commit)
            configure_timeout_fields(layer)
        self.layer = layer
        self.map_tool.set_layer(layer)
        self.health.set_layer(layer)
        if layer is not None and start_health:
            self.health.start()

    def actions(self) -> list[QAction]:
        self.retranslate()
        return [self.view_action, self.grid_action]

    def retranslate(self) -> None:
        """Action texts in the UI language (a translator installed after construction is honoured too)."""
        for action, text, tip in (
            (self.view_action, tr("View camera"), tr("Click a camera on the map to watch it live")),
            (self.grid_action, tr("Camera grid"), tr("Open the selected cameras in a grid")),
        ):
            if action.property("ioc_needs"):
                continue  # disabled for a missing module: its text and tip name it (gui/dependencies.py)
            action.setText(text)
            action.setToolTip(tip)

    def _push(self, text: str, level=Qgis.Info) -> None:  # noqa: ANN001
        self._log(text, level)
        try:
            self.iface.messageBar().pushMessage("IOC", text, level, 6)
        except Exception:  # noqa: BLE001 - test interfaces may have no message bar
            pass

    def live_camera_ids(self) -> set[str]:
        """Cameras whose stream is live in a viewer or a grid tile right now (the health check trusts them)."""
        tiles = [t for g in self.grids for t in g.tiles]
        return {v.camera.camera_id for v in [*self.viewers.values(), *tiles] if v.status().state == State.LIVE}

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
            open_timeout_s=_num(get("open_timeout_s")),
            read_timeout_s=_num(get("read_timeout_s")),
            stall_after_s=_num(get("stall_after_s")),
        )

    def _reader_options(self, cam: Camera) -> dict:
        """Controller-wide reader options, overridden by the camera's own timeouts (slow links, long HLS segments)."""
        options = dict(self.reader_options)
        for column, option in TIMEOUT_FIELDS.items():
            value = getattr(cam, column, None)
            if value is not None and value > 0:
                options[option] = float(value)
        return options

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
            cam,
            url,
            snapshot_dir=self.snapshot_dir,
            reader_options=self._reader_options(cam),
            error=error,
            parent=self._parent_window(),
        )
        viewer.setWindowFlags(Qt.Window)
        viewer.setAttribute(Qt.WA_DeleteOnClose)
        viewer.resize(800, 500)
        viewer.snapshot_taken.connect(self.snapshot_taken)
        viewer.closed.connect(self._viewer_closed)
        self.viewers[camera_id] = viewer
        viewer.show()
        viewer.start()
        self.viewer_opened.emit(camera_id)
        return viewer

    def _resolve(self, cam: Camera, url: str) -> tuple[str, str]:
        """(connect URL, error); the error text is safe to display."""
        if not url:
            return "", tr("The camera has no stream address")
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

        grid = CameraGrid(
            cams,
            resolve,
            size=size,
            reader_options=self.reader_options,
            snapshot_dir=self.snapshot_dir,
            parent=self._parent_window(),
        )
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
                self.iface.messageBar().pushMessage("IOC", tr("Select cameras on the map first"), Qgis.Info, 4)
            except Exception:  # noqa: BLE001
                pass
            return None
        return self.open_grid(ids)

    def set_layer_signals_off(self) -> None:
        if self.layer is not None:
            try:
                self.layer.beforeCommitChanges.disconnect(self._before_commit)
            except (TypeError, RuntimeError):
                pass

    # -- credentials typed into a URL ---------------------------------------------------------------------------
    def _before_commit(self) -> None:
        """Saving the camera layer: `user:password@` typed into an address goes into QGIS's auth manager (the
        camera gets its authcfg), the stored address keeps no secret, and the operator is told so."""
        layer = self.layer
        if layer is None or not layer.isEditable():
            return
        fields = layer.fields()
        idx = {n: fields.indexOf(n) for n in (*URL_FIELDS, "authcfg", "camera_id")}
        buffer = layer.editBuffer()
        if buffer is None or idx["authcfg"] < 0:
            return
        touched = set(buffer.addedFeatures()) | set(buffer.changedAttributeValues())
        moved = []
        for fid in touched:
            feature = layer.getFeature(fid)
            found: dict[int, str] = {}
            user = password = ""
            for name in URL_FIELDS:
                i = idx[name]
                if i < 0:
                    continue
                clean, u, pw = split_credentials(_text(feature[i]))
                if u:
                    found[i], user, password = clean, u, pw
            if not found:
                continue
            camera_id = _text(feature[idx["camera_id"]]) if idx["camera_id"] >= 0 else str(fid)
            try:
                authcfg = store_basic_credentials(
                    f"IOC camera {camera_id}", user, password, _text(feature[idx["authcfg"]])
                )
            except Exception as exc:  # noqa: BLE001 - keep the secret out of the layer anyway
                self._log(f"Camera {camera_id}: {exc}", Qgis.Critical)
                authcfg = ""
            for i, clean in found.items():
                layer.changeAttributeValue(fid, i, clean)
            if authcfg:
                layer.changeAttributeValue(fid, idx["authcfg"], authcfg)
            moved.append(camera_id)
        if moved:
            text = tr(
                "User name and password typed in the address of {cameras} were moved to the QGIS authentication "
                "database; the stored address has no password."
            ).format(cameras=", ".join(sorted(moved)))
            self._log(text, Qgis.Warning)
            try:
                self.iface.messageBar().pushMessage("IOC", text, Qgis.Warning, 10)
            except Exception:  # noqa: BLE001 - test interfaces may have no message bar
                pass

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
        self.set_layer_signals_off()
        self.layer = None
        self._log(f"Cameras unloaded in {1000 * (time.monotonic() - started):.0f} ms")
