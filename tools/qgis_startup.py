"""Runs inside the QGIS desktop (qgis --code): opens the IOC store through the plugin, then either stays open
(demo) or, for `make smoke`, screenshots the window, loads/unloads the plugin 20 times and exits with a verdict.

Configured by environment: IOC_GPKG, IOC_SCREENSHOT, IOC_RESULT (JSON), IOC_SMOKE=1, IOC_EXIT_AFTER_S; for the
demo's reporting system IOC_DEMO_AUTH_MASTER (master password of the throwaway profile's auth database),
IOC_DEMO_OPEN311_KEY and IOC_DEMO_OPEN311_AUTHCFG (the api key is kept in QGIS's auth manager under that id).
"""

import json
import os
import time
import traceback

import qgis.utils
from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QObject, QTimer
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QToolBar
from qgis.utils import iface

PLUGIN = "ioc_qgis_plugin"
errors = []
result = {"errors": errors}


def _on_message(message, tag, level):
    if tag == "IOC" and level in (Qgis.Warning, Qgis.Critical):
        result.setdefault("ioc_warnings", []).append(message[:300])
    if tag == "Python error" or (level == Qgis.Critical and tag in ("IOC", "Python")):
        errors.append(f"[{tag}] {message[:2000]}")


QgsApplication.messageLog().messageReceived.connect(_on_message)
_show_exception = qgis.utils.showException


def _record_exception(type_, value, tb, msg=None, messagebar=False, level=Qgis.Warning):
    errors.append("".join(traceback.format_exception(type_, value, tb))[-3000:])
    print("IOC-STARTUP python error:", errors[-1], flush=True)
    if os.environ.get("IOC_SMOKE") == "1":  # a modal error dialog would hang the unattended run
        return None
    return _show_exception(type_, value, tb, msg, messagebar, level)


qgis.utils.showException = _record_exception


def _receivers(obj, signal):
    try:
        return obj.receivers(signal)
    except (TypeError, RuntimeError):
        return -1


def ioc_objects():
    mw = iface.mainWindow()
    canvas = iface.mapCanvas()
    tool = canvas.mapTool()
    project = QgsProject.instance()
    return {
        "ioc_map_tool": int(tool is not None and type(tool).__module__.startswith(PLUGIN)),
        "project_signal_receivers": sum(
            _receivers(project, s)
            for s in (project.layersWillBeRemoved, project.layersAdded, project.readProject, project.cleared)
        ),
        "canvas_signal_receivers": sum(
            _receivers(canvas, s)
            for s in (canvas.mapToolSet, canvas.extentsChanged, canvas.selectionChanged, canvas.renderComplete)
        ),
        "actions": len([a for a in mw.findChildren(QAction) if a.objectName().startswith("ioc_")]),
        "docks": len([d for d in mw.findChildren(QDockWidget) if d.objectName() == "IocDock"]),
        "toolbars": len([t for t in mw.findChildren(QToolBar) if t.objectName() == "IocToolbar"]),
        "providers": len([p for p in QgsApplication.processingRegistry().providers() if p.id() == "ioc"]),
        "menu_entries": len([a for a in iface.pluginMenu().actions() if a.text().replace("&", "") == "IOC"]),
    }


def alive_qobjects():
    """Every QObject alive under the main window, by class (what an unload must give back, ours or QGIS's)."""
    counts = {}
    for obj in iface.mainWindow().findChildren(QObject):
        name = type(obj).__name__
        counts[name] = counts.get(name, 0) + 1
    return counts


def flush_deleted():
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        QCoreApplication.processEvents()


def wait(seconds):
    end = time.time() + seconds
    while time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def wait_tasks(timeout=60):
    end = time.time() + timeout
    manager = QgsApplication.taskManager()
    while manager.countActiveTasks() and time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    stuck = [t.description() for t in manager.activeTasks()]
    if stuck:
        errors.append(f"tasks still running after {timeout} s: {stuck}")


def finish(code):
    out = os.environ.get("IOC_RESULT")
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2, ensure_ascii=False)
    QCoreApplication.processEvents()
    os._exit(code)


def step(text):
    print(f"IOC-STARTUP {time.strftime('%H:%M:%S')} {text}", flush=True)


