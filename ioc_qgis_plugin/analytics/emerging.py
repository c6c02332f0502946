"""Emerging hot spot analysis: space-time cube (cells × time steps), Gi* per step, Mann–Kendall trend, categories.

Categories follow the definitions GIS staff know from ArcGIS "Emerging Hot Spot Analysis" (hot; cold mirrored),
with significance at 90 % (p < 0.10) and the trend tested on each cell's series of Gi* z-scores:
new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical; 0 = no pattern.

Gi* is computed on the whole cube as ArcGIS does: the neighbours of bin (cell i, step t) are the bins of the cells
within the distance band (i itself included) in step t and the `time_window` steps before it; the mean and the
standard deviation are those of every bin of the cube. A location whose counts stay the same therefore keeps the
same z-score while another area grows (standardising each step on its own would make it "diminishing").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from .gistar import p_two_sided
from .weights import Neighbours

CATEGORIES = {
    1: ("new", "Mới xuất hiện"),
    2: ("consecutive", "Liên tiếp"),
    3: ("intensifying", "Đang tăng"),
    4: ("persistent", "Kéo dài"),
    5: ("diminishing", "Đang giảm"),
    6: ("sporadic", "Rải rác"),
    7: ("oscillating", "Dao động"),
    8: ("historical", "Trong quá khứ"),
}


def category_label(code: int, lang: str = "en") -> str:
    if code == 0:
        return "no pattern" if lang == "en" else "Không có xu hướng"
    en, vi = CATEGORIES[abs(code)]
    if lang == "en":
        return f"{en} {'hot' if code > 0 else 'cold'} spot"
    return f"Điểm {'nóng' if code > 0 else 'lạnh'} {vi.lower()}"


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mann–Kendall S, z (continuity-corrected, tie-corrected variance) and two-sided p for each row of (n, T)."""
    x = np.atleast_2d(np.asarray(series, dtype=np.float64))
    n, t = x.shape
    s = np.zeros(n)
    for i in range(t - 1):
        s += np.sign(x[:, i + 1 :] - x[:, i : i + 1]).sum(axis=1)
    var = np.full(n, t * (t - 1) * (2 * t + 5) / 18.0)
    # ties: Σ t_k (t_k − 1)(2 t_k + 5) / 18 over groups of equal values in a row
    xs = np.sort(x, axis=1)
    run_start = np.ones((n, t), dtype=bool)
    run_start[:, 1:] = xs[:, 1:] != xs[:, :-1]
    for row in np.flatnonzero(~run_start.all(axis=1)):
        sizes = np.diff(np.append(np.flatnonzero(run_start[row]), t))
        var[row] -= float((sizes * (sizes - 1) * (2 * sizes + 5)).sum()) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    z = np.where(np.isfinite(z), z, 0.0)
    return s, z, 2.0 * ndtr(-np.abs(z))


@dataclass
class EmergingResult:
    category: np.ndarray  # int8: +1..+8 hot, −1..−8 cold, 0 no pattern
    z: np.ndarray  # (n, T) Gi* z per step
    p: np.ndarray  # (n, T)
    trend_z: np.ndarray
    trend_p: np.ndarray
    hot_steps: np.ndarray
    cold_steps: np.ndarray

    def counts(self) -> dict[str, int]:
        out = {}
        for code in sorted(set(self.category.tolist())):
            out[category_label(int(code))] = int((self.category == code).sum())
        return out


def classify(z: np.ndarray, p: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray, alpha: float = 0.10) -> np.ndarray:
    """Category per row from per-step significance (n, T) and the trend test."""
    hot = (p < alpha) & (z > 0)
    cold = (p < alpha) & (z < 0)
    out = np.zeros(len(z), dtype=np.int8)
    for sign, sig, other in ((1, hot, cold), (-1, cold, hot)):
        out_sign = _classify_one(sig, other, trend_z * sign, trend_p, alpha)
        # a location is labelled by the kind it is in the final step; hot first, then cold
        take = (out == 0) & (out_sign != 0)
        out[take] = sign * out_sign[take]
    return out


