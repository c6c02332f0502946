"""core.compat gives the same answers on shapely 1.8 and 2 (run here on Debian 12's 1.8, and by
`make test-qgis340` / a shapely-2 venv on 2.x): box queries as sorted positions, HDBSCAN from scikit-learn first."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point, box

from ioc_qgis_plugin.core.compat import GeometryIndex, hdbscan_implementation, hdbscan_model


def _boxes(n: int, seed: int = 3) -> list:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n, 2))
    wh = rng.uniform(0.5, 8, (n, 2))
    return [box(x, y, x + w, y + h) for (x, y), (w, h) in zip(xy, wh)]


def _brute(geoms: list, g) -> np.ndarray:  # noqa: ANN001
    minx, miny, maxx, maxy = g.bounds
    hits = [
        k
        for k, o in enumerate(geoms)
        if o.bounds[0] <= maxx and o.bounds[2] >= minx and o.bounds[1] <= maxy and o.bounds[3] >= miny
    ]
    return np.array(hits, dtype=np.int64)


def test_query_returns_sorted_positions_equal_to_brute_force() -> None:
    geoms = _boxes(400)
    index = GeometryIndex(geoms)
    assert len(index) == 400
    for probe in [box(10, 10, 30, 20), Point(50, 50).buffer(5), Point(-50, -50), geoms[17]]:
        got = index.query(probe)
        assert got.dtype == np.int64
        assert np.array_equal(got, _brute(geoms, probe))
    assert 17 in index.query(geoms[17])


def test_query_many_matches_single_queries() -> None:
    geoms = _boxes(300)
    probes = _boxes(50, seed=9) + [None, Point()]
    index = GeometryIndex(geoms)
    i, j = index.query_many(probes)
    for k, p in enumerate(probes):
        want = index.query(p) if p is not None else np.zeros(0, np.int64)
        assert np.array_equal(j[i == k], want)
    assert np.all(np.diff(i) >= 0)


def test_empty_index_and_empty_probe() -> None:
    assert len(GeometryIndex([]).query(Point(0, 0))) == 0
    i, j = GeometryIndex([]).query_many([Point(0, 0)])
    assert len(i) == len(j) == 0
    assert len(GeometryIndex(_boxes(5)).query(Point())) == 0


def test_hdbscan_prefers_scikit_learn_when_it_has_hdbscan() -> None:
    try:
        from sklearn.cluster import HDBSCAN  # noqa: F401

        has_sklearn = True
    except ImportError:
        has_sklearn = False
    impl = hdbscan_implementation()
    if has_sklearn:
        assert impl == "sklearn"
    if impl is None:
        with pytest.raises(RuntimeError, match="scikit-learn 1.3"):
            hdbscan_model(10)
        return
    rng = np.random.default_rng(1)
    xy = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(30, 1, (60, 2))])
    labels = np.asarray(hdbscan_model(10).fit_predict(xy))
    assert len(set(labels[:60]) - {-1}) == 1 and len(set(labels[60:]) - {-1}) == 1
    assert set(labels[:60]) - {-1} != set(labels[60:]) - {-1}


def test_transform_xy_moves_every_vertex_and_keeps_holes() -> None:
    from shapely.geometry import Polygon

    from ioc_qgis_plugin.core.compat import transform_xy

    poly = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)]])
    moved = transform_xy(lambda x, y: (x * 2 + 1, y - 3), poly)
    assert moved.geom_type == "Polygon" and len(moved.interiors) == 1
    assert moved.bounds == (1.0, -3.0, 21.0, 7.0)
    assert abs(moved.area - poly.area * 2) < 1e-9
