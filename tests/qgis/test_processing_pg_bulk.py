"""PostGIS inputs read column-wise (one server-side cursor) give exactly what QGIS's feature-by-feature path gives:
same feature ids, coordinates, fields and skipped NULL/empty geometries; the subset string, a non-default schema, a
reprojection, the layer's auth configuration; refused cases fall back; cancel stops the read (issue 20)."""

from __future__ import annotations

import time

import numpy as np
import psycopg2
import pytest
from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

import ioc_qgis_plugin.processing.common as common
from ioc_qgis_plugin.land.synthetic import make_sheet
from ioc_qgis_plugin.processing.bulk_io import NotColumnar
from ioc_qgis_plugin.processing.land_base import _read_columnar as read_polygons_columnar
from ioc_qgis_plugin.processing.land_base import read_polygons
from ioc_qgis_plugin.processing.pg_bulk import read_pg_points
from ioc_qgis_plugin.processing.pg_source import pg_table
from tests.qgis.conftest import basic_authcfg as authcfg
from tests.support.pgcluster import PgCluster

DB = "bulk_city"
SCHEMA = "dữ liệu thành phố"  # not public, and needs quoting
READER, READER_PW = "analyst", "pw-analyst-7f3"
N = 4000
NUMERIC, TEXT, TIMES = ["w", "n", "code", "r"], ["kind", "ward"], ["requested_at", "local_at", "day", "iso"]

SETUP = f"""
CREATE EXTENSION postgis;
CREATE SCHEMA "{SCHEMA}";
CREATE ROLE {READER} LOGIN PASSWORD '{READER_PW}';
GRANT USAGE ON SCHEMA "{SCHEMA}" TO {READER};
ALTER DEFAULT PRIVILEGES IN SCHEMA "{SCHEMA}" GRANT SELECT ON TABLES TO {READER};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {READER};
SELECT setseed(0.25);
CREATE TABLE "{SCHEMA}".incidents (
  fid bigserial PRIMARY KEY, w float8, n numeric(8, 2), code int4, ward int2, r real, kind text,
  requested_at timestamptz,
  local_at timestamp, day date, iso varchar, geom geometry(Point, 5899));
INSERT INTO "{SCHEMA}".incidents
  (w, n, code, ward, r, kind, requested_at, local_at, day, iso, geom)
SELECT CASE WHEN i % 13 = 0 THEN NULL ELSE 1 + i % 3 END, round((random() * 100)::numeric, 2), i % 7,
       CASE WHEN i % 23 = 0 THEN NULL ELSE i % 30 END, (i % 10 / 10.0 + 0.01)::real,
       CASE WHEN i % 17 = 0 THEN NULL WHEN i % 29 = 0 THEN 'đèn "hỏng", cột 3' WHEN i % 31 = 0 THEN ''
            ELSE (ARRAY['traffic', 'lighting', 'trật tự đô thị'])[1 + i % 3] END,
       CASE WHEN i % 19 = 0 THEN NULL ELSE timestamptz '2025-01-01 08:00+07' + i * interval '37 min 0.0123456 s' END,
       timestamp '2025-02-01 06:30' + i * interval '3 hours 0.0004567 s', date '2025-03-01' + i % 40,
       to_char(timestamptz '2025-01-01 00:00Z' + i * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       CASE WHEN i % 97 = 0 THEN NULL WHEN i % 211 = 0 THEN 'SRID=5899;POINT EMPTY'::geometry
            WHEN i % 3 = 0 THEN ST_SetSRID(ST_MakePoint(705000 + 250 * random(), 1210000 + 250 * random()), 5899)
            ELSE ST_SetSRID(ST_MakePoint(702000 + 6000 * random(), 1207000 + 6000 * random()), 5899) END
FROM generate_series(1, {N}) i;
CREATE TABLE public.incidents_wgs (fid int4 PRIMARY KEY, w float8, geom geometry(Point, 4326));
INSERT INTO public.incidents_wgs
SELECT i, i % 5, CASE WHEN i % 50 = 0 THEN NULL
                      ELSE ST_SetSRID(ST_MakePoint(107.2 + 0.05 * random(), 10.93 + 0.05 * random()), 4326) END
FROM generate_series(1, 1500) i;
CREATE TABLE public.text_key (id text PRIMARY KEY, geom geometry(Point, 5899));
INSERT INTO public.text_key SELECT 'k' || i, ST_SetSRID(ST_MakePoint(705000 + i, 1210000), 5899)
FROM generate_series(1, 50) i;
CREATE TABLE public.any_geometry (fid serial PRIMARY KEY, geom geometry);
INSERT INTO public.any_geometry (geom) SELECT ST_SetSRID(ST_MakePoint(705000 + i, 1210000), 5899)
FROM generate_series(1, 50) i;
CREATE TABLE "{SCHEMA}".thua_dat (
  fid bigserial PRIMARY KEY, "KyHieuMucDichSuDung" text, "DienTich" numeric(12, 1),
  geom geometry(MultiPolygon, 5899));
"""


