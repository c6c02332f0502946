"""Column-wise feature I/O for the IOC algorithms: read OGR layers through GDAL's Arrow stream, write GeoPackage
outputs with one SQL insert of prebuilt geometry blobs. No qgis import: common.py decides when these apply.

Reading or writing a million features one QgsFeature at a time costs tens of seconds of Python; these paths move
whole columns (numpy arrays) instead, and fall back to feature iteration for anything they do not cover.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence

import numpy as np

POINT_TYPES = {1, 1001, 2001, 3001, 0x80000001, 0x40000001, 0xC0000001}  # Point, Z, M, ZM (ISO and EWKB flags)


class NotColumnar(Exception):
    """The layer cannot be read column-wise (geometry type, driver, GDAL version): iterate features instead."""


@dataclass
class Columns:
    x: np.ndarray
    y: np.ndarray
    fids: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)
    null_geometry: int = 0  # features without a usable point (NULL, empty, non-finite)
    key: str = ""  # set when `fids` are values of this key column that QGIS maps to feature ids of its own


def _point_xy(wkb: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and a validity mask from an object array of WKB points; `null` marks NULL geometries."""
    n = len(wkb)
    ok = ~np.asarray(null, dtype=bool)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if not ok.any():
        return x, y, ok
    if wkb.dtype.kind == "V":  # GDAL hands equal-sized WKB over as one fixed-width block
        size = wkb.dtype.itemsize
        raw = np.ascontiguousarray(wkb[ok]).view(np.uint8).reshape(-1, size)
        if size not in (21, 29, 37):
            raise NotColumnar("not a point layer")
    else:
        blobs = wkb[ok]
        size = len(blobs[0])
        joined = b"".join(blobs)
        if size not in (21, 29, 37) or len(joined) != size * len(blobs):
            raise NotColumnar("mixed or non-point geometries")
        raw = np.frombuffer(joined, dtype=np.uint8).reshape(len(blobs), size)
    kinds = raw[:, 1:5].copy().view("<u4").ravel()
    if np.any(raw[:, 0] != 1) or np.any(kinds != kinds[0]) or int(kinds[0]) not in POINT_TYPES:
        raise NotColumnar("not little-endian points of one kind")
    coords = raw[:, 5:21].copy().view("<f8")
    x[ok], y[ok] = coords[:, 0], coords[:, 1]
    ok &= np.isfinite(x) & np.isfinite(y)  # POINT EMPTY is NaN NaN
    return x, y, ok


def _epoch(values: np.ndarray, mask: np.ndarray, parse: Callable[[object], float]) -> np.ndarray:
    if np.issubdtype(values.dtype, np.datetime64):
        out = values.astype("datetime64[ms]").astype(np.int64) / 1000.0
    elif np.issubdtype(values.dtype, np.number):
        out = values.astype(np.float64)
    else:
        out = np.array([parse(_text(v)) for v in values], dtype=np.float64)
    out = np.asarray(out, dtype=np.float64)
    out[mask] = np.nan
    return out


def _text(v: object) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else ("" if v is None else str(v))


def _arrow_layer(path: str, layer_name: str):  # noqa: ANN202 - (ogr.DataSource, ogr.Layer)
    """The OGR data source and layer to stream column-wise; the caller keeps `ds` alive while it reads `lyr`."""
    from osgeo import ogr

    if not hasattr(ogr.Layer, "GetArrowStreamAsNumPy"):
        raise NotColumnar("GDAL without the Arrow stream (< 3.6)")
    ds = ogr.Open(path)
    if ds is None:
        raise NotColumnar(f"OGR cannot open {path}")
    lyr = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    if lyr is None:
        raise NotColumnar(f"no layer {layer_name!r} in {path}")
    return ds, lyr


def read_ogr_points(
    path: str,
    layer_name: Optional[str],
    numeric: Sequence[str] = (),
    text: Sequence[str] = (),
    times: Sequence[str] = (),
    parse_time: Callable[[object], float] = lambda v: np.nan,
    cancelled: Callable[[float], bool] = lambda fraction: False,
    need_points: bool = True,
) -> Columns:
    """Points (x, y in the layer's CRS), FIDs and the named fields of an OGR layer, batch by batch (Arrow)."""
    from osgeo import ogr

    ds, lyr = _arrow_layer(path, layer_name)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    wanted = [f for f in (*numeric, *text, *times) if f]
    missing = [f for f in wanted if f not in names]
    if missing:
        raise NotColumnar(f"fields not in the OGR layer: {missing}")
    has_geometry = lyr.GetGeomType() != ogr.wkbNone
    if need_points and has_geometry and ogr.GT_Flatten(lyr.GetGeomType()) not in (ogr.wkbPoint, ogr.wkbUnknown):
        raise NotColumnar("not a point layer")
    lyr.SetIgnoredFields([f for f in names if f not in wanted])
    total = max(lyr.GetFeatureCount(force=0), 1)
    geom_name = lyr.GetGeometryColumn() or "wkb_geometry"
    fid_name = lyr.GetFIDColumn() or "OGC_FID"
    batches = lyr.GetArrowStreamAsNumPy(options=["MAX_FEATURES_IN_BATCH=200000"])
    try:
        return assemble_points(
            batches, fid_name, geom_name if has_geometry else "", numeric, text, times, parse_time, cancelled,
            need_points, total,
        )  # fmt: skip
    finally:
        del batches, lyr, ds  # the stream before its layer, the layer before its file


