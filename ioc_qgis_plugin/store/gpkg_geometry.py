"""GeoPackage geometry blobs (spec §2.1.3): 'GP' header, optional envelope, then standard WKB.

Also the SQL functions the spec's R-tree triggers call (ST_MinX…, ST_IsEmpty), so our own sqlite3
connection can write to tables whose spatial index GDAL/QGIS maintain with the same triggers.
"""

from __future__ import annotations

import sqlite3
import struct
from typing import Optional

from shapely import wkb as shapely_wkb
from shapely.geometry.base import BaseGeometry

from ..core.wkb import wkb_box

_EMPTY_FLAG = 0x10


def encode(geom: Optional[BaseGeometry], srs_id: int = 4326) -> Optional[bytes]:
    if geom is None:
        return None
    if geom.is_empty:
        return (
            b"GP\x00"
            + bytes([0x01 | _EMPTY_FLAG])
            + struct.pack("<i", srs_id)
            + shapely_wkb.dumps(geom, big_endian=False)
        )
    wkb = shapely_wkb.dumps(geom, big_endian=False)
    if geom.geom_type == "Point":  # points need no envelope: it is the point itself
        return b"GP\x00\x01" + struct.pack("<i", srs_id) + wkb
    # from the bytes just written: shapely 1.8's `bounds` costs ~4x more
    minx, miny, maxx, maxy = wkb_box(wkb) or geom.bounds
    return b"GP\x00\x03" + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def encode_points(lons, lats, srs_id: int = 4326) -> list[Optional[bytes]]:
    """Fast path for many points (no shapely objects): header + little-endian WKB point."""
    head = b"GP\x00\x01" + struct.pack("<i", srs_id) + b"\x01\x01\x00\x00\x00"
    out: list[Optional[bytes]] = []
    for x, y in zip(lons, lats):
        out.append(None if x is None or y is None or x != x or y != y else head + struct.pack("<2d", x, y))
    return out


def _header(blob: bytes) -> tuple[int, int]:
    """(flags, offset of the WKB)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    env = (flags >> 1) & 0x07
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get(env)
    if size is None:
        raise ValueError(f"invalid envelope indicator {env}")
    return flags, 8 + size


def decode(blob: Optional[bytes]) -> Optional[BaseGeometry]:
    if blob is None:
        return None
    _, offset = _header(bytes(blob[:8]))
    return shapely_wkb.loads(bytes(blob[offset:]))


def decode_many(blobs) -> list[Optional[BaseGeometry]]:
    return [decode(b) for b in blobs]


def _bounds(blob: Optional[bytes]) -> Optional[tuple[float, float, float, float]]:
    if blob is None:
        return None
    flags, offset = _header(blob)
    if flags & _EMPTY_FLAG:
        return None
    endian = "<" if flags & 0x01 else ">"
    if offset > 8:
        minx, maxx, miny, maxy = struct.unpack(endian + "4d", blob[8:40])
        return minx, miny, maxx, maxy
    wkb_endian = "<" if blob[offset] == 1 else ">"
    gtype = struct.unpack(wkb_endian + "I", blob[offset + 1 : offset + 5])[0]
    if gtype == 1:
        x, y = struct.unpack(wkb_endian + "2d", blob[offset + 5 : offset + 21])
        return x, y, x, y
    return shapely_wkb.loads(bytes(blob[offset:])).bounds


def register_sql_functions(conn: sqlite3.Connection) -> None:
    def part(i: int):
        def fn(blob):
            b = _bounds(blob)
            return None if b is None else b[i]

        return fn

    conn.create_function("ST_MinX", 1, part(0), deterministic=True)
    conn.create_function("ST_MinY", 1, part(1), deterministic=True)
    conn.create_function("ST_MaxX", 1, part(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, part(3), deterministic=True)
    conn.create_function("ST_IsEmpty", 1, lambda b: 1 if b is None or _bounds(b) is None else 0, deterministic=True)
