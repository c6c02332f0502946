"""A hostile account against the city database (issue 15), on a throwaway cluster with the roles `postgis_admin`
creates: every role tries to rewrite history, change reports without an event, act on reports it may not see,
move the deadline clock, publish unlogged, and the attacks that already failed before (COPY to a file,
pg_read_file, SET ROLE, row_security=off, ALTER, CREATE …). Each case asserts the exact refusal (SQLSTATE) and
that the owner sees the same data as before, or — where the action is allowed — that it is recorded.

The README's role table ("Roles and what they promise") names the test for each promise.
"""

from __future__ import annotations

from typing import Any, Optional

import psycopg2
import pytest

from ioc_qgis_plugin.core.statuses import TRANSITIONS
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from ioc_qgis_plugin.store import migrations
from ioc_qgis_plugin.store.postgis import AccessDenied, PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, create_city

DB = "city_hostile"
DEPT = "Đội Trật tự đô thị"
USERS = {
    "admin1": ("admin", [], []),
    "planner1": ("planner", [], []),
    "gis1": ("gis_staff", [], []),
    "officer1": ("data_officer", [], []),
    "operator1": ("operator", ["W01"], []),
    "desk_a": ("desk", ["W01"], []),
    "desk_b": ("desk", ["W02"], []),
    "desk_dept": ("desk", [], [DEPT]),
    "sched1": ("scheduler", [], []),
}
ALL = list(USERS)
REFUSED = "42501"  # insufficient_privilege, also "new row violates row-level security policy"
CHECK = "23514"  # check_violation: a status change outside the workflow
NO_FUNCTION = "42883"  # undefined_function: the old refresh_deadline_state(as_of) is gone
RLS_COPY = "0A000"  # COPY FROM is not supported for tables with row-level security


def _report(rid: str, ward: str, assigned: str, status: str = "received") -> dict:
    return {
        "report_id": rid,
        "service_code": "traffic",
        "status": status,
        "ward_id": ward,
        "assigned_to": assigned,
        "lon": 107.24,
        "lat": 10.94,
        "requested_at": "2026-01-01T08:00:00+07:00",
        "due_at": "2026-01-01T16:00:00+07:00",  # long overdue
        "source": "open311",
        "reporter_name": "Nguyễn Văn A",
        "reporter_phone": "0900000000",
        "description": "Ổ gà",
    }


REPORTS = [
    _report("R1", "W01", ""),
    _report("R2", "W02", ""),
    _report("R3", "W02", DEPT),
    _report("R4", "W03", ""),
]


@pytest.fixture(scope="module")
def city(pg_cluster):
    dsn = create_city(pg_cluster.dsn(), DB, analysis_srid=5899)
    for name, (role, wards, depts) in USERS.items():
        add_user(dsn, name, role, f"pw-{name}", wards=wards, departments=depts)
    owner = PostgisStore(dsn)
    owner.upsert_reports(REPORTS)
    owner.refresh_deadline_state()
    owner.close()
    yield pg_cluster, dsn


def connect(city, user: Optional[str]) -> Any:
    cluster, dsn = city
    conn = psycopg2.connect(dsn if user is None else cluster.dsn(DB, user=user, password=f"pw-{user}"))
    conn.autocommit = True
    return conn


def owner_query(city, sql: str, params: tuple = ()) -> list[tuple]:
    conn = connect(city, None)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def snapshot(city) -> dict:
    """Everything an attack could change, as the owner sees it (RLS does not apply to the owner)."""
    out = {}
    for table, order in (
        ("field_reports", "report_id"),
        ("report_events", "fid"),
        ("report_outbox", "fid"),
        ("report_summary", "day, ward_id, status, deadline_state"),
        ("publish_log", "fid"),
        ("maintenance_log", "fid"),
        ("status_transitions", "from_status, to_status"),
        ("ioc_meta", "key"),
    ):
        if owner_query(city, "SELECT to_regclass(%s) IS NOT NULL", (f"ioc.{table}",))[0][0]:  # (also on level 4)
            out[table] = owner_query(city, f"SELECT to_jsonb(t)::text FROM ioc.{table} t ORDER BY {order}")
    return out


