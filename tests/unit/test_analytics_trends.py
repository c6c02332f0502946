"""Emerging hot spots (Mann–Kendall, categories, time steps), clusters, coverage gaps, deadlines, optimized."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from ioc_qgis_plugin.analytics.clusters import dbscan, hdbscan, hdbscan_available, summarise
from ioc_qgis_plugin.analytics.coverage import coverage_gaps
from ioc_qgis_plugin.analytics.deadline import performance, report_states
from ioc_qgis_plugin.analytics.emerging import category_label, classify, emerging_hotspots, mann_kendall, time_steps
from ioc_qgis_plugin.analytics.grid import aggregate
from ioc_qgis_plugin.analytics.optimized import optimized_hotspots
from ioc_qgis_plugin.analytics.weights import distance_band
from ioc_qgis_plugin.core.sla import DeadlineState


def test_mann_kendall_by_hand() -> None:
    s, z, p = mann_kendall(np.array([[1, 2, 3, 4, 5], [1, 2, 2, 3, 3], [5, 4, 3, 2, 1], [2, 2, 2, 2, 2]], float))
    assert s.tolist() == [10, 8, -10, 0]
    assert z[0] == pytest.approx(9 / math.sqrt(5 * 4 * 15 / 18))
    # ties: two groups of 2 -> variance 50/3 − 2·(2·1·9/18) = 44/3
    assert z[1] == pytest.approx(7 / math.sqrt(50 / 3 - 2))
    assert z[2] == -z[0] and z[3] == 0 and p[3] == 1.0


def sig(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """'H'/'C'/'.' per step -> z, p."""
    z = np.array([3.0 if c == "H" else -3.0 if c == "C" else 0.0 for c in pattern])
    p = np.where(z != 0, 0.001, 0.9)
    return z, p


@pytest.mark.parametrize(
    ("pattern", "trend", "expected"),
    [
        ("........H", 0.0, "new hot spot"),
        ("......HHH", 0.0, "consecutive hot spot"),
        ("HHHHHHHHHH", 3.0, "intensifying hot spot"),
        ("HHHHHHHHHH", 0.0, "persistent hot spot"),
        ("HHHHHHHHHH", -3.0, "diminishing hot spot"),
        ("H..H..H.H", 0.0, "sporadic hot spot"),
        ("C..C..H.H", 0.0, "oscillating hot spot"),
        ("HHHHHHHHHH.", 0.0, "historical hot spot"),
        ("CCCCCCCCCC", 0.0, "persistent cold spot"),
        ("....", 0.0, "no pattern"),
    ],
)
def test_categories(pattern: str, trend: float, expected: str) -> None:
    z, p = sig(pattern)
    tp = np.array([0.001 if trend else 0.9])
    code = classify(z[None, :], p[None, :], np.array([trend]), tp)[0]
    assert category_label(int(code)) == expected


def test_emerging_on_a_cube_finds_a_new_hot_spot() -> None:
    rng = np.random.default_rng(1)
    agg_xy = np.array([(x, y) for y in range(10) for x in range(10)], dtype=float) * 100
    cube = np.full((100, 8), 2.0)
    cube[rng.integers(0, 100, 5), :-1] += 1  # a little noise before, nothing significant
    cube[55, -1] += 40
    cube[[54, 56, 45, 65], -1] += 20
    res = emerging_hotspots(cube, distance_band(agg_xy, 150))
    assert category_label(int(res.category[55])) == "new hot spot"
    assert "new hot spot" in res.counts()


def test_time_steps() -> None:
    day = 86400.0
    monday = 4 * day  # 1970-01-05 was a Monday
    idx, starts = time_steps(np.array([monday, monday + 6.9 * day, monday + 7 * day, np.nan]), "week")
    assert idx.tolist() == [0, 0, 1, -1] and starts[0] == monday
    t = np.array(np.array(["2025-01-31", "2025-02-01", "2025-04-15"], dtype="datetime64[s]").astype(np.int64), float)
    idx, starts = time_steps(t, "month")
    assert idx.tolist() == [0, 1, 3] and len(starts) == 4


def test_dbscan_and_summary_polygons() -> None:
    rng = np.random.default_rng(2)
    xy = np.vstack([rng.normal([0, 0], 10, (100, 2)), rng.normal([500, 500], 10, (80, 2)), [[2000, 2000]]])
    labels = dbscan(xy, eps=15, min_samples=5)
    assert labels[-1] == -1 and len(set(labels[:-1]) - {-1}) == 2
    summary = summarise(xy, labels)
    assert sorted(s.n for s in summary) == [80, 100] or sum(s.n for s in summary) >= 170
    for s in summary:
        assert s.hull.geom_type == "Polygon" and s.area > 0
    line = summarise(np.array([[0, 0], [1, 1], [2, 2.0]]), np.array([0, 0, 0]))
    assert line[0].area == 0 and line[0].hull.geom_type == "LineString"


@pytest.mark.skipif(hdbscan_available() is None, reason="no HDBSCAN implementation installed")
def test_hdbscan_separates_blobs_of_different_density() -> None:
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.normal([0, 0], 5, (150, 2)), rng.normal([400, 0], 40, (150, 2))])
    labels = hdbscan(xy, min_cluster_size=20)
    assert len(set(labels) - {-1}) == 2


def test_coverage_gaps_ranked() -> None:
    agg = aggregate(np.array([[5, 5], [95, 95]], float), 10)  # 10×10 cells of 10 m
    rings = agg.rings()
    score = np.arange(len(rings), dtype=float)
    candidate = score >= 90  # the top row is "hot"
    wedge = box(0, 88, 50, 100)  # sees the left half of the top row
    res = coverage_gaps(rings, score, candidate, [wedge], np.array([[0.0, 90.0]]))
    top = np.flatnonzero(candidate)
    assert np.allclose(res.covered[top[:5]], 1.0) and np.allclose(res.covered[top[5:]], 0.0)
    assert res.gap.sum() == 5 and res.rank[99] == 1 and res.rank[95] == 5
    none = coverage_gaps(rings, score, candidate, [Polygon()], np.zeros((0, 2)))
    assert none.gap.sum() == 10 and np.isinf(none.nearest_camera).all()


def test_deadline_performance_by_ward_and_category() -> None:
    h = 3600.0
    now = 100 * h
    cat = np.array(["traffic", "traffic", "traffic", "environment", "traffic"], dtype=object)
    prio = np.array(["normal", "urgent", "normal", "normal", "normal"], dtype=object)
    status = np.array(["resolved", "closed", "in_progress", "received", "rejected"], dtype=object)
    req = np.array([0, 0, 90, 99, 0]) * h
    due = np.full(5, np.nan)
    res = np.array([7, 3, np.nan, np.nan, np.nan]) * h
    state = report_states(cat, prio, status, req, due, res, now)
    S = DeadlineState
    assert state.tolist() == [S.RESOLVED_ON_TIME, S.RESOLVED_LATE, S.OVERDUE, S.ON_TIME, S.NO_DEADLINE]
    ward = np.array(["P1", "P1", "P1", "P2", "P1"], dtype=object)
    stats = {(s.ward, s.category): s for s in performance(ward, cat, state, req, res)}
    t = stats[("P1", "traffic")]
    assert (t.total, t.overdue, t.resolved_on_time, t.resolved_late, t.no_deadline) == (4, 1, 1, 1, 1)
    assert t.on_time_rate == 0.5 and t.median_hours == 5.0
    assert math.isnan(stats[("P2", "environment")].on_time_rate)
    wards = {s.ward: s for s in performance(ward, cat, state, req, res, by_category=False)}
    assert wards["P1"].total == 4 and wards["P2"].category == "*"


def test_optimized_hotspots_chooses_scale() -> None:
    rng = np.random.default_rng(8)
    centres = rng.uniform(0, 10_000, (8, 2))
    xy = np.vstack([c + rng.normal(0, 300, (200, 2)) for c in centres] + [rng.uniform(0, 10_000, (800, 2))])
    res = optimized_hotspots(xy)
    assert res.cell_size > 0 and res.band >= res.cell_size
    assert (res.gi.gi_bin == 3).sum() > 0
    assert "cell size" in res.summary() and "kích thước ô" in res.summary("vi")
    with pytest.raises(ValueError):
        optimized_hotspots(xy[:10])


def test_emerging_constant_location_stays_persistent_while_another_area_grows() -> None:
    """Space-time Gi* on the whole cube (as ArcGIS): a cell block with the same counts every week is a persistent
    hot spot, not "diminishing", while elsewhere counts rise (per-step standardisation said diminishing)."""
    from ioc_qgis_plugin.analytics.emerging import category_label, emerging_hotspots, space_time_gi_star

    steps, cells = 12, 40
    xy = np.column_stack([np.arange(cells, dtype=float), np.zeros(cells)])
    cube = np.ones((cells, steps))
    cube[5:8] = 10.0  # constant hot block
    cube[25:28] = np.linspace(1.0, 25.0, steps)  # an area that grows
    nb = distance_band(xy, 1.5)
    res = emerging_hotspots(cube, nb)
    assert [category_label(int(c)) for c in res.category[5:8]] == ["persistent hot spot"] * 3
    assert res.category[26] > 0  # the growing area is a hot spot too (consecutive: hot from week 4 on)
    z = space_time_gi_star(cube, nb)
    np.testing.assert_allclose(z[6, 1:], z[6, 1], rtol=1e-12)  # same counts, same z after the first step
    # known answer for one bin: cell 6, step 3, window = steps 2..3 of cells 5, 6, 7 (6 bins, all 10)
    n, mean = cube.size, cube.mean()
    sd = np.sqrt((cube**2).mean() - mean**2)
    expect = (60.0 - mean * 6) / (sd * np.sqrt((n * 6 - 36) / (n - 1)))
    assert z[6, 3] == pytest.approx(expect, rel=1e-12)


def test_optimized_searches_past_ten_cells_and_reports_no_peak() -> None:
    """Clustering at a scale of ~10 cells peaks beyond the old 1–10-cell search (which took its edge); complete
    spatial randomness has no peak: ArcGIS's fallback, the mean distance to K = 5 % (3…30) nearest neighbours."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(8)
    centres = rng.uniform(0, 40_000, (6, 2))
    blobs = [c + rng.normal(0, 3000, (1500, 2)) for c in centres]
    xy = np.vstack([*blobs, rng.uniform(0, 40_000, (20_000, 2))])
    res = optimized_hotspots(xy)
    assert res.incremental.peak_index is not None
    assert res.band > 10 * res.cell_size  # the old search stopped at 9 cells past the first band
    inner = res.incremental.z[res.incremental.peak_index]
    assert inner > res.incremental.z[res.incremental.peak_index + 1]  # a real peak, not the edge
    csr = optimized_hotspots(rng.uniform(0, 10_000, (3000, 2)))
    assert csr.incremental.peak_index is None and csr.fallback_k == 30
    agg = csr.aggregation.centers()
    d, _ = cKDTree(agg).query(agg, k=31)
    assert csr.band == pytest.approx(d[:, 30].mean())
    assert "no peak" in csr.summary() and "không có đỉnh" in csr.summary("vi")


def test_plateaus_of_equal_neighbours_are_not_peaks() -> None:
    from ioc_qgis_plugin.analytics.moran import first_peak

    assert first_peak(np.array([55.7, 55.7, 75.9, 75.9, 86.3, 113.0, 110.2])) == 5
    assert first_peak(np.array([1.0, 2.0, 3.0, 4.0])) is None
    assert first_peak(np.array([0.1, 0.5, 0.2])) is None  # not significant


def test_returned_reports_never_count_as_resolved() -> None:
    """Rejected/duplicate reports that carry a resolved_at were counted resolved on time/late; a closed report
    without a resolution time has no deadline (it cannot be judged), as the docstring now says."""
    h = 3600.0
    status = np.array(["rejected", "duplicate", "closed", "resolved"], dtype=object)
    cat = np.array(["traffic"] * 4, dtype=object)
    prio = np.array(["normal"] * 4, dtype=object)
    req = np.zeros(4)
    res = np.array([2, 100, np.nan, 2]) * h
    state = report_states(cat, prio, status, req, np.full(4, np.nan), res, 200 * h)
    S = DeadlineState
    assert state.tolist() == [S.NO_DEADLINE, S.NO_DEADLINE, S.NO_DEADLINE, S.RESOLVED_ON_TIME]
