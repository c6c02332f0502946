"""City database on a throwaway cluster: log in as each role and check, also over plain psycopg2, what it sees."""

from __future__ import annotations

import psycopg2
import pytest

from ioc_qgis_plugin.core.report_filter import ReportFilter
from ioc_qgis_plugin.store import migrations
from ioc_qgis_plugin.store.errors import ConflictError, StoreError, StoreUnavailable
from ioc_qgis_plugin.store.postgis import AccessDenied, AuthenticationFailed, EditQueued, PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, check_connection, create_city

DEPT = "Đội Trật tự đô thị"
USERS = {
    "admin1": ("admin", [], []),
    "planner1": ("planner", [], []),
    "gis1": ("gis_staff", [], []),
    "officer1": ("data_officer", [], []),
    "operator1": ("operator", ["W01"], []),
    "desk_w1": ("desk", ["W01"], []),
    "desk_w2": ("desk", ["W02"], []),
    "desk_dept": ("desk", [], [DEPT]),
}
REPORTS = [
    ("R1", "W01", ""),
    ("R2", "W02", ""),
    ("R3", "W02", DEPT),
    ("R4", "W03", ""),
]


def _report(rid: str, ward: str, assigned: str) -> dict:
    return {
        "report_id": rid,
        "service_code": "traffic",
        "status": "received",
        "ward_id": ward,
        "assigned_to": assigned,
        "lon": 107.24,
        "lat": 10.94,
        "requested_at": "2026-01-01T08:00:00+07:00",
        "due_at": "2026-01-01T16:00:00+07:00",
        "source": "local",
    }


@pytest.fixture(scope="module")
def city(pg_cluster):
    dsn = create_city(pg_cluster.dsn(), "city_roles", analysis_srid=9212)  # not in PostGIS 3.3's table
    for name, (role, wards, depts) in USERS.items():
        add_user(dsn, name, role, f"pw-{name}", wards=wards, departments=depts)
    owner = PostgisStore(dsn)
    owner.upsert_reports([_report(*r) for r in REPORTS])
    owner.insert("cameras", [{"camera_id": "C1", "name": "Cổng 1", "ward_id": "W01"}])
    owner.insert("cameras", [{"camera_id": "C2", "name": "Cổng 2", "ward_id": "W02"}])
    owner.close()
    yield pg_cluster, dsn


def login(city, user: str, **kw) -> PostgisStore:
    cluster, _ = city
    return PostgisStore.open(cluster.dsn("city_roles", user=user, password=f"pw-{user}"), **kw)


def raw(city, user: str):
    cluster, _ = city
    conn = psycopg2.connect(cluster.dsn("city_roles", user=user, password=f"pw-{user}"))
    conn.autocommit = True
    return conn


def visible_reports(store: PostgisStore) -> set[str]:
    return {r["report_id"] for r in store.fetch("field_reports", columns=["report_id"])}


def test_city_is_at_latest_level_and_knows_roles(city):
    owner = PostgisStore.open(city[1])
    try:  # the province's newer EPSG code was registered, so analysis coordinates exist
        assert owner._query("SELECT count(*) FROM ioc.field_reports WHERE ax BETWEEN 3e5 AND 7e5")[0][0] == 4
    finally:
        owner.close()
    for user, (role, _, _) in USERS.items():
        s = login(city, user)
        try:
            assert s.city_version() == migrations.latest_version()
            assert s.my_role() == role
        finally:
            s.close()


@pytest.mark.parametrize(
    "user, expected",
    [
        ("desk_w1", {"R1"}),
        ("desk_w2", {"R2", "R3"}),
        ("desk_dept", {"R3"}),  # assigned to its department, in another ward
        ("operator1", {"R1"}),
        ("planner1", {"R1", "R2", "R3", "R4"}),
        ("officer1", {"R1", "R2", "R3", "R4"}),
        ("gis1", {"R1", "R2", "R3", "R4"}),
        ("admin1", {"R1", "R2", "R3", "R4"}),
    ],
)
def test_each_role_sees_its_reports_in_the_plugin_and_in_psql(city, user, expected):
    s = login(city, user)
    try:
        assert visible_reports(s) == expected
        assert s.report_counts(ReportFilter())["total"] == len(expected)  # panel counts obey RLS too
        assert {r["report_id"] for r in s.fetch("report_events", columns=["report_id"])} == expected
    finally:
        s.close()
    conn = raw(city, user)  # the same answer for anyone connecting with psql
    with conn.cursor() as cur:
        cur.execute("SELECT report_id FROM ioc.field_reports")
        assert {r[0] for r in cur.fetchall()} == expected
    conn.close()