def take_screenshots(plugin, folder):
    """README pictures from the real desktop: panel, a report's card, a live camera and a camera grid."""
    os.makedirs(folder, exist_ok=True)
    mw = iface.mainWindow()
    mw.resize(1600, 950)
    wait(1.0)
    mw.grab().save(os.path.join(folder, "demo.png"))
    dock = plugin.dock
    tab = dock.reports
    dock.tabs.setCurrentWidget(tab)
    tab.show_state(2)  # overdue
    wait(0.5)
    if tab.model.rowCount():
        index = tab.model.index(0, 0)
        tab.view.selectRow(0)
        tab._row_clicked(index)
        wait(1.5)
    mw.grab().save(os.path.join(folder, "reports.png"))
    cams = plugin.cameras
    if cams is not None:
        viewer = cams.open_camera("CAM01")
        wait(4.0)
        if viewer is not None:
            viewer.window().grab().save(os.path.join(folder, "camera_viewer.png"))
            viewer.window().close()
        grid = cams.open_grid(["CAM01", "CAM02", "CAM03", "CAM04", "CAM05", "CAM06", "CAM07", "CAM08", "CAM09"])
        wait(5.0)
        if grid is not None:
            grid.window().resize(1200, 700)
            wait(1.0)
            grid.window().grab().save(os.path.join(folder, "camera_grid.png"))
            grid.window().close()
    step(f"screenshots in {folder}")


def provision_demo_auth():
    """The demo's Open311 api key into the auth manager, under the id the profile's ioc/open311_authcfg names."""
    master, key = os.environ.get("IOC_DEMO_AUTH_MASTER"), os.environ.get("IOC_DEMO_OPEN311_KEY")
    authcfg = os.environ.get("IOC_DEMO_OPEN311_AUTHCFG", "")
    if not (master and key and authcfg):
        return
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet() and not manager.setMasterPassword(master, True):
        errors.append("demo: the auth database did not accept the demo master password")
        return
    from ioc_qgis_plugin.gui.report_sync_task import store_api_key

    result["open311_authcfg"] = store_api_key("IOC demo Open311", key, authcfg)
    step("demo Open311 api key stored in the auth manager")


def _shot(widget, folder, name):
    canvas = iface.mapCanvas()
    end = time.time() + 20
    while canvas.isDrawing() and time.time() < end:  # a half-drawn map is not what the user sees
        QCoreApplication.processEvents()
        time.sleep(0.02)
    wait(0.3)
    path = os.path.join(folder, name)
    widget.grab().save(path)
    result.setdefault("shots", []).append(name)
    return path


def _bar_messages():
    bar = iface.messageBar()
    out = []
    for item in bar.items():
        out.append({"title": item.title(), "text": item.text(), "level": int(item.level())})
    return out


