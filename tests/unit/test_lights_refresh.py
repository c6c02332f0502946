"""Refresh of street-light state from the local SensorThings server into a demo GeoPackage, including bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ioc_qgis_plugin.connectors.sensorthings import SensorThingsClient, latest_values
from ioc_qgis_plugin.core.timeutil import epoch_to_iso
from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.devservers.sensorthings_server import SensorThingsServer, model_from_gpkg
from ioc_qgis_plugin.lights.refresh import RefreshOptions, refresh
from ioc_qgis_plugin.lights.state import age_text, classify
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

SMALL = CityConfig(lights=200, reports=300, parcels=20, cameras=5, end="2024-06-15")


@pytest.fixture(scope="module")
def demo_gpkg(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lights") / "demo.gpkg"
    store = GeoPackageStore.create(path)
    build(store, SMALL, log=lambda *_: None)
    store.close()
    return path


@pytest.fixture
def setup(demo_gpkg: Path, tmp_path: Path):
    work = tmp_path / "ioc.gpkg"
    GeoPackageStore.copy_file(demo_gpkg, work)  # backup API, never a file copy of a store
    store = GeoPackageStore.open(work)
    model = model_from_gpkg(demo_gpkg)
    srv = SensorThingsServer(model, max_top=64).start()
    client = SensorThingsClient(srv.url, retries=0, page_size=64)
    now = model.newest_time() + 60
    yield store, model, srv, client, now
    srv.stop()
    store.close()


def by_id(store) -> dict:  # noqa: ANN001
    return {r["light_id"]: r for r in store.fetch("street_lights")}


def test_refresh_reproduces_the_demo_state(setup, demo_gpkg) -> None:  # noqa: ANN001
    store, _, srv, client, now = setup
    original = by_id(GeoPackageStore.open(demo_gpkg))
    result = refresh(client, store, now=now)
    assert result.ok and result.updated == 200 and result.inserted == 0
    assert result.requests == 4  # 200 Things, 64 per page
    after = by_id(store)
    for lid, row in original.items():
        stale = row["light_level"] is None
        assert after[lid]["state"] == ("nodata" if stale else row["state"]), lid
        if not stale:
            assert after[lid]["fault"] == row["fault"]
            assert after[lid]["light_level"] == row["light_level"]
    assert {"on", "dimmed", "fault"} <= set(result.counts())


def test_stale_observations_become_nodata_and_keep_last_values(setup) -> None:  # noqa: ANN001
    store, _, _, client, now = setup
    refresh(client, store, now=now)
    before = by_id(store)
    result = refresh(client, store, now=now + 3 * 3600, opts=RefreshOptions(stale_after_s=3600))
    assert result.ok and set(result.counts()) == {"nodata"}
    after = by_id(store)
    lid = next(k for k, r in before.items() if r["state"] == "on")
    assert after[lid]["last_report"] == before[lid]["last_report"]
    assert after[lid]["light_level"] == before[lid]["light_level"]


def test_clock_skew_unknown_unit_and_missing_datastream(setup) -> None:  # noqa: ANN001
    store, model, _, client, now = setup
    ok = [k for k, r in by_id(store).items() if r["state"] == "on"][:5]
    model = _Renamed(model, ok)
    model.find_datastream("DEN-00001", "actualLightState").add(now + 7200, 0.0)  # device clock 2 h ahead
    model.find_datastream("DEN-00001", "activePower").add(now + 7200, 0.0)
    model.find_datastream("DEN-00002", "activePower").unit = {"name": "kilovar", "symbol": "kVAr"}
    model.find_datastream("DEN-00003", "actualLightState").unit = {"name": "lux", "symbol": "lx"}
    model.remove_datastream("DEN-00004", "actualLightState")
    for talq in ("actualLightState", "activePower"):
        model.remove_datastream("DEN-00005", talq)
    result = refresh(client, store, now=now)
    assert result.ok
    rows = by_id(store)
    assert any("clock ahead by 2.0 h" in s for s in result.issues[ok[0]])
    assert rows[ok[0]]["state"] == "off" and rows[ok[0]]["last_report"] <= epoch_to_iso(now)
    assert any("unknown unit 'kVAr' for activePower" in s for s in result.issues[ok[1]])
    assert rows[ok[1]]["active_power_w"] is None and rows[ok[1]]["state"] in ("on", "dimmed", "fault")
    assert any("unknown unit 'lx'" in s for s in result.issues[ok[2]])
    # no level datastream: the state comes from power / rated power
    assert any("missing datastream actualLightState" in s for s in result.issues[ok[3]])
    assert rows[ok[3]]["state"] in ("on", "dimmed", "fault")
    assert rows[ok[4]]["state"] in ("nodata", "fault")


class _Renamed:
    """Address the first five healthy lights as DEN-00001..5 in this test."""

    def __init__(self, model, ids: list) -> None:  # noqa: ANN001
        self.m, self.ids = model, ids

    def find_datastream(self, name: str, talq: str):  # noqa: ANN201
        return self.m.find_datastream(self.ids[int(name[-1]) - 1], talq)

    def remove_datastream(self, name: str, talq: str) -> None:
        self.m.remove_datastream(self.ids[int(name[-1]) - 1], talq)


def test_future_observation_is_dated_now() -> None:
    now = 1_000_000.0
    things = [
        {
            "@iot.id": 1,
            "name": "L1",
            "Datastreams": [
                {
                    "name": "L1:actualLightState",
                    "unitOfMeasurement": {"symbol": "%"},
                    "Observations": [{"phenomenonTime": "1970-01-13T00:00:00Z", "result": 40}],
                }
            ],
        }
    ]
    lv = latest_values(things, now=now)
    assert lv.time_of("actualLightState")[0] == now and lv.skew_s[0] > 3600
    assert "missing datastream activePower" in lv.issues[0]
    c = classify(lv.values, lv.times, now, np.array([100.0]))
    assert c.state[0] == "dimmed" and c.last_report[0] == now


def test_server_down_keeps_last_good_state(setup) -> None:  # noqa: ANN001
    store, _, srv, client, now = setup
    assert refresh(client, store, now=now).ok
    before = by_id(store)
    srv.stop()
    result = refresh(client, store, now=now + 7200)
    assert not result.ok and "cannot reach" in result.error
    assert by_id(store) == before


def test_slow_server_times_out_cleanly(setup) -> None:  # noqa: ANN001
    store, _, srv, client, now = setup
    srv.delay_s = 0.5
    client.timeout = (0.5, 0.2)
    result = refresh(client, store, now=now)
    assert not result.ok and "Timeout" in result.error


def test_command_then_refresh_records_a_reading_and_new_lights_are_added(setup) -> None:  # noqa: ANN001
    store, model, _, client, _ = setup
    import time

    refresh(client, store, now=model.newest_time() + 60)
    n_readings = store.count("light_readings")
    client.send_task(7, {"command": "dim", "level": 30})
    model.add_thing("DEN-NEW01", 107.25, 10.95, {"light_id": "DEN-NEW01", "ward_id": "W01", "rated_power_w": 90})
    t = model.newest_time()
    model.add_datastream(len(model.things) - 1, "actualLightState", [t], [100.0])
    result = refresh(client, store, now=time.time() + 1)
    rows = by_id(store)
    assert rows["DEN-00007"]["state"] == "dimmed" and rows["DEN-00007"]["light_level"] == 30.0
    assert result.inserted == 1 and rows["DEN-NEW01"]["state"] == "on"
    geom = store.fetch("street_lights", "light_id = ?", ("DEN-NEW01",), geometry=True)[0]["geom"]
    assert (round(geom.x, 2), round(geom.y, 2)) == (107.25, 10.95)
    assert store.count("light_readings") >= n_readings + 2


def test_age_text() -> None:
    assert age_text(30, "en") == "30 s" and age_text(600, "vi") == "10 phút"
    assert age_text(3 * 3600, "vi") == "3,0 giờ" and age_text(3 * 86400, "en") == "3 d"
