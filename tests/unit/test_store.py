"""One store suite, run against GeoPackage and PostGIS (throwaway cluster on 127.0.0.1)."""

from __future__ import annotations

import sqlite3

import pytest
from shapely.geometry import MultiPolygon, Point, box

from ioc_qgis_plugin.store.errors import (
    AlreadyExists,
    ConflictError,
    NotAnIocStore,
    SchemaVersionError,
    StoreError,
    StoreUnavailable,
)
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

REPORT = {
    "report_id": "PA-1",
    "service_code": "traffic",
    "status": "submitted",
    "lon": 107.25,
    "lat": 10.95,
    "requested_at": "2026-01-01T08:00:00+07:00",
    "source": "open311",
}


def test_schema_version_recorded(empty_store):
    assert empty_store.schema_version() == empty_store.schema.version
    empty_store.check_schema()


def test_geometry_round_trip(empty_store):
    poly = MultiPolygon([box(107.2, 10.9, 107.3, 11.0)])
    empty_store.insert("wards", [{"ward_id": "W1", "name": "Phường Xuân An"}], [poly])
    row = empty_store.fetch("wards", geometry=True)[0]
    assert row["name"] == "Phường Xuân An"
    assert row["geom"].equals(poly)


def test_upsert_is_idempotent_and_records_history(empty_store):
    assert empty_store.upsert_reports([REPORT]) == (1, 0)
    assert empty_store.upsert_reports([REPORT]) == (0, 0)  # running twice changes nothing
    stored = empty_store.get_report("PA-1", geometry=True)
    assert stored["requested_at"] == "2026-01-01T01:00:00.000Z"  # +07:00 normalised to UTC
    assert stored["geom"].equals(Point(107.25, 10.95))
    changed = {**REPORT, "status": "received", "lon": 107.26}
    assert empty_store.upsert_reports([changed]) == (0, 1)
    assert empty_store.get_report("PA-1", geometry=True)["geom"].equals(Point(107.26, 10.95))
    actions = [e["action"] for e in empty_store.report_events("PA-1")]
    assert actions == ["created", "status"]


def test_update_report_audit_trail_outbox_and_conflict(empty_store):
    empty_store.upsert_reports([REPORT])
    v = empty_store.get_report("PA-1")["version"]
    v2 = empty_store.update_report("PA-1", {"status": "received"}, "alice", note="đã tiếp nhận", expected_version=v)
    assert v2 == v + 1
    with pytest.raises(ConflictError):  # a second desk still holding the old version loses nothing silently
        empty_store.update_report("PA-1", {"status": "rejected"}, "bob", expected_version=v)
    assert empty_store.get_report("PA-1")["status"] == "received"
    empty_store.update_report("PA-1", {"status": "assigned", "assigned_to": "Đội Trật tự đô thị"}, "alice")
    events = empty_store.report_events("PA-1")
    assert [(e["action"], e["actor"]) for e in events[1:]] == [
        ("status", "alice"),
        ("status", "alice"),
        ("assign", "alice"),
    ]
    assert events[1]["note"] == "đã tiếp nhận"
    pending = empty_store.pending_changes()
    assert len(pending) == 2  # open311 reports queue their changes for the server
    empty_store.mark_sent(pending[0]["change_id"])
    assert len(empty_store.pending_changes()) == 1


def test_invalid_transition_refused(empty_store):
    empty_store.upsert_reports([REPORT])
    with pytest.raises(ValueError, match="cannot change"):
        empty_store.update_report("PA-1", {"status": "closed"}, "alice")
    assert empty_store.get_report("PA-1")["status"] == "submitted"
    assert len(empty_store.report_events("PA-1")) == 1


def test_resolving_sets_resolution_time(empty_store):
    empty_store.upsert_reports([{**REPORT, "status": "in_progress"}])
    empty_store.update_report("PA-1", {"status": "resolved"}, "alice")
    assert empty_store.get_report("PA-1")["resolved_at"]


def test_unknown_field_refused(empty_store):
    empty_store.upsert_reports([REPORT])
    with pytest.raises(StoreError, match="unknown report fields"):
        empty_store.update_report("PA-1", {"owner": "x"}, "alice")


def test_columns_bulk_read(empty_store):
    empty_store.upsert_reports([{**REPORT, "report_id": f"PA-{i}"} for i in range(50)])
    cols = empty_store.columns("field_reports", ["report_id", "lat", "status"])
    assert len(cols["report_id"]) == 50
    assert cols["lat"].dtype.kind == "f"


def test_transaction_rolls_back(empty_store):
    with pytest.raises(RuntimeError), empty_store.transaction():
        empty_store.upsert_reports([REPORT])
        raise RuntimeError("boom")
    assert empty_store.count("field_reports") == 0


