"""Open311 → store sync against the local server, on GeoPackage and PostGIS: complete, idempotent, resumable."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ioc_qgis_plugin.connectors.open311 import Open311Client, Open311HTTPError
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from ioc_qgis_plugin.sync.common import SyncCancelled
from ioc_qgis_plugin.sync.open311_sync import CURSOR_KEY, ReportSync
from tests.support.open311_data import END, demo_rows, demo_wards

N = 600


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock(END)


@pytest.fixture
def server(clock):
    rows = demo_rows(N)
    for r in rows:  # the city's system does not know our local-only fields
        for key in ("ward_id", "due_at", "priority"):
            r.pop(key)
    with Open311Server(rows, now=clock, limit=200) as srv:
        yield srv


def _with_wards(store):
    rows, geoms = demo_wards()
    store.insert("wards", rows, geoms)
    return store


@pytest.fixture
def store(empty_store):
    """GeoPackage and PostGIS: for the tests that prove completeness, idempotence and resumption."""
    return _with_wards(empty_store)


@pytest.fixture
def gstore(tmp_path):
    """GeoPackage only: behaviour that does not depend on the backend."""
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    s = _with_wards(GeoPackageStore.create(tmp_path / "s.gpkg"))
    yield s
    s.close()


def make_sync(store, server, clock, **kw) -> ReportSync:
    client = Open311Client(server.url, api_key="demo-key", page_limit=200, sleep=lambda s: None, retries=1)
    kw.setdefault("initial_since", END - timedelta(days=800))
    return ReportSync(store, client, now=clock, **kw)


def snapshot(store) -> dict:
    rows = store.fetch("field_reports", columns=["report_id", "status", "updated_at", "version", "lat", "lon"])
    return {
        "reports": sorted((r["report_id"], r["status"], r["updated_at"], r["version"]) for r in rows),
        "events": store.count("report_events"),
    }


def test_full_sync_is_complete_and_running_it_twice_changes_nothing(store, server, clock) -> None:
    first = make_sync(store, server, clock).run()
    assert first.inserted == N and first.updated == 0 and first.problems == []
    assert store.count("field_reports") == N
    assert store.count("report_events", "action = 'created'") == N
    cursor = json.loads(store.get_meta(CURSOR_KEY))
    assert cursor["mode"] == "updated" and cursor["endpoint"] == server.url
    one = store.get_report("PA-000005")
    assert one["due_at"] and one["ward_id"] and one["priority"] == "normal"
    before = snapshot(store)
    second = make_sync(store, server, clock).run()
    assert (second.inserted, second.updated) == (0, 0) and second.resumed_from
    assert second.fetched < 50  # only the overlap window is read again
    assert snapshot(store) == before
    # even a full re-read of every window changes nothing
    store.set_meta(CURSOR_KEY, "")
    third = make_sync(store, server, clock).run()
    assert third.fetched >= N and (third.inserted, third.updated) == (0, 0)
    assert snapshot(store) == before


def test_incremental_sync_picks_up_only_the_changes(gstore, server, clock) -> None:
    make_sync(gstore, server, clock).run()
    ids = ["PA-000010", "PA-000020", "PA-000030"]
    clock.t = END + timedelta(hours=2)
    server.state.touch(ids, status="closed", notes="Đã khắc phục", at=END + timedelta(hours=1))
    result = make_sync(gstore, server, clock).run()
    assert result.updated == 3 and result.inserted == 0
    for rid in ids:
        row = gstore.get_report(rid)
        assert row["status"] == "closed" and row["status_notes"] == "Đã khắc phục" and row["resolved_at"]
    assert make_sync(gstore, server, clock).run().updated == 0


@pytest.mark.parametrize("stop_after", [1, 4])
def test_cancelled_sync_resumes_without_duplicates_or_loss(store, server, clock, stop_after: int) -> None:
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > stop_after

    with pytest.raises(SyncCancelled):
        make_sync(store, server, clock, is_cancelled=cancel).run()
    partial = store.count("field_reports")
    assert partial < N
    cursor = json.loads(store.get_meta(CURSOR_KEY))
    resumed = make_sync(store, server, clock).run()
    assert resumed.resumed_from == cursor["done_until"]
    assert store.count("field_reports") == N
    assert store.count("report_events", "action = 'created'") == N  # nobody created twice


def test_server_failure_mid_sync_keeps_what_was_committed(store, server, clock) -> None:
    progress: list[float] = []

    def on_progress(fraction: float, message: str) -> None:
        progress.append(fraction)
        if len(progress) == 4:  # after a few committed windows the server starts failing
            server.inject("500", count=1000, path="/requests")

    with pytest.raises(Open311HTTPError):
        make_sync(store, server, clock, progress=on_progress).run()
    committed = store.count("field_reports")
    assert 0 < committed < N
    server.state.faults.clear()
    result = make_sync(store, server, clock).run()
    assert store.count("field_reports") == N and result.inserted == N - committed


def test_coarse_open_closed_does_not_undo_the_local_workflow(gstore, server, clock) -> None:
    server.state.detailed_status = False  # a plain GeoReport v2 server: open/closed only
    make_sync(gstore, server, clock).run()
    rid = next(r["report_id"] for r in gstore.fetch("field_reports", "status = 'received'", limit=1))
    gstore.update_report(rid, {"status": "assigned", "assigned_to": "Đội Trật tự đô thị"}, actor="desk", enqueue=False)
    clock.t = END + timedelta(hours=2)
    server.state.touch([rid], notes="Đang xác minh", at=END + timedelta(hours=1))
    make_sync(gstore, server, clock).run()
    row = gstore.get_report(rid)
    assert row["status"] == "assigned" and row["status_notes"] == "Đang xác minh"
    clock.t = END + timedelta(hours=4)
    server.state.touch([rid], status="closed", at=END + timedelta(hours=3))
    make_sync(gstore, server, clock).run()
    assert gstore.get_report(rid)["status"] == "closed"


def test_pending_local_change_keeps_its_status_until_pushed(gstore, server, clock) -> None:
    make_sync(gstore, server, clock).run()
    rid = next(r["report_id"] for r in gstore.fetch("field_reports", "status IN ('received', 'assigned')", limit=1))
    gstore.update_report(rid, {"status": "in_progress"}, actor="desk")
    assert len(gstore.pending_changes()) == 1
    clock.t = END + timedelta(hours=2)
    server.state.touch([rid], notes="ghi chú mới", at=END + timedelta(hours=1))
    make_sync(gstore, server, clock).run()
    row = gstore.get_report(rid)
    assert row["status"] == "in_progress" and row["status_notes"] == "ghi chú mới"


def test_bad_requests_are_logged_and_the_rest_kept(gstore, server, clock, caplog) -> None:
    at = END - timedelta(days=3)
    server.state.put_raw(
        {"service_request_id": "BAD-1", "service_code": "traffic", "lat": 107.25, "long": 10.94,
         "requested_datetime": "2024-05-29 08:00:00", "updated_datetime": "2024-05-29 08:00:00"},
        at,
    )  # fmt: skip
    server.state.put_raw({"service_request_id": "BAD-2", "lat": 95.0, "long": 300}, at)
    server.state.put_raw({"service_code": "traffic", "token": "T-9"}, at)
    with caplog.at_level("WARNING", logger="ioc.sync.open311"):
        result = make_sync(gstore, server, clock).run()
    assert gstore.count("field_reports") == N + 2
    bad1 = gstore.get_report("BAD-1")
    assert (bad1["lat"], bad1["lon"]) == (10.94, 107.25) and bad1["requested_at"] == "2024-05-29T01:00:00.000Z"
    assert gstore.get_report("BAD-2")["lat"] is None
    assert {p.request_id for p in result.problems} >= {"BAD-1", "BAD-2", ""}
    assert "BAD-1" in caplog.text and "swapped" in caplog.text and "token T-9" in caplog.text


def test_plain_server_without_updated_filter_uses_requested_windows(gstore, server, clock) -> None:
    server.state.extensions = ()
    first = make_sync(gstore, server, clock).run()
    assert first.mode == "requested" and first.inserted == N
    rid = "PA-000595"  # requested within the look-back (reopen_days) of the last sync
    clock.t = END + timedelta(hours=2)
    server.state.touch([rid], status="closed", notes="xong", at=END + timedelta(hours=1))
    again = make_sync(gstore, server, clock).run()
    assert again.updated == 1 and gstore.get_report(rid)["status_notes"] == "xong"


def test_cursor_of_another_endpoint_starts_a_full_sync(gstore, server, clock) -> None:
    gstore.set_meta(CURSOR_KEY, "{not json")
    assert make_sync(gstore, server, clock).cursor() is None
    cursor = {"endpoint": "http://elsewhere", "mode": "updated", "done_until": "2024-05-01T00:00:00Z"}
    gstore.set_meta(CURSOR_KEY, json.dumps(cursor))
    result = make_sync(gstore, server, clock).run()
    assert result.resumed_from is None and result.inserted == N


def test_progress_reaches_one(gstore, server, clock) -> None:
    seen: list[float] = []
    make_sync(gstore, server, clock, progress=lambda f, m: seen.append(f)).run()
    assert seen[0] == 0.0 and seen[-1] == pytest.approx(1.0) and seen == sorted(seen)


def test_timestamps_stay_utc_and_datetime_aware(store, server, clock) -> None:
    make_sync(store, server, clock).run()
    row = store.get_report("PA-000001")
    src = next(r for r in demo_rows(N) if r["report_id"] == "PA-000001")
    assert row["requested_at"] == src["requested_at"] and row["updated_at"] == src["updated_at"]
    assert datetime.fromisoformat(row["requested_at"].replace("Z", "+00:00")).tzinfo == timezone.utc
