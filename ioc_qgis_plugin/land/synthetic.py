"""Deterministic synthetic cadastral sheets (VN-2000 / TM-3 metres) for tests, benchmarks and demos.

Parcels tile blocks edge to edge like a real cadastral map, with a few planted defects so the quality checks have
something to find: overlaps (a parcel pushed into its neighbour), gaps (one shrunk), slivers and wrong DienTich.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import Polygon, box

CODES = ("ODT", "ODT", "ODT", "TMD", "CLN", "DGT", "DGD", "LUC", "SKC", "DKV")


@dataclass
class Sheet:
    geoms: list[Polygon]
    sheet_no: np.ndarray
    parcel_no: np.ndarray
    area_declared: np.ndarray
    land_use: list[str]
    address: list[str]
    planted: dict[str, list[int]] = field(default_factory=dict)


def make_sheet(
    n: int,
    x0: float = 440000.0,
    y0: float = 1210000.0,
    seed: int = 1,
    defects: float = 0.01,
    parcels_per_sheet: int = 1000,
) -> Sheet:
    """n parcels in 10 x 10 blocks of 20 m x 25 m parcels; a `defects` share of each planted defect kind."""
    rng = np.random.default_rng(seed)
    per_block = 100
    blocks = int(np.ceil(n / per_block))
    side = int(np.ceil(np.sqrt(blocks)))
    w, h, street = 20.0, 25.0, 12.0
    geoms: list[Polygon] = []
    for b in range(blocks):
        bx = x0 + (b % side) * (10 * w + street)
        by = y0 + (b // side) * (10 * h + street)
        for k in range(per_block):
            if len(geoms) >= n:
                break
            i, j = k % 10, k // 10
            geoms.append(box(bx + i * w, by + j * h, bx + (i + 1) * w, by + (j + 1) * h))
    m = max(int(n * defects), 1 if n >= 50 else 0)
    picks = rng.permutation(n)
    overlap, gap, sliver, wrong_area = (picks[k * m : (k + 1) * m] for k in range(4))
    for idx in overlap:  # widen to the right by 1 m: overlaps the next parcel of the row (or sticks out)
        minx, miny, maxx, maxy = geoms[idx].bounds
        geoms[idx] = box(minx, miny, maxx + 1.0, maxy)
    for idx in gap:  # shrink inside by 0.6 m: an enclosed gap around it
        geoms[idx] = geoms[idx].buffer(-0.6, join_style=2)
    for idx in sliver:  # a 0.3 m strip
        minx, miny, maxx, maxy = geoms[idx].bounds
        geoms[idx] = box(minx, miny, minx + 0.3, maxy)
    areas = np.array([g.area for g in geoms])
    declared = np.round(areas * (1 + rng.normal(0, 0.005, n)), 1)
    declared[wrong_area] = np.round(areas[wrong_area] * 1.3, 1)
    idx = np.arange(n)
    sheet_no = 1 + idx // parcels_per_sheet
    parcel_no = 1 + idx % parcels_per_sheet
    land_use = [CODES[int(v)] for v in rng.integers(0, len(CODES), n)]
    address = [f"Tổ {1 + (i // 100) % 20}, khu phố {1 + i // 2000}" for i in range(n)]
    planted = {"overlap": sorted(overlap.tolist()), "gap": sorted(gap.tolist()), "sliver": sorted(sliver.tolist())}
    planted["area"] = sorted(wrong_area.tolist())
    return Sheet(geoms, sheet_no, parcel_no, declared, land_use, address, planted)


def write_sheet(sheet: Sheet, path: str, driver: str = "ESRI Shapefile", srs_epsg: int = 5899, **kw) -> str:
    """Write a sheet with the delivered Vietnamese field names (used by tests and the benchmark)."""
    from osgeo import ogr, osr

    from .crs_choice import province_crs

    drv = ogr.GetDriverByName(driver)
    ds = drv.CreateDataSource(str(path))
    srs = None
    if srs_epsg:
        srs = osr.SpatialReference()
        if srs_epsg == 5899:  # the registry's definition carries the VN-2000 shift
            srs.ImportFromProj4(province_crs("DN").proj4)
        else:
            srs.ImportFromEPSG(srs_epsg)
    options = kw.get("options", ["ENCODING=UTF-8"] if driver == "ESRI Shapefile" else [])
    lyr = ds.CreateLayer(kw.get("layer", "thua_dat"), srs, ogr.wkbPolygon, options=options)
    for name, kind in (
        ("SoHieuToBa", ogr.OFTInteger) if driver == "ESRI Shapefile" else ("SoHieuToBanDo", ogr.OFTInteger),
        ("SoThuTuThu", ogr.OFTInteger) if driver == "ESRI Shapefile" else ("SoThuTuThua", ogr.OFTInteger),
        ("DienTich", ogr.OFTReal),
        ("KyHieuMuc", ogr.OFTString) if driver == "ESRI Shapefile" else ("KyHieuMucDichSuDung", ogr.OFTString),
        ("DiaChi", ogr.OFTString),
    ):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    if driver == "GPKG":
        ds.StartTransaction()
    for i, g in enumerate(sheet.geoms):
        f = ogr.Feature(defn)
        f.SetField(names[0], int(sheet.sheet_no[i]))
        f.SetField(names[1], int(sheet.parcel_no[i]))
        f.SetField(names[2], float(sheet.area_declared[i]))
        f.SetField(names[3], sheet.land_use[i])
        f.SetField(names[4], sheet.address[i])
        f.SetGeometry(ogr.CreateGeometryFromWkb(g.wkb))
        lyr.CreateFeature(f)
    if driver == "GPKG":
        ds.CommitTransaction()
    ds = None
    return str(path)