def assemble_points(
    batches: Iterable[dict],
    fid_name: str,
    geom_name: str,
    numeric: Sequence[str],
    text: Sequence[str],
    times: Sequence[str],
    parse_time: Callable[[object], float],
    cancelled: Callable[[float], bool],
    need_points: bool,
    total: int,
) -> Columns:
    """Columns from batches of {column: (masked) array}: the FIDs, WKB points under `geom_name` (none when
    empty: every row then counts as without geometry) and the named fields. Shared by the OGR and PostGIS readers.
    """
    wanted = [f for f in (*numeric, *text, *times) if f]
    parts: dict[str, list] = {k: [] for k in ("x", "y", "ok", "fid", *wanted)}
    masks: dict[str, list] = {k: [] for k in wanted}
    done = 0
    for batch in batches:
        fid = np.ma.getdata(batch[fid_name]) if fid_name in batch else np.arange(done, done + _len(batch))
        m = len(fid)
        if geom_name and geom_name in batch:
            g = batch[geom_name]
            x, y, ok = _point_xy(np.ma.getdata(g), np.ma.getmaskarray(g))
        else:
            x, y, ok = np.full(m, np.nan), np.full(m, np.nan), np.zeros(m, dtype=bool)
        parts["x"].append(x)
        parts["y"].append(y)
        parts["ok"].append(ok)
        parts["fid"].append(np.asarray(fid, dtype=np.int64))
        for name in wanted:
            col = batch[name]
            parts[name].append(np.ma.getdata(col))
            masks[name].append(np.ma.getmaskarray(col))
        done += m
        if cancelled(min(done / max(total, 1), 1.0)):
            raise InterruptedError("reading canceled")
    if done == 0:
        return Columns(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64), {f: np.zeros(0) for f in wanted}, 0)
    ok = np.concatenate(parts["ok"])
    keep = ok if need_points else np.ones(len(ok), dtype=bool)
    attrs: dict[str, np.ndarray] = {}
    for name in wanted:
        values = np.concatenate(parts[name])[keep]
        mask = np.concatenate(masks[name])[keep]
        if name in numeric:
            out = values.astype(np.float64) if np.issubdtype(values.dtype, np.number) else _floats(values)
            out[mask] = np.nan
        elif name in text:
            out = np.array([_text(v) for v in values], dtype=object)
            out[mask] = ""
        else:
            out = _epoch(values, mask, parse_time)
        attrs[name] = out
    return Columns(
        np.concatenate(parts["x"])[keep],
        np.concatenate(parts["y"])[keep],
        np.concatenate(parts["fid"])[keep],
        attrs,
        int((~ok).sum()),
    )


def _len(batch: dict) -> int:
    return len(next(iter(batch.values()))) if batch else 0