@pytest.fixture(scope="module")
def city(qgis_app):  # noqa: ANN001
    cluster = PgCluster().start()
    try:
        cluster.createdb(DB)
        conn = psycopg2.connect(cluster.dsn(DB))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(SETUP)
            sheet = make_sheet(600, seed=4, defects=0.02)
            rows = [(sheet.land_use[i], float(sheet.area_declared[i]), g.wkb) for i, g in enumerate(sheet.geoms)]
            rows[5] = (rows[5][0], 10.0, None)  # parcels without a geometry, one of them outside the subset
            rows[77] = (None, None, None)
            rows[120] = (None, rows[120][1], rows[120][2])  # a parcel without a land-use code
            cur.executemany(
                f'INSERT INTO "{SCHEMA}".thua_dat ("KyHieuMucDichSuDung", "DienTich", geom) '
                "VALUES (%s, %s, ST_Multi(ST_GeomFromWKB(%s, 5899)))",
                rows,
            )
            cur.execute("ANALYZE")
        conn.close()
        yield cluster
    finally:
        cluster.stop()


def pg_layer(
    city: PgCluster, table: str, schema: str = SCHEMA, subset: str = "", authcfg: str = "", key: str = "fid"
) -> QgsVectorLayer:
    uri = QgsDataSourceUri()
    if authcfg:
        uri.setConnection("127.0.0.1", str(city.port), DB, "", "", QgsDataSourceUri.SslDisable, authcfg)
    else:
        uri.setConnection("127.0.0.1", str(city.port), DB, READER, READER_PW, QgsDataSourceUri.SslDisable)
    uri.setDataSource(schema, table, "geom", subset, key)
    layer = QgsVectorLayer(uri.uri(False), table, "postgres")
    assert layer.isValid(), table
    return layer


def by_fid(data: common.FeatureArrays) -> tuple:
    order = np.argsort(data.fids, kind="stable")
    return data.fids[order], data.xy[order], {k: v[order] for k, v in data.attrs.items()}


def assert_same(bulk: common.FeatureArrays, ref: common.FeatureArrays, tol: float = 0.0) -> None:
    fb, xyb, ab = by_fid(bulk)
    fr, xyr, ar = by_fid(ref)
    assert bulk.skipped == ref.skipped
    assert np.array_equal(fb, fr)
    if tol:
        assert np.allclose(xyb, xyr, rtol=0, atol=tol, equal_nan=True)
    else:
        assert np.array_equal(xyb, xyr, equal_nan=True)
    assert ab.keys() == ar.keys()
    for k in ar:
        if ar[k].dtype == object:
            assert ab[k].tolist() == ar[k].tolist(), k
        else:
            assert np.array_equal(ab[k], ar[k], equal_nan=True), k


