"""Street-light, land and report algorithms write their outputs in bulk and read OGR inputs column-wise (issue 20).

For each algorithm the same run is written three ways and must agree field for field, value for value, geometry
for geometry and in the same order: a GeoPackage through the bulk SQL insert, the same GeoPackage through QGIS's
own OGR provider (the bulk path switched off), and a memory layer fed from a memory copy of the input (QGIS's
feature-by-feature read and write). Cancel stops a large write; NULL and invalid parcels are reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from osgeo import ogr, osr
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsMemoryProviderUtils,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

import ioc_qgis_plugin.processing.common as common_mod
import ioc_qgis_plugin.processing.land_base as land_mod
from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet


class Recorder(QgsProcessingFeedback):
    """Keeps warnings; cancels once progress reaches `cancel_at` (None: never)."""

    def __init__(self, cancel_at: Optional[float] = None) -> None:
        super().__init__()
        self.warnings: list[str] = []
        self.cancel_at = cancel_at
        self.seen: list[float] = []

    def pushWarning(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.warnings.append(text)
        super().pushWarning(text)

    def setProgress(self, progress: float) -> None:  # noqa: N802 - Qt naming
        self.seen.append(progress)
        super().setProgress(progress)
        if self.cancel_at is not None and progress >= self.cancel_at:
            self.cancel()


_CONTEXTS: list = []  # memory outputs live in their context's layer store


def run(
    alg: str, params: dict, feedback: Optional[Recorder] = None, check: Optional[int] = None
) -> tuple[dict, Recorder]:
    """processing.run; `check` sets the invalid-geometry setting (QgsFeatureRequest.Geometry*) for this run."""
    import processing

    feedback = feedback or Recorder()
    if check is None:
        return processing.run(alg, params, feedback=feedback), feedback
    from processing.tools.dataobjects import createContext

    context = createContext(feedback)  # as processing.run makes it (project, feedback, expression context)
    context.setInvalidGeometryCheck(check)
    _CONTEXTS.append((context, feedback))
    return processing.run(alg, params, feedback=feedback, context=context), feedback


def ogr_layer(path: Path, name: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert layer.isValid(), (path, name)
    return layer


def memory_copy(layer: QgsVectorLayer) -> QgsVectorLayer:
    """The same features (NULL geometries included) in a memory layer: QGIS's feature-by-feature read path."""
    mem = QgsMemoryProviderUtils.createMemoryLayer("copy", layer.fields(), layer.wkbType(), layer.crs())
    feats = []
    for f in layer.getFeatures():
        g = QgsFeature(mem.fields())
        if f.hasGeometry():
            g.setGeometry(f.geometry())
        g.setAttributes(f.attributes())
        feats.append(g)
    assert mem.dataProvider().addFeatures(feats)
    assert mem.featureCount() == layer.featureCount()
    return mem


def table(layer: QgsVectorLayer) -> tuple[list, list]:
    """(field names and types, rows of attributes and WKB) in the layer's order; a GeoPackage's fid left out."""
    fields = [(f.name(), f.type()) for f in layer.fields()]
    skip = 1 if fields and fields[0][0] == "fid" else 0
    rows = [
        ([None if v is None or (hasattr(v, "isNull") and v.isNull()) else v for v in f.attributes()[skip:]],
         bytes(f.geometry().asWkb()) if f.hasGeometry() else None)
        for f in layer.getFeatures()
    ]  # fmt: skip
    return fields[skip:], rows


