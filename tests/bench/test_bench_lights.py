"""Street-light figures: refresh of 3,000 lights, GUI-thread stall during a background refresh, energy aggregation.

The SensorThings server runs in its own process (as a real one would), seeded from a 3,000-light demo city.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ioc_qgis_plugin.connectors.sensorthings import SensorThingsClient
from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.lights.energy import energy_by_ward_month
from ioc_qgis_plugin.lights.refresh import refresh
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

LIGHTS = 3000


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench_lights") / "ioc.gpkg"
    store = GeoPackageStore.create(path)
    build(store, CityConfig(lights=LIGHTS, reports=500, parcels=20, cameras=5), log=lambda *_: None)
    store.close()
    return path


@pytest.fixture(scope="module")
def server(city: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "ioc_qgis_plugin.devservers.sensorthings_server", "--gpkg", str(city), "--port", "0"]
        + ["--live"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("READY "), line
    yield line.split()[1]
    proc.terminate()
    proc.wait(10)


def test_bench_refresh_3000_lights(city: Path, server: str, bench_record) -> None:  # noqa: ANN001
    store = GeoPackageStore.open(city)
    client = SensorThingsClient(server)
    refresh(client, store)  # warm-up (connection, first write)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = refresh(client, store)
        times.append(time.perf_counter() - t0)
        assert result.ok and result.updated == LIGHTS
    store.close()
    bench_record(
        "lights_refresh_3000",
        min(times),
        "s",
        target="≤ 2 s",
        note=f"{result.requests} requests (1000 Things per page, newest Observation per Datastream expanded); "
        f"server in its own process; median {sorted(times)[1]:.3f} s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores (the local server's rendering dominates and slows under load)",
    )


def test_bench_gui_stall_during_background_refresh(qgis_app, city: Path, server: str, bench_record) -> None:  # noqa: ANN001
    from qgis.PyQt.QtCore import QCoreApplication

    from ioc_qgis_plugin.gui.lights_refresher import LightsRefresher, client_factory
    from ioc_qgis_plugin.gui.lights_tab import LightsTab

    store = GeoPackageStore.open(city)
    tab = LightsTab(store)
    refresher = LightsRefresher(client_factory(server), lambda: GeoPackageStore.open(city), interval_s=3600)
    results: list = []
    refresher.refreshed.connect(tab.on_refreshed)  # the tab reloads in the GUI thread: part of the stall
    refresher.refreshed.connect(results.append)
    worst = []
    for _ in range(3):
        n = len(results)
        refresher.refresh_now()
        gaps, last = [], time.perf_counter()
        while len(results) == n:
            QCoreApplication.processEvents()
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            time.sleep(0.001)
        QCoreApplication.processEvents()
        gaps.append(time.perf_counter() - last)
        worst.append(max(gaps))
        assert results[-1].ok
    store.close()
    bench_record(
        "lights_gui_thread_longest_stall",
        max(worst) * 1000,
        "ms",
        target="≤ 50 ms",
        note="longest gap between event-loop turns while a QgsTask refreshes 3,000 lights (pages of 250) and the "
        "tab reloads; "
        f"worst of 3 runs: {', '.join(f'{w * 1000:.1f}' for w in worst)} ms",
    )


def test_bench_energy_10m_readings(bench_record) -> None:  # noqa: ANN001
    n_lights, per = 3000, 3334  # ≈ 10,000,000 readings: 3,000 lamps × 139 days hourly
    rng = np.random.default_rng(0)
    light = np.repeat(np.arange(n_lights), per)
    t = np.tile(1.70e9 + np.arange(per) * 3600.0, n_lights)
    meter = np.cumsum(rng.uniform(0, 0.15, len(light)))
    wards = rng.integers(0, 10, n_lights)
    t0 = time.perf_counter()
    table = energy_by_ward_month(light, t, meter, wards)
    sorted_s = time.perf_counter() - t0
    shuffle = rng.permutation(len(light))
    light_s, t_s, m_s = light[shuffle], t[shuffle], meter[shuffle]
    t0 = time.perf_counter()
    table2 = energy_by_ward_month(light_s, t_s, m_s, wards)
    shuffled_s = time.perf_counter() - t0
    assert np.allclose(table.kwh, table2.kwh)
    bench_record(
        "lights_energy_10M_readings_ward_month",
        sorted_s,
        "s",
        target="≤ 10 s",
        note=f"{len(light):,} readings in (light, time) order as read from the store; unordered input "
        f"(adds a lexsort): {shuffled_s:.2f} s; int codes + bincount",
    )
