"""The local SensorThings server and the client against it: query options, paging, errors, tasking.

A real open-source server (FROST-Server) would need Java + Tomcat + PostgreSQL/PostGIS and its war file from
Maven Central, which cannot be fetched here; the local server follows the same URLs and JSON shapes.
"""

from __future__ import annotations

import numpy as np
import pytest
import requests

from ioc_qgis_plugin.connectors.sensorthings import (
    LATEST_EXPAND,
    SensorThingsClient,
    SensorThingsError,
    match_field,
    obs_time,
    time_filter,
    unit_factor,
)
from ioc_qgis_plugin.devservers.sensorthings_server import (
    Model,
    QueryError,
    SensorThingsServer,
    parse_expand,
    parse_filter,
)

T0 = 1_718_400_000.0  # 2024-06-14T21:20:00Z


def small_model(n: int = 5, steps: int = 6) -> Model:
    m = Model()
    times = T0 - np.arange(steps)[::-1] * 3600.0
    for i in range(n):
        t = m.add_thing(
            f"DEN-{i + 1:05d}", 107.24 + i * 1e-4, 10.94, {"light_id": f"DEN-{i + 1:05d}", "rated_power_w": 100.0}
        )
        m.add_datastream(t, "actualLightState", times, np.full(steps, 100.0 if i % 2 == 0 else 50.0))
        m.add_datastream(t, "activePower", times, np.full(steps, 98.0 if i % 2 == 0 else 49.0))
        m.add_datastream(t, "lampFailure", times, np.zeros(steps))
    return m


@pytest.fixture
def server():
    with SensorThingsServer(small_model(), max_top=4) as srv:
        yield srv


def test_collections_entity_and_navigation(server) -> None:
    c = SensorThingsClient(server.url)
    root = c.get("")
    assert {v["name"] for v in root["value"]} >= {"Things", "Datastreams", "Observations"}
    thing = c.entity("Things(2)")
    assert thing["name"] == "DEN-00002" and thing["Datastreams@iot.navigationLink"].endswith("Things(2)/Datastreams")
    ds = c.collection("Things(2)/Datastreams")
    assert [d["name"].split(":")[1] for d in ds] == ["actualLightState", "activePower", "lampFailure"]
    assert c.entity(f"Datastreams({ds[0]['@iot.id']})/Thing")["name"] == "DEN-00002"
    obs = c.collection(f"Datastreams({ds[0]['@iot.id']})/Observations")
    assert len(obs) == 6 and all(o["result"] == 50.0 for o in obs)
    one = c.entity(f"Observations({obs[0]['@iot.id']})", expand="Datastream")
    assert one["Datastream"]["@iot.id"] == ds[0]["@iot.id"]
    assert c.entity("Datastreams(3)/ObservedProperty")["name"] == "lampFailure"


def test_paging_by_next_link_and_count(server) -> None:
    c = SensorThingsClient(server.url)
    page = c.get("Datastreams", {"$top": 2, "$count": "true"})
    assert page["@iot.count"] == 15 and len(page["value"]) == 2 and "$skip=2" in page["@iot.nextLink"]
    before = c.requests_made
    all_ds = c.collection("Datastreams")  # server max_top is 4
    assert [d["@iot.id"] for d in all_ds] == list(range(1, 16))
    assert c.requests_made - before == 4
    assert [d["@iot.id"] for d in c.collection("Datastreams", skip=13)] == [14, 15]


