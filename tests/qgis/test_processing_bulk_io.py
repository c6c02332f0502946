"""Column-wise reads and bulk GeoPackage writes give what the feature-by-feature path gives; what is skipped or
reprojected is said; outputs are styled so the city stays readable (issue 20, issue 21 item 11)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import (
    NULL,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)


class Recorder(QgsProcessingFeedback):
    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []

    def pushWarning(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.warnings.append(text)
        super().pushWarning(text)


def run(alg: str, params: dict) -> tuple[dict, Recorder]:
    import processing

    feedback = Recorder()
    return processing.run(alg, params, feedback=feedback), feedback


def incidents_gpkg(path: Path, n: int = 1500, epsg: int = 5899, nulls: int = 7, seed: int = 3) -> Path:
    """Incident points in `epsg` written with OGR: a hot area, a weight, a time, and `nulls` without geometry."""
    rng = np.random.default_rng(seed)
    background = rng.uniform([702_000, 1_207_000], [708_000, 1_213_000], (n - n // 3, 2))
    xy = np.vstack([rng.normal([705_000, 1_210_000], 250, (n // 3, 2)), background])
    if epsg != 5899:
        src, dst = osr.SpatialReference(), osr.SpatialReference()
        src.ImportFromProj4(QgsCoordinateReferenceSystem("EPSG:5899").toProj())
        dst.ImportFromProj4(QgsCoordinateReferenceSystem(f"EPSG:{epsg}").toProj())
        for s in (src, dst):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        xy = np.asarray(osr.CoordinateTransformation(src, dst).TransformPoints(xy))[:, :2]
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    lyr = ds.CreateLayer("incidents", srs, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("w", ogr.OFTReal))
    lyr.CreateField(ogr.FieldDefn("requested_at", ogr.OFTDateTime))
    lyr.StartTransaction()
    for i, (x, y) in enumerate(xy):
        f = ogr.Feature(lyr.GetLayerDefn())
        if i >= nulls:
            # numpy scalars made plain floats: numpy 2's repr is `np.float64(...)`, which is no WKT number
            f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({float(x)!r} {float(y)!r})"))
        f.SetField("w", float(1 + i % 3))
        f.SetField("requested_at", f"2025-{1 + i % 3:02d}-{1 + i % 27:02d}T08:00:00Z")
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None
    return path


def memory_copy(path: Path) -> QgsVectorLayer:
    """The same features in a memory layer: the feature-by-feature path."""
    src = QgsVectorLayer(f"{path}|layername=incidents", "src", "ogr")
    mem = QgsVectorLayer(f"Point?crs={src.crs().authid()}&field=w:double&field=requested_at:datetime", "m", "memory")
    feats = []
    for f in src.getFeatures():
        g = QgsFeature(mem.fields())
        if f.hasGeometry():
            g.setGeometry(f.geometry())
        g.setAttributes([f["w"], f["requested_at"]])
        feats.append(g)
    mem.dataProvider().addFeatures(feats)
    return mem


def read_layer(dest: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(dest, "out", "ogr")
    assert layer.isValid(), dest
    return layer


def rows(layer: QgsVectorLayer, key: str) -> dict:
    return {f[key]: (f.attributes(), f.geometry().asWkt(3)) for f in layer.getFeatures()}


def test_gistar_gpkg_in_and_out_equals_feature_path(ioc_provider, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import ioc_qgis_plugin.processing.common as common_mod

    calls = []
    real_append = common_mod.gpkg_append
    monkeypatch.setattr(common_mod, "gpkg_append", lambda *a, **k: calls.append(a[1]) or real_append(*a, **k))
    src = incidents_gpkg(tmp_path / "in.gpkg")
    common = {"CELL_SIZE": 200, "VALUE_FIELD": "w"}
    bulk, fb = run("ioc:hotspots_gistar", {"INPUT": str(src), **common, "OUTPUT": str(tmp_path / "out.gpkg")})
    assert calls == ["out"]  # the bulk path wrote it (QGIS only created the empty table)
    ref, _ = run("ioc:hotspots_gistar", {"INPUT": memory_copy(src), **common, "OUTPUT": "memory:"})
    out = read_layer(bulk["OUTPUT"])
    assert out.featureCount() == ref["OUTPUT"].featureCount() > 100
    got, want = rows(out, "cell_id"), rows(ref["OUTPUT"], "cell_id")
    assert got.keys() == want.keys()
    for k in want:
        a, b = got[k][0][1:], want[k][0]  # the GeoPackage has its fid first
        assert a[:3] == b[:3] and a[5] == b[5]
        assert a[3] == pytest.approx(b[3], abs=1e-12) and a[4] == pytest.approx(b[4], abs=1e-12)
        assert got[k][1] == want[k][1]
    # the spatial index works (filled by hand while QGIS's R-tree triggers were set aside) and so does the extent
    ext = out.extent()
    box = QgsRectangle(ext.center().x() - 300, ext.center().y() - 300, ext.center().x() + 300, ext.center().y() + 300)
    by_index = {f["cell_id"] for f in out.getFeatures(QgsFeatureRequest().setFilterRect(box))}
    by_hand = {f["cell_id"] for f in out.getFeatures() if f.geometry().intersects(box)}
    assert by_index == by_hand and by_index
    assert "Skipped features without geometry: 7." in bulk["SUMMARY"]
    assert any("7 features without a usable geometry" in w for w in fb.warnings)
    ds = gdal.OpenEx(bulk["OUTPUT"].split("|")[0])
    sql = ds.ExecuteSQL("SELECT count(*) FROM rtree_out_geom") if ds.GetLayer(0).GetName() == "out" else None
    if sql is not None:
        assert sql.GetNextFeature().GetField(0) == out.featureCount()
        ds.ReleaseResultSet(sql)


def test_clusters_points_written_in_bulk(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    src = incidents_gpkg(tmp_path / "in.gpkg", n=3000)
    params = {"METHOD": 0, "EPS": 60, "MIN_SAMPLES": 8}
    bulk, _ = run(
        "ioc:density_clusters",
        {"INPUT": str(src), **params, "OUTPUT": str(tmp_path / "pts.gpkg"), "HULLS": str(tmp_path / "h.gpkg")},
    )
    ref, _ = run("ioc:density_clusters", {"INPUT": memory_copy(src), **params, "OUTPUT": "memory:", "HULLS": "memory:"})
    out = read_layer(bulk["OUTPUT"])
    got = {f["src_fid"]: (f["cluster_id"], f.geometry().asPoint()) for f in out.getFeatures()}
    want = {f["src_fid"]: (f["cluster_id"], f.geometry().asPoint()) for f in ref["OUTPUT"].getFeatures()}
    assert len(got) == 3000 - 7
    # the memory copy numbers features from 1 like the GeoPackage does
    assert got == want
    assert read_layer(bulk["HULLS"]).featureCount() == ref["HULLS"].featureCount() >= 1
    assert "Skipped features without geometry: 7." in bulk["SUMMARY"]


@pytest.mark.parametrize("alg", ["ioc:optimized_hotspots", "ioc:emerging_hotspots", "ioc:camera_coverage_gaps"])
def test_null_geometries_are_reported(ioc_provider, tmp_path: Path, alg: str) -> None:  # noqa: ANN001
    from tests.qgis.test_processing_algorithms import cameras

    src = incidents_gpkg(tmp_path / "in.gpkg")
    params = {"INPUT": str(src), "OUTPUT": str(tmp_path / "o.gpkg")}
    if alg == "ioc:emerging_hotspots":
        params.update({"TIME_FIELD": "requested_at", "STEP": 1, "CELL_SIZE": 500})
    if alg == "ioc:camera_coverage_gaps":
        params.update({"CAMERAS": cameras(), "CELL_SIZE": 300, "MIN_BIN": 0})
    res, fb = run(alg, params)
    assert "Skipped features without geometry: 7." in res["SUMMARY"]
    assert any("7 features without a usable geometry" in w for w in fb.warnings)


def test_web_mercator_input_is_reprojected_with_a_warning(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    merc = incidents_gpkg(tmp_path / "m.gpkg", epsg=3857)
    native = incidents_gpkg(tmp_path / "n.gpkg")
    res, fb = run("ioc:hotspots_gistar", {"INPUT": str(merc), "CELL_SIZE": 200, "OUTPUT": "memory:"})
    ref, _ = run("ioc:hotspots_gistar", {"INPUT": str(native), "CELL_SIZE": 200, "OUTPUT": "memory:"})
    assert "EPSG:5899" in res["SUMMARY"] and any("Mercator" in w for w in fb.warnings)
    z = sorted(round(f["GiZScore"] or 0, 6) for f in res["OUTPUT"].getFeatures())
    zr = sorted(round(f["GiZScore"] or 0, 6) for f in ref["OUTPUT"].getFeatures())
    assert z == zr  # same cells, same statistic: distances are true metres again


def test_isolated_features_warned_in_processing(ioc_provider) -> None:  # noqa: ANN001
    layer = QgsVectorLayer("Point?crs=EPSG:5899&field=v:double", "p", "memory")
    feats = []
    for i in range(60):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(700_000 + 1000.0 * i, 1_200_000.0)))
        f.setAttributes([float(i % 5)])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    res, fb = run(
        "ioc:hotspots_gistar",
        {"INPUT": layer, "AGGREGATION": 2, "VALUE_FIELD": "v", "DISTANCE_BAND": 10, "OUTPUT": "memory:"},
    )
    assert all(f["Gi_Bin"] == 0 and f["GiZScore"] == NULL for f in res["OUTPUT"].getFeatures())
    assert any("60 features have no neighbour" in w for w in fb.warnings)


def test_deadline_accepts_tables_and_reports_without_location(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    fields = "&".join(
        f"field={f}:string"
        for f in ("report_id", "service_code", "priority", "status", "ward_id", "requested_at", "resolved_at")
    )
    rows_ = [
        ("R1", "traffic", "normal", "resolved", "W1", "2025-01-01T00:00:00Z", "2025-01-01T05:00:00Z"),
        ("R2", "traffic", "normal", "rejected", "W1", "2025-01-01T00:00:00Z", "2025-01-03T00:00:00Z"),
        ("R3", "traffic", "normal", "closed", "W1", "2025-01-01T00:00:00Z", None),
        ("R4", "traffic", "normal", "resolved", "W1", "2025-01-01T00:00:00Z", "2025-01-03T00:00:00Z"),
    ]
    for uri in (f"None?{fields}", f"Point?crs=EPSG:4326&{fields}"):
        layer = QgsVectorLayer(uri, "field_reports", "memory")
        feats = []
        for i, r in enumerate(rows_):
            f = QgsFeature(layer.fields())
            if uri.startswith("Point") and i != 1:
                f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(107.2, 10.9)))
            f.setAttributes(list(r))
            feats.append(f)
        layer.dataProvider().addFeatures(feats)
        res, _ = run("ioc:deadline_performance", {"INPUT": layer, "OUTPUT": "memory:"})
        (row,) = list(res["OUTPUT"].getFeatures())
        assert (row["total"], row["on_time"], row["late"], row["no_deadline"]) == (4, 1, 1, 2)
        assert "4 reports" in res["SUMMARY"] and "without a resolution time (no deadline): 1" in res["SUMMARY"]
        if uri.startswith("Point"):
            assert "without a location (counted, not mapped): 1" in res["SUMMARY"]


def test_kde_fast_nodata_and_warning(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    src = incidents_gpkg(tmp_path / "in.gpkg")
    res, fb = run(
        "ioc:kernel_density",
        {"INPUT": str(src), "RADIUS": 75, "PIXEL_SIZE": 45, "MODE": 1, "OUTPUT": str(tmp_path / "k.tif")},
    )
    assert any("may differ" in w for w in fb.warnings)
    ds = gdal.Open(res["OUTPUT"])
    band = ds.GetRasterBand(1)
    arr = band.ReadAsArray()
    assert (arr == band.GetNoDataValue()).sum() > 0  # empty areas are nodata, as in QGIS (was 0)
    auto, fb2 = run(
        "ioc:kernel_density",
        {"INPUT": str(src), "RADIUS": 75, "PIXEL_SIZE": 45, "MODE": 2, "OUTPUT": str(tmp_path / "a.tif")},
    )
    assert "(exact," in auto["SUMMARY"] and not any("may differ" in w for w in fb2.warnings)


def test_styles_leave_the_city_readable(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    from qgis.core import QgsWkbTypes

    from ioc_qgis_plugin.processing.common import GI_BIN_COLOURS, PseudoColorPostProcessor, categorized_renderer

    renderer = categorized_renderer("Gi_Bin", QgsWkbTypes.PolygonGeometry, GI_BIN_COLOURS, lang_vi=False)
    alpha = {c.value(): c.symbol().color().alpha() for c in renderer.categories()}
    assert alpha[0] == 0 and alpha[3] == 255  # not significant: no fill over the city
    src = incidents_gpkg(tmp_path / "in.gpkg")
    res, _ = run(
        "ioc:kernel_density",
        {"INPUT": str(src), "RADIUS": 300, "PIXEL_SIZE": 30, "MODE": 1, "OUTPUT": str(tmp_path / "k.tif")},
    )
    layer = QgsRasterLayer(res["OUTPUT"], "kde")
    PseudoColorPostProcessor().postProcessLayer(layer, QgsProcessingContext(), QgsProcessingFeedback())
    items = layer.renderer().shader().rasterShaderFunction().colorRampItemList()
    assert items[0].color.alpha() == 0 and items[-1].color.alpha() == 255
    assert items[-1].color.lightness() < 200  # the peak is a strong colour, not black-on-black nor white
    assert layer.dataProvider().sourceHasNoDataValue(1)


def test_unsaved_edits_are_read_through_qgis(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    """A layer being edited is read with its edit buffer, not straight from the file."""
    src = incidents_gpkg(tmp_path / "in.gpkg", nulls=0)
    layer = QgsVectorLayer(f"{src}|layername=incidents", "incidents", "ogr")
    assert layer.startEditing()
    doomed = [f.id() for f in layer.getFeatures()][:100]
    assert layer.deleteFeatures(doomed)
    res, _ = run("ioc:hotspots_gistar", {"INPUT": layer, "CELL_SIZE": 200, "OUTPUT": "memory:"})
    assert sum(f["value"] for f in res["OUTPUT"].getFeatures()) == 1500 - 100
    layer.rollBack()


@pytest.mark.parametrize("nulls", [0, 5])
def test_columnar_read_equals_qgis_read(tmp_path: Path, nulls: int) -> None:
    """GDAL hands equal-sized WKB over as one fixed-width block when nothing is NULL, as objects otherwise."""
    from ioc_qgis_plugin.processing.bulk_io import read_ogr_points

    src = incidents_gpkg(tmp_path / "in.gpkg", n=2000, nulls=nulls)
    cols = read_ogr_points(str(src), "incidents", numeric=["w"], times=["requested_at"])
    layer = QgsVectorLayer(f"{src}|layername=incidents", "in", "ogr")
    want = [(f.id(), f.geometry().asPoint().x(), f.geometry().asPoint().y(), f["w"]) for f in layer.getFeatures()
            if f.hasGeometry()]  # fmt: skip
    assert cols.null_geometry == nulls and len(cols.x) == len(want) == 2000 - nulls
    assert cols.fids.tolist() == [w[0] for w in want]
    np.testing.assert_array_equal(cols.x, [w[1] for w in want])
    np.testing.assert_array_equal(cols.y, [w[2] for w in want])
    np.testing.assert_array_equal(cols.attrs["w"], [w[3] for w in want])
    assert np.all(np.isfinite(cols.attrs["requested_at"]))


def test_large_output_without_spatial_index_is_a_valid_geopackage(tmp_path: Path) -> None:
    from ioc_qgis_plugin.processing.bulk_io import gpkg_append, gpkg_point_blobs

    path = tmp_path / "big.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(5899)
    lyr = ds.CreateLayer("out", srs, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("k", ogr.OFTInteger))
    ds = None
    xy = np.random.default_rng(1).uniform([7e5, 1.2e6], [7.1e5, 1.21e6], (5000, 2))
    blobs = gpkg_point_blobs(xy[:, 0], xy[:, 1], 5899)
    gpkg_append(str(path), "out", {"k": list(range(5000))}, blobs, (xy[:, 0], xy[:, 0], xy[:, 1], xy[:, 1]),
                batch=1_234, spatial_index=False)  # fmt: skip
    layer = QgsVectorLayer(f"{path}|layername=out", "big", "ogr")
    assert layer.featureCount() == 5000
    # batches of uneven size: every row once, in order, with its own geometry
    rows = [(f.id(), f["k"], f.geometry().asPoint().x()) for f in layer.getFeatures()]
    assert [r[0] for r in rows] == list(range(1, 5001)) and [r[1] for r in rows] == list(range(5000))
    np.testing.assert_array_equal([r[2] for r in rows], xy[:, 0])
    assert layer.extent().xMinimum() == pytest.approx(xy[:, 0].min())
    box = QgsRectangle(7.02e5, 1.202e6, 7.05e5, 1.205e6)
    inside = ((xy[:, 0] >= 7.02e5) & (xy[:, 0] <= 7.05e5) & (xy[:, 1] >= 1.202e6) & (xy[:, 1] <= 1.205e6)).sum()
    assert len(list(layer.getFeatures(QgsFeatureRequest().setFilterRect(box)))) == inside
    from qgis.core import QgsFeatureSource

    assert layer.dataProvider().hasSpatialIndex() == QgsFeatureSource.SpatialIndexNotPresent