def sqlstate_of(city, user: str, statements: list[str]) -> Optional[str]:
    """Run the statements in one transaction as `user`; the SQLSTATE of the first refusal (None: all ran).

    Always rolled back, so an attack that is not refused cannot disturb the next case; the snapshot check
    of the refusing cases runs after a commit attempt instead (see run_refused).
    """
    conn = connect(city, user)
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            for stmt in statements:
                cur.execute(stmt)
        conn.commit()
        return None
    except psycopg2.Error as exc:
        conn.rollback()
        return exc.pgcode
    finally:
        conn.close()


def run_refused(city, user: str, statements: list[str], code: str) -> None:
    before = snapshot(city)
    assert sqlstate_of(city, user, statements) == code
    assert snapshot(city) == before


# -- every role, every attack that must fail for all of them -------------------------------------------------
EVERYONE_REFUSED = {
    # history is append-only, for the admin group too (item 6)
    "update_events": ["UPDATE ioc.report_events SET note = 'rewritten'"],
    "delete_events": ["DELETE FROM ioc.report_events"],
    "truncate_events": ["TRUNCATE ioc.report_events"],
    "truncate_reports": ["TRUNCATE ioc.field_reports"],  # TRUNCATE skips row triggers: no audit
    "forge_status_event": [
        "INSERT INTO ioc.report_events (report_id, at, actor, action, old_value, new_value) "
        "VALUES ('R1', now(), 'x', 'status', 'received', 'closed')"
    ],
    # deadline clock (item 1): a made-up time is the owner's alone; the old signature is gone
    "refresh_at_1970": ["SELECT ioc.refresh_deadline_state_at('1970-01-01')"],
    "refresh_at_2100": ["SELECT ioc.refresh_deadline_state_at('2100-01-01')"],
    # publish log (item 7): only through log_publication, never edited
    "insert_publish_log": ["INSERT INTO ioc.publish_log (entry) VALUES ('{}')"],
    "delete_publish_log": ["DELETE FROM ioc.publish_log"],
    "write_summary": ["UPDATE ioc.report_summary SET n = n + 1"],
    "write_transitions": ["INSERT INTO ioc.status_transitions VALUES ('submitted', 'closed')"],
    "write_maintenance_log": ["DELETE FROM ioc.maintenance_log"],
    # item 8: table statistics give the city's totals
    "pg_stat_user_tables": ["SELECT n_live_tup FROM pg_stat_user_tables"],
    "pg_stat_live_tuples": ["SELECT pg_stat_get_live_tuples('ioc.field_reports'::regclass)"],
    # already holding before issue 15; kept so they cannot come back
    "pg_read_file": ["SELECT pg_read_file('/etc/hostname')"],
    "copy_to_server_file": ["COPY ioc.field_reports TO '/tmp/ioc-hostile-copy.csv'"],
    "copy_from_program": ["COPY ioc.wards FROM PROGRAM 'true'"],
    "set_role_superuser": ["SET ROLE postgres"],
    "session_authorization": ["SET SESSION AUTHORIZATION postgres"],
    "replication_role_replica": ["SET session_replication_role = replica"],
    "disable_triggers": ["ALTER TABLE ioc.field_reports DISABLE TRIGGER ALL"],
    "disable_rls": ["ALTER TABLE ioc.field_reports DISABLE ROW LEVEL SECURITY"],
    "drop_policy": ["DROP POLICY desk_read ON ioc.field_reports"],
    "create_in_schema": ["CREATE TABLE ioc.x (a int)"],
    "create_in_public": ["CREATE TABLE public.x (a int)"],
    "create_temp": ["CREATE TEMP TABLE x (a int)"],
    "replace_audit_function": [
        "CREATE OR REPLACE FUNCTION ioc.audit_report_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$"
    ],
    "create_trigger": [
        "CREATE TRIGGER x BEFORE UPDATE ON ioc.field_reports FOR EACH ROW EXECUTE FUNCTION ioc.stamp_event()"
    ],
    "lo_import": ["SELECT lo_import('/etc/hostname')"],
    "grant_self_admin": ["GRANT city_hostile_admin TO CURRENT_USER"],
    "edit_user_units": ["UPDATE ioc.ioc_user_units SET unit_id = 'W02'"],
}
# the admin group manages accounts (ioc_user_units): an audited, intended right
EVERYONE_EXCEPT = {"edit_user_units": {"admin1"}}


