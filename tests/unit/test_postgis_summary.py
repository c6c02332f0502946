"""Panel counts from report_summary (city migration 4) equal counts over field_reports, for every role (checked over
plain psycopg2 connections as that role, as psql would), for many filters, after concurrent status changes by
several desks, after inserts and deletes, and after the deadline refresh."""

from __future__ import annotations

import random
import threading
import time

import psycopg2
import pytest

from ioc_qgis_plugin.core.report_filter import ReportFilter
from ioc_qgis_plugin.core.sla import DeadlineState
from ioc_qgis_plugin.core.statuses import TRANSITIONS, ReportStatus
from ioc_qgis_plugin.core.timeutil import epoch_to_iso
from ioc_qgis_plugin.demo.citygen import UNITS, City, CityConfig
from ioc_qgis_plugin.store.errors import ConflictError, StoreError
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, create_city
from ioc_qgis_plugin.store.postgis_sql import filter_where

N = 3000
DEPT = UNITS[0]
USERS = {
    "s_admin": ("admin", [], []),
    "s_planner": ("planner", [], []),
    "s_officer": ("data_officer", [], []),
    "s_operator": ("operator", ["W01"], []),
    "s_desk1": ("desk", ["W01"], []),
    "s_desk2": ("desk", ["W02"], [DEPT]),  # its ward plus its department's reports elsewhere
    "s_dept": ("desk", [], [DEPT]),  # department only
}
DAY = 86400
NOW = time.time()
MIDNIGHT = (NOW // DAY) * DAY


def _filters() -> list[ReportFilter]:
    return [
        ReportFilter(),
        ReportFilter(open_only=True),
        ReportFilter(wards=("W01", "W03")),
        ReportFilter(categories=("traffic", "environment"), statuses=("closed", "in_progress")),
        ReportFilter(states=(int(DeadlineState.OVERDUE), int(DeadlineState.DUE_SOON))),
        ReportFilter(date_from=NOW - 90 * DAY),  # not on a midnight: whole days + a partial first day
        ReportFilter(date_from=MIDNIGHT - 30 * DAY),  # on a midnight
        ReportFilter(date_from=NOW - 200 * DAY, date_to=NOW - 20 * DAY + 3600),
        ReportFilter(date_to=NOW - 100 * DAY),
        ReportFilter(date_from=MIDNIGHT - 40 * DAY + 600, date_to=MIDNIGHT - 40 * DAY + 7200),  # inside one day
        ReportFilter(date_from=NOW - 365 * DAY, open_only=True, wards=("W02",)),
        ReportFilter(wards=("W01",), date_from=MIDNIGHT - 60 * DAY, date_to=MIDNIGHT - 10 * DAY),
        ReportFilter(wards=("nowhere",)),
    ]


@pytest.fixture(scope="module")
def city(pg_cluster):
    dsn = create_city(pg_cluster.dsn(), "city_summary", analysis_srid=5899)
    for name, (role, wards, depts) in USERS.items():
        add_user(dsn, name, role, f"pw-{name}", wards=wards, departments=depts)
    gen = City(CityConfig(reports=N))
    gen.wards()
    owner = PostgisStore(dsn)
    owner.upsert_reports(gen.reports())
    # some reports assigned to the department in other wards (a department desk sees them)
    owner._execute("UPDATE ioc.field_reports SET assigned_to = ? WHERE fid % 7 = 0 AND ward_id <> 'W02'", (DEPT,))
    owner.close()
    yield pg_cluster, dsn


def login(city, user: str) -> PostgisStore:
    cluster, _ = city
    return PostgisStore.open(cluster.dsn("city_summary", user=user, password=f"pw-{user}"))


def psql_counts(city, user: str, flt: ReportFilter) -> dict:
    """What the same user gets from field_reports over a plain connection (RLS applies)."""
    cluster, _ = city
    conn = psycopg2.connect(cluster.dsn("city_summary", user=user, password=f"pw-{user}"))
    try:
        where, params = filter_where(flt)
        with conn.cursor() as cur:
            cur.execute(
                PostgisStore._pg(
                    "SELECT status, ward_id, service_code, deadline_state, count(*) FROM ioc.field_reports "
                    f"WHERE {where} GROUP BY 1, 2, 3, 4"
                ),
                params,
            )
            return PostgisStore._rollup(cur.fetchall())
    finally:
        conn.close()


def summary_equals_base(city) -> None:
    """The summary table holds exactly the counts of field_reports (as the owner, without RLS)."""
    owner = PostgisStore(city[1])
    try:
        diff = owner._query("""
            (SELECT day, ward_id, service_code, status, deadline_state, n FROM ioc.report_summary WHERE n <> 0
             EXCEPT
             SELECT (requested_at AT TIME ZONE 'UTC')::date, ward_id, service_code, status, deadline_state, count(*)
             FROM ioc.field_reports GROUP BY 1, 2, 3, 4, 5)
            UNION ALL
            (SELECT (requested_at AT TIME ZONE 'UTC')::date, ward_id, service_code, status, deadline_state, count(*)
             FROM ioc.field_reports GROUP BY 1, 2, 3, 4, 5
             EXCEPT
             SELECT day, ward_id, service_code, status, deadline_state, n FROM ioc.report_summary WHERE n <> 0)""")
        assert diff == []
        assert owner._query("SELECT count(*) FROM ioc.report_summary WHERE n < 0")[0][0] == 0
    finally:
        owner.close()


def all_roles_agree(city, filters=None) -> None:
    for user in USERS:
        s = login(city, user)
        try:
            for flt in filters or _filters():
                assert s.report_counts(flt) == psql_counts(city, user, flt), (user, flt)
        finally:
            s.close()


def test_summary_is_filled_and_used(city):
    summary_equals_base(city)
    s = login(city, "s_planner")
    try:
        assert s._has_summary()
        n = s._query("SELECT sum(n) FROM ioc.report_summary")[0][0]
        assert n == N == s.report_counts()["total"]
    finally:
        s.close()


def test_counts_equal_base_table_for_each_role_and_filter(city):
    all_roles_agree(city)
    # and the roles see what they should: a department desk sees reports beyond its ward
    s = login(city, "s_desk2")
    try:
        wards = s.report_counts()["ward_id"]
        assert "W02" in wards and len(wards) > 1
    finally:
        s.close()


def test_desks_read_only_their_wards_from_the_summary_and_cannot_write_it(city):
    cluster, _ = city
    for user, ward_ids in (("s_desk1", ["W01"]), ("s_operator", ["W01"]), ("s_dept", [])):
        conn = psycopg2.connect(cluster.dsn("city_summary", user=user, password=f"pw-{user}"))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT DISTINCT ward_id FROM ioc.report_summary WHERE n <> 0")
            assert sorted(r[0] for r in cur.fetchall()) == ward_ids
            for sql in (
                "UPDATE ioc.report_summary SET n = n + 1",
                "INSERT INTO ioc.report_summary (day, ward_id, n) VALUES ('2026-01-01', 'W01', 5)",
                "DELETE FROM ioc.report_summary",
                "SELECT ioc.rebuild_report_summary()",
            ):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(sql)
        conn.close()


def test_concurrent_status_changes_keep_counts_exact(city):
    owner = PostgisStore(city[1])
    open_by_ward = {
        w: [
            r[0]
            for r in owner._query(
                "SELECT report_id FROM ioc.field_reports WHERE ward_id = ? AND status = ANY(?) ORDER BY fid LIMIT 40",
                (w, ["received", "assigned", "in_progress"]),
            )
        ]
        for w in ("W01", "W02")
    }
    owner.close()
    done = {"ok": 0, "conflict": 0}
    lock = threading.Lock()
    errors: list[Exception] = []

    def desk(user: str, ids: list[str], seed: int) -> None:
        rnd = random.Random(seed)
        store = login(city, user)
        try:
            for _ in range(60):
                rid = rnd.choice(ids)
                try:
                    cur = store.get_report(rid)
                    options = sorted(
                        s.value for s in TRANSITIONS[ReportStatus(cur["status"])] if s.value != cur["status"]
                    )
                    if not options:
                        continue
                    store.update_report(rid, {"status": rnd.choice(options)}, user, expected_version=cur["version"])
                    with lock:
                        done["ok"] += 1
                except ConflictError:
                    with lock:
                        done["conflict"] += 1
        except (StoreError, AssertionError) as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    # two desks on the same ward (same summary rows), one on another ward, the planner across both, and a
    # deadline refresh in the middle
    threads = [
        threading.Thread(target=desk, args=("s_desk1", open_by_ward["W01"], 1)),
        threading.Thread(target=desk, args=("s_desk1", open_by_ward["W01"], 2)),
        threading.Thread(target=desk, args=("s_desk2", open_by_ward["W02"], 3)),
        threading.Thread(target=desk, args=("s_planner", open_by_ward["W01"] + open_by_ward["W02"], 4)),
    ]
    for t in threads:
        t.start()
    owner = PostgisStore(city[1])  # a simulated clock is the owner's (level 5); the scheduler uses the server's
    owner.refresh_deadline_state(time.time() + 2 * 3600)
    owner.close()
    for t in threads:
        t.join()
    assert not errors and done["ok"] > 50
    summary_equals_base(city)
    all_roles_agree(city)


def test_inserts_deletes_and_deadline_refresh_keep_counts_exact(city):
    desk = login(city, "s_admin")  # the Open311 pull (admin) keeps the server's ids; desks get server-made ids
    desk.upsert_reports(
        [
            {
                "report_id": f"NEW-{i}",
                "service_code": "traffic",
                "status": "received",
                "ward_id": "W01",
                "lon": 107.24,
                "lat": 10.94,
                "requested_at": epoch_to_iso(time.time() - 3600),
                "due_at": epoch_to_iso(time.time() + 2 * DAY),  # on track now, overdue in 3 days
                "source": "local",
            }
            for i in range(5)
        ]
    )
    desk.close()
    admin = login(city, "s_admin")
    assert admin._execute("DELETE FROM ioc.field_reports WHERE report_id IN ('NEW-0', 'NEW-1')") == 2
    admin.close()
    summary_equals_base(city)
    planner = PostgisStore(city[1])  # the owner: simulated clock
    try:
        changed = 0
        for hours in (6, 24 * 3, 24 * 30):  # time moves on: open reports become due soon, then overdue
            changed += planner.refresh_deadline_state(time.time() + hours * 3600)
            summary_equals_base(city)
        assert changed > 0
    finally:
        planner.close()
    all_roles_agree(city)


def test_free_text_and_sql_looking_values_still_go_to_the_base_table(city):
    s = login(city, "s_desk1")
    try:
        evil = "x'; DELETE FROM ioc.report_summary; --"
        assert s.report_counts(ReportFilter(text=evil, wards=(evil,)))["total"] == 0
        assert s.report_counts(ReportFilter(wards=(evil,), categories=(evil,)))["total"] == 0
        for flt in (ReportFilter(text="PA-0001"), ReportFilter(text="PA-0001", open_only=True)):
            assert s.report_counts(flt) == psql_counts(city, "s_desk1", flt)
    finally:
        s.close()
    summary_equals_base(city)
