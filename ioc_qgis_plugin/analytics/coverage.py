"""Camera coverage gaps: hot cells that no camera field of view covers, ranked by how hot they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.spatial import cKDTree
from shapely.geometry import Polygon
from shapely.ops import unary_union


@dataclass
class CoverageResult:
    covered: np.ndarray  # fraction (0..1) of each candidate cell's area inside some camera's wedge
    nearest_camera: np.ndarray  # distance from the cell centre to the nearest camera position (inf: no cameras)
    gap: np.ndarray  # bool: candidate and covered < threshold
    rank: np.ndarray  # 1 = hottest gap, 0 = not a gap


def coverage_gaps(
    rings: np.ndarray,
    score: np.ndarray,
    candidate: np.ndarray,
    wedges: Sequence[Polygon],
    camera_xy: np.ndarray,
    min_covered: float = 0.5,
) -> CoverageResult:
    """Cells are (m, v, 2) rings in a projected CRS; `wedges` and `camera_xy` in the same CRS.

    A candidate (hot) cell is a gap when less than `min_covered` of its area is seen; gaps are ranked by `score`.
    """
    m = len(rings)
    covered = np.zeros(m)
    candidate = np.asarray(candidate, dtype=bool)
    seen = unary_union([w for w in wedges if w is not None and not w.is_empty]) if len(wedges) else Polygon()
    if not seen.is_empty:
        for i in np.flatnonzero(candidate):
            cell = Polygon(rings[i])
            if cell.intersects(seen):
                covered[i] = cell.intersection(seen).area / cell.area
    centres = rings.mean(axis=1)
    if len(camera_xy):
        nearest, _ = cKDTree(np.asarray(camera_xy, dtype=np.float64).reshape(-1, 2)).query(centres)
    else:
        nearest = np.full(m, np.inf)
    gap = candidate & (covered < min_covered)
    rank = np.zeros(m, dtype=np.int64)
    idx = np.flatnonzero(gap)
    order = idx[np.argsort(-np.asarray(score, dtype=np.float64)[idx], kind="stable")]
    rank[order] = np.arange(1, len(order) + 1)
    return CoverageResult(covered, nearest, gap, rank)
