"""Binary spatial weights as neighbour pairs from a k-d tree — never a dense n×n matrix.

A distance band gives symmetric pairs (i < j, distance ≤ band, like libpysal.weights.DistanceBand);
k nearest neighbours gives each row its k nearest other features (like libpysal.weights.KNN).
Sums over neighbours are `np.bincount` passes, so 1,000,000 features with ~30 neighbours take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

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
