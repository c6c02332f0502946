"""City migration 6 (issue 20): a rejected or duplicate report that carries a resolution time has no deadline in
the database too, as in the panel's numpy path and the Processing algorithm. At level 5 the stored deadline_state
called such a report "resolved on time" or "late"; after the migration only that derived column changed."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ioc_qgis_plugin.core.report_filter import REPORT_COLUMNS, ReportData, ReportFilter
from ioc_qgis_plugin.core.sla import DeadlineState
from ioc_qgis_plugin.core.timeutil import epoch_to_iso, iso_to_epoch_array
from ioc_qgis_plugin.demo.citygen import City, CityConfig
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import migrate_city
from ioc_qgis_plugin.store.postgis_sql import filter_where

N = 900
RETURNED = ("rejected", "duplicate")


def _returned_with_times(rows: list[dict]) -> list[str]:
    """Give every returned report a resolution time, alternately within and after its deadline (as an Open311
    server that stamps the rejection time sends it)."""
    ids = []
    for k, r in enumerate(x for x in rows if x["status"] in RETURNED):
        req, due = iso_to_epoch_array([r["requested_at"], r["due_at"]])
        r["resolved_at"] = epoch_to_iso(req + 600 if k % 2 == 0 else due + 3600)
        ids.append(r["report_id"])
    return ids


def _rows_without_state(store: PostgisStore, table: str) -> list[str]:
    rows = store._query(f"SELECT to_jsonb(x) - 'fid' - 'deadline_state' FROM ioc.{table} x")
    return sorted(str(r[0]) for r in rows if not (table == "ioc_meta" and r[0]["key"] == "postgis_city_version"))


@pytest.fixture(scope="module")
def level5(pg_cluster):
    dsn = pg_cluster.createdb("city_level5_returned")
    store = PostgisStore.create(dsn)
    store.set_meta("analysis_srid", "5899")
    store.close()
    assert migrate_city(dsn, target=5) == [1, 2, 3, 4, 5]
    city = City(CityConfig(reports=N))
    city.wards()
    rows = city.reports()
    ids = _returned_with_times(rows)
    owner = PostgisStore.open(dsn)
    owner.upsert_reports(rows)
    owner.close()
    assert len(ids) >= 10
    return dsn, ids


def test_level6_gives_returned_reports_no_deadline_and_changes_nothing_else(level5):
    dsn, ids = level5
    owner = PostgisStore.open(dsn)
    try:
        states = dict(
            owner._query("SELECT report_id, deadline_state FROM ioc.field_reports WHERE report_id = ANY(?)", (ids,))
        )
        # the defect at level 5: returned reports counted as handled on time or late
        assert set(states.values()) == {int(DeadlineState.RESOLVED_ON_TIME), int(DeadlineState.RESOLVED_LATE)}
        tables = ("field_reports", "report_events", "report_outbox", "ioc_meta")
        before = {t: _rows_without_state(owner, t) for t in tables}
    finally:
        owner.close()

    assert migrate_city(dsn) == [6]
    owner = PostgisStore.open(dsn)
    try:
        assert {t: _rows_without_state(owner, t) for t in tables} == before
        states = dict(
            owner._query("SELECT report_id, deadline_state FROM ioc.field_reports WHERE report_id = ANY(?)", (ids,))
        )
        assert set(states.values()) == {int(DeadlineState.NO_DEADLINE)}
        # the stored column is what the panel's numpy path computes, row for row
        now = time.time()
        owner.refresh_deadline_state(now)
        data = ReportData.from_columns(owner.columns("field_reports", list(REPORT_COLUMNS)), now)
        stored = dict(owner._query("SELECT fid, deadline_state FROM ioc.field_reports"))
        fids = owner.columns("field_reports", ["fid"])["fid"]
        np.testing.assert_array_equal([stored[int(f)] for f in fids], data.state)
        # and the panel summary follows: counts from the summary equal counts from the base table
        for flt in (ReportFilter(), ReportFilter(states=(int(DeadlineState.RESOLVED_ON_TIME),))):
            counts = owner.report_counts(flt)
            assert counts == owner._rollup(owner._base_counts(*filter_where(flt)))
            assert counts["total"] == int(flt.mask(data).sum())
    finally:
        owner.close()


def test_a_report_rejected_after_level6_gets_no_deadline(level5):
    dsn, _ = level5
    if PostgisStore.open(dsn).city_version() < 6:
        migrate_city(dsn)
    owner = PostgisStore.open(dsn)
    try:
        r = owner.fetch("field_reports", "status = 'received'", limit=1)[0]
        owner.update_report(r["report_id"], {"status": "rejected", "resolved_at": r["due_at"]}, "Lan", note="sai")
        state = owner._query("SELECT deadline_state FROM ioc.field_reports WHERE report_id = ?", (r["report_id"],))
        assert state[0][0] == int(DeadlineState.NO_DEADLINE)
    finally:
        owner.close()