def walk_day(plugin, folder):
    """The operator's and the desk officer's day, driven through the real desktop, with a screenshot per step
    and the facts worth checking in the result JSON (IOC_WALK_DIR)."""
    from qgis.PyQt.QtWidgets import QApplication, QMessageBox

    os.makedirs(folder, exist_ok=True)
    walk = result.setdefault("walk", {})
    mw = iface.mainWindow()
    screen = QApplication.primaryScreen().geometry()
    mw.setGeometry(screen)
    wait(1.0)
    plugin._size_dock()
    wait(1.5)
    dock = plugin.dock
    walk["window"] = [mw.width(), mw.height()]
    walk["dock_width"] = dock.width()
    walk["dock_minimum_width"] = dock.minimumSizeHint().width()
    walk["tab_minimum_widths"] = {
        dock.tabs.tabText(i): dock.tabs.widget(i).minimumSizeHint().width() for i in range(dock.tabs.count())
    }
    dock.tabs.setCurrentWidget(dock.overview)
    wait(0.5)
    _shot(mw, folder, "01-overview.png")
    figures = {k: b.value for k, b in dock.overview.figures.items() if hasattr(b, "value")}
    walk["overview"] = figures

    # desk: overdue reports, open the first; the click opens no camera window
    tab = dock.reports
    dock.tabs.setCurrentWidget(tab)
    tab.show_state(2)
    wait(0.5)
    viewers_before = len(plugin.cameras.viewers) if plugin.cameras else 0
    ops = plugin._ops()
    row = 0
    if ops is not None:  # an overdue report a camera sees, so the operator's part of the walk has one
        ids = tab.data.cols["report_id"]
        for r in range(min(tab.model.rowCount(), 300)):
            if ops.cameras_seeing(str(ids[tab.model.rows[r]])):
                row = r
                break
    if tab.model.rowCount():
        tab.view.selectRow(row)
        tab._row_clicked(tab.model.index(row, 0))
        wait(1.5)
    walk["camera_windows_opened_by_row_click"] = (len(plugin.cameras.viewers) if plugin.cameras else 0) - viewers_before
    walk["messages_after_row_click"] = _bar_messages()
    _shot(mw, folder, "02-report-card.png")

    # desk: move the report one step forward and push it to the reporting system
    detail = plugin.report_detail
    walk["report"] = detail.report_id
    walk["preselected_next_status"] = detail.status_combo.currentData()
    if detail.report_id and detail.status_combo.isEnabled():
        walk["status_applied"] = bool(detail.apply_status())
    wait(1.0)
    iface.messageBar().clearWidgets()
    plugin.sync_reports()
    end = time.time() + 60
    while plugin.sync_task is not None and time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    wait(1.0)
    walk["sync_messages"] = _bar_messages()
    _shot(mw, folder, "03-sync.png")

    # one meaning of search: table and map agree, with or without accents
    tab.show_state(None)
    tab.filter_map.setChecked(True)
    counts = {}
    for needle in ("NGUYỄN TRÃI", "nguyen trai"):
        tab.search.setText(needle)
        tab.apply_filter()
        wait(0.5)
        counts[needle] = [tab.model.rowCount(), tab.layer.featureCount() if tab.layer else None]
    walk["search"] = counts
    iface.messageBar().clearWidgets()
    plugin._zoom_to_city(
        {
            "wards": next(
                x for x in QgsProject.instance().mapLayers().values() if x.customProperty("ioc/table") == "wards"
            )
        }
    )
    wait(2.0)
    _shot(mw, folder, "04-search.png")
    tab.search.setText("")
    tab.filter_map.setChecked(False)

    # lights: the tab's figures are the overview's
    if plugin.lights_tab is not None:
        dock.tabs.setCurrentWidget(plugin.lights_tab)
        wait(1.0)
        walk["lights_tab_counts"] = dict(plugin.lights_tab.counts)
        walk["overview_lights"] = [
            dock.overview.figures["lights_fault"].value,
            dock.overview.figures["lights_nodata"].value,
        ]
        walk["lights_command_enabled_for_role"] = plugin.lights_tab.detail.on_btn.isEnabled()
        view = plugin.lights_tab.view
        if view.model().rowCount():
            plugin.lights_tab._clicked(view.model().index(0, 0))
            wait(0.5)
        _shot(mw, folder, "05-lights.png")

    # data officer: the export dialog
    export = next((c for c in plugin.controllers if type(c).__name__ == "ExportController"), None)
    if export is not None:
        dlg = export.open_dialog()
        dlg.resize(760, 640)
        wait(1.0)
        _shot(dlg, folder, "06-export.png")
        dlg.tabs.setCurrentIndex(2)
        wait(0.3)
        _shot(dlg, folder, "07-export-target.png")
        dlg.close()

    # operator: a camera that sees the open report, then its snapshot into the report (asked first)
    cams = plugin.cameras
    seeing = []
    if ops is not None and detail.report_id:
        try:
            seeing = ops.cameras_seeing(detail.report_id)
        except Exception as exc:  # noqa: BLE001
            walk["cameras_seeing_error"] = str(exc)
    walk["cameras_seeing_report"] = seeing
    if cams is not None:
        cam_id = seeing[0] if seeing else "CAM01"
        viewer = cams.open_camera(cam_id)
        wait(5.0)
        if viewer is not None:
            viewer.window().resize(900, 560)
            wait(1.0)
            _shot(viewer.window(), folder, "08-camera.png")
        if seeing and detail.report_id:
            from qgis.PyQt.QtGui import QColor, QImage

            img = QImage(320, 180, QImage.Format_RGB32)
            img.fill(QColor("#34495e"))
            snap = os.path.join(folder, "snapshot-test.png")
            img.save(snap)
            asked = []

            def answer():
                box = QApplication.activeModalWidget()
                if not isinstance(box, QMessageBox):
                    QTimer.singleShot(50, answer)
                    return
                asked.append(box.text())
                _shot(box, folder, "09-snapshot-question.png")
                box.button(QMessageBox.No).click()

            QTimer.singleShot(200, answer)
            plugin._snapshot_taken(cam_id, snap)
            walk["snapshot_question"] = asked
            os.remove(snap)
        if viewer is not None:
            viewer.window().close()
        ids = [f"CAM{i:02d}" for i in range(1, 10)]
        grid = cams.open_grid(ids)
        wait(6.0)
        if grid is not None:
            grid.window().resize(1200, 700)
            wait(1.5)
            _shot(grid.window(), folder, "10-camera-grid.png")
            grid.window().close()
    wait(0.5)
    walk["tasks_in_task_manager_at_end"] = [t.description() for t in QgsApplication.taskManager().activeTasks()]
    step(f"walk screenshots in {folder}")


