"""Real-QGIS fixtures (pytest-qgis, offscreen): the plugin loaded into the test QGIS interface."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QEvent

from tests.support.waiting import wait_until


def flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QCoreApplication.processEvents()


def wait_tasks(plugin=None, timeout_s: float = 60.0) -> None:  # noqa: ANN001
    """Until background tasks are done, every IOC panel has loaded and every layer loader has installed its layers.

    The layers are added to the project after their task ends, so a fixed number of turns was not
    enough on a loaded machine: wait for the plugin's own state instead (any plugin's: tests that make their
    own plugin instance need not pass it).
    """
    from qgis.PyQt.QtWidgets import QApplication

    from ioc_qgis_plugin.gui.layers import StepwiseLayerLoader
    from ioc_qgis_plugin.gui.panel import IocDock

    manager = QgsApplication.taskManager()

    def busy_objects() -> bool:
        for top in QApplication.topLevelWidgets():
            if any(loader.busy() for loader in top.findChildren(StepwiseLayerLoader)):
                return True
            if any(dock.task is not None for dock in top.findChildren(IocDock)):
                return True
        return False

    def settled() -> bool:
        if manager.countActiveTasks() or busy_objects():
            return False
        if plugin is None:
            return True
        dock = getattr(plugin, "dock", None)
        return plugin.layer_loader is None and (dock is None or dock.task is None)

    assert wait_until(settled, timeout_s), "background work did not finish"
    QCoreApplication.processEvents()


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


def basic_authcfg(user: str, password: str, name: str = "") -> str:
    """A Basic (user/password) configuration in QGIS's auth manager; its id. Sets the test profile's master
    password the first time."""
    from qgis.core import QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setMasterPassword("ioc-test-master", True)
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName(name or f"ioc test {user}")
    cfg.setConfig("username", user)
    cfg.setConfig("password", password)
    assert manager.storeAuthenticationConfig(cfg)[0]
    return cfg.id()