def test_filter_orderby_select_expand(server) -> None:
    c = SensorThingsClient(server.url)
    assert [t["name"] for t in c.collection("Things", filter="name eq 'DEN-00003'")] == ["DEN-00003"]
    assert len(c.collection("Things", filter="name ne 'DEN-00003' and not (@iot.id ge 4)")) == 2
    assert len(c.collection("Things", filter="properties/rated_power_w eq 100")) == 5
    obs = c.collection(
        "Datastreams(1)/Observations", filter=time_filter(T0 - 2 * 3600, T0 - 3600), orderby="phenomenonTime desc"
    )
    assert [obs_time(o["phenomenonTime"]) for o in obs] == [T0 - 3600, T0 - 7200]
    things = c.collection("Things", expand=LATEST_EXPAND, select="id,name", top=2)
    assert set(things[0]) == {"@iot.id", "name", "Locations", "Datastreams"}
    ds = things[0]["Datastreams"][0]
    assert ds["ObservedProperty"]["name"] == "actualLightState"
    assert len(ds["Observations"]) == 1 and obs_time(ds["Observations"][0]["phenomenonTime"]) == T0
    assert things[0]["Locations"][0]["location"]["coordinates"][1] == pytest.approx(10.94)
    nested = c.entity("Things(1)", expand="Datastreams/Observations($top=2;$orderby=phenomenonTime desc)")
    assert [len(d["Observations"]) for d in nested["Datastreams"]] == [2, 2, 2]


def test_bad_requests_are_clear(server) -> None:
    c = SensorThingsClient(server.url, retries=0)
    with pytest.raises(SensorThingsError, match="404"):
        c.entity("Things(99)")
    with pytest.raises(SensorThingsError, match="400.*filter"):
        c.collection("Things", filter="name eq")
    with pytest.raises(QueryError):
        parse_filter("name eq 'x' and")
    assert parse_expand("A($top=1;$expand=B($top=2)),C")[0][1] == {"$top": "1", "$expand": "B($top=2)"}


def test_retries_then_readable_error_and_recovery(server) -> None:
    slept: list[float] = []
    c = SensorThingsClient(server.url, retries=2, backoff_s=0.1, sleep=slept.append)
    server.fail_status = 503
    before = server.requests
    with pytest.raises(SensorThingsError, match="HTTP 503"):
        c.collection("Things")
    assert server.requests - before == 3 and slept == [0.1, 0.2]
    server.fail_status = None
    assert len(c.collection("Things")) == 5


def test_unreachable_and_slow_server() -> None:
    with SensorThingsServer(small_model()) as srv:
        url = srv.url
    c = SensorThingsClient(url, retries=1, backoff_s=0.0, timeout=(0.5, 0.5))
    with pytest.raises(SensorThingsError, match="cannot reach"):
        c.collection("Things")
    with SensorThingsServer(small_model(), delay_s=0.6) as slow:
        c = SensorThingsClient(slow.url, retries=0, timeout=(0.5, 0.2))
        with pytest.raises(SensorThingsError, match="ReadTimeout"):
            c.collection("Things")


def test_tasking_dim_and_switch(server) -> None:
    c = SensorThingsClient(server.url)
    task = c.send_task(2, {"command": "dim", "level": 30})
    assert task["taskingParameters"]["level"] == 30
    obs = c.collection("Datastreams(4)/Observations", orderby="phenomenonTime desc", top=1)
    assert obs[0]["result"] == 30.0
    c.send_task(2, {"command": "switch", "on": False})
    assert c.collection("Datastreams(4)/Observations", orderby="phenomenonTime desc", top=1)[0]["result"] == 0.0
    with pytest.raises(SensorThingsError, match="400"):
        c.send_task(2, {"command": "explode"})
    r = requests.post(server.url + "Things", json={}, timeout=5)
    assert r.status_code == 400


def test_field_and_unit_mapping() -> None:
    assert match_field({"name": "DEN-1:activePower"}) == "activePower"
    assert match_field({"name": "x", "ObservedProperty": {"name": "Burning hours"}}) == "operatingHours"
    assert match_field({"name": "p", "ObservedProperty": {"definition": "https://talq/def/supplyLoss"}}) == "supplyLoss"
    assert match_field({"name": "temperature"}) is None
    assert unit_factor("activePower", {"symbol": "kW"}) == 1000.0
    assert unit_factor("activeEnergy", {"symbol": "Wh"}) == pytest.approx(1e-3)
    assert unit_factor("activePower", {"symbol": "kVAr"}) is None
    assert unit_factor("actualLightState", {"name": "lux", "symbol": "lx"}) is None
    assert unit_factor("lampFailure", {}) == 1.0
