"""Operations views in the plugin: report → cameras, camera → reports, ward briefing, replay animation.

plugin.py: `self.ops = OpsController(iface, store_factory, self.cameras)`, add `actions()` to the IOC menu/toolbar,
connect the Reports tab's `report_activated` to `ops.report_activated`, call `ops.invalidate()` after a sync or
store change, and `ops.unload()` in unload().
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from qgis.core import QgsApplication, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QObject, pyqtSignal
from qgis.PyQt.QtWidgets import QAction, QDialog

from ..ops.animation import encode_video, frame_plan
from ..ops.view_index import CameraHit, Cameras, Reports, ViewIndex, ViewResult
from .camera_maptool import CameraMapTool
from .layers import ioc_layer
from .messages import log, notify


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def _report_note(note: str, report_id: str) -> str:
    """The view index explains an empty answer in English (ops/ has no Qt); the operator reads it translated."""
    known = {
        f"report {report_id} is not loaded": tr("report {0} is not loaded").format(report_id),
        f"report {report_id} has no location": tr("report {0} has no location").format(report_id),
        f"no camera's field of view covers report {report_id}": tr(
            "no camera's field of view covers report {0}"
        ).format(report_id),
    }
    return known.get(note, note) if note else tr("No camera sees this report")


class OpsController(QObject):
    cameras_found = pyqtSignal(str, list)  # report_id, [camera_id] nearest first
    reports_found = pyqtSignal(str, list)  # camera_id, [report_id] nearest first

    def __init__(
        self, iface, store_factory: Callable, camera_controller=None, parent: Optional[QObject] = None
    ) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.iface = iface
        self.store_factory = store_factory
        self.camera_controller = camera_controller
        self._index: Optional[ViewIndex] = None
        self._report_fids: dict[str, int] = {}
        self.last_report_id: Optional[str] = None
        self.briefing_runner = None
        self.out_dir = Path(QgsApplication.qgisSettingsDirPath()) / "ioc"

        self.cameras_action = QAction(tr("Cameras seeing this report"), self)
        self.cameras_action.setToolTip(tr("Open the cameras whose field of view covers the selected report"))
        self.cameras_action.triggered.connect(self.cameras_for_selected_report)
        self.view_action = QAction(tr("Reports in this camera's view"), self)
        self.view_action.setCheckable(True)
        self.view_action.setToolTip(tr("Click a camera on the map to select the open reports it sees"))
        self.view_action.triggered.connect(self._toggle_map_tool)
        self.briefing_action = QAction(tr("Ward briefing…"), self)
        self.briefing_action.triggered.connect(self.show_briefing_dialog)
        self.replay_action = QAction(tr("Replay animation…"), self)
        self.replay_action.triggered.connect(self.show_replay_dialog)

        self.map_tool = CameraMapTool(iface.mapCanvas())
        self.map_tool.setAction(self.view_action)
        self.map_tool.camera_clicked.connect(self.select_reports_in_view)

    def actions(self) -> list[QAction]:
        return [self.cameras_action, self.view_action, self.briefing_action, self.replay_action]

    # -- the index -----------------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget the index (after a sync, an edit of cameras, another store)."""
        self._index = None

    def index(self) -> ViewIndex:
        if self._index is None:
            store = self.store_factory()
            try:
                cameras = Cameras.from_store(store)
                cols = store.columns("field_reports", ["fid", "report_id", "status", "lon", "lat"])
            finally:
                store.close()
            self._report_fids = {str(r): int(f) for r, f in zip(cols["report_id"], cols["fid"])}
            self._index = ViewIndex(cameras, Reports.from_columns(cols))
            if self._index.unlocated_reports:
                log(f"{self._index.unlocated_reports} field reports have no location: no camera can see them")
            for cid, note in self._index.notes.items():
                log(f"camera {cid}: {note}")
        return self._index

    # -- report → cameras ----------------------------------------------------------------------------------
    def report_activated(self, report_id: str) -> None:
        """A row of the Reports tab was clicked: remember the report, nothing else.

        Opening camera windows (and posting notices) on every click stood in the desk's way; the operator asks
        for the cameras with the "Cameras seeing this report" action instead.
        """
        self.last_report_id = report_id

    def cameras_seeing(self, report_id: str) -> list[str]:
        """Ids of the cameras whose field of view covers the report, nearest first (quiet: no windows, notices)."""
        hits, _note = self.index().cameras_for_report(report_id)
        return [h.camera_id for h in hits]

    def open_cameras_for_report(self, report_id: str) -> list[CameraHit]:
        """Cameras covering the report, nearest first, opened in a viewer (one) or the camera grid (several)."""
        self.last_report_id = report_id
        hits, note = self.index().cameras_for_report(report_id)
        ids = [h.camera_id for h in hits]
        self.cameras_found.emit(report_id, ids)
        if not hits:
            notify(self.iface, tr("Cameras"), _report_note(note, report_id), "info", 5)
            return hits
        listing = ", ".join(f"{h.name or h.camera_id} ({h.distance_m:.0f} m)" for h in hits)
        notify(self.iface, tr("Cameras seeing report") + f" {report_id}", listing, "info", 6)
        if self.camera_controller is not None:
            if len(ids) == 1:
                self.camera_controller.open_camera(ids[0])
            else:
                self.camera_controller.open_grid(ids)
        return hits

    def cameras_for_selected_report(self) -> list[CameraHit]:
        layer = ioc_layer("field_reports")
        selected = [str(f["report_id"]) for f in layer.getSelectedFeatures()] if layer is not None else []
        report_id = selected[0] if selected else self.last_report_id
        if not report_id:
            notify(self.iface, tr("Cameras"), tr("Select a field report first"), "info", 4)
            return []
        return self.open_cameras_for_report(report_id)

    # -- camera → reports ----------------------------------------------------------------------------------
    def _toggle_map_tool(self, checked: bool) -> None:
        canvas = self.iface.mapCanvas()
        self.map_tool.set_layer(ioc_layer("cameras"))
        if checked:
            canvas.setMapTool(self.map_tool)
        elif canvas.mapTool() is self.map_tool:
            canvas.unsetMapTool(self.map_tool)

    def select_reports_in_view(self, camera_id: str, open_only: bool = True) -> ViewResult:
        res = self.index().reports_in_view(camera_id, open_only)
        layer = ioc_layer("field_reports")
        if layer is not None:
            layer.selectByIds([self._report_fids[r] for r in res.report_ids if r in self._report_fids])
        self.reports_found.emit(camera_id, res.report_ids)
        text = tr("{n} open reports in view").format(n=len(res.report_ids))
        if res.report_ids:
            text += ": " + ", ".join(res.report_ids[:10]) + (" …" if len(res.report_ids) > 10 else "")
        if res.note:
            text += f" ({res.note})"
        notify(self.iface, tr("Camera") + f" {camera_id}", text, "info", 6)
        return res

    # -- briefing ------------------------------------------------------------------------------------------
    def ward_list(self) -> list[tuple[str, str]]:
        store = self.store_factory()
        try:
            return [(str(r["ward_id"]), str(r["name"])) for r in store.fetch("wards", columns=["ward_id", "name"])]
        finally:
            store.close()

    def show_briefing_dialog(self) -> None:
        from .briefing_dialog import BriefingDialog

        dlg = BriefingDialog(self.ward_list(), self.out_dir / "briefings", self.iface.mainWindow())
        if dlg.exec_() == QDialog.Accepted:
            day, days, wards, out = dlg.values()
            self.run_briefing(day, out, wards, days)

    def run_briefing(self, day, out_dir: Path, ward_ids=None, days: int = 1):  # noqa: ANN001, ANN201
        from .briefing_runner import BriefingRunner

        if self.briefing_runner is not None and self.briefing_runner.running:
            self.briefing_runner.cancel()
        runner = BriefingRunner(self.store_factory, out_dir, day, ward_ids, days, parent=self)
        runner.finished.connect(
            lambda files: notify(self.iface, tr("Ward briefing"), tr("Written to {p}").format(p=out_dir), "success")
        )
        runner.failed.connect(lambda msg: notify(self.iface, tr("Ward briefing"), msg, "warning"))
        self.briefing_runner = runner
        runner.start()
        return runner

    # -- replay --------------------------------------------------------------------------------------------
    def show_replay_dialog(self) -> None:
        from .ops_replay_dialog import ReplayDialog

        dlg = ReplayDialog(self.out_dir / "replay", self.iface.mainWindow())
        if dlg.exec_() == QDialog.Accepted:
            start, end, step, video, out = dlg.values()
            try:
                self.export_replay(start, end, step, out, video)
            except ValueError as exc:
                notify(self.iface, tr("Replay"), str(exc), "warning")

    def prepare_replay(self, start: float, end: float, step_s: float) -> list:
        """Temporal settings on the IOC layers and the Temporal Controller set to the period and step."""
        from .ops_replay import configure_temporal, set_navigation

        layers = []
        for table in ("field_reports", "street_lights", "cameras"):
            layer = ioc_layer(table)
            if layer is not None and configure_temporal(layer, table):
                layers.append(layer)
        set_navigation(self.iface, start, end, step_s)
        return layers

    def export_replay(self, start: float, end: float, step_s: float, out_dir: Path, video: bool = True) -> list[Path]:
        from .ops_replay import render_frames

        frames = frame_plan(start, end, step_s)
        self.prepare_replay(start, end, step_s)
        canvas = self.iface.mapCanvas()
        layers = [lyr for lyr in canvas.layers()] or list(QgsProject.instance().mapLayers().values())
        written = render_frames(
            layers, canvas.extent(), canvas.mapSettings().destinationCrs(), frames, out_dir, title="IOC"
        )
        if video and written:
            path, how = encode_video(out_dir, out_dir / "replay")
            notify(self.iface, tr("Replay"), f"{path or out_dir} ({how})", "success" if path else "info")
        return written

    # -- teardown ------------------------------------------------------------------------------------------
    def unload(self) -> None:
        if self.briefing_runner is not None and self.briefing_runner.running:
            self.briefing_runner.cancel()
        self.briefing_runner = None
        canvas = self.iface.mapCanvas()
        if canvas is not None and canvas.mapTool() is self.map_tool:
            canvas.unsetMapTool(self.map_tool)
        self.map_tool.camera_clicked.disconnect(self.select_reports_in_view)
        self.map_tool.set_layer(None)
        for action in self.actions():
            action.triggered.disconnect()
            action.deleteLater()
        self.map_tool.deleteLater()
        self._index = None
