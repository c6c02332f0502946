"""OpsController in real QGIS: report → cameras opens the right grid, camera → reports selects on the layer,
temporal replay settings and frames, the ward briefing from the panel, clean unload."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from qgis.core import QgsProject, QgsVectorLayerTemporalProperties
from qgis.PyQt.QtCore import QCoreApplication, QSize
from qgis.PyQt.QtGui import QImage
from shapely.geometry import Point

from ioc_qgis_plugin.core.fov import fov_wedge
from ioc_qgis_plugin.core.timeutil import CITY_TZ
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.waiting import wait_until


@pytest.fixture
def ops(qgis_iface, qgis_new_project, demo_copy):
    from ioc_qgis_plugin.gui.camera_controller import CameraController
    from ioc_qgis_plugin.gui.layers import add_ioc_layers, remove_ioc_layers
    from ioc_qgis_plugin.gui.ops_controller import OpsController
    from ioc_qgis_plugin.gui.settings import IocSettings

    store = GeoPackageStore.open(demo_copy)
    store._execute("UPDATE cameras SET stream_url = 'rtsp://127.0.0.1:1/none', substream_url = ''")  # unreachable
    layers = add_ioc_layers(store, IocSettings(gpkg_path=str(demo_copy)))
    store.close()
    cams = CameraController(qgis_iface)
    cams.set_layer(layers["cameras"], start_health=False)
    ctl = OpsController(qgis_iface, lambda: GeoPackageStore.open(demo_copy), cams)
    ctl.demo = demo_copy
    yield ctl
    ctl.unload()
    cams.unload()
    remove_ioc_layers()
    QgsProject.instance().clear()


def brute_force(path: Path) -> tuple[list[dict], list[dict]]:
    store = GeoPackageStore.open(path)
    cams = store.fetch("cameras", geometry=True)
    reps = store.fetch("field_reports", columns=["fid", "report_id", "status", "lon", "lat"])
    store.close()
    return cams, reps


def test_actions_are_the_four_views(ops):
    texts = [a.text() for a in ops.actions()]
    assert texts == [
        "Cameras seeing this report",
        "Reports in this camera's view",
        "Ward briefing…",
        "Replay animation…",
    ]


def test_cameras_for_a_report_opens_the_cameras_that_see_it(ops):
    cams, reps = brute_force(ops.demo)
    wedges = {c["camera_id"]: fov_wedge(c["geom"].x, c["geom"].y, c["bearing"], c["angle"], c["range_m"]) for c in cams}
    seen = []
    for r in reps:
        ids = {cid for cid, w in wedges.items() if w.covers(Point(r["lon"], r["lat"]))}
        if len(ids) >= 2:
            seen.append((r["report_id"], ids))
            break
    assert seen, "the demo city has reports seen by two cameras"
    report_id, expected = seen[0]
    found = []
    ops.cameras_found.connect(lambda rid, ids: found.append((rid, ids)))
    hits = ops.open_cameras_for_report(report_id)
    assert {h.camera_id for h in hits} == expected
    assert found == [(report_id, [h.camera_id for h in hits])]
    grid = ops.camera_controller.grids[-1]
    assert {c.camera_id for c in grid.cameras} == expected
    # a report nobody sees opens nothing and says so
    before = len(ops.camera_controller.grids)
    unseen = next(r["report_id"] for r in reps if not any(w.covers(Point(r["lon"], r["lat"])) for w in wedges.values()))
    assert ops.open_cameras_for_report(unseen) == [] and len(ops.camera_controller.grids) == before


def test_clicking_a_report_row_opens_no_camera_window_and_posts_no_notice(ops):
    """Issue 21 item 4: the row click only remembers the report; cameras open on the operator's request."""
    cams, reps = brute_force(ops.demo)
    wedges = [fov_wedge(c["geom"].x, c["geom"].y, c["bearing"], c["angle"], c["range_m"]) for c in cams]
    seen = next(r["report_id"] for r in reps if any(w.covers(Point(r["lon"], r["lat"])) for w in wedges))
    bar = ops.iface.messageBar()
    messages_before = len(bar.items()) if hasattr(bar, "items") else None
    found = []
    ops.cameras_found.connect(lambda rid, ids: found.append(rid))
    for _ in range(3):
        ops.report_activated(seen)
        QCoreApplication.processEvents()
    assert ops.camera_controller.viewers == {} and ops.camera_controller.grids == []
    assert found == []
    if messages_before is not None:
        assert len(bar.items()) == messages_before
    assert ops.last_report_id == seen
    assert ops.cameras_seeing(seen)  # the quiet question still has its answer


