"""File package: GeoPackage + GeoJSON + CSV per table + DCAT-style metadata JSON + SHA256SUMS.

Byte-identical for identical input: rows in key order, no wall-clock time anywhere (issued/modified come from
the data or the caller), fixed float formatting, and a GeoPackage written by one fixed sequence of SQL
statements into a fresh file (no WAL, no R-tree) — the same SQLite library then writes the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from shapely import wkt as shapely_wkt
from shapely.geometry import mapping

from ..store import gpkg_geometry
from .select import ExportTable

LICENCES = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "OGL-VN": "",
}
_SQL_TYPES = {"TEXT": "TEXT", "DATETIME": "DATETIME", "REAL": "REAL", "INTEGER": "INTEGER", "BOOLEAN": "BOOLEAN"}
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
)


@dataclass
class DatasetInfo:
    """Catalogue fields; `name` is the portal's dataset id (lowercase, digits, - and _)."""

    name: str
    title: str
    description: str = ""
    licence: str = "CC-BY-4.0"
    source: str = "IOC field reports (anonymised)"
    publisher: str = ""
    contact_name: str = ""
    contact_email: str = ""
    keywords: Sequence[str] = ()
    issued: str = ""  # ISO date; empty = first day of the data's time range
    language: str = "vi"
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        import re

        if not re.fullmatch(r"[a-z0-9_\-]{2,100}", self.name):
            raise ValueError(f"dataset name {self.name!r}: use 2–100 lowercase letters, digits, '-' or '_'")
        if not self.title.strip():
            raise ValueError("the dataset needs a title")


@dataclass
class Distribution:
    path: Path
    title: str
    media_type: str
    fmt: str
    sha256: str
    size: int


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _num(v: float) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item"):  # numpy scalar
        return _clean(v.item())
    return v


# -- writers ----------------------------------------------------------------------------------------------------
def write_geojson(table: ExportTable, path: Path) -> None:
    key = table.columns[0] if table.columns else None
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"type":"FeatureCollection","name":' + json.dumps(table.name) + ',"features":[\n')
        for i, row in enumerate(table.rows):
            props = {c: _clean(v) for c, v in zip(table.columns, row)}
            geom = None
            if table.lon is not None:
                x, y = _num(float(table.lon[i])), _num(float(table.lat[i]))
                geom = None if x is None or y is None else {"type": "Point", "coordinates": [x, y]}
            elif table.geometries is not None and table.geometries[i] is not None:
                geom = mapping(shapely_wkt.loads(shapely_wkt.dumps(table.geometries[i], rounding_precision=7)))
            feat = {"type": "Feature", "id": props.get(key) if key else i + 1, "geometry": geom, "properties": props}
            fh.write(("," if i else "") + json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + "\n")
        fh.write("]}\n")


def write_csv(table: ExportTable, path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    extra = ["lon", "lat"] if table.lon is not None else (["wkt"] if table.geometries is not None else [])
    w.writerow([*table.columns, *extra])
    for i, row in enumerate(table.rows):
        tail: list[Any] = []
        if table.lon is not None:
            tail = [_num(float(table.lon[i])), _num(float(table.lat[i]))]
        elif table.geometries is not None:
            g = table.geometries[i]
            tail = [shapely_wkt.dumps(g, rounding_precision=7) if g is not None else ""]
        w.writerow(["" if v is None else _clean(v) for v in (*row, *tail)])
    # BOM so that Excel, which data officers use, shows Vietnamese correctly
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def write_gpkg(tables: Sequence[ExportTable], path: Path, last_change: str) -> None:
    tmp = path.with_suffix(".gpkg.part")
    if tmp.exists():
        tmp.unlink()
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        c = conn.cursor()
        c.execute("PRAGMA page_size = 4096")
        c.execute("PRAGMA journal_mode = DELETE")
        c.execute("PRAGMA application_id = 1196444487")  # "GPKG"
        c.execute("PRAGMA user_version = 10200")
        c.execute("BEGIN")
        c.execute(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT "
            "NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)"
        )
        c.executemany(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)",
            [
                ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate system"),
                ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate system"),
                ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude WGS 84"),
            ],
        )
        c.execute(
            "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier "
            "TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE, "
            "max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)"
        )
        c.execute(
            "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
            "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
            "CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name))"
        )
        for t in tables:
            _write_gpkg_table(c, t, last_change)
        c.execute("COMMIT")
        c.execute("VACUUM")
    finally:
        conn.close()
    os.replace(tmp, path)


def _write_gpkg_table(c: sqlite3.Cursor, t: ExportTable, last_change: str) -> None:
    has_geom = t.geometry_type is not None and (t.lon is not None or t.geometries is not None)
    cols = [f'"{n}" {_SQL_TYPES.get(ty, "TEXT")}' for n, ty in zip(t.columns, t.types)]
    geom_col = ["geom " + (t.geometry_type or "GEOMETRY")] if has_geom else []
    c.execute(f'CREATE TABLE "{t.name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, {", ".join(geom_col + cols)})')
    if has_geom and t.lon is not None:
        blobs = gpkg_geometry.encode_points(t.lon.tolist(), t.lat.tolist(), 4326)
        ext = bbox(t)
    elif has_geom:
        blobs = [gpkg_geometry.encode(g, 4326) for g in t.geometries or []]
        ext = bbox(t)
    else:
        blobs, ext = [], None
    names = (["geom"] if has_geom else []) + [f'"{n}"' for n in t.columns]
    sql = f'INSERT INTO "{t.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    if has_geom:
        c.executemany(sql, ([b, *map(_clean, r)] for b, r in zip(blobs, t.rows)))
    else:
        c.executemany(sql, ([*map(_clean, r)] for r in t.rows))
    c.execute(
        "INSERT INTO gpkg_contents VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            t.name,
            "features" if has_geom else "attributes",
            t.name,
            t.title,
            last_change,
            *(ext or (None, None, None, None)),
            4326 if has_geom else None,
        ),
    )
    if has_geom:
        c.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)", (t.name, t.geometry_type))