def three_ways(monkeypatch, tmp_path: Path, alg: str, gpkg_params: dict, mem_params: dict, outputs: list[str],  # noqa: ANN001, ANN201
               check: Optional[int] = None):  # fmt: skip
    """Run `alg` with GeoPackage outputs in bulk, with GeoPackage outputs through QGIS's own sink, through the
    OGR provider (the bulk path's fallback) and with memory outputs (`mem_params`: memory copies of the inputs).
    Returns the runs' results by name and the bulk run's feedback."""
    written: list[str] = []
    real_append = common_mod.gpkg_append
    monkeypatch.setattr(common_mod, "gpkg_append", lambda *a, **k: written.append(a[1]) or real_append(*a, **k))
    columnar: list[str] = []  # inputs read column-wise (successfully)
    for module, name in ((common_mod, "read_ogr_points"), (land_mod, "read_ogr_wkb")):
        monkeypatch.setattr(module, name, counted(getattr(module, name), columnar))

    def gpkg_run(tag: str) -> dict:
        return run(alg, {**gpkg_params, **{o: str(tmp_path / f"{tag}_{o.lower()}.gpkg") for o in outputs}}, check=check)

    runs = {}
    runs["bulk"], fb = gpkg_run("bulk")
    runs["columnar_reads"] = len(columnar)
    assert sorted(written) == sorted(f"bulk_{o.lower()}" for o in outputs)  # the bulk insert wrote every output
    with monkeypatch.context() as m:
        m.setattr(common_mod, "BULK_GPKG_OUTPUT", False)
        runs["qgis"], _ = gpkg_run("qgis")
    with monkeypatch.context() as m:
        m.setattr(common_mod, "gpkg_destination", lambda dest_id: None)
        runs["provider"], _ = gpkg_run("provider")
    assert sorted(written) == sorted(f"bulk_{o.lower()}" for o in outputs)  # neither of those used it
    runs["memory"], _ = run(alg, {**mem_params, **{o: "memory:" for o in outputs}}, check=check)
    return runs, fb


def counted(func, calls: list):  # noqa: ANN001, ANN201
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = func(*args, **kwargs)
        calls.append(args[1])
        return out

    return wrapper


def assert_same_outputs(runs: dict, outputs: list[str], minimum: int = 1) -> None:
    for o in outputs:
        b_fields, b_rows = table(QgsVectorLayer(runs["bulk"][o], "b", "ogr"))
        for name in ("qgis", "provider"):
            fields, rows = table(QgsVectorLayer(runs[name][o], name, "ogr"))
            assert b_fields == fields, (o, name)  # the same table (QGIS created it)
            assert b_rows == rows, (o, name)  # values and geometry bytes, in order
        m_fields, m_rows = table(runs["memory"][o])
        assert [n for n, _ in b_fields] == [n for n, _ in m_fields]
        assert len(b_rows) >= minimum, o
        assert [r[0] for r in b_rows] == [r[0] for r in m_rows], o
        for (_, a), (_, b) in zip(b_rows, m_rows):  # a reprojected read may differ from QGIS's in the last bits
            assert (a is None) == (b is None), o
            if a is not None and a != b:
                ga, gb = QgsGeometry(), QgsGeometry()
                ga.fromWkb(a)
                gb.fromWkb(b)
                assert ga.wkbType() == gb.wkbType() and ga.hausdorffDistance(gb) < 1e-6, o


def same_summaries(runs: dict) -> bool:
    return len({r["SUMMARY"] for r in runs.values() if isinstance(r, dict)}) == 1


# ----- street lights --------------------------------------------------------------------------------------------
@pytest.fixture
def lights_city(demo_copy: Path) -> Path:
    return demo_copy


