"""Outbox push: offline edits are never lost and never applied twice by the server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ioc_qgis_plugin.connectors.open311 import Open311Client
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from ioc_qgis_plugin.store.errors import StoreError
from ioc_qgis_plugin.sync.open311_sync import ReportSync
from ioc_qgis_plugin.sync.outbox import OutboxPusher, update_arguments
from tests.support.open311_data import END, demo_rows

N = 120


@pytest.fixture
def server():
    with Open311Server(demo_rows(N), now=lambda: END) as srv:
        yield srv


@pytest.fixture
def synced(empty_store, server):
    client = Open311Client(server.url, api_key="demo-key", sleep=lambda s: None, retries=1)
    ReportSync(empty_store, client, now=lambda: END, initial_since=END - timedelta(days=800)).run()
    assert empty_store.count("field_reports") == N
    return empty_store


def client_for(server, **kw) -> Open311Client:
    return Open311Client(server.url, api_key="demo-key", sleep=lambda s: None, retries=1, **kw)


def open_report(store) -> str:
    return store.fetch("field_reports", "status = 'closed'", order_by="report_id", limit=1)[0]["report_id"]


def test_change_is_pushed_once(synced, server) -> None:
    rid = open_report(synced)
    synced.update_report(rid, {"status": "in_progress"}, actor="desk", note="Đội đang tới hiện trường")
    (change,) = synced.pending_changes()
    result = OutboxPusher(synced, client_for(server)).push()
    assert (result.sent, result.failed) == (1, 0)
    assert synced.pending_changes() == []
    rec = server.state.records[rid]
    assert rec["detailed_status"] == "in_progress" and rec["status"] == "open"
    assert rec["status_notes"] == "Đội đang tới hiện trường"
    assert change["change_id"] in server.state.applied_updates
    assert OutboxPusher(synced, client_for(server)).push().sent == 0
    assert server.state.update_count == 1


def test_offline_changes_wait_and_are_sent_later(synced, server) -> None:
    rid = open_report(synced)
    synced.update_report(rid, {"status": "in_progress"}, actor="desk")
    synced.update_report(rid, {"status": "resolved"}, actor="desk", note="Đã xử lý")
    offline = Open311Client("http://127.0.0.1:9", api_key="demo-key", sleep=lambda s: None, retries=0)
    result = OutboxPusher(synced, offline).push()
    assert result.sent == 0 and len(synced.pending_changes()) == 2
    back = OutboxPusher(synced, client_for(server)).push()
    assert back.sent == 2 and synced.pending_changes() == []
    assert server.state.records[rid]["detailed_status"] == "resolved"
    assert server.state.records[rid]["status"] == "closed"


def test_crash_after_the_server_applied_does_not_apply_twice(synced, server, monkeypatch) -> None:
    rid = open_report(synced)
    synced.update_report(rid, {"status": "in_progress"}, actor="desk")
    real = synced.mark_sent

    def crash(change_id: str) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(synced, "mark_sent", crash)
    with pytest.raises(StoreError):
        OutboxPusher(synced, client_for(server)).push()
    assert len(synced.pending_changes()) == 1 and server.state.update_count == 1
    monkeypatch.setattr(synced, "mark_sent", real)
    assert OutboxPusher(synced, client_for(server)).push().sent == 1
    assert server.state.update_count == 1  # the retry carried the same Idempotency-Key
    assert synced.pending_changes() == []


def test_refused_change_blocks_later_changes_of_the_same_report_only(synced, server) -> None:
    ids = [r["report_id"] for r in synced.fetch("field_reports", "status = 'closed'", limit=2)]
    first, second = ids
    synced.update_report(first, {"status": "in_progress"}, actor="desk")
    synced.update_report(first, {"status": "resolved"}, actor="desk")
    synced.update_report(second, {"status": "in_progress"}, actor="desk")
    del server.state.records[first]  # the server no longer knows it: 404 for the first change
    result = OutboxPusher(synced, client_for(server)).push()
    assert (result.sent, result.failed, result.waiting) == (1, 1, 1)
    pending = synced.pending_changes()
    assert [p["report_id"] for p in pending] == [first, first]
    assert pending[0]["attempts"] == 1 and "404" in pending[0]["last_error"]


def test_server_without_update_extension_keeps_the_outbox(synced, server) -> None:
    server.state.extensions = ("updated_window",)
    rid = open_report(synced)
    synced.update_report(rid, {"status": "in_progress"}, actor="desk")
    result = OutboxPusher(synced, client_for(server)).push()
    assert result.unsupported and result.sent == 0 and len(synced.pending_changes()) == 1


def test_server_errors_stop_the_push_and_keep_everything(synced, server) -> None:
    ids = [r["report_id"] for r in synced.fetch("field_reports", "status = 'closed'", limit=2)]
    for rid in ids:
        synced.update_report(rid, {"status": "in_progress"}, actor="desk")
    server.inject("500", count=100, path="/requests/")
    result = OutboxPusher(synced, client_for(server)).push()
    assert result.sent == 0 and result.failed == 1 and result.waiting == 1
    assert len(synced.pending_changes()) == 2


def test_update_arguments() -> None:
    args = update_arguments(
        {"changes": {"status": "rejected", "assigned_to": "Phường 1"}, "note": "Không thuộc thẩm quyền"}
    )
    assert args == {
        "status": "closed",
        "detailed_status": "rejected",
        "status_notes": "Không thuộc thẩm quyền",
        "agency_responsible": "Phường 1",
    }
    assert update_arguments({"changes": {"priority": "urgent"}, "note": ""}) == {}
