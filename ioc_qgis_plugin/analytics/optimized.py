"""Optimized hot spot analysis: choose the cell size and the distance band from the data, then Gi* with FDR."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gistar import GiStarResult, gi_star
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

    def summary(self, lang: str = "en") -> str:
        inc = self.incremental
        peak = "peak" if inc.peak_index is not None else "maximum (no peak)"
        if lang == "vi":
            peak = "đỉnh" if inc.peak_index is not None else "cực đại (không có đỉnh)"
            head = (
                f"Tối ưu: kích thước ô {self.cell_size:g} m, khoảng cách {self.band:g} m "
                f"({peak} của tự tương quan không gian tăng dần, z={np.nanmax(inc.z):.2f}). "
            )
        else:
            head = (
                f"Optimized: cell size {self.cell_size:g} m, distance band {self.band:g} m "
                f"({peak} of incremental spatial autocorrelation, z={np.nanmax(inc.z):.2f}). "
            )
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


def optimized_hotspots(xy: np.ndarray, kind: str = "square", bands: int = 10) -> OptimizedResult:
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
    step = cell if kind == "square" else cell  # neighbouring centres are one cell apart in both grids
    inc = incremental_moran(centres, agg.values, start=step * 1.0001, increment=step, count=bands)
    band = inc.chosen
    gi = gi_star(centres, agg.values, band=band, fdr=True)
    gi.params = {"cell_size": cell, "band": band}
    return OptimizedResult(agg, gi, cell, band, inc, int((~keep).sum()))
