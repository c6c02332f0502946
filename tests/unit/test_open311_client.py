"""Open311 client against the real local server on 127.0.0.1: spec methods, filters, windows, retries, bad answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ioc_qgis_plugin.connectors.open311 import (
    Open311Client,
    Open311ContentTypeError,
    Open311Error,
    Open311HTTPError,
    Open311PayloadError,
    Open311Unavailable,
)
from ioc_qgis_plugin.connectors.open311_parse import normalise_batch
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from tests.support.open311_data import END, demo_rows


@pytest.fixture(scope="module")
def server():
    with Open311Server(demo_rows(3000), now=lambda: END) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _reset(server):
    server.state.faults.clear()
    server.state.limit = 1000
    yield


def client(server, fmt: str = "json", **kw) -> Open311Client:
    kw.setdefault("sleep", lambda s: None)
    return Open311Client(server.url, api_key="demo-key", fmt=fmt, **kw)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_spec_methods(server, fmt: str) -> None:
    c = client(server, fmt)
    assert c.supports_update() and c.supports_updated_window()
    services = c.services()
    assert {s["service_code"] for s in services} >= {"traffic", "environment"}
    definition = c.service_definition("traffic")
    assert [a["code"] for a in definition["attributes"]] == ["LIGHT_ID", "SEVERITY"]
    recent = c.requests()  # default: last 90 days, newest first, at most 1000
    assert 0 < len(recent) <= 1000
    rows, problems = normalise_batch(recent)
    assert problems == [] and all(r["requested_at"] >= "2024-03-01" for r in rows)
    one = c.request(rows[0]["report_id"])
    assert one["service_request_id"] == rows[0]["report_id"]
    assert c.request("NO-SUCH") is None


def test_filters(server) -> None:
    c = client(server)
    start, end = END - timedelta(days=60), END - timedelta(days=30)
    got = c.requests(start_date=start, end_date=end, service_code="traffic", status="closed")
    assert got and all(r["service_code"] == "traffic" and r["status"] == "closed" for r in got)
    rows, _ = normalise_batch(got)
    assert all(start.isoformat() <= r["requested_at"].replace("Z", "+00:00") <= end.isoformat() for r in rows)
    ids = [r["report_id"] for r in rows[:3]]
    assert {r["service_request_id"] for r in c.requests(service_request_id=ids)} == set(ids)


def test_span_over_90_days_is_an_open311_error_list(server) -> None:
    c = client(server)
    with pytest.raises(Open311HTTPError) as info:
        c.requests(start_date=END - timedelta(days=200), end_date=END)
    assert info.value.status == 400 and "90 days" in info.value.errors[0].description


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_create_and_token(server, fmt: str) -> None:
    c = client(server, fmt)
    answer = c.create("environment", lat=10.94, long=107.24, description="Rác thải ven đường")
    rid = answer["service_request_id"]
    created = c.request(rid)
    assert created["status"] == "open" and created["description"] == "Rác thải ven đường"
    token = next(t for t, r in server.state.tokens.items() if r == rid)
    assert str(c.token(token)["service_request_id"]) == rid
    bad = Open311Client(server.url, api_key="wrong", fmt=fmt)
    with pytest.raises(Open311HTTPError) as info:
        bad.create("environment", lat=10.94, long=107.24)
    assert info.value.status == 403 and "api_key" in str(info.value)
    with pytest.raises(Open311Error, match="lat/long or an address"):
        c.create("environment")


def test_windows_split_dense_answers_so_nothing_is_cut_off(server) -> None:
    server.state.limit = 150
    c = client(server, page_limit=150)
    since = END - timedelta(days=800)
    seen: list[str] = []
    windows = list(c.windows(since, END + timedelta(seconds=1), by_updated=True))
    for w in windows:
        assert len(w.records) < 150
        seen += [r["service_request_id"] for r in w.records]
    assert set(seen) == set(server.state.records)
    assert any(w.splits for w in windows)
    assert [w.start for w in windows] == sorted(w.start for w in windows)


def test_retries_5xx_then_succeeds(server) -> None:
    server.inject("500", count=2, path="/services")
    c = client(server)
    assert c.services()
    assert c.calls == 3


def test_gives_up_after_retries_with_a_clear_error(server) -> None:
    server.inject("503", count=10, path="/services")
    with pytest.raises(Open311HTTPError, match="HTTP 503"):
        client(server, retries=2).services()


def test_timeout_is_retried(server) -> None:
    server.inject("timeout", count=1, path="/services", delay=0.6)
    c = client(server, timeout=(1.0, 0.2))
    assert c.services() and c.calls == 2


def test_unreachable_server() -> None:
    c = Open311Client("http://127.0.0.1:9", retries=1, sleep=lambda s: None, timeout=(0.5, 0.5))
    with pytest.raises(Open311Unavailable, match="unreachable"):
        c.services()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_malformed_and_wrong_content_type(server, fmt: str) -> None:
    c = client(server, fmt)
    server.inject("malformed", path="/requests")
    with pytest.raises(Open311PayloadError, match="malformed"):
        c.requests()
    server.inject("html", path="/requests")
    with pytest.raises(Open311ContentTypeError, match="text/html"):
        c.requests()


def test_create_is_not_retried_after_a_server_error(server) -> None:
    server.inject("500", count=1, path="/requests.json")
    before = len(server.state.records)
    c = client(server)
    with pytest.raises(Open311HTTPError):
        c.create("traffic", lat=10.9, long=107.2)
    assert c.calls == 1 and len(server.state.records) == before


def test_update_extension_is_idempotent(server) -> None:
    c = client(server)
    rid = next(iter(server.state.records))
    before = server.state.update_count
    a = c.update(rid, idempotency_key="k-1", status="open", detailed_status="in_progress", status_notes="Đang xử lý")
    b = c.update(rid, idempotency_key="k-1", status="open", detailed_status="in_progress", status_notes="Đang xử lý")
    assert a == b and server.state.update_count == before + 1
    assert c.request(rid)["detailed_status"] == "in_progress"


def test_server_now_is_respected() -> None:
    rows = demo_rows(200)
    fixed = datetime(2024, 6, 1, tzinfo=timezone.utc)
    with Open311Server(rows, now=lambda: fixed) as srv:
        assert Open311Client(srv.url).requests()
