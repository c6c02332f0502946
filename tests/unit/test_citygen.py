import time

import numpy as np

from ioc_qgis_plugin.demo.citygen import City, CityConfig, build
from ioc_qgis_plugin.store.gpkg import GeoPackageStore


def test_deterministic(tmp_path):
    a = City(CityConfig(reports=500, end="2026-11-20")).report_arrays()
    b = City(CityConfig(reports=500, end="2026-11-20")).report_arrays()
    assert np.array_equal(a["lon"], b["lon"]) and np.array_equal(a["status"], b["status"])
    c = City(CityConfig(reports=500, end="2026-11-20", seed=8)).report_arrays()
    assert not np.array_equal(a["lon"], c["lon"])


def test_reports_are_clustered_and_realistic():
    arr = City(CityConfig(reports=12000, end="2026-11-20")).report_arrays()
    # clustered: the busiest 5 % of 200 m cells hold far more than 5 % of reports
    cells = np.floor(arr["x"] / 200) * 100000 + np.floor(arr["y"] / 200)
    _, counts = np.unique(cells, return_counts=True)
    top = np.sort(counts)[::-1][: max(1, len(counts) // 20)].sum()
    assert top / len(cells) > 0.25
    # two years, times within the period, deadlines after reception
    span = arr["requested"].max() - arr["requested"].min()
    assert 1.8 * 365 * 86400 < span < 2.05 * 365 * 86400
    assert np.all(arr["due"] > arr["requested"])
    assert set(np.unique(arr["status"])) >= {"closed", "resolved", "in_progress"}


def test_million_reports_fast():
    t0 = time.perf_counter()
    arr = City(CityConfig(end="2026-11-20")).report_arrays(1_000_000)
    assert len(arr["lon"]) == 1_000_000
    assert time.perf_counter() - t0 < 60  # "well under a minute" — generous bound for a loaded CI machine


def test_demo_city_contents(demo_gpkg):
    store = GeoPackageStore.open(demo_gpkg)
    assert store.count("wards") == 10
    assert store.count("cameras") == 50
    assert store.count("field_reports") == 3000
    assert store.count("planning_zones") == 5
    assert store.count("street_lights") == 600
    assert store.count("parcels") == 400
    assert store.count("street_lights", "state = 'fault'") > 0
    assert store.count("cameras", "bearing IS NULL") > 0  # dome cameras exist (360° view)
    assert store.get_meta("analysis_crs") == "EPSG:5899"
    assert store.count("field_reports", "ward_id = ''") < 30  # nearly every report lies in a ward
    store.close()


def test_build_refuses_existing(tmp_path):
    import pytest

    from ioc_qgis_plugin.store.errors import AlreadyExists

    path = tmp_path / "c.gpkg"
    store = GeoPackageStore.create(path)
    build(
        store,
        CityConfig(reports=10, parcels=20, lights=20, cameras=3, reading_days=1, end="2026-11-20"),
        log=lambda m: None,
    )
    store.close()
    with pytest.raises(AlreadyExists):
        GeoPackageStore.create(path)