@pytest.mark.parametrize(
    "attack, user",
    [(a, u) for a in sorted(EVERYONE_REFUSED) for u in ALL if u not in EVERYONE_EXCEPT.get(a, ())],
)
def test_every_role_is_refused(city, attack, user):
    run_refused(city, user, EVERYONE_REFUSED[attack], REFUSED)


def test_admin_manages_accounts_units(city):
    add = "INSERT INTO ioc.ioc_user_units VALUES ('desk_dept', 'ward', 'W09')"
    assert sqlstate_of(city, "admin1", [add]) is None
    assert owner_query(city, "SELECT count(*) FROM ioc.ioc_user_units WHERE unit_id = 'W09'") == [(1,)]
    assert sqlstate_of(city, "admin1", ["DELETE FROM ioc.ioc_user_units WHERE unit_id = 'W09'"]) is None
    assert owner_query(city, "SELECT count(*) FROM ioc.ioc_user_units WHERE unit_id = 'W09'") == [(0,)]


def test_row_security_off_is_an_error_not_a_bypass(city):
    for user in ("desk_a", "operator1"):
        assert sqlstate_of(city, user, ["SET row_security = off", "SELECT * FROM ioc.field_reports"]) == REFUSED


@pytest.mark.parametrize("user", ["desk_a", "desk_b", "operator1", "planner1", "gis1", "officer1", "admin1"])
def test_copy_into_a_protected_table_is_refused(city, user):
    code = sqlstate_of(city, user, ["COPY ioc.field_reports (report_id, service_code, status) FROM STDIN"])
    assert code == (REFUSED if user in ("planner1", "gis1", "officer1") else RLS_COPY)  # no INSERT right at all


# -- item 1: deadline refresh -------------------------------------------------------------------------------
@pytest.mark.parametrize("user", [u for u in ALL if u not in ("admin1", "sched1")])
def test_only_scheduler_and_admin_refresh_deadlines(city, user):
    run_refused(city, user, ["SELECT ioc.refresh_deadline_state()"], REFUSED)


@pytest.mark.parametrize("user", ALL)
def test_refresh_with_a_made_up_time_no_longer_exists(city, user):
    run_refused(city, user, ["SELECT ioc.refresh_deadline_state('1970-01-01')"], NO_FUNCTION)


@pytest.mark.parametrize("user", ["sched1", "admin1"])
def test_refresh_runs_at_server_time_and_is_logged(city, user):
    owner_query(city, "UPDATE ioc.field_reports SET deadline_state = 0 WHERE report_id = 'R1'")  # stale state
    conn = connect(city, user)
    with conn.cursor() as cur:
        cur.execute("SELECT ioc.refresh_deadline_state()")
        assert cur.fetchone()[0] >= 1
    conn.close()
    (state,) = owner_query(city, "SELECT deadline_state FROM ioc.field_reports WHERE report_id = 'R1'")[0]
    assert state == 2  # overdue by the server's clock
    db_user, as_of_is_now = owner_query(
        city, "SELECT db_user, abs(extract(epoch FROM as_of - at)) < 1 FROM ioc.maintenance_log ORDER BY fid DESC"
    )[0]
    assert (db_user, as_of_is_now) == (user, True)


def test_scheduler_reads_nothing_else(city):
    for stmt in ("SELECT 1 FROM ioc.field_reports", "SELECT 1 FROM ioc.report_events", "SELECT 1 FROM ioc.cameras"):
        assert sqlstate_of(city, "sched1", [stmt]) == REFUSED


