"""Each optional Python module hidden in turn (an import hook, as if this QGIS never had it, e.g. on Windows): the
plugin still loads and unloads, the demo city still opens, and what needs the module is disabled with a message that
names it and says how to install it (Windows/OSGeo4W and Debian/Ubuntu).

The hook makes every `import <module>` (and its submodules) raise ModuleNotFoundError, and the plugin's own modules
are imported afresh behind it; the originals are put back afterwards so the other tests see the normal install.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import pytest
from qgis.core import Qgis, QgsApplication, QgsProcessingException, QgsProject, QgsSettings

from tests.qgis.conftest import flush_deletes, wait_tasks

OWN = ("ioc_qgis_plugin", "ioc_processing_scripts")
MODULES = ["cv2", "scipy", "sklearn", "psycopg2", "defusedxml", "requests", "yaml"]


class _Hide:
    """A meta-path finder that refuses one top-level module and its submodules."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path=None, target=None):  # noqa: ANN001, ANN201
        if fullname == self.name or fullname.startswith(self.name + "."):
            raise ModuleNotFoundError(f"No module named '{fullname}' (hidden by the test)", name=fullname)
        return None


def _ours(name: str, hidden: str) -> bool:
    if name.endswith(".resources_rc"):
        # Qt keeps pointers into this module's byte strings (qRegisterResourceData does not copy): a second copy
        # imported here and then dropped would leave Qt reading freed memory. It imports nothing optional.
        return False
    return name == hidden or name.startswith(hidden + ".") or name.split(".")[0] in OWN


@contextmanager
def hidden(module: str) -> Iterator[None]:
    saved = {k: v for k, v in sys.modules.items() if _ours(k, module)}
    for k in saved:
        del sys.modules[k]
    hook = _Hide(module)
    sys.meta_path.insert(0, hook)
    try:
        yield
    finally:
        sys.meta_path.remove(hook)
        for k in [k for k in sys.modules if _ours(k, module)]:
            del sys.modules[k]
        sys.modules.update(saved)


@pytest.fixture(scope="module")
def processing_ready(qgis_app):
    from processing.core.Processing import Processing

    Processing.initialize()
    assert QgsApplication.processingRegistry().providerById("ioc") is None, "another test left an IOC provider"


@pytest.fixture
def log_lines(qgis_app) -> Iterator[list[str]]:
    lines: list[str] = []

    def got(message: str, tag: str, level) -> None:  # noqa: ANN001
        if tag == "IOC":
            lines.append(message)

    QgsApplication.messageLog().messageReceived.connect(got)
    yield lines
    QgsApplication.messageLog().messageReceived.disconnect(got)


def _bar_text(iface) -> str:  # noqa: ANN001
    bar = iface.messageBar()
    return "\n".join(m for level in (Qgis.Info, Qgis.Warning, Qgis.Critical) for m in bar.get_messages(level))


def _run(alg: str, params: dict) -> dict:
    import processing

    return processing.run(alg, params)


@pytest.mark.parametrize("module", MODULES)
def test_plugin_works_without(module, qgis_iface, qgis_new_project, processing_ready, demo_copy, log_lines) -> None:  # noqa: ANN001
    import importlib

    QgsSettings().remove("ioc")
    qgis_iface.messageBar().clear_messages()
    with hidden(module):
        with pytest.raises(ImportError):
            importlib.import_module(module)
        from ioc_qgis_plugin import classFactory
        from ioc_qgis_plugin.core.dependencies import BY_MODULE
        from ioc_qgis_plugin.gui.dependencies import DependenciesDialog

        info = BY_MODULE[module]
        plugin = classFactory(qgis_iface)
        plugin.initGui()
        try:
            # loads: panel, provider with every algorithm (real or a stand-in), the Dependencies page
            names = {a.objectName() for a in plugin.actions}
            assert {"ioc_panel", "ioc_dependencies", "ioc_postgis"} <= names
            provider = QgsApplication.processingRegistry().providerById("ioc")
            assert provider is plugin.provider and len(provider.algorithms()) == 15
            assert provider.failed.keys() == {f"{n}.py" for n in provider.missing}  # nothing else broke
            dialog = DependenciesDialog(qgis_iface.mainWindow())
            row = [r for r in dialog.rows if r.info.module == module][0]
            assert not row.present
            assert [r.info.module for r in dialog.rows if not r.present] == [module]
            assert info.debian in dialog.install_text() and info.osgeo4w in dialog.install_text()
            dialog.deleteLater()
            if not info.fallback:  # the log names the module and the two ways to install it
                said = [line for line in log_lines if f"'{module}'" in line and info.debian in line]
                assert said and "OSGeo4W" in said[0]

            # the rest works: the demo city opens, layers and panel fill, an algorithm without the module runs
            assert plugin.open_gpkg(str(demo_copy))
            wait_tasks()
            assert plugin.dock.reports.model.rowCount() == 3000
            tables = {lyr.customProperty("ioc/table") for lyr in QgsProject.instance().mapLayers().values()}
            assert {"wards", "cameras", "field_reports", "parcels"} <= tables
            parcels = [
                lyr
                for lyr in QgsProject.instance().mapLayers().values()
                if lyr.customProperty("ioc/table") == "parcels"
            ][0]
            res = _run("ioc:parcel_quality", {"INPUT": parcels, "OUTPUT": "memory:"})
            assert res["OUTPUT"] is not None

            # what needs the module is disabled, with the message
            _check_disabled(module, plugin, provider, qgis_iface, info)
        finally:
            plugin.unload()
            flush_deletes()
            QgsProject.instance().clear()
    assert QgsApplication.processingRegistry().providerById("ioc") is None