def _classify_one(sig: np.ndarray, other: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray, alpha: float):
    n, t = sig.shape
    count = sig.sum(axis=1)
    final = sig[:, -1]
    share = count / t
    before = sig[:, :-1].any(axis=1)
    # length of the uninterrupted run of significant steps that ends at the final step
    rev = sig[:, ::-1]
    run = np.where(rev.all(axis=1), t, np.argmin(rev, axis=1))
    trending = trend_p < alpha
    out = np.zeros(n, dtype=np.int8)
    mostly = share >= 0.9
    rules = [
        (final & ~before, 1),  # new
        (final & (run >= 2) & (run == count) & ~mostly, 2),  # consecutive: one run at the end
        (final & mostly & trending & (trend_z > 0), 3),  # intensifying
        (final & mostly & ~trending, 4),  # persistent
        (final & mostly & trending & (trend_z < 0), 5),  # diminishing
        (final & ~mostly & other.any(axis=1), 7),  # oscillating: was the opposite kind at some step
        (final & ~mostly, 6),  # sporadic: on and off
        (~final & mostly, 8),  # historical: was significant most of the time, not any more
    ]
    for mask, code in rules:
        out[(out == 0) & mask] = code
    return out


def space_time_gi_star(cube: np.ndarray, neighbours: Neighbours, time_window: int = 1) -> np.ndarray:
    """Gi* z of every bin of `cube` (n_cells, T) with a space-time neighbourhood and the whole cube's moments.

    Neighbours of (i, t): cells j within the band of i (and i itself) at steps max(0, t − time_window) … t,
    binary weights; n = n_cells × T. Bins whose neighbourhood is the whole cube get z 0 (no evidence).
    """
    cube = np.asarray(cube, dtype=np.float64)
    if time_window < 0:
        raise ValueError("the neighbourhood time step must be 0 or more")
    n_cells, steps = cube.shape
    spatial = neighbours.lag(cube) + cube  # Σ over the cell and its spatial neighbours, per step
    acc = np.cumsum(spatial, axis=1)
    window = acc.copy()
    if time_window + 1 < steps:
        window[:, time_window + 1 :] -= acc[:, : steps - time_window - 1]
    w_space = neighbours.cardinality.astype(np.float64) + 1.0
    w_time = np.minimum(np.arange(steps), time_window) + 1.0
    w = w_space[:, None] * w_time[None, :]
    n = float(cube.size)
    mean = cube.mean()
    sd = np.sqrt(max(float((cube * cube).mean()) - mean * mean, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (window - mean * w) / (sd * np.sqrt(np.maximum(n * w - w * w, 0.0) / (n - 1.0)))
    z[~np.isfinite(z)] = 0.0
    return z


def emerging_hotspots(
    cube: np.ndarray, neighbours: Neighbours, alpha: float = 0.10, time_window: int = 1
) -> EmergingResult:
    """`cube` (n_cells, T) counts; space-time Gi* on the cube, then Mann–Kendall on each cell's z series."""
    cube = np.asarray(cube, dtype=np.float64)
    if cube.ndim != 2 or cube.shape[1] < 2:
        raise ValueError("the space-time cube needs at least two time steps")
    z = space_time_gi_star(cube, neighbours, time_window)
    p = p_two_sided(z)
    _, tz, tp = mann_kendall(z)
    cat = classify(z, p, tz, tp, alpha)
    hot = ((p < alpha) & (z > 0)).sum(axis=1)
    cold = ((p < alpha) & (z < 0)).sum(axis=1)
    return EmergingResult(cat, z, p, tz, tp, hot, cold)


def time_steps(epoch_seconds: np.ndarray, step: str = "week") -> tuple[np.ndarray, np.ndarray]:
    """Step index of each time (-1 when missing) and the start (epoch seconds, UTC) of each step.

    step: "day", "week" (ISO weeks starting Monday) or "month" (calendar months).
    """
    t = np.asarray(epoch_seconds, dtype=np.float64)
    ok = np.isfinite(t)
    if not ok.any():
        raise ValueError("no valid times")
    secs = t[ok].astype("int64").astype("datetime64[s]")
    if step == "month":
        units = secs.astype("datetime64[M]")
        first, last = units.min(), units.max()
        idx = (units - first).astype(np.int64)
        starts = np.arange(first, last + 1).astype("datetime64[s]").astype(np.int64).astype(np.float64)
    elif step in ("week", "day"):
        days = secs.astype("datetime64[D]").astype(np.int64)
        if step == "week":
            days = days - (days + 3) % 7  # 1970-01-01 was a Thursday: shift to Monday
            size = 7
        else:
            size = 1
        first = days.min()
        idx = (days - first) // size
        starts = (first + size * np.arange(idx.max() + 1)) * 86400.0
    else:
        raise ValueError("step must be day, week or month")
    out = np.full(len(t), -1, dtype=np.int64)
    out[ok] = idx
    return out, starts
