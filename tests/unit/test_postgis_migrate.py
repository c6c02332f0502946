"""City migrations upgrade an older database with data (nothing lost), then the SQL-side panel, deadline and grid
work agrees with the numpy versions on the same demo city."""

from __future__ import annotations

import time

import numpy as np
import pytest
from pyproj import Transformer

from ioc_qgis_plugin.core.report_filter import REPORT_COLUMNS, ReportData, ReportFilter
from ioc_qgis_plugin.core.sla import DeadlineState
from ioc_qgis_plugin.demo.citygen import City, CityConfig
from ioc_qgis_plugin.store import migrations
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import migrate_city
from ioc_qgis_plugin.store.postgis_sql import filter_where

N = 1500
SUMMARY_FILTERS = [
    ReportFilter(),
    ReportFilter(open_only=True),
    ReportFilter(wards=("W01", "W02"), categories=("traffic",)),
    ReportFilter(date_from=time.time() - 90 * 86400),
    ReportFilter(date_from=time.time() - 300 * 86400, date_to=time.time() - 30 * 86400, statuses=("closed",)),
]


def _snapshot(store: PostgisStore) -> tuple[list, list]:
    t = store.schema.table("field_reports")
    reports = store.fetch("field_reports", columns=t.column_names, order_by="report_id")
    events = store.fetch("report_events", order_by="fid")
    return reports, events


@pytest.fixture(scope="module")
def upgraded(pg_cluster):
    """An 'old' store (plain schema_version 1, no city level) with reports and history, then migrated 0→1→2."""
    dsn = pg_cluster.createdb("old_city")
    old = PostgisStore.create(dsn)
    old.set_meta("analysis_srid", "5899")
    city = City(CityConfig(reports=N))
    city.wards()  # reports need the ward polygons
    old.upsert_reports(city.reports())
    old.update_report("PA-000001", {"status_notes": "ghi chú cũ"}, "old desk")
    before = _snapshot(old)
    assert old.city_version() == 0
    old.close()

    assert migrate_city(dsn, target=1) == [1]
    mid = PostgisStore.open(dsn)
    assert mid.city_version() == 1 and _snapshot(mid) == before  # level 1 changes no data
    mid.close()
    assert migrate_city(dsn, target=3) == [2, 3]
    level3 = PostgisStore.open(dsn)
    counts3 = {repr(f): level3.report_counts(f) for f in SUMMARY_FILTERS}  # from field_reports
    snap3 = _snapshot(level3)
    level3.close()
    assert migrate_city(dsn) == list(range(4, migrations.latest_version() + 1))
    assert migrate_city(dsn) == []  # idempotent
    store = PostgisStore.open(dsn)
    # level 4 (panel summary): same rows, and the counts now read from the summary are identical
    assert _snapshot(store) == snap3
    assert {repr(f): store.report_counts(f) for f in SUMMARY_FILTERS} == counts3
    yield store, before
    store.close()


def test_nothing_lost_and_schema_still_version_1(upgraded):
    store, (reports, events) = upgraded
    store.check_schema()  # the shared schema_version is unchanged: GeoPackage and PostGIS code keep working
    assert store.city_version() == migrations.latest_version()
    assert _snapshot(store) == (reports, events)  # same rows, same values, no audit noise from the migration
    assert store.count("field_reports", "deadline_state IS NULL OR ax IS NULL") == 0  # derived columns filled
    assert store._query("SELECT sum(n) FROM ioc.report_summary")[0][0] == N  # every report in the panel summary


def _numpy_data(store: PostgisStore, now: float) -> ReportData:
    return ReportData.from_columns(store.columns("field_reports", list(REPORT_COLUMNS)), now)


def test_deadline_refresh_matches_numpy(upgraded):
    store, _ = upgraded
    now = time.time() + 6 * 3600  # six hours on: open reports move to due soon / overdue
    store.refresh_deadline_state(now)
    data = _numpy_data(store, now)
    stored = store.columns("field_reports", ["fid"])["fid"]
    rows = dict(store._query("SELECT fid, deadline_state FROM ioc.field_reports"))
    np.testing.assert_array_equal([rows[int(f)] for f in stored], data.state)
    assert store.refresh_deadline_state(now) == 0  # nothing left to change


@pytest.mark.parametrize(
    "flt",
    [
        ReportFilter(),
        ReportFilter(wards=("W01", "W03"), categories=("traffic", "environment")),
        ReportFilter(open_only=True),
        ReportFilter(statuses=("closed",), date_from=time.time() - 200 * 86400),
        ReportFilter(states=(int(DeadlineState.OVERDUE), int(DeadlineState.RESOLVED_LATE))),
        ReportFilter(text="PA-00001"),
        ReportFilter(date_from=time.time() - 45.5 * 86400, date_to=time.time() - 3.2 * 86400),
        ReportFilter(open_only=True, wards=("W02",), date_to=time.time() - 10 * 86400),
    ],
)
def test_panel_counts_match_numpy_filter(upgraded, flt):
    store, _ = upgraded
    now = time.time() + 6 * 3600
    store.refresh_deadline_state(now)
    data = _numpy_data(store, now)
    m = flt.mask(data)
    counts = store.report_counts(flt)
    assert counts == store._rollup(store._base_counts(*filter_where(flt)))  # summary == base table
    assert counts["total"] == int(m.sum())
    statuses, n = np.unique(data.cols["status"][m], return_counts=True)
    assert counts["status"] == dict(zip(statuses.tolist(), n.tolist()))
    states, n = np.unique(data.state[m], return_counts=True)
    assert counts["deadline_state"] == dict(zip(states.tolist(), n.tolist()))


def test_grid_counts_match_numpy(upgraded):
    store, _ = upgraded
    lon, lat, ax, ay = np.array(store._query("SELECT ST_X(geom), ST_Y(geom), ax, ay FROM ioc.field_reports")).T
    x, y = Transformer.from_crs(4326, 5899, always_xy=True).transform(lon, lat)
    np.testing.assert_allclose(ax, x, atol=0.01)
    np.testing.assert_allclose(ay, y, atol=0.01)
    for srid in (5899, 3405):  # stored analysis coordinates, then an on-the-fly transform
        g = store.grid_counts(500.0, srid)
        if srid == 5899:
            gx, gy = ax, ay
        else:
            gx, gy = np.array(
                store._query(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(geom, 3405) p " "FROM ioc.field_reports) q"
                )
            ).T
        keys, n = np.unique(np.stack([np.floor(gx / 500), np.floor(gy / 500)], 1), axis=0, return_counts=True)
        expected = {(int(a), int(b)): int(c) for (a, b), c in zip(keys, n)}
        assert dict(zip(zip(g["ix"].tolist(), g["iy"].tolist()), g["count"].tolist())) == expected
        assert g["count"].sum() == N


def test_changed_report_keeps_derived_columns_current(upgraded):
    store, _ = upgraded
    rid = store.fetch("field_reports", "status = 'received'", columns=["report_id"], limit=1)[0]["report_id"]
    store.update_report(rid, {"status": "rejected"}, "desk")
    assert store._query("SELECT deadline_state FROM ioc.field_reports WHERE report_id = ?", (rid,))[0][0] == int(
        DeadlineState.NO_DEADLINE
    )
