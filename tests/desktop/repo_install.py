"""Runs inside the real QGIS desktop (qgis.bin --code) for tests/qgis/test_plugin_repository.py.

Does what a city's GIS desk does in Plugins ▸ Manage and Install Plugins, through QGIS's own installer
(pyplugin_installer): add the provincial repository, fetch it, install the IOC plugin; then, once the province has
published a newer version in the same repository, fetch again and upgrade — the plugin is reloaded on the fly.

Environment: IOC_REPO_URL (…/plugins.xml), IOC_RESULT (JSON written at the end), IOC_FLAG_DIR (the test and this
script signal each other with files there: "installed" → test publishes the new version → "published").
"""

import json
import os
import time
import traceback

import pyplugin_installer
import qgis.utils
from pyplugin_installer.installer_data import officialRepo, plugins, repositories
from qgis.core import Qgis, QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QTimer
from qgis.PyQt.QtWidgets import QAction
from qgis.utils import iface

KEY = "ioc_qgis_plugin"
FLAGS = os.environ["IOC_FLAG_DIR"]
errors = []
result = {"errors": errors, "steps": []}


def _on_message(message, tag, level):
    if tag == "Python error" or (level == Qgis.Critical and tag in ("IOC", "Python", "Plugins")):
        errors.append(f"[{tag}] {message[:2000]}")


QgsApplication.messageLog().messageReceived.connect(_on_message)


def _record_exception(type_, value, tb, msg=None, messagebar=False, level=Qgis.Warning):
    errors.append("".join(traceback.format_exception(type_, value, tb))[-3000:])  # no modal dialog: unattended


qgis.utils.showException = _record_exception
manager_messages = []
_push = iface.pluginManagerInterface().pushMessage


def _record_push(text, level=Qgis.Info, duration=-1):
    manager_messages.append(str(text))
    return _push(text, level, duration)


iface.pluginManagerInterface().pushMessage = _record_push


def finish(code):
    result["manager_messages"] = manager_messages
    with open(os.environ["IOC_RESULT"], "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
    QCoreApplication.processEvents()
    os._exit(code)


def wait_for_flag(name, timeout=120):
    end = time.time() + timeout
    while not os.path.exists(os.path.join(FLAGS, name)):
        if time.time() > end:
            raise TimeoutError(f"no '{name}' from the test within {timeout} s")
        QCoreApplication.processEvents()
        time.sleep(0.05)


def ioc_actions():
    return len([a for a in iface.mainWindow().findChildren(QAction) if a.objectName().startswith("ioc_")])


def snapshot(label):
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # what unload() released with deleteLater()
    QCoreApplication.processEvents()
    plugin = plugins.all().get(KEY) or {}
    state = {
        "step": label,
        "status": plugin.get("status"),
        "status_exp": plugin.get("status_exp"),
        "version_installed": plugin.get("version_installed"),
        "version_available": plugin.get("version_available"),
        "error": plugin.get("error"),
        "active": KEY in qgis.utils.active_plugins,
        "loaded_version": qgis.utils.pluginMetadata(KEY, "version") if KEY in qgis.utils.available_plugins else "",
        "ioc_actions": ioc_actions(),
        "provider": QgsApplication.processingRegistry().providerById("ioc") is not None,
        "repositories": {
            k: {"url": r.get("url"), "enabled": r.get("enabled"), "state": r.get("state"), "error": r.get("error")}
            for k, r in repositories.all().items()
        },
        "known_plugins": sorted(plugins.all().keys())[:20],
    }
    result["steps"].append(state)
    return state


def main():
    try:
        settings = QgsSettings()
        # the user's part: the province's repository in Plugin Manager's settings, experimental plugins shown
        # (the plugin is flagged experimental), and no other repository (this machine reaches no other server)
        settings.setValue(f"app/plugin_repositories/{officialRepo[0]}/url", officialRepo[1])
        settings.setValue(f"app/plugin_repositories/{officialRepo[0]}/enabled", False)
        settings.setValue("app/plugin_repositories/IOC province/url", os.environ["IOC_REPO_URL"])
        settings.setValue("app/plugin_repositories/IOC province/enabled", True)
        settings.setValue("app/plugin_installer/allowExperimental", True)  # QGIS 3.22 – 3.28
        try:  # QGIS ≥ 3.30 keeps it in the settings tree
            from qgis.core import QgsSettingsTree

            QgsSettingsTree.node("plugin-manager").childSetting("allow-experimental").setVariantValue(True)
        except (ImportError, AttributeError):
            pass
        installer = pyplugin_installer.instance()

        installer.fetchAvailablePlugins(True)
        snapshot("fetched")
        installer.installPlugin(KEY, quiet=False, stable=False)
        QCoreApplication.processEvents()
        snapshot("installed")
        open(os.path.join(FLAGS, "installed"), "w").close()

        wait_for_flag("published")  # the province publishes the next version into the same folder
        installer.fetchAvailablePlugins(True)
        snapshot("fetched again")
        installer.installPlugin(KEY, quiet=False, stable=False)
        for _ in range(50):
            QCoreApplication.processEvents()
            time.sleep(0.02)
        snapshot("upgraded")
        finish(0)
    except Exception:  # the verdict must be written whatever happened
        errors.append(traceback.format_exc())
        finish(1)


QTimer.singleShot(500, main)
