"""Getis-Ord Gi* local hot spot statistic with binary weights, Benjamini–Hochberg FDR and Gi_Bin classes.

z-scores follow Getis & Ord (1992) / Ord & Getis (1995) with the feature itself included (weight 1), which is what
ArcGIS "Hot Spot Analysis" and PySAL `esda.G_Local(star=True, transform='B')` compute:

    z_i = (Σ_j w_ij y_j − ȳ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1))),   S² = Σ y² / n − ȳ²,  W_i = Σ_j w_ij

p-values are two-sided from the normal distribution (esda's p_norm is one-sided: multiply it by 2 to compare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from scipy.special import ndtr

from .weights import Neighbours, band_sums, k_nearest, nearest_neighbour_distance

LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # Gi_Bin magnitude and the significance level it stands for


@dataclass
class GiStarResult:
    z: np.ndarray
    p: np.ndarray
    gi_bin: np.ndarray  # int8, -3..+3 (sign = hot/cold, magnitude = 99/95/90 % confidence)
    n_neighbours: np.ndarray  # neighbours per feature, the feature itself included
    fdr: bool
    params: dict = field(default_factory=dict)

    @property
    def isolated(self) -> int:
        """Features without any neighbour: they get no z-score and no hot/cold class."""
        return int((self.n_neighbours <= 1).sum())

    def counts(self) -> dict[int, int]:
        values, counts = np.unique(self.gi_bin, return_counts=True)
        out = {b: 0 for b in range(-3, 4)}
        out.update({int(v): int(c) for v, c in zip(values, counts)})
        return out

    def summary(self, lang: str = "en") -> str:
        c = self.counts()
        hot = c[1] + c[2] + c[3]
        cold = c[-1] + c[-2] + c[-3]
        isolated = self.isolated
        method = "FDR" if self.fdr else ("không hiệu chỉnh" if lang == "vi" else "no correction")
        if lang == "vi":
            text = (
                f"Gi*: {len(self.z)} đối tượng; điểm nóng {hot} (99%: {c[3]}, 95%: {c[2]}, 90%: {c[1]}); "
                f"điểm lạnh {cold} (99%: {c[-3]}, 95%: {c[-2]}, 90%: {c[-1]}); không có ý nghĩa {c[0]}; "
                f"hiệu chỉnh: {method}; không có láng giềng: {isolated}."
            )
        else:
            text = (
                f"Gi*: {len(self.z)} features; hot spots {hot} (99%: {c[3]}, 95%: {c[2]}, 90%: {c[1]}); "
                f"cold spots {cold} (99%: {c[-3]}, 95%: {c[-2]}, 90%: {c[-1]}); not significant {c[0]}; "
                f"correction: {method}; features without neighbours: {isolated}."
            )
        if self.params:
            text += " " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        return text


def _fmt(v: object) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def gi_star_z(y: np.ndarray, neighbours: Neighbours) -> tuple[np.ndarray, np.ndarray]:
    """z-scores and W_i (self included) for values `y` (n,) or a (n, t) stack of time steps sharing the weights."""
    y = np.asarray(y, dtype=np.float64)
    w = neighbours.cardinality.astype(np.float64) + 1.0  # + self (star)
    return z_from_sums(y, neighbours.lag(y) + y, w)


def z_from_sums(y: np.ndarray, lag: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z from Σ_j w_ij y_j and W_i, both with the feature itself included; moments per column of `y`."""
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    w = np.asarray(w, dtype=np.float64)
    mean = y.mean(axis=0)
    sd = np.sqrt(np.maximum((y * y).mean(axis=0) - mean * mean, 0.0))
    if y.ndim == 2:
        w = w[:, None]
    num = lag - mean * w
    den = sd * np.sqrt(np.maximum(n * w - w * w, 0.0) / max(n - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = num / den
    # no variation in the data, or a feature whose neighbourhood is everything: no evidence either way
    z[~np.isfinite(z)] = 0.0
    w = np.broadcast_to(w, z.shape) if y.ndim == 2 else w
    # a feature without neighbours has no local statistic (only its own standardised value): no z, no class
    z[w <= 1] = np.nan
    return z, w


def p_two_sided(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-values; NaN stays NaN (no statistic)."""
    return 2.0 * ndtr(-np.abs(np.asarray(z, dtype=np.float64)))


def bh_threshold(p: np.ndarray, alpha: float) -> float:
    """Largest p-value declared significant by Benjamini–Hochberg at false discovery rate `alpha` (-1 if none)."""
    p = np.asarray(p, dtype=np.float64).ravel()
    p = np.sort(p[np.isfinite(p)])  # features without a statistic are not tests
    m = len(p)
    if m == 0:
        return -1.0
    ok = np.flatnonzero(p <= alpha * np.arange(1, m + 1) / m)
    return float(p[ok[-1]]) if len(ok) else -1.0


def gi_bins(z: np.ndarray, p: np.ndarray, fdr: bool = True) -> np.ndarray:
    """Gi_Bin: ±3/±2/±1 for 99/95/90 % confidence (FDR-corrected thresholds when `fdr`), 0 otherwise."""
    z = np.asarray(z)
    p = np.asarray(p)
    out = np.zeros(z.shape, dtype=np.int8)
    for level, alpha in reversed(LEVELS):  # weakest first, so stronger levels overwrite
        thr = bh_threshold(p, alpha) if fdr else alpha
        out[p <= thr] = level
    return (out * np.sign(np.nan_to_num(z))).astype(np.int8)


BAND_TOLERANCE = 1e-9  # relative; distances near 10^6 m lose their last bits between two computations


def auto_band(xy: np.ndarray) -> float:
    """ArcGIS's default band: the smallest distance that gives every feature at least one neighbour.

    The nearest-neighbour distance is grown by a relative 1e-9 (a micrometre at city scale): the pair search
    computes the same distance with different rounding and would otherwise miss the farthest pair.
    """
    d = nearest_neighbour_distance(xy)
    d = d[np.isfinite(d)]
    if len(d) == 0 or d.max() <= 0:
        raise ValueError("cannot choose a distance band: fewer than two distinct locations")
    return float(d.max()) * (1.0 + BAND_TOLERANCE)


def gi_star(
    xy: np.ndarray,
    y: np.ndarray,
    *,
    band: Optional[float] = None,
    k: Optional[int] = None,
    fdr: bool = True,
    neighbours: Optional[Neighbours] = None,
    progress: Optional[Callable[[float], bool]] = None,
) -> GiStarResult:
    """Gi* for features at `xy` with values `y`: fixed distance `band` (default: auto) or `k` nearest neighbours."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(xy) != len(y):
        raise ValueError("xy and y differ in length")
    if len(y) < 2:
        raise ValueError("Gi* needs at least two features")
    if not np.all(np.isfinite(y)):
        raise ValueError("values contain NaN or infinity")
    params: dict = {}
    if neighbours is None and k is None:
        band = auto_band(xy) if band is None or band <= 0 else float(band)
        params["band"] = band
        # streamed sums: memory does not grow with the number of neighbour pairs
        lag, w = band_sums(xy, y, band, progress=progress)
        z, w = z_from_sums(y, lag, w.astype(np.float64))
    else:
        if neighbours is None:
            neighbours = k_nearest(xy, int(k))
            params["k"] = int(k)
        z, w = gi_star_z(y, neighbours)
    p = p_two_sided(z)
    return GiStarResult(z, p, gi_bins(z, p, fdr), w.astype(np.int64), fdr, params)


def lattice_band_sums(
    rows: np.ndarray, cols: np.ndarray, y: np.ndarray, shape: tuple[int, int], band_cells: float
) -> tuple[np.ndarray, np.ndarray]:
    """Σ y and counts within a distance band for features on a square lattice (a fishnet), by convolution.

    Cell (r, c) is a neighbour of (r0, c0) when (r − r0)² + (c − c0)² ≤ band_cells²: the distance between cell
    centres in cells, decided in integers (with the relative tolerance of auto_band) rather than from rounded
    coordinates. Cells of the lattice that are not features count as absent.
    """
    from scipy import ndimage
    from scipy.signal import fftconvolve

    k = int(np.floor(band_cells * (1.0 + BAND_TOLERANCE)))
    off = np.arange(-k, k + 1)
    disc = ((off[:, None] ** 2 + off[None, :] ** 2) <= band_cells**2 * (1.0 + BAND_TOLERANCE)).astype(np.float64)
    values = np.zeros(shape)
    present = np.zeros(shape)
    values[rows, cols] = y
    present[rows, cols] = 1.0
    if disc.size <= 121:  # small stencils: exact direct sums
        sums = ndimage.convolve(values, disc, mode="constant")
        counts = ndimage.convolve(present, disc, mode="constant")
    else:
        sums = fftconvolve(values, disc, mode="same")
        counts = np.rint(fftconvolve(present, disc, mode="same"))
    return sums[rows, cols], counts[rows, cols].astype(np.int64)


def gi_star_lattice(
    rows: np.ndarray, cols: np.ndarray, y: np.ndarray, shape: tuple[int, int], cell: float, band: float,
    fdr: bool = True,
) -> GiStarResult:  # fmt: skip
    """Gi* for square-grid cells (row, col) with a distance band, as gi_star gives for their centres."""
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(y) < 2:
        raise ValueError("Gi* needs at least two features")
    sums, counts = lattice_band_sums(rows, cols, y, shape, band / cell)
    z, w = z_from_sums(y, sums, counts.astype(np.float64))
    p = p_two_sided(z)
    return GiStarResult(z, p, gi_bins(z, p, fdr), w.astype(np.int64), fdr, {"band": float(band)})