# -- item 2: a decoy event no longer hides a change; the workflow is the database's -------------------------
@pytest.mark.parametrize("user, rid", [("desk_a", "R1"), ("desk_dept", "R3"), ("planner1", "R4"), ("admin1", "R2")])
def test_decoy_event_does_not_hide_the_change(city, user, rid):
    owner_query(
        city, "UPDATE ioc.field_reports SET status = 'received', description = 'Ổ gà' WHERE report_id = %s", (rid,)
    )
    (n_before,) = owner_query(city, "SELECT count(*) FROM ioc.report_events WHERE report_id = %s", (rid,))[0]
    (v_before,) = owner_query(city, "SELECT version FROM ioc.field_reports WHERE report_id = %s", (rid,))[0]
    assert (
        sqlstate_of(
            city,
            user,
            [
                f"INSERT INTO ioc.report_events (report_id, at, actor, action, note) "
                f"VALUES ('{rid}', now(), 'decoy', 'note', 'nothing to see')",
                f"UPDATE ioc.field_reports SET description = 'đã sửa', status = 'rejected' WHERE report_id = '{rid}'",
            ],
        )
        is None
    )
    rows = owner_query(
        city,
        "SELECT action, coalesce(old_value, ''), coalesce(new_value, ''), db_user FROM ioc.report_events "
        "WHERE report_id = %s ORDER BY fid",
        (rid,),
    )[n_before:]
    assert sorted(rows) == sorted(
        [
            ("note", "", "", user),
            ("edit:description", "Ổ gà", "đã sửa", user),
            ("status", "received", "rejected", user),
        ]
    )
    (v_after,) = owner_query(city, "SELECT version FROM ioc.field_reports WHERE report_id = %s", (rid,))[0]
    assert v_after == v_before + 1


@pytest.mark.parametrize("user, rid", [("desk_a", "R1"), ("desk_b", "R2"), ("desk_dept", "R3"), ("planner1", "R4")])
@pytest.mark.parametrize("target", ["closed", "resolved", "submitted"])
def test_status_outside_the_workflow_is_refused(city, user, rid, target):
    owner_query(city, "UPDATE ioc.field_reports SET status = 'received' WHERE report_id = %s", (rid,))
    run_refused(city, user, [f"UPDATE ioc.field_reports SET status = '{target}' WHERE report_id = '{rid}'"], CHECK)


def test_database_workflow_equals_core_statuses(city):
    db = set(owner_query(city, "SELECT from_status, to_status FROM ioc.status_transitions"))
    core = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert db == core


# -- item 3: where, when, from whom a report came are not the desk's or the planner's to change ---------------
PROTECTED = {
    "requested_at": "'2000-01-01'",
    "source": "'local'",
    "lat": "0",
    "lon": "0",
    "reporter_name": "'x'",
    "reporter_phone": "'x'",
    "reporter_email": "'x'",
    "report_id": "'R9'",
    "geom": "NULL",
}


@pytest.mark.parametrize("user, rid", [("desk_a", "R1"), ("planner1", "R4")])
@pytest.mark.parametrize("column", sorted(PROTECTED))
def test_protected_columns_are_forbidden(city, user, rid, column):
    run_refused(
        city, user, [f"UPDATE ioc.field_reports SET {column} = {PROTECTED[column]} WHERE report_id = '{rid}'"], REFUSED
    )


def test_updated_at_and_version_are_the_servers(city):
    (v0,) = owner_query(city, "SELECT version FROM ioc.field_reports WHERE report_id = 'R1'")[0]
    assert sqlstate_of(city, "desk_a", ["UPDATE ioc.field_reports SET version = 999 WHERE report_id = 'R1'"]) is None
    assert owner_query(city, "SELECT version FROM ioc.field_reports WHERE report_id = 'R1'")[0][0] == v0
    assert (
        sqlstate_of(city, "desk_a", ["UPDATE ioc.field_reports SET updated_at = '2000-01-01' WHERE report_id = 'R1'"])
        is None
    )
    version, recent = owner_query(
        city, "SELECT version, updated_at > now() - interval '1 minute' FROM ioc.field_reports WHERE report_id = 'R1'"
    )[0]
    assert (version, recent) == (v0 + 1, True)


def test_admin_changes_protected_columns_audited(city):
    (v0,) = owner_query(city, "SELECT version FROM ioc.field_reports WHERE report_id = 'R2'")[0]
    assert (
        sqlstate_of(
            city,
            "admin1",
            ["UPDATE ioc.field_reports SET requested_at = '2025-12-31', lat = 10.5 WHERE report_id = 'R2'"],
        )
        is None
    )
    rows = owner_query(
        city,
        "SELECT action, db_user FROM ioc.report_events WHERE report_id = 'R2' ORDER BY fid DESC LIMIT 2",
    )
    assert sorted(rows) == [("edit:lat", "admin1"), ("edit:requested_at", "admin1")]
    assert owner_query(city, "SELECT version FROM ioc.field_reports WHERE report_id = 'R2'")[0][0] == v0 + 1


