"""Shared fixtures: a small deterministic demo city (GeoPackage) built once per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("PROJ_DATA", "/usr/share/proj")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def demo_gpkg(tmp_path_factory) -> Path:
    from ioc_qgis_plugin.demo.citygen import CityConfig, build, save_default_styles
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    path = tmp_path_factory.mktemp("city") / "ioc.gpkg"
    store = GeoPackageStore.create(path)
    build(
        store, CityConfig(reports=3000, parcels=400, lights=600, reading_days=2, end="2026-11-20"), log=lambda m: None
    )
    save_default_styles(store)
    store.close()
    return path


@pytest.fixture
def demo_copy(demo_gpkg, tmp_path) -> Path:
    """A private copy for tests that write (SQLite backup API: the session file may be open in this process)."""
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    return GeoPackageStore.copy_file(demo_gpkg, tmp_path / "ioc.gpkg")


def pytest_sessionfinish(session, exitstatus):
    session.config._ioc_exitstatus = int(exitstatus)


def pytest_unconfigure(config):
    """Leave without running C++ destructors once QGIS has been started.

    QGIS 3.22's Python bindings can crash in static destructors at interpreter exit (seen here after a
    Processing algorithm raised QgsProcessingException), after every test has run and the summary has
    been printed. The exit status is still pytest's own: failures stay failures.
    """
    if "qgis.core" in sys.modules and hasattr(config, "_ioc_exitstatus"):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config._ioc_exitstatus)
