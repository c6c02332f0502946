"""Report → cameras and camera → reports: known geometry, bad input, demo city, and agreement with shapely."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point

from ioc_qgis_plugin.core.fov import fov_wedge
from ioc_qgis_plugin.ops.view_index import Cameras, Reports, ViewIndex

GEOD = Geod(ellps="WGS84")
LON, LAT = 107.2445, 10.938


def at(azimuth: float, dist: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(LON, LAT, azimuth, dist)
    return float(lon), float(lat)


def cams(*rows: dict) -> Cameras:
    return Cameras.from_rows([{"camera_id": f"C{i}", "lon": LON, "lat": LAT, **r} for i, r in enumerate(rows)])


def reports(points: list[tuple[float, float]], open_: list[bool] | None = None) -> Reports:
    n = len(points)
    return Reports(
        ids=np.array([f"R{i}" for i in range(n)], dtype=object),
        lon=np.array([p[0] for p in points], dtype=float),
        lat=np.array([p[1] for p in points], dtype=float),
        is_open=np.array(open_ if open_ is not None else [True] * n),
    )


def test_east_camera_sees_east_not_west_nor_too_far():
    east50, west50, east150 = at(90, 50), at(270, 50), at(90, 150)
    idx = ViewIndex(cams({"bearing": 90, "angle": 60, "range_m": 100}), reports([east50, west50, east150]))
    assert [h.camera_id for h in idx.cameras_seeing(*east50)] == ["C0"]
    assert idx.cameras_seeing(*east50)[0].distance_m == pytest.approx(50, abs=0.01)
    assert idx.cameras_seeing(*west50) == []
    assert idx.cameras_seeing(*east150) == []
    assert idx.reports_in_view("C0").report_ids == ["R0"]


def test_edges_of_the_angle():
    idx = ViewIndex(cams({"bearing": 90, "angle": 60, "range_m": 100}))
    assert idx.cameras_seeing(*at(118, 60))  # 28° off axis: inside
    assert not idx.cameras_seeing(*at(123, 60))  # 33° off axis: outside


def test_dome_and_missing_bearing_see_all_around_with_a_note():
    pts = [at(0, 40), at(180, 40), at(270, 90)]
    idx = ViewIndex(cams({"range_m": 100}, {"bearing": 90, "range_m": 100}), reports(pts))
    assert "360" in idx.notes["C0"] and "360" in idx.notes["C1"]
    for p in pts:
        assert {h.camera_id for h in idx.cameras_seeing(*p)} == {"C0", "C1"}
        assert "360" in idx.cameras_seeing(*p)[0].note
    assert idx.reports_in_view("C0").report_ids == ["R0", "R1", "R2"]  # nearest first


def test_camera_without_range_or_position_is_left_out_with_a_note():
    idx = ViewIndex(cams({"bearing": 90, "angle": 60}, {"lon": None, "range_m": 50}), reports([at(90, 10)]))
    assert idx.cameras_seeing(*at(90, 10)) == []
    res = idx.reports_in_view("C0")
    assert res.report_ids == [] and "range" in res.note
    assert "location" in idx.reports_in_view("C1").note
    assert "not known" in idx.reports_in_view("nope").note


def test_reports_without_location_and_open_only():
    pts = [at(90, 20), (np.nan, np.nan), at(90, 30)]
    idx = ViewIndex(cams({"bearing": 90, "angle": 60, "range_m": 100}), reports(pts, [True, True, False]))
    assert idx.unlocated_reports == 1
    assert idx.reports_in_view("C0").report_ids == ["R0"]
    assert idx.reports_in_view("C0", open_only=False).report_ids == ["R0", "R2"]
    hits, note = idx.cameras_for_report("R1")
    assert hits == [] and "no location" in note
    assert idx.cameras_seeing(None, None) == [] and idx.cameras_seeing(np.nan, 1.0) == []
    assert [h.camera_id for h in idx.cameras_for_report("R0")[0]] == ["C0"]


def test_nearest_first():
    far = {"lon": at(270, 80)[0], "lat": at(270, 80)[1], "bearing": 90, "angle": 40, "range_m": 200}
    near = {"lon": at(270, 20)[0], "lat": at(270, 20)[1], "bearing": 90, "angle": 40, "range_m": 200}
    idx = ViewIndex(cams(far, near))
    assert [h.camera_id for h in idx.cameras_seeing(LON, LAT)] == ["C1", "C0"]


def test_random_data_agrees_with_brute_force_shapely():
    rng = np.random.default_rng(3)
    n_cam, n_rep = 60, 4000
    clon = LON + rng.uniform(-0.01, 0.01, n_cam)
    clat = LAT + rng.uniform(-0.01, 0.01, n_cam)
    rows = []
    for i in range(n_cam):
        dome = i % 7 == 0
        rows.append(
            {
                "camera_id": f"C{i}",
                "lon": clon[i],
                "lat": clat[i],
                "bearing": None if dome else rng.uniform(0, 360),
                "angle": None if dome else rng.choice([30, 60, 90, 120]),
                "range_m": rng.uniform(50, 300),
            }
        )
    cameras = Cameras.from_rows(rows)
    # reports clustered around cameras so many are near wedge edges
    k = rng.integers(0, n_cam, n_rep)
    rlon = clon[k] + rng.normal(0, 0.0015, n_rep)
    rlat = clat[k] + rng.normal(0, 0.0015, n_rep)
    rep = reports(list(zip(rlon, rlat)), list(rng.uniform(size=n_rep) < 0.6))
    idx = ViewIndex(cameras, rep)
    wedges = [
        fov_wedge(r["lon"], r["lat"], r["bearing"], r["angle"], r["range_m"]) for r in rows
    ]  # the brute-force truth
    truth = np.array([[w.covers(Point(x, y)) for x, y in zip(rlon, rlat)] for w in wedges])
    assert truth.sum() > 500
    for i in range(n_cam):
        got = set(idx.reports_in_view(f"C{i}", open_only=False).rows.tolist())
        assert got == set(np.flatnonzero(truth[i]).tolist()), f"camera C{i}"
        got_open = set(idx.reports_in_view(f"C{i}").rows.tolist())
        assert got_open == set(np.flatnonzero(truth[i] & rep.is_open).tolist())
    for j in range(0, n_rep, 7):
        got = {h.camera_id for h in idx.cameras_seeing(rlon[j], rlat[j])}
        assert got == {f"C{i}" for i in np.flatnonzero(truth[:, j])}


def test_demo_city_cameras_see_their_hot_spot_reports(tmp_path):
    from ioc_qgis_plugin.demo.citygen import City, CityConfig

    cfg = CityConfig(reports=6000, cameras=30, end="2026-11-20")
    city = City(cfg)
    city.wards()  # cameras need the ward polygons
    cam_rows, geoms = city.cameras()
    arr = city.report_arrays()
    for r, g in zip(cam_rows, geoms):
        r["lon"], r["lat"] = g.x, g.y
    cameras = Cameras.from_rows(cam_rows)
    status = arr["status"]
    rep = Reports.from_columns(
        {
            "report_id": np.array([f"PA-{i}" for i in range(len(status))], dtype=object),
            "status": status,
            "lon": arr["lon"],
            "lat": arr["lat"],
        }
    )
    idx = ViewIndex(cameras, rep)
    seen_any = 0
    for r in cam_rows:
        res = idx.reports_in_view(r["camera_id"], open_only=False)
        if res.report_ids:
            seen_any += 1
            # and the other way round: the report's cameras include this one
            first = idx._report_row[res.report_ids[0]]
            assert r["camera_id"] in {h.camera_id for h in idx.cameras_seeing(rep.lon[first], rep.lat[first])}
    # the cameras watch hot spots: nearly all of them see reports
    assert seen_any >= 0.8 * len(cam_rows)
