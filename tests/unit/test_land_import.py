"""Cadastral import end to end without QGIS: formats, CRS, encodings, bad input, all-or-nothing."""

from __future__ import annotations

import os

import pytest
from osgeo import ogr, osr

from ioc_qgis_plugin.land import encoding as enc
from ioc_qgis_plugin.land import importer
from ioc_qgis_plugin.land.errors import CadastreError, ImportCancelled
from ioc_qgis_plugin.land.mapping import FieldMapping, guess_mapping
from ioc_qgis_plugin.land.reader import read_cadastre
from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

GPKG_MAPPING = FieldMapping()  # the delivered full names are the defaults


@pytest.fixture
def store(tmp_path):
    s = GeoPackageStore.create(tmp_path / "ioc.gpkg")
    yield s
    s.close()


@pytest.fixture
def shp(tmp_path):
    return write_sheet(make_sheet(300, seed=3, defects=0.02), str(tmp_path / "thua.shp"))


def shp_mapping(path: str, **kw) -> FieldMapping:
    m = guess_mapping(read_cadastre(path).field_names)
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def test_shapefile_import_with_quality(store, shp):
    sheet = make_sheet(300, seed=3, defects=0.02)
    res = importer.import_cadastre(shp, store, shp_mapping(shp))
    assert res.imported == 300 == store.count("parcels")
    assert "107°45′" in res.crs_label and res.encoding == "unicode"
    q = res.quality.counts()
    assert q["sliver"] == len(sheet.planted["sliver"]) and q["area"] >= len(sheet.planted["area"])
    assert q["overlap"] >= 1 and q["invalid"] == 0
    row = store.fetch("parcels", "parcel_id = ?", ("1-1",), geometry=True)[0]
    c = row["geom"].centroid
    assert 107.0 < c.x < 107.5 and 10.8 < c.y < 11.1  # TM-3 107°45′, x 440 km, y 1210 km
    assert row["address"] == sheet.address[0] and row["land_use"] == sheet.land_use[0]
    assert "last_cadastre_import" and "thua.shp" in store.get_meta("last_cadastre_import")


def test_geopackage_full_field_names(store, tmp_path):
    path = write_sheet(make_sheet(120, seed=4), str(tmp_path / "thua.gpkg"), driver="GPKG")
    res = importer.import_cadastre(path, store, GPKG_MAPPING)
    assert res.imported == 120


def _cad(path: str, driver: str, closed_line: bool) -> str:
    ds = ogr.GetDriverByName(driver).CreateDataSource(path)
    lyr = ds.CreateLayer("entities" if driver == "DXF" else "elements")
    ring = "440000 1210000,440020 1210000,440020 1210025,440000 1210025,440000 1210000"
    shapes = [
        f"LINESTRING({ring})" if closed_line else f"POLYGON(({ring}))",
        "POLYGON((440020 1210000,440040 1210000,440040 1210025,440020 1210025,440020 1210000))",
        "LINESTRING(440000 1209990,440050 1209990)",
    ]
    for wkt in shapes:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    for x, text in ((440010, "345 ODT 500.0"), (440030, "346 TMD 499.0")):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT({x} 1210012)"))
        f.SetStyleString(f'LABEL(f:"Arial",t:"{text}",s:1g)')
        lyr.CreateFeature(f)
    ds = None
    return path


@pytest.mark.parametrize("driver,ext,closed_line", [("DXF", "dxf", True), ("DGN", "dgn", False)])
def test_cad_drawings_with_text_labels(store, tmp_path, driver, ext, closed_line):
    path = _cad(str(tmp_path / f"to7.{ext}"), driver, closed_line)
    with pytest.raises(CadastreError, match="no coordinate reference system"):
        importer.import_cadastre(path, store, FieldMapping(sheet_no="=7"))
    assert store.count("parcels") == 0
    res = importer.import_cadastre(path, store, FieldMapping(sheet_no="=7", province="DN"))
    assert res.imported == 2
    assert any("left out" in w for w in res.warnings)  # the open line is annotation, not a parcel
    rows = {r["parcel_no"]: r for r in store.fetch("parcels", order_by="parcel_no")}
    assert rows[345]["land_use"] == "ODT" and rows[345]["area_declared"] == 500.0 and rows[346]["sheet_no"] == 7


def test_missing_crs_needs_province(store, shp):
    os.remove(shp[:-4] + ".prj")
    with pytest.raises(CadastreError, match="Choose the province"):
        importer.import_cadastre(shp, store, shp_mapping(shp))
    assert importer.import_cadastre(shp, store, shp_mapping(shp, province="DN")).imported == 300


def test_wrong_crs_meridian_and_degrees(store, tmp_path, shp):
    with pytest.raises(CadastreError, match="central meridian 107°45′.*Thái Nguyên"):
        importer.import_cadastre(shp, store, shp_mapping(shp, province="TN"))
    sheet = make_sheet(20)
    from shapely.affinity import affine_transform

    sheet.geoms = [affine_transform(g, [1e-5, 0, 0, 1e-5, 102.0, -1.1]) for g in sheet.geoms]  # lon/lat values
    path = write_sheet(sheet, str(tmp_path / "deg.shp"))
    with pytest.raises(CadastreError, match="look like degrees"):
        importer.import_cadastre(path, store, shp_mapping(path))
    far = make_sheet(20, x0=440000, y0=5210000)  # lands in Siberia
    path = write_sheet(far, str(tmp_path / "far.shp"))
    with pytest.raises(CadastreError, match="outside Vietnam"):
        importer.import_cadastre(path, store, shp_mapping(path))
    assert store.count("parcels") == 0


