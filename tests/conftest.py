"""Shared fixtures: a small deterministic demo city (GeoPackage) built once per session."""

from __future__ import annotations

import os
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
    """A private copy for tests that write."""
    import shutil

    dst = tmp_path / "ioc.gpkg"
    shutil.copy(demo_gpkg, dst)
    return dst
