"""Binary spatial weights as neighbour pairs from a k-d tree — never a dense n×n matrix.

A distance band gives symmetric pairs (i < j, distance ≤ band, like libpysal.weights.DistanceBand);
k nearest neighbours gives each row its k nearest other features (like libpysal.weights.KNN).
Sums over neighbours are `np.bincount` passes, so 1,000,000 features with ~30 neighbours take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from scipy.spatial import cKDTree


@dataclass
class Neighbours:
    """Binary weights without the diagonal. Symmetric pairs (distance band) or rows of a (n, k) table (kNN)."""

    n: int
    pairs: Optional[np.ndarray] = None  # (m, 2) int, i < j, each unordered pair once
    knn: Optional[np.ndarray] = None  # (n, k) int

    @property
    def cardinality(self) -> np.ndarray:
        """Number of neighbours of each feature (self not counted)."""
        if self.knn is not None:
            return np.full(self.n, self.knn.shape[1], dtype=np.int64)
        return np.bincount(self.pairs[:, 0], minlength=self.n) + np.bincount(self.pairs[:, 1], minlength=self.n)

    def lag(self, y: np.ndarray) -> np.ndarray:
        """Σ_j w_ij y_j for each i; `y` is (n,) or (n, t) (one column per time step)."""
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2:
            return np.column_stack([self.lag(y[:, t]) for t in range(y.shape[1])]) if y.shape[1] else y.copy()
        if self.knn is not None:
            return y[self.knn].sum(axis=1)
        i, j = self.pairs[:, 0], self.pairs[:, 1]
        return np.bincount(i, weights=y[j], minlength=self.n) + np.bincount(j, weights=y[i], minlength=self.n)

    @property
    def s0(self) -> float:
        """Sum of all weights."""
        return float(self.knn.size if self.knn is not None else 2 * len(self.pairs))

    def to_sparse(self):  # scipy.sparse.csr_matrix, for cross-checks and small problems
        from scipy import sparse

        if self.knn is not None:
            rows = np.repeat(np.arange(self.n), self.knn.shape[1])
            cols = self.knn.ravel()
        else:
            rows = np.concatenate([self.pairs[:, 0], self.pairs[:, 1]])
            cols = np.concatenate([self.pairs[:, 1], self.pairs[:, 0]])
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n, self.n))


def distance_band(xy: np.ndarray, band: float, tree: Optional[cKDTree] = None) -> Neighbours:
    """Pairs of features at most `band` apart (Euclidean, in the CRS units)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(band) or band <= 0:
        raise ValueError("distance band must be a positive number")
    tree = tree or cKDTree(xy)
    pairs = tree.query_pairs(float(band), output_type="ndarray")
    # int32 halves the memory of a million-feature run and keeps bincount fast
    dtype = np.int32 if len(xy) < 2**31 else np.int64
    return Neighbours(len(xy), pairs=pairs.astype(dtype, copy=False))


def k_nearest(xy: np.ndarray, k: int, tree: Optional[cKDTree] = None, chunk: int = 200_000) -> Neighbours:
    """The k nearest other features of each feature (ties broken by the tree, as in libpysal)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    if k < 1:
        raise ValueError("k must be at least 1")
    if k >= n:
        raise ValueError(f"k={k} needs more than {k} features (have {n})")
    tree = tree or cKDTree(xy)
    out = np.empty((n, k), dtype=np.int64)
    for a in range(0, n, chunk):
        _, idx = tree.query(xy[a : a + chunk], k=k + 1)
        own = np.arange(a, a + len(idx))[:, None]
        is_self = idx == own
        # rows that found themselves drop that column; rows that did not (coincident points) drop the farthest
        order = np.argsort(is_self, axis=1, kind="stable")
        out[a : a + len(idx)] = np.take_along_axis(idx, order, axis=1)[:, :k]
    return Neighbours(n, knn=out)


def nearest_neighbour_distance(xy: np.ndarray, tree: Optional[cKDTree] = None) -> np.ndarray:
    """Distance from each feature to its nearest other feature (0 for coincident points)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) < 2:
        return np.full(len(xy), np.inf)
    tree = tree or cKDTree(xy)
    d, _ = tree.query(xy, k=2)
    return d[:, 1]


def band_layout(xy: np.ndarray, band: float, sample: int = 2_000, seed: int = 0) -> tuple[int, int]:
    """(strips per band, points per chunk) for `band_sums`, from the neighbour count of a sample of points.

    Each strip costs every point a few binary searches; each neighbour in a strip's uncertain edges costs one
    distance test, and about 2/strips of the neighbours lie there. The sum of both is least near
    √(neighbours / 10) strips: 1–2 for tens of neighbours, ~15 for thousands. Chunks hold ~4 million edge tests.
    """
    n = len(xy)
    pick = np.random.default_rng(seed).choice(n, min(n, sample), replace=False)
    per_point = float(np.mean(cKDTree(xy).query_ball_point(xy[pick], band, return_length=True))) if n else 1.0
    strips = int(np.clip(round(np.sqrt(per_point / 10.0)), 1, 16))
    chunk = int(np.clip(4_000_000 / max(per_point * 2.0 / strips, 1.0), 1_000, 50_000))
    return strips, chunk