# -- item 4: events only for visible reports, stamped by the server -----------------------------------------
NOTE_ON = "INSERT INTO ioc.report_events (report_id, at, actor, action, note) VALUES ('{rid}', now(), 'x', 'note', 'x')"


@pytest.mark.parametrize(
    "user, rid",
    [
        ("desk_a", "R2"),
        ("desk_a", "R4"),
        ("desk_b", "R1"),
        ("desk_dept", "R1"),
        ("desk_dept", "R2"),
        ("operator1", "R2"),
        ("gis1", "R1"),
        ("officer1", "R1"),
        ("sched1", "R1"),
        ("desk_a", "NOSUCH"),
    ],
)
def test_no_event_for_a_report_one_cannot_see(city, user, rid):
    run_refused(city, user, [NOTE_ON.format(rid=rid)], REFUSED)


@pytest.mark.parametrize("user, rid", [("desk_a", "R1"), ("operator1", "R1"), ("desk_dept", "R3"), ("planner1", "R4")])
@pytest.mark.parametrize("action", ["note", "attach"])
def test_annotations_on_a_visible_report_are_allowed(city, user, rid, action):
    cluster, _ = city
    s = PostgisStore.open(cluster.dsn(DB, user=user, password=f"pw-{user}"))
    try:
        s.add_event(rid, "Lan", action, new="anh.jpg" if action == "attach" else "", note="x")
        last = s.report_audit(rid)[-1]
        assert (last["action"], last["db_user"], last["actor"]) == (action, user, "Lan")
    finally:
        s.close()


def test_own_note_carries_server_time_and_login(city):
    conn = connect(city, "desk_a")
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO ioc.report_events (report_id, at, actor, action, note, db_user) "
            "VALUES ('R1', '2001-01-01', 'Giám đốc', 'note', 'x', 'admin1') "
            "RETURNING db_user, at > now() - interval '1 minute'"
        )
        assert cur.fetchone() == ("desk_a", True)
    conn.close()


# -- item 5: outbox -----------------------------------------------------------------------------------------
OUTBOX_ON = (
    "INSERT INTO ioc.report_outbox (report_id, change_id, payload, created_at) "
    'VALUES (\'{rid}\', md5(random()::text), \'{{"changes": {{"status": "closed"}}}}\', now())'
)


@pytest.mark.parametrize(
    "user, rid",
    [("desk_a", "R2"), ("desk_b", "R1"), ("desk_dept", "R4"), ("operator1", "R1"), ("officer1", "R1"), ("gis1", "R1")],
)
def test_no_outbox_change_for_a_report_one_cannot_see(city, user, rid):
    run_refused(city, user, [OUTBOX_ON.format(rid=rid)], REFUSED)


def test_desk_cannot_rewrite_a_queued_change(city):
    owner_query(city, OUTBOX_ON.format(rid="R1"))
    run_refused(city, "desk_a", ["UPDATE ioc.report_outbox SET payload = '{}' WHERE report_id = 'R1'"], REFUSED)
    before = snapshot(city)  # another ward's queue: invisible, nothing marked
    assert sqlstate_of(city, "desk_b", ["UPDATE ioc.report_outbox SET sent_at = now() WHERE report_id = 'R1'"]) is None
    assert snapshot(city) == before


@pytest.mark.parametrize("pusher", ["desk_b", "planner1"])
def test_push_by_desk_and_planner_marks_sent(city, pusher):
    from ioc_qgis_plugin.connectors.open311 import Open311Client
    from ioc_qgis_plugin.sync.outbox import OutboxPusher

    cluster, _ = city
    owner_query(city, "DELETE FROM ioc.report_outbox")
    owner_query(city, "UPDATE ioc.field_reports SET status = 'received' WHERE report_id = 'R2'")
    with Open311Server([{**r, "status": "received"} for r in REPORTS]) as server:
        desk = PostgisStore.open(cluster.dsn(DB, user="desk_b", password="pw-desk_b"))
        desk.update_report("R2", {"status": "in_progress"}, "Chị Hoa", note="đang xử lý")
        desk.close()
        store = PostgisStore.open(cluster.dsn(DB, user=pusher, password=f"pw-{pusher}"))
        try:
            client = Open311Client(server.url, api_key="demo-key", sleep=lambda s: None, retries=1)
            result = OutboxPusher(store, client).push()
            assert (result.sent, result.failed) == (1, 0)
            assert store.pending_changes() == []  # marked sent, not re-sent on the next sync
            assert OutboxPusher(store, client).push().sent == 0
        finally:
            store.close()
        assert server.state.records["R2"]["detailed_status"] == "in_progress"
        assert server.state.update_count == 1