def test_light_outages_bulk_equals_feature_paths(ioc_provider, lights_city: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    lights = ogr_layer(lights_city, "street_lights")
    common = {"NIGHT": True, "SUPPLY_SHARE": 0.5, "MIN_DARK": 2}
    outs = ["OUTPUT", "CIRCUITS"]
    runs, _ = three_ways(monkeypatch, tmp_path, "ioc:light_outages", {"INPUT": lights, **common},
                                    {"INPUT": memory_copy(lights), **common}, outs)  # fmt: skip
    assert_same_outputs(runs, outs)
    assert runs["columnar_reads"] == 1  # the OGR inputs were read column-wise
    assert same_summaries(runs)


def test_light_day_night_bulk_equals_feature_paths(
    ioc_provider, lights_city: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    lights = ogr_layer(lights_city, "street_lights")
    runs, _ = three_ways(monkeypatch, tmp_path, "ioc:light_day_night", {"INPUT": lights},
                                    {"INPUT": memory_copy(lights)}, ["OUTPUT"])  # fmt: skip
    assert_same_outputs(runs, ["OUTPUT"])
    assert runs["columnar_reads"] == 1  # the OGR inputs were read column-wise
    assert same_summaries(runs)


def reports_near_dark(lights: QgsVectorLayer, path: Path) -> QgsVectorLayer:
    """Field reports ~35 m from dark lamps (mixed services and states) in a GeoPackage, written with OGR."""
    dark = [f for f in lights.getFeatures() if f["state"] == "off" or f["fault"] in ("lampFailure", "supplyLoss")]
    assert len(dark) >= 20
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    lyr = ds.CreateLayer("reports", srs, ogr.wkbPoint)
    for name in ("report_id", "service_code", "status"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    kinds = [("security", "received"), ("traffic", "in_progress"), ("environment", "received"), ("security", "closed")]
    for i, f in enumerate(dark[:40]):
        p = f.geometry().asPoint()
        out = ogr.Feature(lyr.GetLayerDefn())
        out.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({p.x() + 0.0003!r} {p.y() + 0.0001 * (i % 3)!r})"))
        code, status = kinds[i % len(kinds)]
        for name, value in (("report_id", f"R{i:03d}"), ("service_code", code), ("status", status)):
            out.SetField(name, value)
        lyr.CreateFeature(out)
    ds = None
    return ogr_layer(path, "reports")


def test_dark_lights_near_reports_bulk_equals_feature_paths(ioc_provider, lights_city: Path, tmp_path: Path,  # noqa: ANN001
                                                            monkeypatch) -> None:  # fmt: skip
    lights = ogr_layer(lights_city, "street_lights")
    reports = reports_near_dark(lights, tmp_path / "reports.gpkg")
    common = {"DISTANCE": 100.0, "NIGHT": True}
    runs, _ = three_ways(
        monkeypatch, tmp_path, "ioc:dark_lights_near_reports", {"LIGHTS": lights, "REPORTS": reports, **common},
        {"LIGHTS": memory_copy(lights), "REPORTS": memory_copy(reports), **common}, ["OUTPUT"],
    )  # fmt: skip
    assert_same_outputs(runs, ["OUTPUT"], minimum=10)
    assert runs["columnar_reads"] == 2  # the OGR inputs were read column-wise
    assert same_summaries(runs)


def many_dark_lights(path: Path, n: int) -> Path:
    """`n` failed lamps (all dark) on 40 circuits in EPSG:5899, written with OGR."""
    rng = np.random.default_rng(5)
    xy = rng.uniform([700_000, 1_200_000], [710_000, 1_210_000], (n, 2))
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(5899)
    lyr = ds.CreateLayer("street_lights", srs, ogr.wkbPoint)
    for name in ("light_id", "state", "fault", "cabinet_id", "circuit_id", "ward_id"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("light_level", ogr.OFTReal))
    defn = lyr.GetLayerDefn()
    lyr.StartTransaction()
    for i, (x, y) in enumerate(xy):
        f = ogr.Feature(defn)
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({float(x)!r} {float(y)!r})"))
        values = {"light_id": f"L{i}", "state": "fault", "fault": "lampFailure", "cabinet_id": f"C{i % 10}",
                  "circuit_id": f"C{i % 10}-{i % 40}", "ward_id": "W1"}  # fmt: skip
        for name, value in values.items():
            f.SetField(name, value)
        f.SetField("light_level", 0.0)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None
    return path


@pytest.mark.parametrize("destination", ["gpkg", "memory"])
def test_cancel_stops_a_large_write(ioc_provider, tmp_path: Path, destination: str) -> None:  # noqa: ANN001
    src = many_dark_lights(tmp_path / "lights.gpkg", 60_000)
    out = tmp_path / "dark.gpkg"
    params = {"INPUT": str(src), "NIGHT": True, "CIRCUITS": "memory:",
              "OUTPUT": str(out) if destination == "gpkg" else "memory:"}  # fmt: skip
    fb = Recorder(cancel_at=61.0)  # the dark lights are written between 60 % and 85 %
    with pytest.raises(QgsProcessingException):
        run("ioc:light_outages", params, fb)
    assert fb.isCanceled()
    written = [p for p in fb.seen if p > 60.0]
    assert written, "cancel was never checked while writing"
    if destination == "memory":  # QGIS's sink takes 50,000 features per batch: stopped after the first batch
        assert max(written) < 85.0
    else:  # one transaction: rolled back, nothing half written
        layer = ogr_layer(out, "dark")
        assert layer.featureCount() == 0
    uncancelled, _ = run("ioc:light_outages", {**params, "OUTPUT": str(tmp_path / "all.gpkg")})
    assert ogr_layer(tmp_path / "all.gpkg", "all").featureCount() == 60_000


# ----- land ------------------------------------------------------------------------------------------------------
def parcels_with_defects(path: Path) -> Path:
    """A 400-parcel sheet (EPSG:5899, planted defects) plus two parcels without geometry and a bow-tie."""
    write_sheet(make_sheet(400, seed=2, defects=0.02), str(path), driver="GPKG")
    ds = ogr.Open(str(path), 1)
    lyr = ds.GetLayerByName("thua_dat")
    env = lyr.GetExtent()
    for wkt in (None, None, f"POLYGON (({env[0]} {env[2]}, {env[0] + 30} {env[2] + 30}, {env[0] + 30} {env[2]}, "
                            f"{env[0]} {env[2] + 30}, {env[0]} {env[2]}))"):  # fmt: skip
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("DienTich", 100.0)
        f.SetField("KyHieuMucDichSuDung", "ODT")
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    return path


def zones_for(parcels: QgsVectorLayer) -> QgsVectorLayer:
    """Two planning zones splitting the parcels' extent: residential/commercial west, green east."""
    ext = parcels.extent()
    fields = QgsFields()
    for name in ("zone_id", "allowed_uses"):
        fields.append(QgsField(name, QVariant.String))
    zones = QgsMemoryProviderUtils.createMemoryLayer("zones", fields, QgsWkbTypes.Polygon, parcels.crs())
    mid, pad = (ext.xMinimum() + ext.xMaximum()) / 2, 0.05 * ext.width()
    feats = []
    for zid, uses, (x0, x1) in (("QH-W", "ODT,TMD", (ext.xMinimum() - pad, mid)),
                                ("QH-E", "CXA", (mid, ext.xMaximum() + pad))):  # fmt: skip
        f = QgsFeature(zones.fields())
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(x0, ext.yMinimum() - pad, x1, ext.yMaximum() + pad)))
        f.setAttributes([zid, uses])
        feats.append(f)
    zones.dataProvider().addFeatures(feats)
    return zones


NO_CHECK, SKIP_INVALID, ABORT_ON_INVALID = (
    QgsFeatureRequest.GeometryNoCheck,
    QgsFeatureRequest.GeometrySkipInvalid,
    QgsFeatureRequest.GeometryAbortOnInvalid,
)


def test_parcel_quality_bulk_equals_feature_paths_and_reports_nulls(ioc_provider, tmp_path: Path,  # noqa: ANN001
                                                                    monkeypatch) -> None:  # fmt: skip
    parcels = ogr_layer(parcels_with_defects(tmp_path / "thua.gpkg"), "thua_dat")
    common = {"AREA_FIELD": "DienTich"}
    runs, fb = three_ways(monkeypatch, tmp_path, "ioc:parcel_quality", {"INPUT": parcels, **common},
                          {"INPUT": memory_copy(parcels), **common}, ["OUTPUT"], check=NO_CHECK)  # fmt: skip
    assert_same_outputs(runs, ["OUTPUT"], minimum=10)
    assert runs["columnar_reads"] == 1  # the OGR inputs were read column-wise
    assert same_summaries(runs)
    assert "Skipped features without geometry: 2." in runs["bulk"]["SUMMARY"]
    assert any("2 features without a usable geometry" in w for w in fb.warnings)
    out = QgsVectorLayer(runs["bulk"]["OUTPUT"], "b", "ogr")
    bowtie = parcels.featureCount()  # the last feature written
    kinds = {f["kind"] for f in out.getFeatures() if f["parcel_fid"] == bowtie}
    assert "invalid" in kinds  # the bow-tie is read and reported, not skipped
    assert all(f.geometry().isMultipart() for f in out.getFeatures() if f.hasGeometry())


def test_invalid_parcels_follow_the_processing_setting(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    """Read column-wise, an invalid input geometry stops the run or is skipped as the Processing setting says, as
    QGIS's own feature source does (skipped: the same report as QGIS's read gives)."""
    parcels = ogr_layer(parcels_with_defects(tmp_path / "thua.gpkg"), "thua_dat")
    with pytest.raises(QgsProcessingException):
        run("ioc:parcel_quality", {"INPUT": parcels, "OUTPUT": "memory:"}, check=ABORT_ON_INVALID)
    # QGIS's own abort is not run here: in 3.22 its exception thrown inside a Python-driven feature iteration
    # corrupts the interpreter (segmentation fault or "unknown opcode" in the next test)
    res, fb = run("ioc:parcel_quality", {"INPUT": parcels, "OUTPUT": "memory:"}, check=SKIP_INVALID)
    ref, _ = run("ioc:parcel_quality", {"INPUT": memory_copy(parcels), "OUTPUT": "memory:"}, check=SKIP_INVALID)
    assert "invalid" not in {f["kind"] for f in res["OUTPUT"].getFeatures()}
    assert table(res["OUTPUT"]) == table(ref["OUTPUT"])
    assert res["SUMMARY"] == ref["SUMMARY"] and "Skipped features without geometry: 2." in res["SUMMARY"]


def test_planning_conformity_bulk_equals_feature_paths(ioc_provider, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    parcels = ogr_layer(parcels_with_defects(tmp_path / "thua.gpkg"), "thua_dat")
    zones = zones_for(parcels)
    common = {"LAND_USE": "KyHieuMucDichSuDung", "ZONES": zones, "ZONE_ID": "zone_id", "ALLOWED_USES": "allowed_uses"}
    runs, fb = three_ways(monkeypatch, tmp_path, "ioc:planning_conformity", {"PARCELS": parcels, **common},
                          {"PARCELS": memory_copy(parcels), **common}, ["OUTPUT"], check=SKIP_INVALID)  # fmt: skip
    assert_same_outputs(runs, ["OUTPUT"], minimum=400)
    assert runs["columnar_reads"] == 1  # the OGR inputs were read column-wise
    assert same_summaries(runs)
    assert "Skipped features without geometry: 2." in runs["bulk"]["SUMMARY"]
    assert any("2 features without a usable geometry" in w for w in fb.warnings)
    # the output geometry is the parcel as stored (made multi), read straight from the file; the bow-tie skipped
    src = {f.id(): f.geometry() for f in parcels.getFeatures() if f.hasGeometry()}
    out = QgsVectorLayer(runs["bulk"]["OUTPUT"], "b", "ogr")
    assert out.featureCount() == 400
    for f in out.getFeatures():
        want = QgsGeometry(src[f["src_fid"]])
        want.convertToMultiType()
        assert f.geometry().asWkb() == want.asWkb()


def test_planning_conformity_geographic_parcels_fall_back_and_keep_their_crs(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    """Parcels in EPSG:4326 are reprojected for the analysis (feature path) and written back in degrees."""
    from shapely.affinity import affine_transform

    sheet = make_sheet(200, seed=4)
    x0 = min(g.bounds[0] for g in sheet.geoms)
    y0 = min(g.bounds[1] for g in sheet.geoms)
    k = 1 / 110_000  # metres to degrees near Đà Nẵng, enough for a plausible geographic layer
    sheet.geoms = [affine_transform(g, [k, 0, 0, k, 108.2 - x0 * k, 16.0 - y0 * k]) for g in sheet.geoms]
    parcels = ogr_layer(Path(write_sheet(sheet, str(tmp_path / "geo.gpkg"), driver="GPKG", srs_epsg=4326)), "thua_dat")
    params = {"PARCELS": parcels, "LAND_USE": "KyHieuMucDichSuDung", "ZONES": zones_for(parcels), "ZONE_ID": "zone_id",
              "ALLOWED_USES": "allowed_uses"}  # fmt: skip
    res, _ = run("ioc:planning_conformity", {**params, "OUTPUT": str(tmp_path / "o.gpkg")})
    ref, _ = run("ioc:planning_conformity", {**params, "PARCELS": memory_copy(parcels), "OUTPUT": "memory:"})
    out = QgsVectorLayer(res["OUTPUT"], "o", "ogr")
    assert out.featureCount() == 200 and out.crs().authid() == "EPSG:4326"
    assert 108.19 < out.extent().xMinimum() < 108.21
    assert min(f["zone_share"] for f in out.getFeatures()) >= 0.5  # every parcel found its zone
    assert table(out)[1] == table(ref["OUTPUT"])[1]


# ----- field reports ---------------------------------------------------------------------------------------------
def test_report_statistics_bulk_equals_feature_paths(
    ioc_provider, demo_copy: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    reports = ogr_layer(demo_copy, "field_reports")
    runs, _ = three_ways(monkeypatch, tmp_path, "ioc:report_statistics", {"INPUT": reports},
                                    {"INPUT": memory_copy(reports)}, ["OUTPUT"])  # fmt: skip
    assert_same_outputs(runs, ["OUTPUT"], minimum=20)
    assert runs["columnar_reads"] == 1  # the OGR inputs were read column-wise
    assert same_summaries(runs)


def test_deadline_performance_bulk_equals_feature_paths(ioc_provider, demo_copy: Path, tmp_path: Path,  # noqa: ANN001
                                                        monkeypatch) -> None:  # fmt: skip
    reports = ogr_layer(demo_copy, "field_reports")
    wards = ogr_layer(demo_copy, "wards")
    outs = ["OUTPUT", "WARD_OUTPUT"]
    runs, _ = three_ways(monkeypatch, tmp_path, "ioc:deadline_performance",
                                    {"INPUT": reports, "WARDS": wards, "WARD_ID": "ward_id"},
                                    {"INPUT": memory_copy(reports), "WARDS": memory_copy(wards), "WARD_ID": "ward_id"},
                                    outs)  # fmt: skip
    assert_same_outputs(runs, outs, minimum=3)
    assert runs["columnar_reads"] == 1  # the OGR inputs were read column-wise
    # the summary counts open reports against the clock: the same up to a report crossing its deadline mid-test
    assert runs["bulk"]["SUMMARY"].split(";")[0] == runs["memory"]["SUMMARY"].split(";")[0]


def test_parcel_quality_3d_parcels_write_2d_multipolygons(ioc_provider, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """PolygonZ parcels (read through QGIS): the report is 2D MultiPolygon in every writer, Z dropped alike."""
    flat = ogr_layer(parcels_with_defects(tmp_path / "thua.gpkg"), "thua_dat")
    z_layer = QgsMemoryProviderUtils.createMemoryLayer("z", flat.fields(), QgsWkbTypes.PolygonZ, flat.crs())
    feats = []
    for f in flat.getFeatures():
        g = QgsFeature(z_layer.fields())
        if f.hasGeometry():
            geom = QgsGeometry(f.geometry())
            geom.get().addZValue(12.5)
            g.setGeometry(geom)
        g.setAttributes(f.attributes())
        feats.append(g)
    assert z_layer.dataProvider().addFeatures(feats)
    params = {"INPUT": z_layer, "AREA_FIELD": "DienTich"}
    runs, _ = three_ways(monkeypatch, tmp_path, "ioc:parcel_quality", params, params, ["OUTPUT"], check=NO_CHECK)
    assert_same_outputs(runs, ["OUTPUT"], minimum=10)
    assert runs["columnar_reads"] == 0  # a memory layer: QGIS's read
    out = QgsVectorLayer(runs["bulk"]["OUTPUT"], "b", "ogr")
    assert {f.geometry().wkbType() for f in out.getFeatures() if f.hasGeometry()} == {QgsWkbTypes.MultiPolygon}
