"""100,000 field reports exported to each target from local servers (target ≤ 60 s each). Measurements only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ioc_qgis_plugin.devservers.ckan_server import CkanServer
from ioc_qgis_plugin.devservers.pygeoapi_runner import PygeoapiServer, available
from ioc_qgis_plugin.export.package import DatasetInfo
from ioc_qgis_plugin.export.policy import Policy
from ioc_qgis_plugin.export.publish import run_export
from ioc_qgis_plugin.export.select import Selection
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

N = 100_000
POLICY = Policy(id_secret="bench-city-secret-000001")
INFO = DatasetInfo(name="phan-anh-100k", title="Phản ánh hiện trường (100k)")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    from ioc_qgis_plugin.demo.citygen import CityConfig, build

    path = tmp_path_factory.mktemp("big") / "ioc.gpkg"
    store = GeoPackageStore.create(path)
    build(store, CityConfig(reports=N, parcels=50, lights=50, reading_days=1, end="2026-11-20"), log=lambda m: None)
    store.close()
    return path


def _run(path: Path, out: Path, target: str, opts: dict) -> tuple[float, object]:
    store = GeoPackageStore.open(path)
    try:
        t0 = time.perf_counter()
        res = run_export(store, Selection(tables=("field_reports",)), POLICY, INFO, out, target, opts)
        return time.perf_counter() - t0, res
    finally:
        store.close()


def test_bench_export_file(big_store: Path, tmp_path: Path, bench_record) -> None:  # noqa: ANN001
    secs, res = _run(big_store, tmp_path / "pkg", "file", {})
    assert res.records["field_reports"] == N
    size = sum(d.size for d in res.distributions) / 1e6
    bench_record("export 100k reports → file package", secs, "s", target="≤ 60 s",
                 note=f"{size:.0f} MB written; {distinct_texts(big_store)}")  # fmt: skip


def distinct_texts(path: Path) -> str:
    import sqlite3

    con = sqlite3.connect(path)
    sql = "SELECT count(DISTINCT description), count(DISTINCT address) FROM field_reports"
    desc, addr = con.execute(sql).fetchone()
    con.close()
    return f"the demo's texts repeat: {desc:,} distinct descriptions and {addr:,} distinct addresses in {N:,} reports"


@pytest.fixture(scope="module")
def distinct_store(big_store: Path, tmp_path_factory) -> Path:  # noqa: ANN001
    """The same city with every description and address its own text (the demo's repeat, a city's may not)."""
    import shutil
    import sqlite3

    path = tmp_path_factory.mktemp("distinct") / "ioc.gpkg"
    shutil.copy(big_store, path)
    from osgeo import gdal

    ds = gdal.OpenEx(str(path), gdal.OF_UPDATE)  # GDAL's SQLite has the ST_ functions the R-tree triggers call
    ds.ExecuteSQL(
        "UPDATE field_reports SET description = description || ' (lần ' || fid || ', ' || ward_id || ')', "
        "address = 'số ' || (fid % 997 + 1) || '/' || (fid / 997 + 1) || ' ' || address"
    )
    ds = None
    con = sqlite3.connect(path)
    n, desc, addr = con.execute(
        "SELECT count(*), count(DISTINCT description), count(DISTINCT address) FROM field_reports"
    ).fetchone()
    con.close()
    assert n == desc == addr == N
    return path


def test_bench_export_file_distinct_texts(distinct_store: Path, tmp_path: Path, bench_record) -> None:  # noqa: ANN001
    secs, res = _run(distinct_store, tmp_path / "pkg", "file", {})
    assert res.records["field_reports"] == N
    bench_record("export 100k reports → file package (every description and address distinct)", secs, "s",
                 target="≤ 60 s", note="each of 100,000 descriptions and addresses scrubbed on its own")  # fmt: skip


def test_bench_export_ckan(big_store: Path, tmp_path: Path, bench_record) -> None:  # noqa: ANN001
    with CkanServer(tokens={"bench"}) as srv:
        opts = {"url": srv.url, "token": "bench"}
        secs, res = _run(big_store, tmp_path / "pkg", "ckan", opts)
        assert len(res.uploaded) == 4
        again, res2 = _run(big_store, tmp_path / "pkg2", "ckan", opts)
        assert not res2.uploaded
    bench_record("export 100k reports → CKAN (local server, first publish)", secs, "s", target="≤ 60 s")
    bench_record("export 100k reports → CKAN again (unchanged, no upload)", again, "s", target="≤ 60 s")


@pytest.mark.skipif(not available(), reason="pygeoapi not installed")
def test_bench_export_ogcapi(big_store: Path, tmp_path: Path, bench_record) -> None:  # noqa: ANN001
    cfg = tmp_path / "pygeoapi.yml"
    opts = {"data_dir": str(tmp_path / "data"), "config": str(cfg)}
    secs, res = _run(big_store, tmp_path / "pkg", "ogcapi", opts)
    with PygeoapiServer(cfg) as srv:
        from ioc_qgis_plugin.export.ogcapi import verify_collection

        t0 = time.perf_counter()
        assert verify_collection(srv.url, res.uploaded[0], N) == N
        check = time.perf_counter() - t0
    bench_record("export 100k reports → OGC API (pygeoapi config + data)", secs, "s", target="≤ 60 s")
    bench_record("OGC API read-back check of 100k collection", check, "s")