def test_broken_files(store, tmp_path, shp):
    bad = tmp_path / "rac.shp"
    bad.write_bytes(b"this is not a shapefile" * 10)
    with pytest.raises(CadastreError, match="Cannot open|damaged"):
        importer.import_cadastre(str(bad), store, FieldMapping())
    with open(shp, "r+b") as fh:  # cut the geometry file in half
        fh.truncate(os.path.getsize(shp) // 2)
    with pytest.raises(CadastreError, match="damaged"):
        importer.import_cadastre(shp, store, shp_mapping(shp))
    dgn = tmp_path / "broken.dgn"
    dgn.write_bytes(b"\x08\x09\xfe\x02" + b"\x00" * 40)
    with pytest.raises(CadastreError):
        importer.import_cadastre(str(dgn), store, FieldMapping(sheet_no="=1", province="DN"))
    assert store.count("parcels") == 0


def test_mixed_geometry_types(store, tmp_path):
    path = str(tmp_path / "mixed.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(5899)
    lyr = ds.CreateLayer("thua", srs, ogr.wkbUnknown)
    for name, kind in (("SoHieuToBanDo", ogr.OFTInteger), ("SoThuTuThua", ogr.OFTInteger)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    lyr.CreateField(ogr.FieldDefn("KyHieuMucDichSuDung", ogr.OFTString))
    for k, wkt in enumerate(
        ["POLYGON((440000 1210000,440020 1210000,440020 1210020,440000 1210000))", "POINT(440000 1210000)"]
    ):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("SoHieuToBanDo", 1)
        f.SetField("SoThuTuThua", k + 1)
        f.SetField("KyHieuMucDichSuDung", "ODT")
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    with pytest.raises(CadastreError, match="Mixed geometry types.*Point"):
        importer.import_cadastre(path, store, FieldMapping())


def test_unknown_codes_and_duplicates_are_listed(store, tmp_path):
    sheet = make_sheet(30)
    sheet.land_use[3] = "XYZ"
    sheet.land_use[5] = "XYZ"
    sheet.land_use[7] = "ZZ"
    path = write_sheet(sheet, str(tmp_path / "codes.gpkg"), driver="GPKG")
    with pytest.raises(CadastreError, match=r"Unknown land-use codes.*XYZ \(2×\), ZZ \(1×\)"):
        importer.import_cadastre(path, store, FieldMapping())
    sheet = make_sheet(30)
    sheet.parcel_no[4] = sheet.parcel_no[3]
    path = write_sheet(sheet, str(tmp_path / "dups.gpkg"), driver="GPKG")
    with pytest.raises(CadastreError, match="Duplicate sheet/parcel numbers.*1/4"):
        importer.import_cadastre(path, store, FieldMapping())
    assert store.count("parcels") == 0


def test_tcvn3_attributes_are_converted(store, tmp_path):
    sheet = make_sheet(40)
    sheet.address = ["Đường Hùng Vương, phường Xuân Trung"] * 40
    path = str(tmp_path / "tcvn3.shp")
    # legacy file: raw TCVN3 bytes in the DBF and no .cpg (GDAL then reads them as Latin-1)
    sheet.address = [enc.encode_tcvn3(a).decode("latin-1") for a in sheet.address]
    write_sheet(sheet, path, options=["ENCODING=ISO-8859-1"])
    for ext in (".cpg", ".CPG"):
        if os.path.exists(path[:-4] + ext):
            os.remove(path[:-4] + ext)
    res = importer.import_cadastre(path, store, shp_mapping(path))
    assert res.encoding == "tcvn3"
    assert store.fetch("parcels", limit=1)[0]["address"] == "Đường Hùng Vương, phường Xuân Trung"


def test_nothing_half_imported(store, tmp_path, shp, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 50)
    calls = {"n": 0}
    real_insert = store.insert

    def failing_insert(table, rows, geoms=None):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_insert(table, rows, geoms)

    monkeypatch.setattr(store, "insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        importer.import_cadastre(shp, store, shp_mapping(shp))
    assert store.count("parcels") == 0 and calls["n"] == 3
    monkeypatch.setattr(store, "insert", real_insert)
    state = {"chunks": 0}

    def progress(frac, text):
        if text == "Writing parcels":
            state["chunks"] += 1

    with pytest.raises(ImportCancelled):
        importer.import_cadastre(
            shp, store, shp_mapping(shp), progress=progress, cancelled=lambda: state["chunks"] >= 2
        )
    assert store.count("parcels") == 0
    # a second import of the same sheets is refused in append mode, replaces in replace mode
    assert importer.import_cadastre(shp, store, shp_mapping(shp)).imported == 300
    with pytest.raises(CadastreError, match="already in the store"):
        importer.import_cadastre(shp, store, shp_mapping(shp))
    res = importer.import_cadastre(shp, store, shp_mapping(shp), mode="replace_sheets")
    assert res.replaced == 300 and store.count("parcels") == 300