# -- GeoPackage-specific bad input ------------------------------------------------------------------------
def test_refuses_to_overwrite(tmp_path):
    GeoPackageStore.create(tmp_path / "a.gpkg").close()
    with pytest.raises(AlreadyExists):
        GeoPackageStore.create(tmp_path / "a.gpkg")


def test_corrupt_file_is_not_an_ioc_store(tmp_path):
    p = tmp_path / "x.gpkg"
    p.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(NotAnIocStore, match="not a GeoPackage"):
        GeoPackageStore.open(p)
    assert p.read_bytes().startswith(b"\x00garbage")


def test_foreign_geopackage_is_not_an_ioc_store(tmp_path):
    p = tmp_path / "foreign.gpkg"
    conn = sqlite3.connect(p)
    conn.execute("PRAGMA application_id = 1196444487")
    conn.execute("CREATE TABLE gpkg_contents (table_name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAnIocStore, match="not an IOC store"):
        GeoPackageStore.open(p)


def test_wrong_schema_version(tmp_path):
    store = GeoPackageStore.create(tmp_path / "old.gpkg")
    store.set_meta("schema_version", "0")
    store.close()
    with pytest.raises(SchemaVersionError, match="schema version 0"):
        GeoPackageStore.open(tmp_path / "old.gpkg")


def test_gdal_reads_our_geopackage(demo_gpkg):
    """GDAL (what QGIS uses) sees every layer, its count and a working R-tree spatial filter."""
    import subprocess

    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(demo_gpkg), "field_reports"], capture_output=True, text=True, check=True
    ).stdout
    assert "Feature Count: 3000" in out
    assert "EPSG" in out or "WGS 84" in out
    out = subprocess.run(
        ["ogrinfo", "-ro", "-q", "-spat", "0", "0", "1", "1", str(demo_gpkg), "field_reports"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "OGRFeature" not in out  # nothing near (0, 0): the spatial index answers


def test_unreachable_postgis():
    from ioc_qgis_plugin.store.postgis import PostgisStore
    from tests.support.pgcluster import free_port

    with pytest.raises(StoreUnavailable, match="cannot connect"):
        PostgisStore.open(f"host=127.0.0.1 port={free_port()} dbname=x user=x connect_timeout=2")


def test_wrong_password(pg_cluster):
    import psycopg2

    from ioc_qgis_plugin.store.postgis import PostgisStore

    conn = psycopg2.connect(pg_cluster.dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE ROLE desk LOGIN PASSWORD 'right'")
    conn.close()
    with pytest.raises(StoreUnavailable, match="password authentication failed"):
        PostgisStore.open(pg_cluster.dsn(user="desk", password="wrong"))
    with pytest.raises(StoreUnavailable):
        PostgisStore.open(pg_cluster.dsn(user="nobody", password="x"))


def test_insert_takes_columns_from_every_row(empty_store):
    rows = [
        {"report_id": "A", "service_code": "land", "status": "received"},
        {"report_id": "B", "service_code": "land", "status": "closed", "resolved_at": "2026-01-02T00:00:00.000Z"},
    ]
    empty_store.insert("field_reports", rows)
    assert empty_store.get_report("B")["resolved_at"] == "2026-01-02T00:00:00.000Z"
    assert empty_store.get_report("A")["resolved_at"] is None


def test_older_store_gets_the_camera_timeout_columns(empty_store):
    """A store made before schema 2 (no per-camera timeouts) is upgraded in place when opened; rows are kept."""
    store = empty_store
    store.insert("cameras", [{"camera_id": "CAM-1", "name": "Ngã tư", "stream_url": "rtsp://h/x"}], [Point(107, 11)])
    cameras = store._qualified("cameras")
    with store.transaction():
        for col in ("open_timeout_s", "read_timeout_s", "stall_after_s"):
            store._execute(f"ALTER TABLE {cameras} DROP COLUMN {col}")
    store.set_meta("schema_version", "1")
    if store.kind == "gpkg":
        store.close()
        reopened = GeoPackageStore.open(store.path)
    else:
        from ioc_qgis_plugin.store.postgis import PostgisStore

        reopened = PostgisStore.open(store.dsn, store.db_schema)
    try:
        assert reopened.schema_version() == reopened.schema.version == 2
        row = reopened.fetch("cameras")[0]
        assert row["camera_id"] == "CAM-1" and row["stream_url"] == "rtsp://h/x"
        assert row["open_timeout_s"] is None
        reopened.insert("cameras", [{"camera_id": "CAM-2", "name": "HLS", "read_timeout_s": 9.0, "stall_after_s": 9.0}])
        assert {r["camera_id"]: r["read_timeout_s"] for r in reopened.fetch("cameras")} == {"CAM-1": None, "CAM-2": 9.0}
    finally:
        reopened.close()
