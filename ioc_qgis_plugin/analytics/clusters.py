"""Density-based clusters (DBSCAN, HDBSCAN) with per-cluster summary polygons (convex hulls)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy.spatial import ConvexHull, QhullError
from shapely.geometry import MultiPoint, Polygon

from ..core.compat import hdbscan_implementation, hdbscan_model
from ..core.dependencies import require


@dataclass
class ClusterSummary:
    cluster_id: int
    n: int
    centroid: tuple[float, float]
    hull: object  # shapely geometry: Polygon, or LineString/Point for degenerate clusters
    area: float


def dbscan(xy: np.ndarray, eps: float, min_samples: int = 5) -> np.ndarray:
    """Cluster labels (0..k−1, −1 = noise) with scikit-learn's DBSCAN on a k-d tree."""
    require("sklearn", "DBSCAN clustering")
    from sklearn.cluster import DBSCAN

    xy = _check(xy)
    if not eps > 0:
        raise ValueError("eps must be positive")
    return DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree").fit_predict(xy).astype(np.int64)


def hdbscan_available() -> Optional[str]:
    """Which HDBSCAN implementation will be used: "sklearn" (scikit-learn ≥ 1.3), "hdbscan" (the package) or None."""
    return hdbscan_implementation()


def hdbscan(xy: np.ndarray, min_cluster_size: int = 10, min_samples: Optional[int] = None) -> np.ndarray:
    xy = _check(xy)
    model = hdbscan_model(min_cluster_size, min_samples)
    return np.asarray(model.fit_predict(xy), dtype=np.int64)


def summarise(xy: np.ndarray, labels: np.ndarray) -> list[ClusterSummary]:
    """One summary per cluster (noise excluded): size, centroid, convex hull and its area."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    labels = np.asarray(labels)
    out = []
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    ids, starts = np.unique(sorted_labels, return_index=True)
    bounds = np.append(starts, len(labels))
    for k, cid in enumerate(ids):
        if cid < 0:
            continue
        pts = xy[order[bounds[k] : bounds[k + 1]]]
        hull = _hull(pts)
        out.append(ClusterSummary(int(cid), len(pts), tuple(pts.mean(axis=0)), hull, float(hull.area)))
    return out


def _hull(pts: np.ndarray):
    uniq = np.unique(pts, axis=0)
    if len(uniq) >= 3:
        try:
            return Polygon(uniq[ConvexHull(uniq).vertices])  # qhull on big clusters, shapely only for the ring
        except QhullError:
            pass  # collinear
    return MultiPoint([tuple(p) for p in uniq]).convex_hull


def _check(xy: np.ndarray) -> np.ndarray:
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) == 0:
        raise ValueError("no points to cluster")
    return xy
