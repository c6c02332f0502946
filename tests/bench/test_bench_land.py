"""Land benchmarks (measurements, not pass/fail): import + validation of 100,000 parcels; overlap check."""

from __future__ import annotations

import time

from ioc_qgis_plugin.land.importer import import_cadastre
from ioc_qgis_plugin.land.mapping import guess_mapping
from ioc_qgis_plugin.land.quality import find_overlaps
from ioc_qgis_plugin.land.reader import read_cadastre
from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

N = 100_000


def test_bench_overlap_check_100k(bench_record):
    sheet = make_sheet(N, seed=11, defects=0.01)
    t = time.perf_counter()
    found = find_overlaps(sheet.geoms)
    dt = time.perf_counter() - t
    bench_record(
        "land_overlap_check_100k", dt, "s", target="≤ 20 s", note=f"{len(found)} overlapping pairs among {N} parcels"
    )


def test_bench_import_and_validation_100k(bench_record, tmp_path):
    sheet = make_sheet(N, seed=12, defects=0.01)
    path = write_sheet(sheet, str(tmp_path / "thua.shp"))
    store = GeoPackageStore.create(tmp_path / "ioc.gpkg")
    try:
        mapping = guess_mapping(read_cadastre(path).field_names)
        t = time.perf_counter()
        res = import_cadastre(path, store, mapping)
        dt = time.perf_counter() - t
        assert store.count("parcels") == N
    finally:
        store.close()
    bench_record(
        "land_import_validate_100k",
        dt,
        "s",
        target="≤ 30 s",
        note=f"Shapefile → checks (invalid/overlap/gap/sliver/area) → WGS 84 → GeoPackage; {res.quality.summary()}",
    )