def test_desk_edits_only_its_own_reports(city):
    s = login(city, "desk_w1")
    try:
        s.update_report("R1", {"status": "assigned", "assigned_to": "Tổ 1"}, "Lan")
        with pytest.raises(StoreError, match="does not exist"):  # R2 is invisible to this desk
            s.update_report("R2", {"status": "assigned"}, "Lan")
    finally:
        s.close()
    conn = raw(city, "desk_w1")
    with conn.cursor() as cur:
        cur.execute("UPDATE ioc.field_reports SET status_notes = 'x' WHERE report_id IN ('R2', 'R3', 'R4')")
        assert cur.rowcount == 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DELETE FROM ioc.field_reports WHERE report_id = 'R1'")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # an insert it would not see is refused
            cur.execute(
                "INSERT INTO ioc.field_reports (report_id, service_code, status, ward_id) "
                "VALUES ('X1', 'traffic', 'submitted', 'W03')"
            )
    conn.close()


def test_data_officer_reads_everything_changes_nothing(city):
    s = login(city, "officer1")
    try:
        assert len(s.fetch("cameras")) == 2
        with pytest.raises(AccessDenied, match="may not do this"):
            s.update_report("R4", {"status": "assigned"}, "Officer")
        with pytest.raises(AccessDenied):
            s.insert("wards", [{"ward_id": "W99", "name": "x"}])
    finally:
        s.close()
    conn = raw(city, "officer1")
    with conn.cursor() as cur:
        for stmt in (
            "UPDATE ioc.field_reports SET status = 'closed'",
            "DELETE FROM ioc.report_events",
            "UPDATE ioc.cameras SET status = 'offline'",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(stmt)
    conn.close()


def test_operator_sees_and_updates_cameras_of_its_area(city):
    s = login(city, "operator1")
    try:
        assert [c["camera_id"] for c in s.fetch("cameras")] == ["C1"]
        s.update_rows("cameras", "camera_id", [{"camera_id": "C1", "status": "online"}])
        assert s._execute("UPDATE ioc.cameras SET status = 'offline' WHERE camera_id = 'C2'") == 0
        with pytest.raises(AccessDenied):  # only status/last_seen are the operator's to change
            s.update_rows("cameras", "camera_id", [{"camera_id": "C1", "stream_url": "rtsp://evil"}])
    finally:
        s.close()


def test_desk_cannot_read_cameras_and_gis_edits_reference_layers_only(city):
    s = login(city, "desk_w1")
    try:
        with pytest.raises(AccessDenied):
            s.fetch("cameras")
    finally:
        s.close()
    g = login(city, "gis1")
    try:
        g.insert("wards", [{"ward_id": "W10", "name": "Phường mới"}])
        with pytest.raises(AccessDenied):
            g.update_report("R4", {"status": "assigned"}, "GIS")
    finally:
        g.close()


def test_events_record_the_database_user(city):
    s = login(city, "desk_w2")
    try:
        s.update_report("R2", {"status": "in_progress"}, "Chị Hoa", note="đang xử lý")
        ev = s.report_audit("R2")[-1]
        assert (ev["actor"], ev["db_user"], ev["action"], ev["new_value"]) == (
            "Chị Hoa",
            "desk_w2",
            "status",
            "in_progress",
        )
    finally:
        s.close()
    conn = raw(city, "desk_w2")  # a change outside the plugin is recorded by the database itself
    with conn.cursor() as cur:
        cur.execute("UPDATE ioc.field_reports SET priority = 'urgent' WHERE report_id = 'R2'")
        cur.execute(
            "SELECT actor, db_user, action, new_value FROM ioc.report_events WHERE report_id = 'R2' "
            "ORDER BY fid DESC LIMIT 1"
        )
        assert cur.fetchone() == ("desk_w2", "desk_w2", "priority", "urgent")
        # nobody can rewrite history
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("UPDATE ioc.report_events SET db_user = 'someone'")
        cur.execute(
            "INSERT INTO ioc.report_events (report_id, at, actor, action, db_user) "
            "VALUES ('R2', now(), 'fake', 'note', 'admin1') RETURNING db_user"
        )
        assert cur.fetchone()[0] == "desk_w2"  # the database user cannot be forged
    conn.close()


def test_two_desks_same_report_second_gets_conflict(city):
    a, b = login(city, "desk_w2"), login(city, "desk_dept")  # both see R3
    try:
        va, vb = a.get_report("R3")["version"], b.get_report("R3")["version"]
        assert va == vb
        a.update_report("R3", {"status": "in_progress"}, "A", expected_version=va)
        with pytest.raises(ConflictError, match="changed by someone else"):
            b.update_report("R3", {"status": "rejected"}, "B", expected_version=vb)
        final = b.get_report("R3")
        assert (final["status"], final["version"]) == ("in_progress", va + 1)
        assert [e["db_user"] for e in b.report_audit("R3") if e["action"] == "status"][-1] == "desk_w2"
    finally:
        a.close()
        b.close()


def test_edit_outside_the_plugin_also_conflicts(city):
    s = login(city, "desk_w1")
    try:
        v = s.get_report("R1")["version"]
        conn = raw(city, "desk_w1")  # e.g. the QGIS attribute table on the PostGIS layer
        with conn.cursor() as cur:
            cur.execute("UPDATE ioc.field_reports SET status_notes = 'gọi lại' WHERE report_id = 'R1'")
        conn.close()
        assert s.get_report("R1")["version"] == v + 1
        with pytest.raises(ConflictError):
            s.update_report("R1", {"status_notes": "ghi đè"}, "Lan", expected_version=v)
        admin = login(city, "admin1")  # housekeeping (the scheduler's or admin's) never makes a desk's copy stale
        admin.refresh_deadline_state()
        admin.close()
        assert s.get_report("R1")["version"] == v + 1
    finally:
        s.close()


def test_sql_looking_text_is_data(city):
    s = login(city, "desk_w1")
    try:
        evil = "'; DROP TABLE ioc.field_reports; --"
        assert s.report_counts(ReportFilter(text=evil, wards=(evil,)))["total"] == 0
        s.update_report("R1", {"status_notes": evil}, "Lan")
        assert s.get_report("R1")["status_notes"] == evil
        assert s.report_counts(ReportFilter(text="R1"))["total"] == 1
    finally:
        s.close()


def test_wrong_password_expired_account_and_no_rights(city, pg_cluster):
    cluster, dsn = city
    with pytest.raises(AuthenticationFailed, match="password is wrong or the account has expired"):
        PostgisStore.open(cluster.dsn("city_roles", user="desk_w1", password="wrong"))
    add_user(dsn, "desk_old", "desk", "pw-desk_old", wards=["W01"], valid_until="2001-01-01")
    with pytest.raises(AuthenticationFailed, match="VALID UNTIL"):
        PostgisStore.open(cluster.dsn("city_roles", user="desk_old", password="pw-desk_old"))
    owner = psycopg2.connect(dsn)
    owner.autocommit = True
    with owner.cursor() as cur:
        cur.execute("CREATE ROLE outsider LOGIN PASSWORD 'pw-outsider'")
    with pytest.raises(StoreUnavailable, match="no CONNECT right"):
        PostgisStore.open(cluster.dsn("city_roles", user="outsider", password="pw-outsider"))
    with owner.cursor() as cur:
        cur.execute("GRANT CONNECT ON DATABASE city_roles TO outsider")
    owner.close()
    with pytest.raises(AccessDenied, match="no IOC role"):
        PostgisStore.open(cluster.dsn("city_roles", user="outsider", password="pw-outsider"))
    check = check_connection(cluster.dsn("city_roles", user="outsider", password="pw-outsider"))
    assert (check.ok, check.kind) == (False, "rights")
    check = check_connection(cluster.dsn("city_roles", user="desk_old", password="pw-desk_old"))
    assert (check.ok, check.kind) == (False, "auth")
    check = check_connection(cluster.dsn("city_roles", user="desk_w1", password="pw-desk_w1"))
    assert (check.ok, check.role) == (True, "desk"), check.message


def test_dropped_connection_mid_edit_is_queued_and_replayed(city, tmp_path):
    cluster, dsn = city
    s = login(city, "desk_w2", pending_path=tmp_path / "pending.sqlite")
    original = s._execute

    def drop_then_execute(sql, params=()):
        if sql.startswith("UPDATE") and not getattr(drop_then_execute, "done", False):
            drop_then_execute.done = True
            killer = psycopg2.connect(cluster.dsn("city_roles"))
            killer.autocommit = True
            with killer.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(%s)", (s.conn.get_backend_pid(),))
            killer.close()
        return original(sql, params)

    s._execute = drop_then_execute
    try:
        v = s.get_report("R2")["version"]
        with pytest.raises(EditQueued, match="kept on this computer"):
            s.update_report("R2", {"status": "resolved"}, "Chị Hoa", note="xong", expected_version=v)
        queued = s.pending_edits()
        assert [(e.report_id, e.changes, e.expected_version) for e in queued] == [("R2", {"status": "resolved"}, v)]
        assert s.get_report("R2")["status"] == "in_progress"  # reconnected; nothing half-written
        assert s.replay_pending() == {"applied": 1, "conflict": 0, "failed": 0, "pending": 0}
        assert s.get_report("R2")["status"] == "resolved"
        ev = [e for e in s.report_audit("R2") if e["action"] == "status"][-1]
        assert (ev["new_value"], ev["db_user"], ev["note"]) == ("resolved", "desk_w2", "xong")
        assert s.pending_edits() == [] and len(s.pending_edits(state="applied")) == 1
        assert s.replay_pending()["applied"] == 0  # never applied twice
    finally:
        s.close()