# -- item 6 and the admin's rights ---------------------------------------------------------------------------
def test_admin_deletes_a_report_audited(city):
    owner_query(
        city,
        "INSERT INTO ioc.field_reports (report_id, service_code, status, ward_id) "
        "VALUES ('SPAM', 'x', 'received', 'W01')",
    )
    assert sqlstate_of(city, "admin1", ["DELETE FROM ioc.field_reports WHERE report_id = 'SPAM'"]) is None
    assert owner_query(
        city, "SELECT action, db_user FROM ioc.report_events WHERE report_id = 'SPAM' ORDER BY fid DESC LIMIT 1"
    ) == [("deleted", "admin1")]


@pytest.mark.parametrize("user", ["desk_a", "planner1", "operator1", "gis1", "officer1", "sched1"])
def test_only_admin_deletes_reports(city, user):
    before = snapshot(city)
    code = sqlstate_of(city, user, ["DELETE FROM ioc.field_reports"])
    assert code == REFUSED and snapshot(city) == before


# -- item 7: publish log --------------------------------------------------------------------------------------
@pytest.mark.parametrize("user", ["officer1", "planner1", "admin1"])
def test_exporting_roles_log_through_the_narrow_path(city, user):
    assert sqlstate_of(city, user, ['SELECT ioc.log_publication(\'{"dataset": "x", "who": "forged"}\')']) is None
    assert owner_query(city, "SELECT db_user, entry->>'dataset' FROM ioc.publish_log ORDER BY fid DESC LIMIT 1") == [
        (user, "x")
    ]


@pytest.mark.parametrize("user", ["desk_a", "operator1", "gis1", "sched1"])
def test_other_roles_cannot_log_publications(city, user):
    run_refused(city, user, ["SELECT ioc.log_publication('{}')"], REFUSED)


def test_publication_log_rejects_non_objects(city):
    assert sqlstate_of(city, "officer1", ["SELECT ioc.log_publication('[1, 2]')"]) == "22023"


# -- item 8: existence oracles -------------------------------------------------------------------------------
@pytest.mark.parametrize("user, ward", [("desk_a", "W01"), ("operator1", "W01")])
def test_an_existing_id_of_another_ward_gives_no_duplicate_key_answer(city, user, ward):
    before = owner_query(city, "SELECT to_jsonb(r)::text FROM ioc.field_reports r WHERE report_id = 'R2'")
    conn = connect(city, user)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO ioc.field_reports (report_id, service_code, status, ward_id, requested_at, source) "
            f"VALUES ('R2', 'traffic', 'received', '{ward}', '1999-01-01', 'open311') "
            "RETURNING report_id, source, requested_at > now() - interval '1 minute'"
        )
        rid, source, recent = cur.fetchone()
    conn.close()
    assert rid.startswith("L") and rid != "R2" and (source, recent) == ("local", True)
    assert owner_query(city, "SELECT to_jsonb(r)::text FROM ioc.field_reports r WHERE report_id = 'R2'") == before
    assert owner_query(city, "SELECT action, db_user FROM ioc.report_events WHERE report_id = %s", (rid,)) == [
        ("created", user)
    ]
    owner_query(city, "DELETE FROM ioc.field_reports WHERE report_id = %s", (rid,))


@pytest.mark.parametrize("status", ["closed", "resolved", "in_progress"])
def test_new_reports_start_at_the_beginning(city, status):
    run_refused(
        city,
        "desk_a",
        [
            "INSERT INTO ioc.field_reports (report_id, service_code, status, ward_id) "
            f"VALUES ('x', 't', '{status}', 'W01')"
        ],
        CHECK,
    )


def _explain_removed(city, user: str, sql: str) -> int:
    conn = connect(city, user)
    with conn.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
        plan = "\n".join(r[0] for r in cur.fetchall())
    conn.close()
    return sum(int(line.split(":")[1]) for line in plan.splitlines() if "Rows Removed by Filter" in line)


