"""Report → cameras and camera → reports lookups over 300 cameras × 100,000 reports (measurements)."""

from __future__ import annotations

import time

import numpy as np

from ioc_qgis_plugin.demo.citygen import City, CityConfig
from ioc_qgis_plugin.ops.view_index import Cameras, Reports, ViewIndex


def _city(n_cameras: int = 300, n_reports: int = 100_000) -> ViewIndex:
    city = City(CityConfig(cameras=n_cameras, reports=n_reports, end="2026-11-20"))
    city.wards()
    rows, geoms = city.cameras()
    for r, g in zip(rows, geoms):
        r["lon"], r["lat"] = g.x, g.y
    arr = city.report_arrays()
    reports = Reports.from_columns(
        {
            "report_id": np.array([f"PA-{i:06d}" for i in range(len(arr["lon"]))], dtype=object),
            "status": arr["status"],
            "lon": arr["lon"],
            "lat": arr["lat"],
        }
    )
    cameras = Cameras.from_rows(rows)
    t0 = time.perf_counter()
    idx = ViewIndex(cameras, reports)
    idx.build_s = time.perf_counter() - t0
    return idx


def _percentiles(times: list[float]) -> tuple[float, float]:
    ms = np.array(times) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def test_bench_report_to_cameras_and_back(bench_record):
    idx = _city()
    bench_record("ops_index_build_300cam_100k", idx.build_s * 1000, "ms", note="wedges + STRtree + report sort")
    rng = np.random.default_rng(1)
    r = idx.reports
    sample = rng.choice(len(r), 2000, replace=False)
    times, seen = [], 0
    for i in sample:
        t = time.perf_counter()
        hits = idx.cameras_seeing(r.lon[i], r.lat[i])
        times.append(time.perf_counter() - t)
        seen += bool(hits)
    p50, p95 = _percentiles(times)
    bench_record("ops_report_to_cameras_p50", p50, "ms", target="≤ 100 ms per lookup", note=f"{seen}/2000 seen")
    bench_record("ops_report_to_cameras_p95", p95, "ms", target="≤ 100 ms per lookup")
    times, found = [], 0
    for cid in idx.cameras.ids:
        t = time.perf_counter()
        res = idx.reports_in_view(str(cid), open_only=False)
        times.append(time.perf_counter() - t)
        found += len(res.report_ids)
    p50, p95 = _percentiles(times)
    bench_record("ops_camera_to_reports_p50", p50, "ms", target="≤ 100 ms per lookup", note=f"{found} hits")
    bench_record("ops_camera_to_reports_p95", p95, "ms", target="≤ 100 ms per lookup")
