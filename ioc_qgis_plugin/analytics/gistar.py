"""Getis-Ord Gi* local hot spot statistic with binary weights, Benjamini–Hochberg FDR and Gi_Bin classes.

z-scores follow Getis & Ord (1992) / Ord & Getis (1995) with the feature itself included (weight 1), which is what
ArcGIS "Hot Spot Analysis" and PySAL `esda.G_Local(star=True, transform='B')` compute:

    z_i = (Σ_j w_ij y_j − ȳ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1))),   S² = Σ y² / n − ȳ²,  W_i = Σ_j w_ij

p-values are two-sided from the normal distribution (esda's p_norm is one-sided: multiply it by 2 to compare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy.special import ndtr

from .weights import Neighbours, distance_band, k_nearest, nearest_neighbour_distance

LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # Gi_Bin magnitude and the significance level it stands for


@dataclass
class GiStarResult:
    z: np.ndarray
    p: np.ndarray
    gi_bin: np.ndarray  # int8, -3..+3 (sign = hot/cold, magnitude = 99/95/90 % confidence)
    n_neighbours: np.ndarray  # neighbours per feature, the feature itself included
    fdr: bool
    params: dict = field(default_factory=dict)

    def counts(self) -> dict[int, int]:
        values, counts = np.unique(self.gi_bin, return_counts=True)
        out = {b: 0 for b in range(-3, 4)}
        out.update({int(v): int(c) for v, c in zip(values, counts)})
        return out

    def summary(self, lang: str = "en") -> str:
        c = self.counts()
        hot = c[1] + c[2] + c[3]
        cold = c[-1] + c[-2] + c[-3]
        isolated = int((self.n_neighbours <= 1).sum())
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
    n = neighbours.n
    w = neighbours.cardinality.astype(np.float64) + 1.0  # + self (star)
    lag = neighbours.lag(y) + y
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
    return z, np.broadcast_to(w, z.shape) if y.ndim == 2 else w


def p_two_sided(z: np.ndarray) -> np.ndarray:
    return 2.0 * ndtr(-np.abs(np.asarray(z, dtype=np.float64)))


def bh_threshold(p: np.ndarray, alpha: float) -> float:
    """Largest p-value declared significant by Benjamini–Hochberg at false discovery rate `alpha` (-1 if none)."""
    p = np.sort(np.asarray(p, dtype=np.float64).ravel())
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
    return (out * np.sign(z)).astype(np.int8)


def auto_band(xy: np.ndarray) -> float:
    """ArcGIS's default band: the smallest distance that gives every feature at least one neighbour."""
    d = nearest_neighbour_distance(xy)
    d = d[np.isfinite(d)]
    if len(d) == 0 or d.max() <= 0:
        raise ValueError("cannot choose a distance band: fewer than two distinct locations")
    return float(d.max())


def gi_star(
    xy: np.ndarray,
    y: np.ndarray,
    *,
    band: Optional[float] = None,
    k: Optional[int] = None,
    fdr: bool = True,
    neighbours: Optional[Neighbours] = None,
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
    if neighbours is None:
        if k is not None:
            neighbours = k_nearest(xy, int(k))
            params["k"] = int(k)
        else:
            band = auto_band(xy) if band is None or band <= 0 else float(band)
            neighbours = distance_band(xy, band)
            params["band"] = band
    z, w = gi_star_z(y, neighbours)
    p = p_two_sided(z)
    return GiStarResult(z, p, gi_bins(z, p, fdr), w.astype(np.int64), fdr, params)
