"""Generalise exact WGS 84 points in a metric CRS: grid snap or k-anonymous cells (vectorised, deterministic)."""

from __future__ import annotations

import threading

import numpy as np
from osgeo import osr

MAX_COARSENING = 5  # k-anonymity doubles the cell at most 5 times (×32) before suppressing a location

# GDAL's OSR, not pyproj: the export runs in a QgsTask (a Qt-created thread), where pyproj 3.7.0-3.7.2 (Debian 13
# ships 3.7.1) crashes the whole process (pyproj issue 1509). One transformation pair per thread and CRS: an OSR
# transformation is not to be shared between threads.
_local = threading.local()


class _Transform:
    def __init__(self, src: str, dst: str) -> None:
        a, b = osr.SpatialReference(), osr.SpatialReference()
        for ref, code in ((a, src), (b, dst)):
            if ref.SetFromUserInput(code) != 0:
                raise ValueError(f"unknown CRS {code!r}")
            ref.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)  # x = longitude / easting
        self._ct = osr.CoordinateTransformation(a, b)

    def transform(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if not len(x):
            return x.copy(), y.copy()
        out = np.asarray(self._ct.TransformPoints(np.column_stack([x, y]).tolist()), dtype=float)
        return out[:, 0], out[:, 1]


def _transformers(crs: str) -> tuple[_Transform, _Transform]:
    cache = _local.__dict__.setdefault("cache", {})
    if crs not in cache:
        cache[crs] = (_Transform("EPSG:4326", crs), _Transform(crs, "EPSG:4326"))
    return cache[crs]


def _cells(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    return np.floor(x / size), np.floor(y / size)


def _centres(ix: np.ndarray, iy: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    return (ix + 0.5) * size, (iy + 0.5) * size


def _back(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformers(crs)[1].transform(x, y)
    # 6 decimals (~0.1 m) is far below any cell size and keeps the text form stable across PROJ builds
    return np.round(np.asarray(lon, dtype=float), 6), np.round(np.asarray(lat, dtype=float), 6)


def snap_to_grid(lon: np.ndarray, lat: np.ndarray, cell_m: float, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Every point → centre of its cell_m × cell_m cell in `crs`; NaN stays NaN."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    out_lon, out_lat = np.full(lon.shape, np.nan), np.full(lat.shape, np.nan)
    if ok.any():
        x, y = _transformers(crs)[0].transform(lon[ok], lat[ok])
        cx, cy = _centres(*_cells(np.asarray(x), np.asarray(y), cell_m), cell_m)
        out_lon[ok], out_lat[ok] = _back(cx, cy, crs)
    return out_lon, out_lat


def k_anonymous(
    lon: np.ndarray, lat: np.ndarray, cell_m: float, k: int, crs: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Cell centres such that each published location is shared by ≥ k rows.

    Rows in a cell with fewer than k rows move to the cell twice as large, up to MAX_COARSENING times; rows still
    alone are suppressed (NaN). Returns (lon, lat, suppressed count).
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    n = len(lon)
    out_lon, out_lat = np.full(n, np.nan), np.full(n, np.nan)
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if not len(ok):
        return out_lon, out_lat, 0
    x, y = _transformers(crs)[0].transform(lon[ok], lat[ok])
    x, y = np.asarray(x), np.asarray(y)
    pending = np.arange(len(ok))
    size = cell_m
    for _ in range(MAX_COARSENING + 1):
        ix, iy = _cells(x[pending], y[pending], size)
        keys = np.stack([ix, iy], axis=1)
        _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        big = counts[inverse] >= k
        done = pending[big]
        if len(done):
            cx, cy = _centres(ix[big], iy[big], size)
            out_lon[ok[done]], out_lat[ok[done]] = _back(cx, cy, crs)
        pending = pending[~big]
        if not len(pending):
            break
        size *= 2.0
    return out_lon, out_lat, int(len(pending))
