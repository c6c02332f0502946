"""Open311 sync against a deliberately misbehaving server: bad records are isolated, bad answers refused clearly,
the cursor only moves over what was really read, limits hold, and an older copy never replaces a newer one."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from ioc_qgis_plugin.connectors import open311_parse as parse
from ioc_qgis_plugin.connectors.open311 import (
    Open311Client,
    Open311Deadline,
    Open311Error,
    Open311FormatError,
    Open311HTTPError,
    Open311TooLarge,
)
from ioc_qgis_plugin.devservers.hostile_server import (
    HOSTILE_BODIES,
    HostileServer,
    Reply,
    good_request,
    hostile_requests,
    json_body,
    windowed,
    xml_body,
)
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from ioc_qgis_plugin.sync.open311_sync import CURSOR_KEY, ReportSync, SyncDeadline

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


@pytest.fixture
def srv():
    with HostileServer() as s:
        yield s


@pytest.fixture
def store(tmp_path):
    s = GeoPackageStore.create(tmp_path / "h.gpkg")
    yield s
    s.close()


def client(srv: HostileServer, fmt: str = "json", **kw) -> Open311Client:
    kw.setdefault("retries", 0)
    return Open311Client(srv.url + "/open311/v2", fmt=fmt, **kw)


def sync(store, cl, now=NOW, **kw) -> ReportSync:
    kw.setdefault("initial_days", 60)
    return ReportSync(store, cl, now=lambda: now, **kw)


def assert_clean(store, text_ids: frozenset = frozenset()) -> None:
    """What 'no garbage stored' means: ids as sent, real Unicode, plausible dates and places, statuses we know."""
    for r in store.fetch("field_reports"):
        assert r["report_id"].startswith("H-") or r["report_id"] in text_ids
        for k, v in r.items():
            if isinstance(v, str):
                assert not any("\ud800" <= c <= "\udfff" for c in v), (k, v)
                assert "\x00" not in v and len(v) <= parse.MAX_TEXT_CHARS
        for k in ("requested_at", "updated_at", "due_at"):
            if r[k]:
                assert "1970" <= r[k][:4] <= "2101", (k, r[k])
        if r["lat"] is not None:
            assert 8 <= r["lat"] <= 24 and 102 <= r["lon"] <= 110


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_records_are_skipped_counted_and_the_window_commits(srv, store, fmt) -> None:
    good = [good_request(100 + i) for i in range(20)]
    bad = [r for _, r in hostile_requests()]
    records = good[:10] + bad + good[10:]
    srv.route(f"/open311/v2/requests.{fmt}", windowed(records, fmt) if fmt == "json" else windowed(records, "xml"))
    result = sync(store, client(srv, fmt)).run()
    stored = {r["report_id"] for r in store.fetch("field_reports")}
    assert {r["service_request_id"] for r in good} <= stored
    assert_clean(store, frozenset({"True", "1.5"}) if fmt == "xml" else frozenset())  # XML has no truth values
    assert store.get_meta(CURSOR_KEY)  # the cursor moved
    errors = [p for p in result.problems if p.severity == "error"]
    assert errors and any(p.request_id == "H-00002" for p in errors)  # the year-1 request, by its id
    if fmt == "json":  # XML has no types: "True" is a text there, and surrogates cannot be sent in XML
        assert "H-00005" not in stored and not any(r.startswith("H-\udc00") for r in stored)
        assert any("not an id" in p.message for p in errors)


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_bodies_give_a_clear_error_and_do_not_move_the_cursor(srv, store, name) -> None:
    fmt, body, ctype = HOSTILE_BODIES[name]
    srv.route(f"/open311/v2/requests.{fmt}", Reply(body=body, content_type=ctype))
    with pytest.raises(Open311Error) as err:
        sync(store, client(srv, fmt)).run()
    assert isinstance(err.value, (Open311FormatError, Open311HTTPError)), err.value
    assert len(str(err.value)) < 600 and "\n" not in str(err.value)
    assert store.get_meta(CURSOR_KEY) is None and store.count("field_reports") == 0


def test_403_names_the_cause_without_raw_markup(srv) -> None:
    srv.route(
        "/open311/v2/requests.xml",
        Reply(
            403,
            b'<?xml version="1.0"?><html><head><style>p{}</style></head><body><p>Forbidden</p></body></html>',
            "text/html",
        ),
    )
    with pytest.raises(Open311HTTPError) as err:
        client(srv, "xml").requests()
    text = str(err.value)
    assert "access refused" in text and "Forbidden" in text and "<" not in text and "p{}" not in text


def test_body_limit_stops_the_download_and_splits_the_window(srv) -> None:
    records = [good_request(i, requested=f"2024-05-{1 + i % 28:02d}T08:00:00+07:00") for i in range(400)]
    sizes = []

    def route(seen):
        reply = windowed(records)(seen)
        sizes.append(len(reply.body))
        return reply

    srv.route("/open311/v2/requests.json", route)
    cl = client(srv, max_bytes=40_000)
    with pytest.raises(Open311TooLarge):
        cl.requests()
    got = [r for w in cl.windows(datetime(2024, 4, 1, tzinfo=timezone.utc), NOW, False) for r in w.records]
    assert len(got) == 400
    assert max(sizes) > 40_000  # the first answer was too large, and it was cut, never parsed


def test_drip_server_hits_the_overall_deadline(srv) -> None:
    srv.route("/open311/v2/requests.json", Reply(body=json_body([good_request(1)]), drip_s=0.05))
    cl = client(srv, deadline_s=1.0)
    t0 = time.monotonic()
    with pytest.raises(Open311Deadline):
        cl.requests()
    assert time.monotonic() - t0 < 5.0


def test_sync_deadline_keeps_the_committed_windows(srv, store) -> None:
    srv.route("/open311/v2/requests.json", windowed([good_request(1)]))
    ticks = iter(range(0, 10_000, 100))
    s = sync(store, client(srv), initial_days=400, max_seconds=150, clock=lambda: float(next(ticks)))
    with pytest.raises(SyncDeadline):
        s.run()
    cursor = json.loads(store.get_meta(CURSOR_KEY))
    assert cursor["done_until"] < "2024-06-01"  # stopped part-way, after committing
    sync(store, client(srv), initial_days=400).run()  # and the next run finishes
    assert json.loads(store.get_meta(CURSOR_KEY))["done_until"] >= "2024-06-01"


def test_an_older_copy_never_replaces_a_newer_one(srv, store) -> None:
    newer = good_request(1, status="closed", updated_datetime="2024-05-20T10:00:00+07:00")
    srv.route("/open311/v2/requests.json", windowed([newer]))
    sync(store, client(srv)).run()
    assert store.get_report("H-00001")["status"] == "closed"
    older = good_request(1, status="open", updated_datetime="2024-05-02T10:00:00+07:00", description="stale")
    srv.route("/open311/v2/requests.json", windowed([older]))
    result = sync(store, client(srv), now=NOW + timedelta(hours=1)).run()
    row = store.get_report("H-00001")
    assert row["status"] == "closed" and row["description"] != "stale"
    assert any("older than the stored copy" in p.message for p in result.problems)


def test_duplicates_in_one_answer_keep_the_higher_version(srv) -> None:
    a = good_request(1, version=3, description="v3")
    b = good_request(1, version=2, description="v2")
    rows, problems = parse.normalise_batch([a, b])
    assert rows[0]["description"] == "v3" and problems


def test_periodic_full_reconciliation_finds_late_published_requests(srv, store) -> None:
    early = good_request(1, requested="2024-05-25T08:00:00+07:00")
    records = [early]
    srv.route("/open311/v2/requests.json", windowed(records))
    s = dict(initial_days=365, reopen_days=90)
    sync(store, client(srv), **s).run()
    # published today, but requested 200 days ago: outside the 90-day look-back
    records.append(good_request(2, requested="2023-11-10T08:00:00+07:00"))
    later = NOW + timedelta(days=1)
    sync(store, client(srv), now=later, **s).run()
    assert store.get_report("H-00002") is None  # the look-back alone misses it …
    result = sync(store, client(srv), now=NOW + timedelta(days=8), **s).run()
    assert result.full and store.get_report("H-00002") is not None  # … the weekly full pass finds it


@pytest.mark.parametrize(
    "value, ok",
    [
        ("9999-12-31T23:59:59Z", False),
        ("0001-01-01T00:00:00+01:00", False),
        ("2024-05-01T08:00:00+07:00", True),
        (True, False),
        (1.7e308, False),
        ("1" * 500, False),
    ],
)
def test_timestamps_outside_the_plausible_range_are_refused(value, ok) -> None:
    got, note = parse.parse_timestamp(value)
    assert (got is not None) == ok and (ok or note)


def test_xml_body_helper_round_trips() -> None:  # the fixture itself must produce what a server would
    recs = parse.request_records(xml_body([good_request(7)]), "xml")
    assert recs[0]["service_request_id"] == "H-00007"


class RefusesOneRow:
    """The real store, except that it refuses one report the way a driver refuses a value it cannot encode."""

    def __init__(self, store, bad_id: str, error: BaseException) -> None:
        self._store, self._bad, self._error = store, bad_id, error

    def upsert_reports(self, rows, actor="sync"):
        if any(r["report_id"] == self._bad for r in rows):
            raise self._error
        return self._store.upsert_reports(rows, actor=actor)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_row_the_store_refuses_is_skipped_by_id_and_the_rest_commits(srv, store) -> None:
    srv.route("/open311/v2/requests.json", windowed([good_request(i) for i in range(5)]))
    wrapped = RefusesOneRow(store, "H-00002", UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))
    result = sync(wrapped, client(srv)).run()
    assert store.count("field_reports") == 4 and store.get_meta(CURSOR_KEY)
    assert any(p.request_id == "H-00002" and "refused" in p.message for p in result.problems)
    assert result.skipped == 1


def test_a_store_refusing_everything_stops_the_sync_without_moving_the_cursor(srv, store) -> None:
    from ioc_qgis_plugin.store.errors import StoreError

    srv.route("/open311/v2/requests.json", windowed([good_request(i) for i in range(3)]))

    class Locked(RefusesOneRow):
        def upsert_reports(self, rows, actor="sync"):
            raise StoreError("database is locked")

    with pytest.raises(StoreError):
        sync(Locked(store, "", None), client(srv)).run()
    assert store.get_meta(CURSOR_KEY) is None
