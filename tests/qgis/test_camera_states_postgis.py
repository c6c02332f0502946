"""Camera health's state writer on a PostGIS city, as the accounts that run it: an operator writes the status of
the cameras of its own area only (row-level security); a planner, who may not write them, gets an error that
names no password — the checker logs it once and the round goes on (tests/qgis/test_plugin.py)."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from ioc_qgis_plugin.gui.settings import IocSettings
from ioc_qgis_plugin.gui.store_opener import camera_state_writer
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, create_city
from tests.qgis.conftest import basic_authcfg as _authcfg
from tests.support.pgcluster import PgCluster

SEEN = "2026-11-29T08:00:00.000Z"


@pytest.fixture(scope="module")
def city(qgis_app):  # noqa: ANN001
    cluster = PgCluster().start()
    try:
        dsn = create_city(cluster.dsn(), "city_cams", analysis_srid=5899)
        add_user(dsn, "op_w01", "operator", "pw-op-w01", wards=["W01"])
        add_user(dsn, "planner_cams", "planner", "pw-planner")
        owner = PostgisStore(dsn)
        owner.insert(
            "cameras",
            [
                {"camera_id": "CAM-W01", "name": "Ngã tư 1", "ward_id": "W01", "status": "unknown"},
                {"camera_id": "CAM-W02", "name": "Ngã tư 2", "ward_id": "W02", "status": "unknown"},
            ],
            [Point(107.24, 10.94), Point(107.25, 10.95)],
        )
        owner.close()
        yield cluster, dsn
    finally:
        cluster.stop()


def _settings(cluster: PgCluster, user: str, password: str) -> IocSettings:
    settings = IocSettings(store_kind="postgis", pg_host="127.0.0.1", pg_port=cluster.port, pg_dbname="city_cams")
    settings.pg_authcfg = _authcfg(user, password)
    return settings


def _stored(dsn: str) -> dict[str, tuple]:
    owner = PostgisStore(dsn)
    try:
        return {r["camera_id"]: (r["status"], r["last_seen"]) for r in owner.fetch("cameras")}
    finally:
        owner.close()


def test_operator_writes_only_the_cameras_of_its_area(city):  # noqa: ANN001
    cluster, dsn = city
    write = camera_state_writer(_settings(cluster, "op_w01", "pw-op-w01"))
    write(
        [
            {"camera_id": "CAM-W01", "status": "online", "last_seen": SEEN},
            {"camera_id": "CAM-W02", "status": "offline", "last_seen": None},
        ]
    )
    stored = _stored(dsn)
    assert stored["CAM-W01"][0] == "online" and stored["CAM-W01"][1] is not None
    assert stored["CAM-W02"] == ("unknown", None)  # another ward's camera: row-level security leaves it alone


def test_planner_may_not_write_and_the_error_names_no_password(city):  # noqa: ANN001
    cluster, dsn = city
    write = camera_state_writer(_settings(cluster, "planner_cams", "pw-planner"))
    with pytest.raises(Exception) as info:  # noqa: PT011 - whatever the store raises, the checker logs it
        write([{"camera_id": "CAM-W01", "status": "offline", "last_seen": None}])
    assert "permission denied" in str(info.value).lower(), info.value
    assert "pw-planner" not in str(info.value)
    assert _stored(dsn)["CAM-W01"][0] != "offline"