def _floats(values: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            out[i] = float(_text(v))
        except ValueError:
            pass
    return out


@dataclass
class WkbColumns:
    """Geometries as WKB (None where NULL), FIDs and the named fields as plain Python values (None where NULL)."""

    fids: list[int]
    wkb: list[Optional[bytes]]
    attrs: dict[str, list] = field(default_factory=dict)
    key: str = ""  # as Columns.key


def read_ogr_wkb(
    path: str,
    layer_name: Optional[str],
    fields: Sequence[str] = (),
    cancelled: Callable[[float], bool] = lambda fraction: False,
) -> WkbColumns:
    """Every feature's geometry as ISO WKB plus the named fields, batch by batch through GDAL's Arrow stream.

    Only plain 2D layers of simple features: curves, Z or M (which QGIS would convert on the way) and date/time
    fields (QGIS hands them over as QDateTime) are left to the feature path.
    """
    from osgeo import ogr

    ds, lyr = _arrow_layer(path, layer_name)
    if lyr.GetGeomType() not in (ogr.wkbPolygon, ogr.wkbMultiPolygon):
        raise NotColumnar("not a 2D (multi)polygon layer")
    defn = lyr.GetLayerDefn()
    kinds = {defn.GetFieldDefn(i).GetName(): defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())}
    wanted = [f for f in fields if f]
    missing = [f for f in wanted if f not in kinds]
    if missing:
        raise NotColumnar(f"fields not in the OGR layer: {missing}")
    plain = (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal, ogr.OFTString)
    if any(kinds[f] not in plain for f in wanted):
        raise NotColumnar("a field is neither a number nor text")
    lyr.SetIgnoredFields([f for f in kinds if f not in wanted])
    total = max(lyr.GetFeatureCount(force=0), 1)
    geom_name = lyr.GetGeometryColumn() or "wkb_geometry"
    fid_name = lyr.GetFIDColumn() or "OGC_FID"
    out = WkbColumns([], [], {f: [] for f in wanted})
    for batch in lyr.GetArrowStreamAsNumPy(options=["MAX_FEATURES_IN_BATCH=100000"]):
        g = batch[geom_name]
        blobs = np.ma.getdata(g)
        null = np.ma.getmaskarray(g)
        m = len(blobs)
        fid = np.ma.getdata(batch[fid_name]) if fid_name in batch else np.arange(len(out.fids), len(out.fids) + m)
        out.fids.extend(np.asarray(fid, dtype=np.int64).tolist())
        if blobs.dtype.kind == "V":  # equal-sized WKB come as one fixed-width block
            size = blobs.dtype.itemsize
            raw = np.ascontiguousarray(blobs).view(np.uint8).reshape(m, size)
            out.wkb.extend(None if null[i] else raw[i].tobytes() for i in range(m))
        else:
            out.wkb.extend(None if null[i] else bytes(blobs[i]) for i in range(m))
        for name in wanted:
            col = batch[name]
            values = np.ma.getdata(col).tolist()
            mask = np.ma.getmaskarray(col)
            if kinds[name] == ogr.OFTString:
                values = [_text(v) for v in values]
            out.attrs[name].extend(None if mask[i] else values[i] for i in range(m))
        if cancelled(min(len(out.fids) / total, 1.0)):
            raise InterruptedError("reading canceled")
    return out


# ----- GeoPackage writing ---------------------------------------------------------------------------------------
def gpkg_point_blobs(x: np.ndarray, y: np.ndarray, srs_id: int) -> list[bytes]:
    """GeoPackage binary points (header without envelope + little-endian WKB Point)."""
    rec = np.dtype(
        [
            ("magic", "S2"),
            ("version", "u1"),
            ("flags", "u1"),
            ("srs", "<i4"),
            ("order", "u1"),
            ("type", "<u4"),
            ("x", "<f8"),
            ("y", "<f8"),
        ]  # fmt: skip
    )
    arr = np.zeros(len(x), dtype=rec)
    arr["magic"], arr["flags"], arr["srs"], arr["order"], arr["type"] = b"GP", 1, srs_id, 1, 1
    arr["x"], arr["y"] = x, y
    raw = arr.tobytes()
    size = rec.itemsize
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def gpkg_polygon_blobs(rings: np.ndarray, srs_id: int, multi: bool = False) -> list[bytes]:
    """GeoPackage binary polygons (envelope [minx, maxx, miny, maxy]) from (m, v, 2) open rings."""
    m, v, _ = rings.shape
    closed = np.concatenate([rings, rings[:, :1]], axis=1)
    fields = [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("env", "<f8", (4,))]
    if multi:
        fields += [("morder", "u1"), ("mtype", "<u4"), ("nparts", "<u4")]
    fields += [("order", "u1"), ("type", "<u4"), ("nrings", "<u4"), ("npts", "<u4"), ("xy", "<f8", (v + 1, 2))]
    arr = np.zeros(m, dtype=np.dtype(fields))
    arr["magic"], arr["flags"], arr["srs"] = b"GP", 0b011, srs_id  # little endian, envelope [x, y]
    arr["env"] = np.column_stack(
        [rings[:, :, 0].min(1), rings[:, :, 0].max(1), rings[:, :, 1].min(1), rings[:, :, 1].max(1)]
    )
    if multi:
        arr["morder"], arr["mtype"], arr["nparts"] = 1, 6, 1
    arr["order"], arr["type"], arr["nrings"], arr["npts"] = 1, 3, 1, v + 1
    arr["xy"] = closed
    raw = arr.tobytes()
    size = arr.dtype.itemsize
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def gpkg_wkb_blobs(wkbs: Sequence[Optional[bytes]], bounds: np.ndarray, srs_id: int) -> list[Optional[bytes]]:
    """GeoPackage binary geometries from WKB: header with an [minx, maxx, miny, maxy] envelope from `bounds`
    ((n, 4) minx, miny, maxx, maxy; NaN for an empty geometry, which gets the empty flag and no envelope)."""
    head = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("env", "<f8", (4,))])
    arr = np.zeros(len(wkbs), dtype=head)
    arr["magic"], arr["flags"], arr["srs"] = b"GP", 0b011, srs_id  # little endian, envelope [x, y]
    b = np.asarray(bounds, dtype=np.float64).reshape(-1, 4)
    arr["env"] = b[:, [0, 2, 1, 3]] if len(b) else np.zeros((0, 4))
    raw = arr.tobytes()
    size = head.itemsize
    empty = b"GP\x00" + bytes([0b10001]) + int(srs_id).to_bytes(4, "little", signed=True)
    out: list[Optional[bytes]] = []
    for i, w in enumerate(wkbs):
        if w is None:
            out.append(None)
        elif not np.isfinite(b[i, 0]):
            out.append(empty + bytes(w))
        else:
            out.append(raw[i * size : (i + 1) * size] + bytes(w))
    return out