def main():
    try:
        provision_demo_auth()
        result["plugin_loaded"] = PLUGIN in qgis.utils.plugins
        plugin = qgis.utils.plugins.get(PLUGIN)
        gpkg = os.environ.get("IOC_GPKG")
        if plugin is not None and gpkg:
            step("opening store")
            result["store_opened"] = plugin.open_gpkg(gpkg)
            step("waiting for tasks")
            wait_tasks()
            step("tasks done")
            wait(1.5)
            iface.mapCanvas().refreshAllLayers()
            wait(2.0)
            dock = plugin.dock
            result["panel_rows"] = dock.reports.model.rowCount() if dock else 0
            result["layers"] = sorted(lyr.name() for lyr in QgsProject.instance().mapLayers().values())
            result["project_crs"] = QgsProject.instance().crs().authid()
            result["canvas_crs"] = iface.mapCanvas().mapSettings().destinationCrs().authid()
        shots = os.environ.get("IOC_SHOTS_DIR")
        if shots and plugin is not None:
            take_screenshots(plugin, shots)
        walk_dir = os.environ.get("IOC_WALK_DIR")
        if walk_dir and plugin is not None:
            walk_day(plugin, walk_dir)
        shot = os.environ.get("IOC_SCREENSHOT")
        if shot:
            iface.mainWindow().grab().save(shot)
            result["screenshot"] = shot
        if os.environ.get("IOC_SMOKE") == "1":
            result["objects_loaded"] = ioc_objects()
            step("unloading")
            qgis.utils.unloadPlugin(PLUGIN)
            flush_deleted()
            baseline = ioc_objects()
            result["objects_after_unload"] = baseline
            wait(1.5)  # let transient animations (message bar, dock layout) run out before counting
            flush_deleted()
            alive_before = alive_qobjects()
            cycles = 20
            for i in range(cycles):
                step(f"cycle {i}")
                qgis.utils.loadPlugin(PLUGIN)
                qgis.utils.startPlugin(PLUGIN)
                qgis.utils.unloadPlugin(PLUGIN)
                flush_deleted()
            wait(1.5)
            flush_deleted()
            after = ioc_objects()
            result["objects_after_20_cycles"] = after
            alive_after = alive_qobjects()
            grown = {k: alive_after.get(k, 0) - alive_before.get(k, 0) for k in set(alive_after) | set(alive_before)}
            result["unload_cycles"] = cycles
            result["leaked_qobjects_by_class"] = {k: v for k, v in sorted(grown.items()) if v}
            # objects QGIS releases late (from the first load, with the store open) do not offset a leak
            result["unload_leaked_qobjects"] = sum(v for v in grown.values() if v > 0)
            # our own objects must be gone; signal receivers must be back to what QGIS had without the plugin
            clean = (
                all(v == 0 for k, v in after.items() if not k.endswith("_receivers"))
                and all(after[k] == baseline[k] for k in after if k.endswith("_receivers"))
                and result["unload_leaked_qobjects"] == 0
            )
            result["clean_unload"] = clean
            ok = (
                not errors
                and result.get("plugin_loaded")
                and clean
                and (not gpkg or (result.get("store_opened") and result.get("panel_rows", 0) > 0))
            )
            finish(0 if ok else 1)
        exit_after = float(os.environ.get("IOC_EXIT_AFTER_S", "0") or 0)
        if exit_after:
            QTimer.singleShot(int(exit_after * 1000), lambda: finish(0 if not errors else 1))
    except Exception:  # the verdict must be written whatever happened
        errors.append(traceback.format_exc())
        finish(1)


if os.environ.get("IOC_SMOKE") == "1":  # a hang shows where every thread is, instead of a silent timeout
    import faulthandler
    import sys

    faulthandler.dump_traceback_later(90, exit=False, file=sys.stderr)
QTimer.singleShot(500, main)
QgsMessageLog.logMessage("IOC startup script armed", "IOC", Qgis.Info)
