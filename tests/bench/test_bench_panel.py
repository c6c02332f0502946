"""IOC panel at 100,000 reports: filter change time and the GUI thread's longest stall while the panel loads.

Targets (issue 3): < 100 ms per filter change; the GUI thread never blocked > 50 ms.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer, QTimer

from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.store.gpkg import GeoPackageStore


@pytest.fixture(scope="module")
def big_city(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "city100k.gpkg"
    store = GeoPackageStore.create(path)
    build(
        store,
        CityConfig(reports=100_000, parcels=2000, lights=500, reading_days=1, end="2026-11-20"),
        log=lambda m: None,
    )
    store.close()
    return path


class StallMeter:
    """Measures the longest gap between ticks of a 5 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.clock = QElapsedTimer()
        self.longest = 0
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.longest = max(self.longest, self.clock.restart())

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        return self.longest


def test_bench_panel_100k(plugin, big_city, bench_record):
    meter = StallMeter()
    meter.start()
    t0 = time.perf_counter()
    plugin.open_gpkg(str(big_city))
    manager = QgsApplication.taskManager()
    # the map's layers come first, then the panel reads the store: wait for both, then for the tasks
    while manager.countActiveTasks() or plugin.layer_loader is not None or plugin.dock.task is not None:
        QCoreApplication.processEvents()
        time.sleep(0.002)
    QCoreApplication.processEvents()
    load_s = time.perf_counter() - t0
    stall_ms = meter.stop()
    tab = plugin.dock.reports
    assert tab.model.rowCount() == 100_000
    bench_record("panel_load_100k_reports", load_s, "s", note="open store + add layers + background load of the panel")
    bench_record(
        "panel_gui_longest_stall_during_load",
        stall_ms,
        "ms",
        target="< 50 ms",
        note="includes adding the six styled layers on the GUI thread",
    )

    timings = []
    steps = [
        lambda: tab.category.setCurrentIndex(tab.category.findData("traffic")),
        lambda: tab.ward.setCurrentIndex(2),
        lambda: tab.deadline.setCurrentIndex(1),
        lambda: tab.status.setCurrentIndex(tab.status.findData("closed")),
        lambda: tab.ward.setCurrentIndex(0),
        lambda: tab.date_on.setChecked(True),
        lambda: tab.deadline.setCurrentIndex(0),
        lambda: tab.category.setCurrentIndex(0),
        lambda: tab.status.setCurrentIndex(0),
        lambda: tab.date_on.setChecked(False),
    ]
    for step in steps:
        t = time.perf_counter()
        step()
        QCoreApplication.processEvents()
        timings.append((time.perf_counter() - t) * 1000)
    tab.search.setText("Hùng")
    t = time.perf_counter()
    tab.apply_filter()
    QCoreApplication.processEvents()
    timings.append((time.perf_counter() - t) * 1000)
    arr = np.array(timings)
    bench_record("panel_filter_change_100k_p50", float(np.median(arr)), "ms", target="< 100 ms")
    bench_record(
        "panel_filter_change_100k_max",
        float(arr.max()),
        "ms",
        target="< 100 ms",
        note=f"{len(arr)} filter changes incl. free-text search; table only (map filter off)",
    )
