"""City migration 5 (issue 15) on a city database that has been in use at level 4: every row of every table and
every role's panel counts are identical after, and the accounts made at level 4 keep working under the new rules."""

from __future__ import annotations

import pytest

from ioc_qgis_plugin.core.report_filter import ReportFilter
from ioc_qgis_plugin.demo.citygen import City, CityConfig
from ioc_qgis_plugin.store import migrations
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, migrate_city

N = 1200
DB = "city_level4"
USERS = {"old_desk": ("desk", ["W01"]), "old_planner": ("planner", []), "old_admin": ("admin", [])}
TABLES = (
    "field_reports",
    "report_events",
    "report_outbox",
    "report_attachments",
    "report_summary",
    "wards",
    "cameras",
    "ioc_user_units",
    "ioc_meta",
)
FILTERS = [ReportFilter(), ReportFilter(open_only=True), ReportFilter(wards=("W01",), categories=("traffic",))]


def _tables(store: PostgisStore) -> dict[str, list]:
    out = {}
    for t in TABLES:
        rows = store._query(f"SELECT to_jsonb(x) - 'fid' FROM ioc.{t} x")
        out[t] = sorted(str(r[0]) for r in rows if not (t == "ioc_meta" and r[0]["key"] == "postgis_city_version"))
    return out


def _login(cluster, user: str) -> PostgisStore:
    return PostgisStore.open(cluster.dsn(DB, user=user, password=f"pw-{user}"))


def _counts(cluster) -> dict:
    out = {}
    for user in USERS:
        s = _login(cluster, user)
        try:
            out[user] = [s.report_counts(f) for f in FILTERS]
        finally:
            s.close()
    return out


@pytest.fixture(scope="module")
def level4(pg_cluster):
    dsn = pg_cluster.createdb(DB)
    store = PostgisStore.create(dsn)
    store.set_meta("analysis_srid", "5899")
    store.close()
    assert migrate_city(dsn, target=4) == [1, 2, 3, 4]
    for name, (role, wards) in USERS.items():
        add_user(dsn, name, role, f"pw-{name}", wards=wards)
    owner = PostgisStore.open(dsn)
    city = City(CityConfig(reports=N))
    city.wards()
    rows = city.reports()
    for r in rows[::3]:
        r["source"] = "open311"  # so desk changes go to the outbox
    owner.upsert_reports(rows)
    owner.close()
    desk = _login(pg_cluster, "old_desk")  # a working day at level 4: desk changes, a note, the outbox
    mine = desk.fetch("field_reports", "status = 'received' AND source = 'open311'", limit=5)
    for r in mine:
        desk.update_report(r["report_id"], {"status": "in_progress"}, "Lan", note="đang xử lý")
    desk.close()
    assert mine
    return pg_cluster, dsn


def test_level5_keeps_every_row_and_every_count(level4):
    cluster, dsn = level4
    owner = PostgisStore.open(dsn)
    assert owner.city_version() == 4
    before, counts = _tables(owner), _counts(cluster)
    owner.close()
    assert sum(len(v) for v in before.values()) > 2 * N
    assert migrate_city(dsn) == list(range(5, migrations.latest_version() + 1))
    owner = PostgisStore.open(dsn)
    try:
        assert owner.city_version() == migrations.latest_version()
        assert _tables(owner) == before
    finally:
        owner.close()
    assert _counts(cluster) == counts


def test_level4_accounts_work_under_the_new_rules(level4):
    cluster, dsn = level4
    if PostgisStore.open(dsn).city_version() < 5:
        migrate_city(dsn)
    desk = _login(cluster, "old_desk")
    try:
        r = desk.fetch("field_reports", "status = 'in_progress'", limit=1)[0]  # one of the level-4 changes
        v = desk.update_report(r["report_id"], {"status": "assigned", "assigned_to": "Tổ 2"}, "Lan", note="giao")
        audit = desk.report_audit(r["report_id"])[-2:]
        assert {(e["action"], e["db_user"], e["actor"], e["note"]) for e in audit} == {
            ("status", "old_desk", "Lan", "giao"),
            ("assign", "old_desk", "Lan", "giao"),
        }
        assert desk.get_report(r["report_id"])["version"] == v
    finally:
        desk.close()