def _check_disabled(module: str, plugin, provider, iface, info) -> None:  # noqa: ANN001
    reports = [
        lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.customProperty("ioc/table") == "field_reports"
    ][0]
    if module == "cv2":
        for action in plugin.cameras.actions():
            assert not action.isEnabled() and "(needs cv2)" in action.text()
            assert "python3-opencv" in action.toolTip() and "opencv-python-headless" in action.toolTip()
        plugin.dock.cameras.open_camera.emit("CAM-001")
        assert "'cv2'" in _bar_text(iface) and not plugin.cameras.viewers
    elif module == "scipy":
        assert provider.missing.get("hotspots_gistar") == "scipy"
        alg = QgsApplication.processingRegistry().algorithmById("ioc:hotspots_gistar")
        assert "needs scipy" in alg.displayName()
        with pytest.raises(QgsProcessingException, match="python3-scipy"):
            _run("ioc:hotspots_gistar", {"INPUT": reports, "OUTPUT": "memory:"})
        assert _run("ioc:report_statistics", {"INPUT": reports, "OUTPUT": "memory:"})
    elif module == "sklearn":
        with pytest.raises(QgsProcessingException, match="python3-sklearn"):
            _run(
                "ioc:density_clusters",
                {"INPUT": reports, "METHOD": 0, "EPS": 200, "OUTPUT": "memory:", "HULLS": "memory:"},
            )
        assert _run("ioc:hotspots_gistar", {"INPUT": reports, "OUTPUT": "memory:"})
    elif module == "psycopg2":
        action = [a for a in plugin.actions if a.objectName() == "ioc_postgis"][0]
        assert not action.isEnabled() and "python3-psycopg2" in action.statusTip()
        from ioc_qgis_plugin.store.errors import StoreUnavailable
        from ioc_qgis_plugin.store.postgis import PostgisStore

        with pytest.raises(StoreUnavailable, match="python3-psycopg2"):
            PostgisStore("host=127.0.0.1 port=1 dbname=x")
    elif module == "defusedxml":  # a fallback, not a disabled feature: Open311 XML still parses
        from ioc_qgis_plugin.connectors.open311_parse import request_records

        xml = (
            b"<?xml version='1.0'?><service_requests><request><service_request_id>7</service_request_id>"
            b"<status>open</status><lat>10.9</lat><long>106.8</long></request></service_requests>"
        )
        assert [r["service_request_id"] for r in request_records(xml, "xml")] == ["7"]
    elif module == "requests":
        # the light analytics read layers only: they stay (the TALQ field list lives in core/, not the connector)
        assert not {"light_outages", "light_day_night", "dark_lights_near_reports"} & provider.missing.keys()
        plugin.settings.open311_url = "http://127.0.0.1:9/open311/v2"
        plugin.sync_reports()
        assert plugin.sync_task is None and "python3-requests" in _bar_text(iface)
    elif module == "yaml":
        from ioc_qgis_plugin.gui.dependencies import feature_message

        assert "python3-yaml" in feature_message("yaml")
