"""A reopened report loses its resolution time, so its next resolution is timed afresh (both stores)."""

from __future__ import annotations

REPORT = {
    "report_id": "PA-9",
    "service_code": "traffic",
    "status": "submitted",
    "lon": 107.25,
    "lat": 10.95,
    "requested_at": "2026-01-01T08:00:00+07:00",
    "source": "open311",
}


def test_reopening_clears_resolved_at(empty_store):  # noqa: ANN001 - fixture
    store = empty_store
    store.upsert_reports([REPORT])
    for status in ("received", "in_progress", "resolved"):
        store.update_report("PA-9", {"status": status}, "alice")
    first = store.get_report("PA-9")["resolved_at"]
    assert first
    store.update_report("PA-9", {"status": "in_progress"}, "bob", note="citizen disagrees")
    assert not store.get_report("PA-9")["resolved_at"]  # was: the first resolution time stayed
    assert any(e["action"] == "edit:resolved_at" for e in store.report_events("PA-9"))
    store.update_report("PA-9", {"status": "resolved"}, "alice")
    second = store.get_report("PA-9")["resolved_at"]
    assert second and second >= first