def gpkg_append(
    path: str,
    table: str,
    columns: dict[str, Sequence],
    blobs: Optional[list[bytes]],
    bounds: Optional[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    batch: int = 200_000,
    cancelled: Callable[[float], bool] = lambda fraction: False,
    spatial_index: bool = True,
) -> None:
    """Insert rows into an existing, empty GeoPackage table in one transaction.

    The R-tree triggers call GeoPackage SQL functions plain sqlite3 lacks, and GDAL's feature-count triggers
    would run one UPDATE per row: both are set aside during the insert, the R-tree is filled from `bounds`
    (minx, maxx, miny, maxy per row), the count is set once, and the triggers are put back unchanged.
    Without `spatial_index` the R-tree (table, triggers, extension row) is dropped instead: building it costs
    ~17 s per million rows in SQLite, and QGIS can add it later (Vector general > Create spatial index).
    """
    con = sqlite3.connect(path)
    try:
        cur = con.cursor()
        geom_col = (gpkg_geometry_column(con, table) or (None,))[0]
        triggers = cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
            "AND (name LIKE 'rtree_%' OR name LIKE 'trigger_%_feature_count_%')",
            (table,),
        ).fetchall()
        n = len(blobs) if blobs is not None else len(next(iter(columns.values())))
        names = list(columns)
        if geom_col and blobs is not None:
            names.append(geom_col)
        cols = [list(columns[k]) if not isinstance(columns[k], list) else columns[k] for k in columns]
        if geom_col and blobs is not None:
            cols.append(blobs)
        quoted = ", ".join(f'"{c}"' for c in ["fid", *names])
        marks = ", ".join("?" for _ in range(len(names) + 1))
        cur.execute("BEGIN")
        for name, _sql in triggers:
            cur.execute(f'DROP TRIGGER "{name}"')
        rows = zip(range(1, n + 1), *cols)
        for start in range(0, n, batch):
            # sqlite3 takes the rows straight from the iterator: no list of a batch's tuples in between
            cur.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', itertools.islice(rows, batch))
            if cancelled(min(start + batch, n) / max(n, 1)):
                raise InterruptedError("writing canceled")
        rtree = f"rtree_{table}_{geom_col}"
        if not spatial_index and cur.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone():
            cur.execute(f'DROP TABLE "{rtree}"')
            cur.execute(
                "DELETE FROM gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_rtree_index'", (table,)
            )
            triggers = [(name, sql) for name, sql in triggers if not name.startswith("rtree_")]
        if geom_col and bounds is not None:
            minx, maxx, miny, maxy = (np.asarray(b, dtype=np.float64) for b in bounds)
            good = np.isfinite(minx) & np.isfinite(miny)
            if cur.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone():
                ids = np.flatnonzero(good) + 1
                cur.executemany(
                    f'INSERT INTO "{rtree}" VALUES (?, ?, ?, ?, ?)',
                    zip(ids.tolist(), minx[good].tolist(), maxx[good].tolist(), miny[good].tolist(),
                        maxy[good].tolist()),
                )  # fmt: skip
            if good.any():
                extent = (float(minx[good].min()), float(miny[good].min()), float(maxx[good].max()))
                cur.execute(
                    "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                    (*extent, float(maxy[good].max()), table),
                )
        for _name, sql in triggers:
            cur.execute(sql)
        if cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
            cur.execute(
                f'UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM "{table}") WHERE table_name = ?',
                (table,),
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()


def gpkg_geometry_column(con: sqlite3.Connection, table: str) -> Optional[tuple[str, int, str]]:
    """(column name, srs_id, geometry type name) of a GeoPackage feature table; None for an attribute table."""
    row = con.execute(
        "SELECT column_name, srs_id, geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    return (str(row[0]), int(row[1]), str(row[2]).upper()) if row else None


def gpkg_layer_info(path: str, table: str) -> tuple[Optional[str], int, str, int]:
    """(geometry column, srs_id, geometry type, rows already there) of a table."""
    con = sqlite3.connect(path)
    try:
        info = gpkg_geometry_column(con, table)
        rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()
    if info is None:
        return None, 0, "", int(rows)
    return info[0], info[1], info[2], int(rows)
