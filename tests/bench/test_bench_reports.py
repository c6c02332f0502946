"""Field-report benchmarks: full and incremental Open311 sync into a GeoPackage, deadline state for 1M reports."""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np

from ioc_qgis_plugin.connectors.open311 import Open311Client
from ioc_qgis_plugin.core.sla import SlaRules, deadline_state
from ioc_qgis_plugin.core.statuses import OPEN_STATUSES
from ioc_qgis_plugin.demo.citygen import City, CityConfig
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from ioc_qgis_plugin.sync.open311_sync import ReportSync
from tests.support.open311_data import END, demo_rows, demo_wards


def test_bench_open311_sync(bench_record, tmp_path) -> None:
    rows = demo_rows(12_000)
    for r in rows:
        for key in ("ward_id", "due_at", "priority"):
            r.pop(key)
    store = GeoPackageStore.create(tmp_path / "bench.gpkg")
    wards, geoms = demo_wards()
    store.insert("wards", wards, geoms)
    clock = {"t": END}
    with Open311Server(rows, now=lambda: clock["t"]) as srv:
        client = Open311Client(srv.url, api_key="demo-key")

        def sync() -> ReportSync:
            return ReportSync(store, client, now=lambda: clock["t"], initial_since=END - timedelta(days=800))

        t0 = time.perf_counter()
        full = sync().run()
        full_s = time.perf_counter() - t0
        assert full.inserted == 12_000 and store.count("field_reports") == 12_000
        bench_record(
            "reports.open311_full_sync_12k",
            full_s,
            "s",
            target="<= 10 s",
            note=f"{full.windows} windows, {client.calls} HTTP calls, local server, GeoPackage store, wards assigned",
        )

        changed = [r["report_id"] for r in rows[-100:]]
        clock["t"] = END + timedelta(hours=2)
        srv.state.touch(changed, notes="Cập nhật từ hệ thống thành phố", at=END + timedelta(hours=1))
        t0 = time.perf_counter()
        inc = sync().run()
        inc_s = time.perf_counter() - t0
        assert inc.updated == 100
        bench_record(
            "reports.open311_incremental_sync_100",
            inc_s,
            "s",
            target="<= 1 s",
            note=f"{inc.fetched} fetched, {inc.updated} updated",
        )
    store.close()


def test_bench_deadline_state_1m(bench_record) -> None:
    city = City(CityConfig(end="2024-06-01"))
    arr = city.report_arrays(1_000_000)
    rules = SlaRules.default()
    is_open = np.isin(arr["status"], [s.value for s in OPEN_STATUSES])
    now = city.end_epoch
    t0 = time.perf_counter()
    hours = rules.hours_array(arr["service_code"], arr["priority"])
    due = arr["requested"] + hours * 3600.0
    state = deadline_state(arr["requested"], due, arr["resolved"], is_open, now, rules.due_soon_fraction)
    total = time.perf_counter() - t0
    assert len(state) == 1_000_000
    t1 = time.perf_counter()
    deadline_state(arr["requested"], arr["due"], arr["resolved"], is_open, now, rules.due_soon_fraction)
    classify_only = time.perf_counter() - t1
    bench_record(
        "reports.deadline_state_1m",
        total,
        "s",
        target="<= 2 s",
        note=f"rules lookup + classification; classification alone {classify_only:.3f} s",
    )
