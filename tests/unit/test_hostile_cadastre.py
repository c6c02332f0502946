"""Cadastral import of hostile files: every one is refused with a clear CadastreError (or imported with a warning)
— never a raw GEOS/GDAL/Python error, never a hang, never a non-positive parcel number or area in the store."""

from __future__ import annotations

import math
import os
import random
import struct
import time
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from ioc_qgis_plugin.land import encoding as enc
from ioc_qgis_plugin.land import importer
from ioc_qgis_plugin.land.errors import CadastreError, ImportCancelled
from ioc_qgis_plugin.land.mapping import guess_mapping
from ioc_qgis_plugin.land.quality import QualityOptions
from ioc_qgis_plugin.land.reader import read_cadastre
from ioc_qgis_plugin.land.repair import make_valid_bounded
from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet
from ioc_qgis_plugin.store.gpkg import GeoPackageStore


@pytest.fixture
def store(tmp_path):
    s = GeoPackageStore.create(tmp_path / "c.gpkg")
    yield s
    s.close()


def load(path, store, **kw):
    m = guess_mapping(read_cadastre(path).field_names)
    for k, v in kw.pop("mapping", {}).items():
        setattr(m, k, v)
    return importer.import_cadastre(path, store, m, **kw)


def test_nan_vertex_is_refused_by_feature(store, tmp_path) -> None:
    path = write_sheet(make_sheet(10, seed=1), str(tmp_path / "t.shp"))
    raw = bytearray(Path(path).read_bytes())
    raw[172:180] = struct.pack("<d", float("nan"))  # 2nd vertex x of the first record (OGR will not write one)
    Path(path).write_bytes(bytes(raw))
    with pytest.raises(CadastreError, match="non-finite"):
        load(path, store)
    assert store.count("parcels") == 0


def test_gdal_message_with_non_utf8_bytes_is_a_clear_error(store, tmp_path) -> None:
    path = tmp_path / "x.geojson"
    path.write_bytes(b'{"type":"FeatureCollection","features":[{"properties":{"a\xff":1}}, \xff\xfe')
    with pytest.raises(CadastreError, match="not UTF-8"):
        load(str(path), store)


def test_prj_with_a_no_break_space_byte_still_imports(store, tmp_path) -> None:
    path = write_sheet(make_sheet(10, seed=1), str(tmp_path / "t.shp"))
    prj = path[:-4] + ".prj"
    Path(prj).write_bytes(Path(prj).read_bytes().replace(b'"', b'"\xa0', 1))
    assert load(path, store).imported == 10


@pytest.mark.parametrize("value", ["12345678901234567890", "0", "-3", "1e30"])
def test_parcel_numbers_out_of_range_are_refused(store, tmp_path, value) -> None:
    sheet = make_sheet(5, seed=2)
    path = write_sheet(sheet, str(tmp_path / "t.gpkg"), driver="GPKG")
    from osgeo import ogr

    ds = ogr.Open(path, 1)
    lyr = ds.GetLayer(0)
    lyr.CreateField(ogr.FieldDefn("SoThuaText", ogr.OFTString))
    for f in lyr:
        f.SetField("SoThuaText", value if f.GetFID() == 2 else str(f.GetFID()))
        lyr.SetFeature(f)
    ds = None
    with pytest.raises(CadastreError, match="no valid number"):
        load(path, store, mapping={"parcel_no": "SoThuaText"})
    assert store.count("parcels") == 0


@pytest.mark.parametrize("area", [0.0, -5.0])
def test_non_positive_declared_area_is_refused(store, tmp_path, area) -> None:
    sheet = make_sheet(10, seed=1)
    sheet.area_declared[3] = area
    path = write_sheet(sheet, str(tmp_path / "t.shp"))
    with pytest.raises(CadastreError, match="must be positive"):
        load(path, store)


def test_wrong_encoding_choice_warns_about_replacement_characters(store, tmp_path) -> None:
    sheet = make_sheet(20)
    sheet.address = [enc.encode_tcvn3("Đường Hùng Vương, phường Xuân Trung").decode("latin-1")] * 20
    path = str(tmp_path / "tcvn3.shp")
    write_sheet(sheet, path, options=["ENCODING=ISO-8859-1"])
    for ext in (".cpg", ".CPG"):
        if os.path.exists(path[:-4] + ext):
            os.remove(path[:-4] + ext)
    res = load(path, store, mapping={"encoding": "utf-8"})
    assert any("\ufffd" in w and "encoding" in w for w in res.warnings)


def knot(n: int, turns: int = 4, seed: int = 1) -> Polygon:
    """A ring circling `turns` times with a random radius: quadratic self-intersections (138 s at 20,000)."""
    rng = random.Random(seed)
    pts = []
    for k in range(n):
        a = 2 * math.pi * turns * k / n
        r = 100 + 30 * rng.random()
        pts.append((r * math.cos(a), r * math.sin(a)))
    return Polygon(pts)


def test_pathological_repair_is_stopped_at_its_budget() -> None:
    t0 = time.monotonic()
    fixed, why = make_valid_bounded(knot(20_000), budget_s=1.0)
    assert fixed is None and "longer than 1 s" in why
    assert time.monotonic() - t0 < 4.0


def test_pathological_repair_can_be_cancelled() -> None:
    t0 = time.monotonic()
    with pytest.raises(ImportCancelled):
        make_valid_bounded(knot(20_000), budget_s=60.0, cancelled=lambda: time.monotonic() - t0 > 0.5)
    assert time.monotonic() - t0 < 3.0


def test_a_complex_but_repairable_ring_is_repaired_in_the_child() -> None:
    fixed, why = make_valid_bounded(knot(1500, turns=1), budget_s=60.0)
    assert why == "" and fixed is not None and fixed.is_valid


def test_import_with_a_pathological_parcel_reports_it(store, tmp_path) -> None:
    sheet = make_sheet(10, seed=1)
    c = sheet.geoms[4].centroid
    k = knot(20_000)
    scale = 0.05  # keep it near its sheet (metres)
    sheet.geoms[4] = Polygon([(c.x + x * scale, c.y + y * scale) for x, y in k.exterior.coords])
    path = write_sheet(sheet, str(tmp_path / "t.shp"))
    t0 = time.monotonic()
    with pytest.raises(CadastreError, match="cannot be repaired.*longer than 1 s"):
        load(path, store, quality_options=QualityOptions(repair_budget_s=1.0))
    assert time.monotonic() - t0 < 30.0 and store.count("parcels") == 0
