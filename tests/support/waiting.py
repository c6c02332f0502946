"""Waiting on conditions in tests: the deadline is generous, because what a test checks is the condition.

A test that waits "2 s" for something the product does in 1.5 s on an idle machine fails on a loaded one. The
product's own timeouts are injected where they are what is tested; everywhere else a wait gets at least
``FLOOR_S`` seconds (``IOC_TEST_WAIT_FLOOR_S`` to change it) and returns as soon as the condition holds.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable

FLOOR_S = float(os.environ.get("IOC_TEST_WAIT_FLOOR_S", "30"))


def _pump_qt() -> None:
    """Deliver queued Qt signals and timers when Qt is loaded (QGIS tests); a no-op in the QGIS-free tests."""
    if "qgis.PyQt.QtCore" not in sys.modules:
        return
    from qgis.PyQt.QtCore import QCoreApplication

    if QCoreApplication.instance() is not None:
        QCoreApplication.processEvents()


def wait_until(pred: Callable[[], object], timeout: float = FLOOR_S, step: float = 0.02) -> bool:
    """True as soon as ``pred()`` is truthy; False if it still is not after max(timeout, FLOOR_S) seconds."""
    end = time.monotonic() + max(timeout, FLOOR_S)
    while time.monotonic() < end:
        _pump_qt()
        if pred():
            return True
        time.sleep(step)
    _pump_qt()
    return bool(pred())