def test_residual_explain_side_channel_is_counts_only(city):
    """README, residual risks: EXPLAIN ANALYZE counts rows another ward holds for an indexed, leakproof condition.

    Measured here so the README's statement stays true: a desk learns how many W02 reports there are (a count),
    never a value from them (the rows themselves are filtered before any function of the user sees them).
    """
    (n_w02,) = owner_query(city, "SELECT count(*) FROM ioc.field_reports WHERE ward_id = 'W02'")[0]
    removed = _explain_removed(city, "desk_a", "SELECT * FROM ioc.field_reports WHERE ward_id = 'W02'")
    assert removed == n_w02  # exactly the other ward's count: the residual the README states
    conn = connect(city, "desk_a")
    with conn.cursor() as cur:
        cur.execute("SELECT reltuples >= -1 FROM pg_class WHERE oid = 'ioc.field_reports'::regclass")
        assert cur.fetchone() == (True,)  # planner statistics stay readable (approximate city total)
        cur.execute("SELECT count(*) FROM ioc.field_reports WHERE ward_id = 'W02'")
        assert cur.fetchone() == (0,)
    conn.close()


# -- migrations.ROLES and the level -------------------------------------------------------------------------
def test_each_login_has_its_role(city):
    cluster, _ = city
    for user, (role, _, _) in USERS.items():
        if role == "scheduler":
            continue  # reads no table (not even ioc_meta): it runs one function
        s = PostgisStore.open(cluster.dsn(DB, user=user, password=f"pw-{user}"))
        try:
            assert (s.my_role(), s.city_version()) == (role, migrations.latest_version())
        finally:
            s.close()


def test_plugin_refresh_as_desk_is_access_denied(city):
    cluster, _ = city
    s = PostgisStore.open(cluster.dsn(DB, user="desk_a", password="pw-desk_a"))
    try:
        with pytest.raises(AccessDenied):
            s.refresh_deadline_state()
    finally:
        s.close()


def test_admin_runs_the_open311_pull_audited(city):
    """The pull takes the city server's word for a status (received → closed is no desk transition), audited."""
    from ioc_qgis_plugin.connectors.open311 import Open311Client
    from ioc_qgis_plugin.sync.open311_sync import ReportSync

    cluster, _ = city
    rows = [{**_report(rid, "W01", ""), "requested_at": "2026-02-01T08:00:00+07:00"} for rid in ("P1", "P2")]
    with Open311Server(rows) as server:
        admin = PostgisStore.open(cluster.dsn(DB, user="admin1", password="pw-admin1"))
        try:
            client = Open311Client(server.url, api_key="demo-key", sleep=lambda s: None, retries=1)
            assert ReportSync(admin, client).run().inserted == 2
            server.state.touch(["P1"], status="closed")
            assert ReportSync(admin, client).run().updated == 1
            assert admin.get_report("P1")["status"] == "closed"
            trail = [(e["action"], e["old_value"], e["new_value"], e["db_user"]) for e in admin.report_audit("P1")]
        finally:
            admin.close()
    assert trail[0] == ("created", "", "received", "admin1")
    assert ("status", "received", "closed", "admin1") in trail


def test_admin_changes_city_settings_recorded(city):
    before = owner_query(city, "SELECT value FROM ioc.ioc_meta WHERE key = 'due_soon_fraction'")
    assert (
        sqlstate_of(
            city,
            "admin1",
            [
                "DELETE FROM ioc.ioc_meta WHERE key = 'due_soon_fraction'",
                "INSERT INTO ioc.ioc_meta VALUES ('due_soon_fraction', '0.5')",
            ],
        )
        is None
    )
    rows = owner_query(city, "SELECT action, db_user, detail FROM ioc.maintenance_log ORDER BY fid DESC LIMIT 1")
    assert rows == [("ioc_meta insert", "admin1", "due_soon_fraction = 0.5")]
    owner_query(city, "DELETE FROM ioc.ioc_meta WHERE key = 'due_soon_fraction'")
    for (value,) in before:
        owner_query(city, "INSERT INTO ioc.ioc_meta VALUES ('due_soon_fraction', %s)", (value,))
