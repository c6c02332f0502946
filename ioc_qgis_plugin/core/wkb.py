"""Reading 2D little-endian WKB straight from its bytes: bounds and finiteness without building geometries.

shapely 1.8 answers `bounds` through three GEOS objects and a Python coordinate copy (~20 µs a polygon); walking
the bytes costs a few microseconds. Anything this cannot read (big-endian, Z/M, curves) is reported as such, and
the caller measures it the slow way.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np


def wkb_bounds(blobs: Sequence[Optional[bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """(n, 4) minx, miny, maxx, maxy of 2D little-endian WKB geometries (NaN for None or empty), and a mask of
    those this cannot read (big-endian, Z/M, curves): the caller measures them otherwise."""
    out = np.full((len(blobs), 4), np.nan)
    unread = np.zeros(len(blobs), dtype=bool)
    for i, w in enumerate(blobs):
        if w is None:
            continue
        runs = _runs(w)
        if runs is None:
            unread[i] = True
        elif runs[0]:
            out[i] = _box(*runs)
    return out, unread


def wkb_box(blob: bytes) -> Optional[tuple[float, float, float, float]]:
    """minx, miny, maxx, maxy of one non-empty 2D little-endian WKB; None when it cannot be read here."""
    runs = _runs(blob)
    return _box(*runs) if runs is not None and runs[0] else None


def wkb_finite(blob: bytes) -> Optional[bool]:
    """Are all vertices of this WKB finite? None when it cannot be read here (the caller checks it otherwise)."""
    runs = _runs(blob)
    if runs is None:
        return None
    return all(np.isfinite(x).all() and np.isfinite(y).all() for x, y in zip(*runs))


def _box(xs: list, ys: list) -> tuple[float, float, float, float]:
    return min(min(x) for x in xs), min(min(y) for y in ys), max(max(x) for x in xs), max(max(y) for y in ys)


def _runs(blob: bytes) -> Optional[tuple[list, list]]:
    """The x and y coordinate runs of one WKB, or None when it is not 2D little-endian linear WKB."""
    xs: list = []
    ys: list = []
    try:
        _walk(memoryview(blob), 0, xs, ys)
    except (ValueError, TypeError, IndexError):
        return None
    return xs, ys


def _walk(w: memoryview, off: int, xs: list, ys: list) -> int:
    """Collect the x and y runs of one 2D little-endian WKB geometry starting at `off`; the offset after it."""
    if w[off] != 1:
        raise ValueError("big-endian WKB")
    kind = int.from_bytes(w[off + 1 : off + 5], "little")
    off += 5
    if kind == 1:
        pt = w[off : off + 16].cast("d")
        if pt[0] == pt[0]:  # POINT EMPTY is NaN NaN
            xs.append((pt[0],))
            ys.append((pt[1],))
        return off + 16
    count = int.from_bytes(w[off : off + 4], "little")
    off += 4
    if kind == 2:
        return _run(w, off, count, xs, ys)
    if kind == 3:
        for _ in range(count):
            n = int.from_bytes(w[off : off + 4], "little")
            off = _run(w, off + 4, n, xs, ys)
        return off
    if kind in (4, 5, 6, 7):
        for _ in range(count):
            off = _walk(w, off, xs, ys)
        return off
    raise ValueError(f"WKB type {kind}")


def _run(w: memoryview, off: int, n: int, xs: list, ys: list) -> int:
    end = off + 16 * n
    if n:
        coords = w[off:end].cast("d")
        xs.append(coords[0::2])
        ys.append(coords[1::2])
    return end


WKB_SINGLE_TO_MULTI = {1: 4, 2: 5, 3: 6}


def as_multi_wkb(wkb: bytes) -> bytes:
    """A 2D single point/line/polygon (little-endian ISO WKB) wrapped as a one-part multi geometry; others as is."""
    if wkb[0] != 1:
        return wkb
    kind = int.from_bytes(wkb[1:5], "little")
    multi = WKB_SINGLE_TO_MULTI.get(kind)
    if multi is None:
        return wkb
    return b"\x01" + multi.to_bytes(4, "little") + (1).to_bytes(4, "little") + wkb


def wkb_type_code(wkb: bytes) -> int:
    """The ISO geometry type code of a WKB (e.g. 3 Polygon, 1006 MultiPolygon Z)."""
    return int.from_bytes(wkb[1:5], "little" if wkb[0] == 1 else "big")
