"""Column-wise read of a PostGIS point layer (issue 20): what every IOC algorithm pays to read its input, the
column-wise path (binary COPY into numpy) against QGIS's feature-by-feature iteration of the same layer, measured
in the same run, alternating, median of the repeats.

The table looks like the city store's field reports: int8 key (bigserial), WGS 84 points reprojected to the
analysis CRS (EPSG:5899), a text category, a ward, a time, a weight, 1 % without a location. QGIS 3.22 numbers
int8-keyed features itself, so outputs that name input features pay one more pass for QGIS's ids; both figures
are recorded. IOC_BENCH_PG_READ_ROWS (default 100,000) scales it.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import psycopg2
from qgis.core import QgsCoordinateReferenceSystem, QgsDataSourceUri, QgsProcessingContext, QgsVectorLayer

import ioc_qgis_plugin.processing.common as common
from tests.support.pgcluster import PgCluster

N = int(os.environ.get("IOC_BENCH_PG_READ_ROWS", 100_000))
REPEATS = 3
FIELDS = {"numeric": ["weight"], "text": ["service_code", "ward_id"], "times": ["requested_at"]}


def test_bench_pg_read_points(bench_record, qgis_app) -> None:  # noqa: ANN001
    with PgCluster() as cluster:
        cluster.createdb("bench_read")
        conn = psycopg2.connect(cluster.dsn("bench_read"))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "CREATE EXTENSION postgis; SELECT setseed(0.5);"
                "CREATE TABLE reports (fid bigserial PRIMARY KEY, service_code text, ward_id text, "
                "requested_at timestamptz, weight float8, geom geometry(Point, 4326));"
                "INSERT INTO reports (service_code, ward_id, requested_at, weight, geom) "
                "SELECT (ARRAY['traffic', 'urban_order', 'environment', 'security'])[1 + i % 4], "
                "'W' || lpad((i % 30)::text, 2, '0'), timestamptz '2026-01-01 00:00+07' + i * interval '47 s', "
                "1 + i % 3, CASE WHEN i % 100 = 0 THEN NULL ELSE ST_SetSRID(ST_MakePoint(107.15 + 0.12 * random(), "
                f"10.88 + 0.12 * random()), 4326) END FROM generate_series(1, {N}) i"
            )
            cur.execute("VACUUM ANALYZE reports")
        conn.close()
        uri = QgsDataSourceUri()
        uri.setConnection("127.0.0.1", str(cluster.port), "bench_read", "postgres", cluster.password)
        uri.setDataSource("public", "reports", "geom", "", "fid")
        layer = QgsVectorLayer(uri.uri(False), "reports", "postgres")
        assert layer.isValid()
        crs = QgsCoordinateReferenceSystem("EPSG:5899")
        times: dict[str, list[float]] = {"bulk": [], "ids": [], "features": []}
        load = [os.getloadavg()[0]]
        for _ in range(REPEATS):
            t = time.perf_counter()
            ref = common.read_features(layer, QgsProcessingContext(), None, crs, **FIELDS)
            times["features"].append(time.perf_counter() - t)
            t = time.perf_counter()
            bulk = common._read_columnar(layer, None, crs, *FIELDS.values(), (0.0, 30.0), True)
            times["bulk"].append(time.perf_counter() - t)
            bulk.fids  # noqa: B018 - QGIS's ids for the keys: what an output naming input features pays on top
            times["ids"].append(time.perf_counter() - t)
            load.append(os.getloadavg()[0])
        order_b, order_r = np.argsort(bulk.fids), np.argsort(ref.fids)
        same = (
            np.array_equal(bulk.fids[order_b], ref.fids[order_r])
            and np.allclose(bulk.xy[order_b], ref.xy[order_r], rtol=0, atol=1e-6)
            and all(np.array_equal(bulk.attrs[k][order_b], ref.attrs[k][order_r]) for k in ref.attrs)
            and bulk.skipped == ref.skipped == N // 100
        )
    med = {k: statistics.median(v) for k, v in times.items()}
    note = (
        f"{N} points (PostGIS 4326 table, int8 key, 3 fields + time) read into arrays in EPSG:5899, in-process; "
        f"median of {REPEATS}, alternating; with QGIS's feature ids resolved {med['ids']:.2f} s; equal to the "
        f"feature path (ids, xy to 1e-6 m, fields, {N // 100} skipped): {same}; load average "
        f"{min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores"
    )
    name = f"pg_read_points_{N:.0e}".replace("+0", "").replace("+", "")
    reference = "QGIS feature iteration (QgsFeatureRequest with destination CRS), same layer, same run"
    bench_record(f"{name}_seconds", med["bulk"], "s", reference=med["features"], reference_name=reference,
                 note=note)  # fmt: skip
    bench_record(f"{name}_with_ids_seconds", med["ids"], "s", reference=med["features"], reference_name=reference,
                 note=note)  # fmt: skip
    assert same