def test_camera_click_selects_open_reports_in_view(ops):
    from ioc_qgis_plugin.core.statuses import OPEN_STATUSES
    from ioc_qgis_plugin.gui.layers import ioc_layer

    cams, reps = brute_force(ops.demo)
    open_values = {s.value for s in OPEN_STATUSES}
    best = None
    for c in cams:
        w = fov_wedge(c["geom"].x, c["geom"].y, c["bearing"], c["angle"], c["range_m"])
        inside = {r["fid"] for r in reps if r["status"] in open_values and w.covers(Point(r["lon"], r["lat"]))}
        if best is None or len(inside) > len(best[1]):
            best = (c["camera_id"], inside)
    camera_id, expected = best
    assert expected
    res = ops.select_reports_in_view(camera_id)
    layer = ioc_layer("field_reports")
    assert set(layer.selectedFeatureIds()) == expected
    assert len(res.report_ids) == len(expected)
    # the map tool path: the action puts the tool on the canvas, a click emits the camera id
    ops.view_action.trigger()
    assert ops.iface.mapCanvas().mapTool() is ops.map_tool
    ops.view_action.trigger()
    assert ops.iface.mapCanvas().mapTool() is not ops.map_tool


def test_replay_temporal_settings_and_frames(ops, tmp_path):
    from ioc_qgis_plugin.gui.layers import ioc_layer
    from ioc_qgis_plugin.gui.ops_replay import render_frames
    from ioc_qgis_plugin.ops.animation import frame_plan

    start = datetime(2026, 11, 1, tzinfo=CITY_TZ).timestamp()
    end = datetime(2026, 11, 4, tzinfo=CITY_TZ).timestamp()
    layers = ops.prepare_replay(start, end, 86400)
    reports = ioc_layer("field_reports")
    props = reports.temporalProperties()
    assert props.isActive()
    assert props.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields
    assert props.startField() == "requested_at" and props.endField() == "resolved_at"
    lights = ioc_layer("street_lights").temporalProperties()
    assert lights.isActive() and lights.startField() == "last_report"
    assert len(layers) == 3
    nav = ops.iface.mapCanvas().temporalController()
    if hasattr(nav, "frameDuration"):
        assert nav.frameDuration().days() == pytest.approx(1)
    # frames: the reports layer filtered to each day; a day long before the history draws no report
    reports.updateExtents()
    frames = frame_plan(start, end, 86400)
    files = render_frames([reports], reports.extent(), reports.crs(), frames, tmp_path, QSize(320, 200), "IOC")
    assert [f.name for f in files] == ["frame_00000.png", "frame_00001.png", "frame_00002.png"]
    empty = render_frames(
        [reports], reports.extent(), reports.crs(), frame_plan(0, 86400, 86400), tmp_path / "old", QSize(320, 200)
    )

    def coloured(path: Path) -> int:
        img = QImage(str(path))
        return sum(
            1
            for x in range(0, img.width(), 2)
            for y in range(40, img.height(), 2)
            if QImage(img).pixelColor(x, y).saturation() > 80
        )

    assert coloured(files[0]) > coloured(empty[0])


def test_briefing_from_the_panel_runs_as_a_task(ops, tmp_path):
    runner = ops.run_briefing(date(2026, 11, 19), tmp_path, ["W01", "W02"], days=7)
    done, failed = [], []
    runner.finished.connect(done.append)
    runner.failed.connect(failed.append)
    assert wait_until(lambda: done or failed, 60), "briefing did not finish"
    assert not failed, failed
    names = sorted(p.name for p in done[0])
    assert names == ["bao-cao-W01-2026-11-19.pdf", "bao-cao-W02-2026-11-19.pdf", "bao-cao-phuong-2026-11-19.pdf"]


def test_unload_removes_the_map_tool(ops):
    ops.view_action.trigger()
    ops.unload()
    assert ops.iface.mapCanvas().mapTool() is not ops.map_tool
    ops.unload = lambda: None  # the fixture's second call
