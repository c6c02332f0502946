"""Report card on a PostGIS city (issue 15): the history names the database account and the server's time of every
event, also for a change made outside the plugin and for an event whose client wrote a forged name and time."""

from __future__ import annotations

import psycopg2
import pytest

from ioc_qgis_plugin.gui.report_detail import ReportDetail
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, create_city
from tests.support.pgcluster import PgCluster


@pytest.fixture(scope="module")
def city(qgis_app):  # noqa: ANN001
    cluster = PgCluster().start()
    try:
        dsn = create_city(cluster.dsn(), "city_card", analysis_srid=5899)
        add_user(dsn, "desk_card", "desk", "pw-card", wards=["W01"])
        owner = PostgisStore(dsn)
        owner.upsert_reports(
            [
                {
                    "report_id": "C1",
                    "service_code": "traffic",
                    "status": "received",
                    "ward_id": "W01",
                    "lon": 107.24,
                    "lat": 10.94,
                    "requested_at": "2026-01-01T08:00:00+07:00",
                    "source": "local",
                }
            ]
        )
        owner.close()
        yield cluster
    finally:
        cluster.stop()


def test_history_shows_database_user_and_server_time(city):  # noqa: ANN001
    store = PostgisStore.open(city.dsn("city_card", user="desk_card", password="pw-card"))
    try:
        store.update_report("C1", {"status": "assigned", "assigned_to": "Tổ 1"}, "Chị Lan", note="giao tổ 1")
        raw = psycopg2.connect(city.dsn("city_card", user="desk_card", password="pw-card"))
        raw.autocommit = True
        with raw.cursor() as cur:  # psql: a forged name and a time in 1999
            cur.execute(
                "INSERT INTO ioc.report_events (report_id, at, actor, action, note) "
                "VALUES ('C1', '1999-01-01', 'Chủ tịch', 'note', 'giả')"
            )
            cur.execute("UPDATE ioc.field_reports SET priority = 'urgent' WHERE report_id = 'C1'")
        raw.close()
        w = ReportDetail(store, actor="Chị Lan", lang="en")
        assert w.show_report("C1")
        rows = [[w.history.topLevelItem(i).text(c) for c in range(5)] for i in range(w.history.topLevelItemCount())]
        by_action = {r[2]: r for r in rows}
        assert by_action["priority"][1] == "desk_card"  # outside the plugin: the login, no name
        assert by_action["note"][1] == "desk_card (Chủ tịch)"  # the claim shown after the account
        assert not by_action["note"][0].startswith("1999")  # the server's time, not the client's
        assert by_action["status"][1] == "desk_card (Chị Lan)" and by_action["status"][4] == "giao tổ 1"
        assert by_action["created"][1] == "postgres (sync)"
    finally:
        store.close()