def read_both(layer: QgsVectorLayer, crs: str = "EPSG:5899", need_geometry: bool = True, **fields):  # noqa: ANN003
    target = QgsCoordinateReferenceSystem(crs)
    args = {k: fields.get(k, []) for k in ("numeric", "text", "times")}
    bulk = common._read_columnar(layer, None, target, *args.values(), (0.0, 30.0), need_geometry)
    ref = common.read_features(layer, QgsProcessingContext(), None, target, need_geometry=need_geometry, **args)
    return bulk, ref


@pytest.mark.parametrize(
    "subset",
    ["", "kind = 'trật tự đô thị' AND requested_at >= '2025-01-20'", "fid % 97 = 0"],
    ids=["whole table", "subset", "subset of NULL geometries"],
)
def test_points_equal_feature_path(city, subset: str) -> None:  # noqa: ANN001
    layer = pg_layer(city, "incidents", subset=subset)
    bulk, ref = read_both(layer, numeric=NUMERIC, text=TEXT, times=TIMES)
    assert_same(bulk, ref)
    if not subset:
        assert len(ref.fids) + ref.skipped == N and ref.skipped == N // 97 + N // 211
    else:
        assert 0 < len(ref.fids) + ref.skipped < N  # the subset was applied by both


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "America/New_York"])
def test_local_times_read_as_qgis_reads_them(city, monkeypatch, zone: str) -> None:  # noqa: ANN001
    """timestamp without time zone and date: QGIS takes them as this machine's local time."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        bulk, ref = read_both(pg_layer(city, "incidents"), times=["local_at", "day"])
        assert_same(bulk, ref)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_points_kept_without_geometry_equal_feature_path(city) -> None:  # noqa: ANN001
    bulk, ref = read_both(pg_layer(city, "incidents"), need_geometry=False, text=["kind"], times=["requested_at"])
    assert_same(bulk, ref)
    assert len(bulk.fids) == N and bulk.skipped == N // 97 + N // 211


def test_reprojected_points_equal_feature_path(city) -> None:  # noqa: ANN001
    layer = pg_layer(city, "incidents_wgs", schema="public")
    assert layer.crs().authid() == "EPSG:4326"
    bulk, ref = read_both(layer, numeric=["w"])
    assert bulk.skipped == ref.skipped == 30
    assert_same(bulk, ref, tol=1e-6)  # PROJ on QGIS's definitions vs QgsCoordinateTransform: sub-micrometre


def test_polygons_equal_feature_path(city) -> None:  # noqa: ANN001
    layer = pg_layer(city, "thua_dat", subset='"DienTich" > 400 OR "DienTich" IS NULL')
    names = ("KyHieuMucDichSuDung", "DienTich")
    crs = QgsCoordinateReferenceSystem("EPSG:5899")
    bulk = read_polygons_columnar(layer, None, crs, names)
    ref = read_polygons(layer, QgsProcessingContext(), None, names)  # no layer: QGIS's features
    assert bulk.skipped == ref.skipped == 1  # the other parcel without geometry is outside the subset
    assert bulk.fids == ref.fids and len(bulk.fids) > 50
    assert bulk.wkb == ref.wkb  # byte for byte
    assert bulk.attrs == ref.attrs
    assert any(v is None for v in ref.attrs["KyHieuMucDichSuDung"])


def test_algorithms_equal_feature_path(ioc_provider, city, monkeypatch) -> None:  # noqa: ANN001
    import processing

    calls = []
    real = common.read_pg_points
    monkeypatch.setattr(common, "read_pg_points", lambda *a, **k: calls.append(1) or real(*a, **k))
    layer = pg_layer(city, "incidents", subset="fid > 100")
    QgsProject.instance().addMapLayer(layer)
    try:
        params = {"METHOD": 0, "EPS": 60, "MIN_SAMPLES": 8, "OUTPUT": "memory:", "HULLS": "memory:"}
        bulk = processing.run("ioc:density_clusters", {"INPUT": layer, **params})
        assert calls == [1]
        # a feature limit no table reaches: QGIS's own feature source, the path this must equal
        whole = QgsProcessingFeatureSourceDefinition(layer.id(), False, 10**9)
        ref = processing.run("ioc:density_clusters", {"INPUT": whole, **params})
        assert calls == [1]
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    got = {f["src_fid"]: (f["cluster_id"], f.geometry().asWkt(6)) for f in bulk["OUTPUT"].getFeatures()}
    want = {f["src_fid"]: (f["cluster_id"], f.geometry().asWkt(6)) for f in ref["OUTPUT"].getFeatures()}
    assert got == want and len(got) > 1000
    assert bulk["SUMMARY"] == ref["SUMMARY"]


def test_authcfg_credentials_resolved_and_never_shown(city) -> None:  # noqa: ANN001
    messages: list[str] = []
    log = QgsApplication.messageLog()

    def keep(text: str, *_a: object) -> None:
        messages.append(text)

    log.messageReceived.connect(keep)
    try:
        cfg = authcfg(READER, READER_PW)
        layer = pg_layer(city, "incidents", authcfg=cfg)
        assert READER_PW not in layer.source()
        table = pg_table(layer)
        assert table.connect["password"] == READER_PW and READER_PW not in repr(table)
        bulk, ref = read_both(layer, numeric=["w"])
        assert_same(bulk, ref)
        # the password changes under the layer: the column-wise read is refused and says why, the feature path
        # (QGIS's open connection) still reads everything
        manager = QgsApplication.authManager()
        wrong = QgsAuthMethodConfig()
        manager.loadAuthenticationConfig(cfg, wrong, True)
        wrong.setConfig("password", "not-the-password-42")
        assert manager.updateAuthenticationConfig(wrong)
        with pytest.raises(NotColumnar, match="password authentication failed") as refused:
            read_pg_points(pg_table(layer), ["w"])
        assert "not-the-password-42" not in str(refused.value)
        data = common.read_features(
            layer, QgsProcessingContext(), None, QgsCoordinateReferenceSystem("EPSG:5899"), numeric=["w"], layer=layer
        )
        assert_same(data, ref)
        QgsApplication.processEvents()
        assert any("password authentication failed" in m for m in messages)
    finally:
        log.messageReceived.disconnect(keep)
    assert not [m for m in messages if READER_PW in m or "not-the-password-42" in m]


@pytest.mark.parametrize("table", ["text_key", "any_geometry"])
def test_refused_tables_fall_back_to_features(city, table: str) -> None:  # noqa: ANN001
    layer = pg_layer(city, table, schema="public", key="id" if table == "text_key" else "fid")
    with pytest.raises(NotColumnar):
        read_pg_points(pg_table(layer))
    data = common.read_features(
        layer, QgsProcessingContext(), None, QgsCoordinateReferenceSystem("EPSG:5899"), layer=layer
    )
    assert len(data.xy) == 50


class CancelAtFirstProgress(QgsProcessingFeedback):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[float] = []

    def setProgress(self, progress: float) -> None:  # noqa: N802 - Qt naming
        self.seen.append(progress)
        super().setProgress(progress)
        self.cancel()


def test_cancel_stops_the_read_and_closes_the_connection(city, monkeypatch) -> None:  # noqa: ANN001
    import ioc_qgis_plugin.processing.pg_bulk as pg_bulk

    monkeypatch.setattr(pg_bulk, "CHECK_EVERY", 500)  # several checks in this small table
    feedback = CancelAtFirstProgress()
    layer = pg_layer(city, "incidents")
    with pytest.raises(QgsProcessingException, match="Canceled"):
        common.read_features(
            layer, QgsProcessingContext(), feedback, QgsCoordinateReferenceSystem("EPSG:5899"), layer=layer
        )
    assert len(feedback.seen) == 1 and 0 < feedback.seen[0] < 30  # stopped after the first batch
    conn = psycopg2.connect(city.dsn(DB))
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ioc processing read'")
        assert cur.fetchone()[0] == 0
    conn.close()


def test_parcel_quality_equals_feature_path(ioc_provider, city, monkeypatch) -> None:  # noqa: ANN001
    import processing

    import ioc_qgis_plugin.processing.land_base as land_base

    calls = []
    real = land_base.read_pg_wkb
    monkeypatch.setattr(land_base, "read_pg_wkb", lambda *a, **k: calls.append(1) or real(*a, **k))
    layer = pg_layer(city, "thua_dat", subset="fid <> 3")
    QgsProject.instance().addMapLayer(layer)
    try:
        params = {"AREA_FIELD": "DienTich", "OUTPUT": "memory:"}
        bulk = processing.run("ioc:parcel_quality", {"INPUT": layer, **params})
        ref = processing.run(
            "ioc:parcel_quality", {"INPUT": QgsProcessingFeatureSourceDefinition(layer.id(), False, 10**9), **params}
        )
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    assert calls == [1]

    def issues(res: dict) -> list:
        return sorted(
            (f["kind"], f["parcel_fid"], f["other_fid"], f["value"], f["reason"], f.geometry().asWkt(3))
            for f in res["OUTPUT"].getFeatures()
        )

    got = issues(bulk)
    assert got == issues(ref) and {"sliver", "overlap", "area"} <= {k for k, *_ in got}
    assert bulk["SUMMARY"] == ref["SUMMARY"]


def test_city_store_layer_with_row_security(city) -> None:  # noqa: ANN001
    """The plugin's own field_reports layer (authcfg, key fid) as a desk that sees one ward: row-level security
    applies to the column-wise read as to QGIS's, and the results are the same."""
    from ioc_qgis_plugin.gui.settings import IocSettings
    from ioc_qgis_plugin.gui.store_opener import qgis_layer_uri
    from ioc_qgis_plugin.store.postgis import PostgisStore
    from ioc_qgis_plugin.store.postgis_admin import add_user, create_city

    dsn = create_city(city.dsn(), "city_rls", analysis_srid=5899)
    add_user(dsn, "desk_w01", "desk", "pw-desk-w01", wards=["W01"])
    owner = PostgisStore(dsn)
    rng = np.random.default_rng(8)
    reports = []
    for i in range(300):
        located = i % 25 != 0
        reports.append({
            "report_id": f"R{i:04d}", "service_code": ["traffic", "lighting"][i % 2], "status": "received",
            "ward_id": f"W0{1 + i % 3}", "lon": 107.2 + 0.05 * rng.random() if located else None,
            "lat": 10.93 + 0.05 * rng.random() if located else None, "source": "local",
            "requested_at": f"2026-0{1 + i % 9}-1{i % 10}T0{i % 10}:15:00.25{i % 10}+07:00",
        })  # fmt: skip
    owner.upsert_reports(reports)
    owner.close()
    desk = PostgisStore.open(city.dsn("city_rls", user="desk_w01", password="pw-desk-w01"))
    settings = IocSettings(store_kind="postgis", pg_host="127.0.0.1", pg_port=city.port, pg_dbname="city_rls")
    settings.pg_authcfg = authcfg("desk_w01", "pw-desk-w01")
    uri, provider = qgis_layer_uri(desk, "field_reports", settings)
    desk.close()
    layer = QgsVectorLayer(uri, "field_reports", provider)
    assert layer.isValid() and "pw-desk-w01" not in uri
    bulk, ref = read_both(layer, text=["ward_id", "service_code"], times=["requested_at"])
    assert_same(bulk, ref, tol=1e-6)  # WGS 84 store → EPSG:5899
    assert set(ref.attrs["ward_id"]) == {"W01"} and len(ref.fids) + ref.skipped == 100
    assert ref.skipped == 4