def band_sums(
    xy: np.ndarray,
    values: np.ndarray,
    band: float,
    strips_per_band: Optional[int] = None,
    chunk: Optional[int] = None,
    progress: Optional[Callable[[float], bool]] = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Σ_j y_j and the number of features j with |x_i − x_j| ≤ band, feature i itself included, for every i.

    Memory stays O(n + chunk × strips) whatever the number of neighbours (a million points with a thousand
    neighbours each would need tens of GB as pairs). Points are sorted into horizontal strips of height
    band / strips_per_band and by x within a strip, with prefix sums of y. For a feature and a strip, the points
    whose x lies within √(band² − dy_max²) are inside the disc for sure (one prefix-sum difference), those beyond
    √(band² − dy_min²) outside for sure; only the two thin x-ranges in between are tested point by point.
    `progress(fraction)` returning False cancels (InterruptedError). Strips and chunk size default to
    `band_layout`'s choice for these points.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    y = np.asarray(values, dtype=np.float64).ravel()
    n = len(xy)
    if not np.isfinite(band) or band <= 0:
        raise ValueError("distance band must be a positive number")
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    if strips_per_band is None or chunk is None:
        strips, points = band_layout(xy, float(band))
        strips_per_band = strips_per_band or strips
        chunk = chunk or points
    r = float(band)
    r2 = r * r
    h = r / strips_per_band
    xmin, ymin = xy.min(axis=0)
    width = float(np.ptp(xy[:, 0])) + 4.0 * r + 1.0
    strip = np.floor((xy[:, 1] - ymin) / h).astype(np.int64)
    order = np.lexsort((xy[:, 0], strip))
    xs, ys, vs, ss = xy[order, 0], xy[order, 1], y[order], strip[order]
    # one sorted key over all strips: strip number × width + x, with room for ±2 bands around the data
    key = ss * width + (xs - xmin + 2.0 * r)
    eps = 8.0 * np.spacing(max(float(key[-1]), 1.0))  # key rounding; points this close to a limit are tested
    prefix = np.concatenate([[0.0], np.cumsum(vs)])
    n_strips = int(ss[-1]) + 1
    reach = int(np.ceil(r / h)) + 1
    sums = np.zeros(n)
    counts = np.zeros(n, dtype=np.int64)
    for a in range(0, n, chunk):
        qx, qy, qs = xs[a : a + chunk], ys[a : a + chunk], ss[a : a + chunk]
        m = len(qx)
        acc = np.zeros(m)
        cnt = np.zeros(m, dtype=np.int64)
        two_m = np.arange(2 * m)
        for k in range(-reach, reach + 1):
            t = qs + k
            ok = (t >= 0) & (t < n_strips)
            lo = ymin + t * h
            hi = lo + h
            d_lo, d_hi = np.abs(qy - lo), np.abs(qy - hi)
            dmin = np.where((qy >= lo) & (qy <= hi), 0.0, np.minimum(d_lo, d_hi))
            dmax = np.maximum(d_lo, d_hi)
            ok &= dmin <= r
            if not ok.any():
                continue
            outer = np.sqrt(np.maximum(r2 - dmin * dmin, 0.0)) + eps
            inner = np.sqrt(np.maximum(r2 - dmax * dmax, 0.0)) - eps
            has_inner = (dmax <= r) & (inner > 0)
            inner = np.where(has_inner, inner, 0.0)
            centre = t * width + (qx - xmin + 2.0 * r)
            o_lo = np.searchsorted(key, centre - outer, "left")
            o_hi = np.searchsorted(key, centre + outer, "right")
            i_lo = np.searchsorted(key, centre - inner, "left")
            i_hi = np.where(has_inner, np.searchsorted(key, centre + inner, "right"), i_lo)
            o_lo, o_hi, i_lo, i_hi = (np.where(ok, v, 0) for v in (o_lo, o_hi, i_lo, i_hi))
            acc += prefix[i_hi] - prefix[i_lo]
            cnt += i_hi - i_lo
            # the two thin ranges between the sure-inside and the sure-outside limits, point by point
            starts = np.concatenate([o_lo, i_hi])
            lengths = np.concatenate([i_lo - o_lo, o_hi - i_hi])
            total = int(lengths.sum())
            if total == 0:
                continue
            owner = np.repeat(two_m, lengths)
            pos = np.arange(total) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            owner %= m
            dx = xs[pos] - qx[owner]
            dy = ys[pos] - qy[owner]
            inside = dx * dx + dy * dy <= r2
            acc += np.bincount(owner, weights=np.where(inside, vs[pos], 0.0), minlength=m)
            cnt += np.bincount(owner, weights=inside, minlength=m).astype(np.int64)
        sums[order[a : a + m]] = acc
        counts[order[a : a + m]] = cnt
        if progress is not None and progress(min(1.0, (a + m) / n)) is False:
            raise InterruptedError("neighbour sums canceled")
    return sums, counts
