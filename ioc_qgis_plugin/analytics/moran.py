"""Global Moran's I (binary or row-standardised weights) and incremental spatial autocorrelation.

Inference follows the randomisation assumption (PySAL esda.Moran `z_rand`, ArcGIS "Spatial Autocorrelation").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import ndtr

from .weights import Neighbours, band_sums


@dataclass
class MoranResult:
    I: float  # noqa: E741 - the statistic's name
    expected: float
    variance: float
    z: float
    p: float  # two-sided
    n_isolated: int


def moran_i(y: np.ndarray, neighbours: Neighbours, row_standardize: bool = False) -> MoranResult:
    y = np.asarray(y, dtype=np.float64).ravel()
    n = len(y)
    z = y - y.mean()
    m2 = float((z * z).sum())
    d = neighbours.cardinality.astype(np.float64)
    isolated = d == 0
    if row_standardize:
        # w_ij = 1 / d_i; islands keep an all-zero row
        inv = np.divide(1.0, d, out=np.zeros(n), where=~isolated)
        lag = neighbours.lag(z) * inv
        s0 = float((~isolated).sum())
        if neighbours.knn is not None:
            raise NotImplementedError("row-standardised moments implemented for symmetric (distance) weights only")
        i_idx, j_idx = neighbours.pairs[:, 0], neighbours.pairs[:, 1]
        wij, wji = inv[i_idx], inv[j_idx]
        s1 = float(((wij + wji) ** 2).sum())  # each unordered pair once: ½·Σ over both orders of (w_ij + w_ji)²
        out_sum = (~isolated).astype(np.float64)  # row sums
        in_sum = np.bincount(i_idx, weights=wji, minlength=n) + np.bincount(j_idx, weights=wij, minlength=n)
        s2 = float(((out_sum + in_sum) ** 2).sum())
    else:
        lag = neighbours.lag(z)
        s0 = neighbours.s0
        if neighbours.knn is None:
            s1 = 2.0 * s0
            s2 = float((4.0 * d * d).sum())
        else:
            w = neighbours.to_sparse()
            sym = w + w.T
            s1 = 0.5 * float(sym.multiply(sym).sum())
            s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    if m2 == 0 or s0 == 0:
        return MoranResult(float("nan"), -1.0 / (n - 1), float("nan"), 0.0, 1.0, int(isolated.sum()))
    moran = n / s0 * float((z * lag).sum()) / m2
    expected = -1.0 / (n - 1)
    b2 = n * float((z**4).sum()) / m2**2
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    c = (n - 1) * (n - 2) * (n - 3) * s0 * s0
    var = (a - b) / c - expected**2
    zscore = (moran - expected) / np.sqrt(var) if var > 0 else 0.0
    return MoranResult(moran, expected, var, float(zscore), float(2 * ndtr(-abs(zscore))), int(isolated.sum()))


def moran_band(y: np.ndarray, xy: np.ndarray, band: float) -> MoranResult:
    """Moran's I with binary distance-band weights from streamed sums (no pair list: memory independent of band)."""
    y = np.asarray(y, dtype=np.float64).ravel()
    n = len(y)
    z = y - y.mean()
    lag, count = band_sums(xy, z, band)
    lag -= z  # the sums include the feature itself
    d = (count - 1).astype(np.float64)
    m2 = float((z * z).sum())
    s0 = float(d.sum())
    expected = -1.0 / (n - 1)
    if m2 == 0 or s0 == 0:
        return MoranResult(float("nan"), expected, float("nan"), 0.0, 1.0, int((d == 0).sum()))
    s1, s2 = 2.0 * s0, float((4.0 * d * d).sum())
    moran = n / s0 * float((z * lag).sum()) / m2
    b2 = n * float((z**4).sum()) / m2**2
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    c = (n - 1) * (n - 2) * (n - 3) * s0 * s0
    var = (a - b) / c - expected**2
    zscore = (moran - expected) / np.sqrt(var) if var > 0 else 0.0
    return MoranResult(moran, expected, var, float(zscore), float(2 * ndtr(-abs(zscore))), int((d == 0).sum()))


@dataclass
class IncrementalResult:
    bands: np.ndarray
    z: np.ndarray
    moran: np.ndarray
    peak_index: Optional[int]  # first significant local maximum of z (None: no peak, the caller falls back)
    fallback: Optional[float] = None  # band to use when there is no peak

    @property
    def chosen(self) -> float:
        if self.peak_index is not None:
            return float(self.bands[self.peak_index])
        if self.fallback is not None:
            return float(self.fallback)
        return float(self.bands[int(np.nanargmax(self.z))])


def incremental_moran(
    xy: np.ndarray,
    y: np.ndarray,
    bands: Optional[Sequence[float]] = None,
    start: Optional[float] = None,
    increment: Optional[float] = None,
    count: int = 10,
) -> IncrementalResult:
    """Moran's I z-score over `count` increasing distance bands; the first peak marks the scale of clustering."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    tree = cKDTree(xy)
    if bands is None:
        if start is None or increment is None:
            nn, _ = tree.query(xy, k=2)
            nn = nn[:, 1]
            start = float(nn.max()) if start is None else start  # every feature has a neighbour from the start
            increment = float(np.mean(nn)) if increment is None else increment
            increment = increment if increment > 0 else start / 2
        bands = start + increment * np.arange(count)
    bands = np.asarray(bands, dtype=np.float64)
    zs = np.full(len(bands), np.nan)
    ims = np.full(len(bands), np.nan)
    for k, band in enumerate(bands):
        r = moran_band(y, xy, float(band))
        zs[k], ims[k] = r.z, r.I
    return IncrementalResult(bands, zs, ims, first_peak(zs))


def first_peak(zs: np.ndarray, significant: float = 1.645) -> Optional[int]:
    """Index of the first significant local maximum of z; bands that give the same neighbours (equal z, e.g. on
    a grid lattice) count as one, and their first band is returned. None when z only rises or only falls."""
    zs = np.asarray(zs, dtype=np.float64)
    keep = [0] + [k for k in range(1, len(zs)) if not np.isclose(zs[k], zs[k - 1], rtol=1e-12, atol=1e-12)]
    runs = zs[keep]
    for m in range(1, len(runs) - 1):
        if runs[m] > runs[m - 1] and runs[m] > runs[m + 1] and runs[m] > significant:
            return int(keep[m])
    return None