# -- metadata ---------------------------------------------------------------------------------------------------
def bbox(t: ExportTable) -> Optional[tuple[float, float, float, float]]:
    import numpy as np

    if t.lon is not None:
        ok = np.isfinite(t.lon) & np.isfinite(t.lat)
        if not ok.any():
            return None
        return (
            float(t.lon[ok].min()),
            float(t.lat[ok].min()),
            float(t.lon[ok].max()),
            float(t.lat[ok].max()),
        )
    bounds = [g.bounds for g in (t.geometries or []) if g is not None and not g.is_empty]
    if not bounds:
        return None
    return (
        round(min(b[0] for b in bounds), 7),
        round(min(b[1] for b in bounds), 7),
        round(max(b[2] for b in bounds), 7),
        round(max(b[3] for b in bounds), 7),
    )


def temporal_range(tables: Sequence[ExportTable]) -> tuple[Optional[str], Optional[str]]:
    lo: Optional[str] = None
    hi: Optional[str] = None
    for t in tables:
        if not t.time_field or t.time_field not in t.columns:
            continue
        i = t.columns.index(t.time_field)
        values = [r[i] for r in t.rows if isinstance(r[i], str) and r[i]]
        if values:
            lo = min(values) if lo is None else min(lo, min(values))
            hi = max(values) if hi is None else max(hi, max(values))
    return lo, hi


def modified_of(tables: Sequence[ExportTable]) -> Optional[str]:
    """Latest updated_at in the data (content-derived, so a re-export of the same data keeps it)."""
    best: Optional[str] = None
    for t in tables:
        if "updated_at" in t.columns:
            i = t.columns.index("updated_at")
            vals = [r[i] for r in t.rows if isinstance(r[i], str) and r[i]]
            if vals:
                best = max(vals) if best is None else max(best, max(vals))
    return best


def metadata(info: DatasetInfo, tables: Sequence[ExportTable], dists: Sequence[Distribution], extra: dict) -> dict:
    boxes = [b for b in (bbox(t) for t in tables) if b]
    extent = (
        [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
        if boxes
        else None
    )
    start, end = temporal_range(tables)
    modified = modified_of(tables) or end or info.issued or ""
    issued = info.issued or (start[:10] if start else modified[:10])
    return {
        "@context": "https://www.w3.org/ns/dcat3.jsonld",
        "@type": "dcat:Dataset",
        "identifier": info.name,
        "title": info.title,
        "description": info.description,
        "language": info.language,
        "keyword": sorted(set(info.keywords)),
        "license": {"id": info.licence, "url": LICENCES.get(info.licence, "")},
        "publisher": info.publisher,
        "contactPoint": {"fn": info.contact_name, "hasEmail": info.contact_email},
        "source": info.source,
        "issued": issued,
        "modified": modified,
        "crs": "http://www.opengis.net/def/crs/EPSG/0/4326",
        "spatial": {"bbox": extent},
        "temporal": {"startDate": start, "endDate": end},
        "records": {t.name: len(t) for t in tables},
        "anonymisation": {t.name: dict(sorted(t.actions.items())) for t in tables},
        **extra,
        **info.extra,
        "distribution": [
            {
                "title": d.title,
                "format": d.fmt,
                "mediaType": d.media_type,
                "downloadURL": d.path.name,
                "byteSize": d.size,
                "checksum": {"algorithm": "sha256", "checksumValue": d.sha256},
            }
            for d in dists
        ],
    }


def write_package(
    tables: Sequence[ExportTable], info: DatasetInfo, out_dir: Path, extra_meta: Optional[dict] = None
) -> list[Distribution]:
    """Write every file, then the metadata (which lists the others with their checksums) and SHA256SUMS."""
    info.check()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start, end = temporal_range(tables)
    last_change = modified_of(tables) or end or "1970-01-01T00:00:00.000Z"
    dists: list[Distribution] = []

    def add(path: Path, title: str, media: str, fmt: str) -> None:
        dists.append(Distribution(path, title, media, fmt, sha256_file(path), path.stat().st_size))

    gpkg = out_dir / f"{info.name}.gpkg"
    write_gpkg(tables, gpkg, last_change)
    add(gpkg, f"{info.title} (GeoPackage)", "application/geopackage+sqlite3", "GPKG")
    for t in tables:
        gj = out_dir / f"{info.name}-{t.name}.geojson"
        write_geojson(t, gj)
        add(gj, f"{t.title} (GeoJSON)", "application/geo+json", "GeoJSON")
        cs = out_dir / f"{info.name}-{t.name}.csv"
        write_csv(t, cs)
        add(cs, f"{t.title} (CSV)", "text/csv", "CSV")
    meta_path = out_dir / f"{info.name}.metadata.json"
    meta = metadata(info, tables, dists, extra_meta or {})
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    add(meta_path, f"{info.title} (metadata)", "application/ld+json", "JSON-LD")
    sums = "".join(f"{d.sha256}  {d.path.name}\n" for d in dists)
    (out_dir / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return dists
