"""SensorThings against a misbehaving server: credentials stay with the configured origin, every nextLink chain is
bounded and loop-free, bytes are decoded explicitly, and refresh() never raises nor stores garbage."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ioc_qgis_plugin.connectors.sensorthings import SensorThingsClient, SensorThingsError, latest_values, same_origin
from ioc_qgis_plugin.devservers.hostile_server import HostileServer, Reply, json_body, page, thing
from ioc_qgis_plugin.lights.refresh import refresh
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

SECRET = {"Authorization": "Bearer s3cret", "X-API-Key": "k3y"}
NOW = 1714566000.0  # 2024-05-01T12:20:00Z


@pytest.fixture
def srv():
    with HostileServer() as s:
        yield s


@pytest.fixture
def other():
    with HostileServer() as s:
        yield s


@pytest.fixture
def store(tmp_path):
    s = GeoPackageStore.create(tmp_path / "l.gpkg")
    yield s
    s.close()


def client(srv, **kw) -> SensorThingsClient:
    kw.setdefault("retries", 0)
    return SensorThingsClient(srv.url + "/v1.1", headers=dict(SECRET), **kw)


def leaked(server: HostileServer) -> bool:
    return any(k.lower() in ("authorization", "x-api-key") for s in server.seen for k in s.headers)


def test_next_link_to_another_origin_is_refused_and_gets_no_credentials(srv, other) -> None:
    other.route("/v1.1/Things", Reply(body=page([thing(2)])))
    srv.route("/v1.1/Things", Reply(body=page([thing(1)], other.url + "/v1.1/Things?$skip=1")))
    with pytest.raises(SensorThingsError, match="another address"):
        client(srv).collection("Things")
    assert not other.seen


def test_foreign_next_link_followed_without_credentials_when_allowed(srv, other) -> None:
    other.route("/v1.1/Things", Reply(body=page([thing(2)])))
    srv.route("/v1.1/Things", Reply(body=page([thing(1)], other.url + "/v1.1/Things?$skip=1")))
    got = client(srv, follow_foreign_links=True).collection("Things")
    assert [t["@iot.id"] for t in got] == [1, 2]
    assert other.seen and not leaked(other)


def test_datastreams_next_link_to_another_origin_is_refused(srv, other) -> None:
    t = thing(1)
    t["Datastreams@iot.nextLink"] = other.url + "/v1.1/Things(1)/Datastreams?$skip=2"
    srv.route("/v1.1/Things", Reply(body=page([t])))
    with pytest.raises(SensorThingsError, match="another address"):
        client(srv).latest_by_thing()
    assert not other.seen


def test_redirect_to_another_origin_carries_no_credentials(srv, other) -> None:
    other.route("/v1.1/Things", Reply(body=page([thing(2)])))
    srv.route("/v1.1/Things", Reply(302, b"", None, {"Location": other.url + "/v1.1/Things"}))
    with pytest.raises(SensorThingsError, match="another address"):
        client(srv).collection("Things")
    assert not other.seen
    assert client(srv, follow_foreign_links=True).collection("Things")[0]["@iot.id"] == 2
    assert not leaked(other)


def test_other_port_or_scheme_is_another_origin() -> None:
    assert same_origin("http://h:80/a", "http://h/b") and same_origin("https://H/a", "https://h:443/")
    assert not same_origin("http://h:8081/a", "http://h:8080/a")
    assert not same_origin("https://h/a", "http://h/a")
    assert not same_origin("http://h:99999999/a", "http://h/a")


def test_self_pointing_next_link_is_detected(srv) -> None:
    srv.route("/v1.1/Things", Reply(body=page([thing(1)], "Things?$skip=0")))
    srv.route("/v1.1/Things?$skip=0", Reply(body=page([thing(1)], "Things?$skip=0")))
    url = srv.url + "/v1.1/Things"
    srv.routes["/v1.1/Things"] = Reply(body=page([thing(1)], url + "?p=1"))
    with pytest.raises(SensorThingsError, match="already read"):
        client(srv).collection("Things")
    assert len(srv.requests_to("/v1.1/Things")) <= 3


def test_datastreams_chain_has_a_page_limit(srv) -> None:
    t = thing(1)
    t["Datastreams@iot.nextLink"] = srv.url + "/v1.1/ds?p=0"
    srv.route("/v1.1/Things", Reply(body=page([t])))
    srv.route("/v1.1/ds", lambda seen: Reply(body=page([], f"ds?p={int(seen.query['p'][0]) + 1}")))
    with pytest.raises(SensorThingsError, match="more than 5 pages"):
        client(srv, max_pages=5).latest_by_thing()


def test_undeclared_bad_byte_is_a_clear_error_in_no_time(srv) -> None:
    body = json_body({"value": [thing(i) for i in range(60)]})
    body = body[:8000] + b"\xff" + body[8000:]
    srv.route("/v1.1/Things", Reply(body=body, content_type="application/octet-stream"))
    t0 = time.perf_counter()
    with pytest.raises(SensorThingsError, match="valid utf-8"):
        client(srv).collection("Things")
    assert time.perf_counter() - t0 < 3.0  # was 10–18 s of charset guessing


def test_declared_charset_is_used(srv) -> None:
    srv.route(
        "/v1.1/Things",
        Reply(body='{"value": [{"name": "Đèn"}]}'.encode("utf-16"), content_type="application/json; charset=utf-16"),
    )
    assert client(srv).collection("Things")[0]["name"] == "Đèn"


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'{"value": "abc"}',
        b'{"value": [1, "x", null]}',
        b'{"value": [{"properties": "p", "Locations": "here", "Datastreams": 3}]}',
        b'{"value": [{"name": "L1", "Locations": [{"location": "107.2,10.9"}]}]}',
        b'{"value": [{"name": "L1", "Datastreams": [{"name": "activePower", "unitOfMeasurement": "W",'
        b' "Observations": {"result": 1}}]}]}',
        b'{"value": [{"name": "L1", "Datastreams": [1, [2]], "Datastreams@iot.nextLink": 5}]}',
        b"[" * 100_000,
        b'{"value": [], "@iot.nextLink": {"a": 1}}',
    ],
)
def test_refresh_never_raises_for_malformed_pages(srv, store, body) -> None:
    srv.route("/v1.1/Things", Reply(body=body))
    before = store.count("street_lights")
    result = refresh(client(srv), store, now=NOW)
    assert result.ok in (True, False)
    for r in store.fetch("street_lights", geometry=True):
        assert r["geom"] is None or (-180 <= r["geom"].x <= 180 and -90 <= r["geom"].y <= 90)
    if not result.ok:
        assert result.error and store.count("street_lights") == before


def test_two_things_with_one_light_id_do_not_break_the_refresh(srv, store) -> None:
    srv.route("/v1.1/Things", Reply(body=page([thing(1, light_id="L-A"), thing(2, light_id="L-A"), thing(3)])))
    result = refresh(client(srv), store, now=NOW)
    assert result.ok and sorted(result.light_ids) == ["L-A", "L00003"]
    assert any("already used" in p for p in result.problems)
    assert store.count("street_lights") == 2


def test_implausible_values_and_places_are_not_stored(srv, store) -> None:
    things = [
        thing(1, coords="107.2,10.9"),
        thing(2, coords=[-200, 10]),
        thing(3, power=float("inf")),
        thing(4, level=1e6),
        thing(5, power=-5),
        thing(6, coords=[True, 10]),
        thing(7),
    ]
    srv.route("/v1.1/Things", Reply(body=page(things)))
    result = refresh(client(srv), store, now=NOW)
    assert result.ok
    rows = {r["light_id"]: r for r in store.fetch("street_lights", geometry=True)}
    assert rows["L00001"]["geom"] is None and rows["L00002"]["geom"] is None and rows["L00006"]["geom"] is None
    assert rows["L00007"]["geom"].x == pytest.approx(108.2)
    assert rows["L00003"]["active_power_w"] is None and rows["L00005"]["active_power_w"] is None
    assert rows["L00004"]["light_level"] is None
    assert any("implausible" in i for i in result.issues["L00003"])
    assert any("out of range" in i for i in result.issues["L00002"])


def test_latest_values_ignores_wrong_types_everywhere() -> None:
    weird = [None, 1, "x", {"properties": []}, {"name": "ok", "Locations": [None, {"location": []}]}]
    lv = latest_values(weird, now=NOW)
    assert lv.light_ids == ["ok"] and np.isnan(lv.lon[0]) and len(lv.problems) == 4


def test_drip_page_hits_the_deadline_and_big_page_the_size_limit(srv) -> None:
    srv.route("/v1.1/Things", Reply(body=page([thing(1)]), drip_s=0.05))
    t0 = time.monotonic()
    with pytest.raises(SensorThingsError, match="still sending"):
        client(srv, deadline_s=1.0).collection("Things")
    assert time.monotonic() - t0 < 5.0
    srv.route("/v1.1/Things", Reply(body=page([thing(i) for i in range(200)])))
    with pytest.raises(SensorThingsError, match="more than"):
        client(srv, max_bytes=20_000).collection("Things")
