"""Real-QGIS fixtures (pytest-qgis, offscreen): the plugin loaded into the test QGIS interface."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QEvent


def flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QCoreApplication.processEvents()


def wait_tasks(timeout_s: float = 30.0) -> None:
    """Until background tasks are done and the layers (added one per event-loop turn) are in."""
    import time

    end = time.time() + timeout_s
    manager = QgsApplication.taskManager()
    while manager.countActiveTasks() and time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    for _ in range(30):
        QCoreApplication.processEvents()
        time.sleep(0.002)


@pytest.fixture
def plugin(qgis_iface, qgis_new_project):
    QgsSettings().remove("ioc")
    from ioc_qgis_plugin import classFactory

    p = classFactory(qgis_iface)
    p.initGui()
    yield p
    p.unload()
    flush_deletes()
    QgsProject.instance().clear()


@pytest.fixture(scope="module")
def ioc_provider(qgis_app):
    """Processing initialised, with the IOC provider registered (as the plugin does) for one test module."""
    from processing.core.Processing import Processing

    from ioc_qgis_plugin.processing.provider import IocProcessingProvider

    Processing.initialize()
    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("ioc")
    added = provider is None
    if added:
        provider = IocProcessingProvider()
        registry.addProvider(provider)  # the registry owns it from here on
    yield provider
    if added:
        registry.removeProvider("ioc")
