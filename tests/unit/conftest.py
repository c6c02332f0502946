"""Store fixtures: every store test runs against the GeoPackage and a throwaway PostGIS cluster."""

from __future__ import annotations

import itertools

import pytest

from tests.support.pgcluster import PgCluster

_db_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["gpkg", "postgis"])
def empty_store(request, tmp_path):
    if request.param == "gpkg":
        from ioc_qgis_plugin.store.gpkg import GeoPackageStore

        store = GeoPackageStore.create(tmp_path / "t.gpkg")
    else:
        from ioc_qgis_plugin.store.postgis import PostgisStore

        cluster = request.getfixturevalue("pg_cluster")
        store = PostgisStore.create(cluster.createdb(f"t{next(_db_counter)}"))
    yield store
    store.close()
