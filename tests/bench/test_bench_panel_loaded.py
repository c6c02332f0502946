"""`panel_gui_longest_stall_loaded_ms`: the GUI thread's longest stall while the panel loads the demo-size city and
the desk changes filters (table and map, free-text search included) — with two busy processes this benchmark starts
itself competing for the machine's cores, as on an operator's PC running other software. Target: < 50 ms.

The same sequence without the busy processes, in the same run, is the reference. Each is repeated; the figure is
the median of the runs' longest stalls, and the note lists every run and the worst.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.bench.test_bench_panel import StallMeter

BUSY = "import time\nend = time.time() + 600\nwhile time.time() < end:\n    pass\n"


@pytest.fixture(scope="module")
def demo_city(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench_loaded") / "city.gpkg"
    store = GeoPackageStore.create(path)
    build(store, CityConfig(reports=12_000, reading_days=1, end="2026-11-20"), log=lambda m: None)
    store.close()
    return path


def _settle(seconds: float = 0.3) -> None:
    end = time.time() + seconds
    while time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.002)


def _day(plugin, path) -> tuple[int, int]:  # noqa: ANN001
    """Open the city, wait for the panel, change filters as the desk does; the longest GUI stall in ms while
    loading and while filtering."""
    meter = StallMeter()
    meter.start()
    assert plugin.open_gpkg(str(path))
    manager = QgsApplication.taskManager()
    end = time.time() + 120
    # the map's layers come first, then the panel reads the store: wait for both, then for the tasks
    while (manager.countActiveTasks() or plugin.layer_loader is not None or plugin.dock.task is not None) and (
        time.time() < end
    ):
        QCoreApplication.processEvents()
        time.sleep(0.002)
    _settle()
    load_stall = meter.longest
    meter.longest = 0
    tab = plugin.dock.reports
    steps = [
        lambda: tab.filter_map.setChecked(True),
        lambda: tab.category.setCurrentIndex(tab.category.findData("traffic")),
        lambda: tab.ward.setCurrentIndex(2),
        lambda: tab.deadline.setCurrentIndex(1),
        lambda: tab.status.setCurrentIndex(0),
        lambda: tab.ward.setCurrentIndex(0),
        lambda: tab.search.setText("nguyen trai"),
        lambda: tab.search.setText(""),
        lambda: tab.category.setCurrentIndex(0),
        lambda: tab.deadline.setCurrentIndex(0),
        lambda: tab.filter_map.setChecked(False),
    ]
    for step in steps:
        step()
        _settle(0.4)  # the search waits for a typing pause; the map redraws in the background
    filter_stall = meter.stop()
    assert tab.model.rowCount() == 12_000
    return load_stall, filter_stall


REPEATS = 5


def test_panel_gui_longest_stall_loaded(plugin, demo_city, bench_record) -> None:  # noqa: ANN001
    quiet = [max(_day(plugin, demo_city)) for _ in range(REPEATS)]
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        loaded = [_day(plugin, demo_city) for _ in range(REPEATS)]
    finally:
        for p in busy:
            p.terminate()
        for p in busy:
            p.wait(timeout=10)
    longest = [max(day) for day in loaded]
    bench_record(
        "panel_gui_longest_stall_loaded_ms",
        statistics.median(longest),
        "ms",
        reference=statistics.median(quiet),
        reference_name="the same sequence without the two busy processes (median of the runs' longest stalls)",
        target="< 50 ms",
        note=f"12,000-report city: panel load, layers, 11 filter changes with map filter and text search; two busy "
        f"processes on the 2 cores; median of {REPEATS} runs' longest stall; runs (loading/filtering, ms): "
        + ", ".join(f"{a}/{b}" for a, b in loaded)
        + f"; worst run {max(longest)} ms; without the busy processes: {quiet}",
    )
