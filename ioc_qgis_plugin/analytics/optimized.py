"""Optimized hot spot analysis: choose the cell size and the distance band from the data, then Gi* with FDR."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy.spatial import cKDTree

from .gistar import GiStarResult, auto_band, gi_star
from .grid import Aggregation, aggregate
from .moran import IncrementalResult, incremental_moran
from .weights import nearest_neighbour_distance


@dataclass
class OptimizedResult:
    aggregation: Aggregation
    gi: GiStarResult
    cell_size: float
    band: float
    incremental: IncrementalResult
    outliers_removed: int
    fallback_k: Optional[int] = None  # no peak: the band is the mean distance to this many nearest neighbours

    def summary(self, lang: str = "en") -> str:
        inc = self.incremental
        lo, hi = float(inc.bands[0]), float(inc.bands[-1])
        if lang == "vi":
            why = (
                f"đỉnh của tự tương quan không gian tăng dần, z={inc.z[inc.peak_index]:.2f}"
                if inc.peak_index is not None
                else f"không có đỉnh trong {lo:.4g}–{hi:.4g} m: khoảng cách trung bình tới {self.fallback_k} "
                "láng giềng gần nhất"
            )
            head = f"Tối ưu: kích thước ô {self.cell_size:g} m, khoảng cách {self.band:.4g} m ({why}). "
        else:
            why = (
                f"peak of incremental spatial autocorrelation, z={inc.z[inc.peak_index]:.2f}"
                if inc.peak_index is not None
                else f"no peak between {lo:.4g} and {hi:.4g} m: mean distance to the {self.fallback_k} nearest "
                "neighbours"
            )
            head = f"Optimized: cell size {self.cell_size:g} m, distance band {self.band:.4g} m ({why}). "
        return head + self.gi.summary(lang)


def nice(value: float) -> float:
    """Round to 1, 2, 2.5 or 5 × 10^k so chosen sizes read well in a report."""
    if value <= 0:
        return value
    mag = 10 ** np.floor(np.log10(value))
    return float(min((1, 2, 2.5, 5, 10), key=lambda m: abs(m * mag - value)) * mag)


def choose_cell_size(xy: np.ndarray) -> float:
    """The larger of twice the mean nearest-neighbour distance of distinct locations and 1/100 of the extent."""
    uniq = np.unique(np.asarray(xy, dtype=np.float64), axis=0)
    if len(uniq) < 2:
        raise ValueError("need at least two distinct incident locations")
    nn = nearest_neighbour_distance(uniq)
    span = float(np.ptp(uniq, axis=0).max())
    return nice(max(2.0 * float(nn.mean()), span / 100.0))


def band_range(centres: np.ndarray, cell: float, count: int = 15) -> np.ndarray:
    """Distance bands to test: from the smallest band giving every cell a neighbour up to a quarter of the
    study area's longer side (at least 10 cells), spaced evenly on a log scale so both scales are searched."""
    start = max(auto_band(centres), cell * 1.0001)
    span = float(np.ptp(centres, axis=0).max())
    end = max(span / 4.0, 10.0 * cell, start * 2.0)
    return start * (end / start) ** (np.arange(count) / (count - 1))


def knn_fallback_band(centres: np.ndarray) -> tuple[float, int]:
    """ArcGIS's rule when the autocorrelation has no peak: the average distance to the K nearest neighbours,
    K = 5 % of the features, at least 3 and at most 30."""
    k = int(np.clip(round(0.05 * len(centres)), 3, 30))
    k = min(k, len(centres) - 1)
    d, _ = cKDTree(centres).query(centres, k=k + 1)
    return float(d[:, k].mean()), k


def optimized_hotspots(xy: np.ndarray, kind: str = "square", bands: int = 15) -> OptimizedResult:
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) < 30:
        raise ValueError("optimized hot spot analysis needs at least 30 incidents")
    # locations beyond 3 standard distances from the mean centre would stretch the grid over empty land
    centre = xy.mean(axis=0)
    sd = np.sqrt(((xy - centre) ** 2).sum(axis=1).mean())
    keep = np.hypot(*(xy - centre).T) <= 3 * sd if sd > 0 else np.ones(len(xy), dtype=bool)
    pts = xy[keep]
    cell = choose_cell_size(pts)
    agg = aggregate(pts, cell, kind)
    if len(agg.values) < 30:
        cell = nice(cell / 2)
        agg = aggregate(pts, cell, kind)
    centres = agg.centers()
    inc = incremental_moran(centres, agg.values, bands=band_range(centres, cell, bands))
    fallback_k = None
    if inc.peak_index is None:
        inc.fallback, fallback_k = knn_fallback_band(centres)
    band = inc.chosen
    gi = gi_star(centres, agg.values, band=band, fdr=True)
    gi.params = {"cell_size": cell, "band": band}
    return OptimizedResult(agg, gi, cell, band, inc, int((~keep).sum()), fallback_k)
