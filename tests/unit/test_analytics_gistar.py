"""Gi*, weights, grids, FDR and Moran's I against PySAL (esda/libpysal) and the Columbus data shipped with libpysal."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ioc_qgis_plugin.analytics.gistar import auto_band, bh_threshold, gi_bins, gi_star, p_two_sided
from ioc_qgis_plugin.analytics.grid import aggregate, make_grid
from ioc_qgis_plugin.analytics.moran import incremental_moran, moran_band, moran_i
from ioc_qgis_plugin.analytics.weights import Neighbours, band_sums, distance_band, k_nearest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # libpysal warns that remote example data sets are unreachable (no network)
    import esda
    import libpysal
    from libpysal.examples import get_path


def clustered(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, size=(n, 2))
    y = rng.poisson(2, n).astype(float)
    y += 8 * np.exp(-(((xy - [7000, 3000]) ** 2).sum(axis=1)) / 1500**2)  # a hot area
    return xy, y


def test_esda_docstring_example() -> None:
    xy = np.array([(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)], dtype=float)
    y = np.array([2, 3, 3.2, 5, 8, 7])
    r = gi_star(xy, y, band=15)
    # published in esda's G_Local docstring (star=True, transform='B')
    np.testing.assert_allclose(
        r.z, [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331], atol=1e-8
    )


@pytest.mark.parametrize("band", [150.0, 400.0, 900.0])
def test_distance_band_z_equals_esda(band: float) -> None:
    xy, y = clustered(3000)
    r = gi_star(xy, y, band=band)
    w = libpysal.weights.DistanceBand(xy, threshold=band, silence_warnings=True)
    g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    isolated = np.array([w.cardinalities[i] == 0 for i in w.id_order])
    # esda's island handling differs; every feature with a neighbour must agree to 1e-9
    np.testing.assert_allclose(r.z[~isolated], g.Zs[~isolated], rtol=0, atol=1e-9)
    np.testing.assert_allclose(r.p[~isolated], 2 * g.p_norm[~isolated], rtol=0, atol=1e-9)


def test_knn_z_equals_esda() -> None:
    xy, y = clustered(2000, seed=5)
    r = gi_star(xy, y, k=8)
    w = libpysal.weights.KNN(xy, k=8)
    g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(r.z, g.Zs, rtol=0, atol=1e-9)


def test_columbus_gistar_and_published_moran() -> None:
    db = libpysal.io.open(get_path("columbus.dbf"))
    crime = np.array(db.by_col("CRIME"), dtype=float)
    xy = np.column_stack([db.by_col("X"), db.by_col("Y")]).astype(float)
    w = libpysal.weights.DistanceBand(xy, threshold=8.0, silence_warnings=True)
    g = esda.G_Local(crime, w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(gi_star(xy, crime, band=8.0).z, g.Zs, atol=1e-9)
    # Moran's I on CRIME with queen contiguity, row-standardised: 0.5002 (the published Columbus figure)
    gal = libpysal.io.open(get_path("columbus.gal")).read()
    pos = {k: i for i, k in enumerate(gal.id_order)}
    pairs = np.array([(pos[a], pos[b]) for a, nb in gal.neighbors.items() for b in nb if pos[a] < pos[b]])
    m = moran_i(crime, Neighbours(len(pos), pairs=pairs), row_standardize=True)
    assert round(m.I, 4) == 0.5002
    ref = esda.Moran(crime, gal, permutations=0)
    assert abs(m.z - ref.z_rand) < 1e-9
    mb = moran_i(crime, distance_band(xy, 10.0))
    ref_b = esda.Moran(crime, libpysal.weights.DistanceBand(xy, 10.0, silence_warnings=True), "B", permutations=0)
    assert abs(mb.I - ref_b.I) < 1e-12
    assert abs(mb.z - ref_b.z_rand) < 1e-9


def test_finds_planted_hot_spot_and_bins() -> None:
    xy, y = clustered(3000, seed=2)
    r = gi_star(xy, y, band=600)
    hot = ((xy - [7000, 3000]) ** 2).sum(axis=1) < 500**2
    assert (r.gi_bin[hot] == 3).mean() > 0.9
    far = ((xy - [7000, 3000]) ** 2).sum(axis=1) > 2500**2
    assert (r.gi_bin[far] == 3).mean() < 0.05
    assert "hot spots" in r.summary() and "điểm nóng" in r.summary("vi")


def test_bh_fdr_by_hand() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # BH at 0.05 with m=10: critical values 0.005, 0.01, 0.015, ... -> the first two pass
    assert bh_threshold(p, 0.05) == 0.008
    assert bh_threshold(p, 0.10) == 0.06  # 0.06 <= 6/10·0.10 but 0.074 > 7/10·0.10
    assert bh_threshold(np.array([0.5, 0.9]), 0.05) == -1.0
    z = np.array([3.3, -2.65, 2.06, 2.04, 2.03, 1.88, -1.79, 1.27, 1.25, 1.24])
    assert gi_bins(z, p, fdr=True).tolist() == [3, -2, 1, 1, 1, 1, 0, 0, 0, 0]
    assert gi_bins(z, p, fdr=False).tolist() == [3, -3, 2, 2, 2, 1, -1, 0, 0, 0]
    np.testing.assert_allclose(p_two_sided(np.array([1.959963984540054])), [0.05])


def test_degenerate_inputs() -> None:
    xy, _ = clustered(50)
    constant = gi_star(xy, np.full(50, 4.0), band=3000)
    assert np.all(constant.z == 0) and np.all(constant.gi_bin == 0)
    tiny = gi_star(xy, np.arange(50.0), band=1e-3)  # nobody has a neighbour: no statistic, no class
    assert np.all(np.isnan(tiny.z)) and np.all(tiny.n_neighbours == 1) and tiny.isolated == 50
    everyone = gi_star(xy, np.arange(50.0), band=1e6)  # neighbourhood = all features: no evidence
    assert np.all(everyone.z == 0)
    with pytest.raises(ValueError):
        gi_star(xy[:1], np.ones(1), band=10)
    with pytest.raises(ValueError):
        gi_star(np.zeros((5, 2)), np.arange(5.0))  # all identical: no automatic band
    with pytest.raises(ValueError):
        gi_star(xy, np.where(np.arange(50) == 3, np.nan, 1.0), band=100)


def test_knn_with_coincident_points_excludes_self() -> None:
    xy = np.array([[0, 0], [0, 0], [0, 0], [5, 0], [9, 0]], dtype=float)
    nb = k_nearest(xy, 2)
    assert not np.any(nb.knn == np.arange(5)[:, None])


def test_square_grid_counts() -> None:
    xy = np.array([[5, 5], [15, 5], [15, 6], [29.9, 19.9], [-0.5, 0]])
    agg = aggregate(xy, 10, "square")
    g = agg.grid
    assert (g.x0, g.y0, g.ncols, g.nrows) == (-10, 0, 4, 2)
    assert agg.values.sum() == 5 and agg.values.max() == 2
    np.testing.assert_allclose(agg.centers()[agg.point_cell], np.floor(xy / 10) * 10 + 5)
    assert agg.rings().shape == (8, 4, 2)
    assert len(aggregate(xy, 10, keep="nonzero").cells) == 4


def test_hex_grid_assigns_nearest_centre() -> None:
    rng = np.random.default_rng(9)
    xy = rng.uniform(0, 1000, size=(5000, 2))
    g = make_grid(xy, 50.0, "hex")
    cid = g.cell_of(xy)
    assert (cid >= 0).all()
    centres = g.centers()
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(cid, d2.argmin(axis=1))
    ring = g.rings(cid[:1])[0]
    assert np.allclose(np.linalg.norm(ring - centres[cid[0]], axis=1), 50 / np.sqrt(3))
    agg = aggregate(xy, 50.0, "hex")
    assert agg.values.sum() == 5000


def test_incremental_moran_peaks_at_cluster_scale() -> None:
    rng = np.random.default_rng(4)
    centres = rng.uniform(0, 20_000, size=(12, 2))
    pts = np.vstack([c + rng.normal(0, 600, size=(150, 2)) for c in centres] + [rng.uniform(0, 20_000, (600, 2))])
    agg = aggregate(pts, 500, "square")
    res = incremental_moran(agg.centers(), agg.values, start=500, increment=500, count=10)
    assert np.all(np.isfinite(res.z)) and res.z.max() > 5
    assert 500 <= res.chosen <= 5000


def test_isolated_features_are_never_hot_or_cold() -> None:
    """2,000 features, band 1 mm: nobody has a neighbour, so nothing may be classified (was: 127 "hot spots")."""
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 5000, (2000, 2))
    y = rng.poisson(2, 2000).astype(float)
    y[:40] += 30  # outliers that a per-feature z would call hot
    r = gi_star(xy, y, band=1e-3)
    assert r.isolated == 2000
    assert np.all(r.gi_bin == 0) and np.all(np.isnan(r.z)) and np.all(np.isnan(r.p))
    assert "features without neighbours: 2000" in r.summary()
    # mixed: isolated features stay unclassified and are left out of the FDR count
    xy2 = np.vstack([xy[:1000] * 0.05, xy[1000:] * 50])
    r2 = gi_star(xy2, y, band=30.0)
    alone = r2.n_neighbours == 1
    assert alone.any() and np.all(r2.gi_bin[alone] == 0) and np.all(np.isfinite(r2.z[~alone]))


def test_auto_band_gives_every_feature_a_neighbour_at_vn2000_coordinates() -> None:
    """Millimetre coordinates around (706 km, 1 206 km) in EPSG:5899: the exact nearest-neighbour distance used
    as band lost the farthest pair to rounding in the pair search (seed 5: one feature alone)."""
    rng = np.random.default_rng(5)
    xy = rng.uniform([700_000, 1_200_000], [712_000, 1_212_000], (500, 2)).round(3)
    band = auto_band(xy)
    assert np.all(distance_band(xy, band).cardinality >= 1)
    r = gi_star(xy, rng.poisson(3, 500).astype(float))
    assert r.isolated == 0 and np.all(np.isfinite(r.z))


def test_streamed_band_sums_equal_sparse_reference_on_1e5_points() -> None:
    """Gi* from strip sums (bounded memory) equals the sparse-matrix product to 1e-9 on 10^5 dense points."""
    from scipy import sparse

    rng = np.random.default_rng(11)
    n = 100_000
    xy = np.vstack([rng.uniform(0, 4000, (n // 2, 2)), rng.normal(2000, 300, (n - n // 2, 2))]) + [7e5, 1.2e6]
    xy[:100] = xy[100:200]  # coincident points are neighbours at distance 0
    y = rng.poisson(3, n).astype(float) + rng.uniform(0, 1, n)
    band = 60.0
    sums, counts = band_sums(xy, y, band)
    w = distance_band(xy, band).to_sparse() + sparse.identity(n, format="csr")
    np.testing.assert_allclose(sums, w @ y, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(counts, np.asarray(w.sum(axis=1)).ravel())
    ours = gi_star(xy, y, band=band)
    ref = gi_star(xy, y, neighbours=distance_band(xy, band))
    assert counts.mean() > 50
    np.testing.assert_allclose(ours.z, ref.z, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours.gi_bin, ref.gi_bin)


def test_band_sums_do_not_depend_on_the_strip_layout_and_the_layout_follows_density() -> None:
    """Strips and chunks are chosen from the neighbour count (speed only): any choice gives the same sums."""
    from ioc_qgis_plugin.analytics.weights import band_layout

    rng = np.random.default_rng(5)
    xy = np.vstack([rng.uniform(0, 3000, (4000, 2)), rng.normal(1500, 80, (4000, 2))]) + [7e5, 1.2e6]
    y = rng.poisson(2, len(xy)).astype(float)
    want = band_sums(xy, y, 40.0, strips_per_band=16, chunk=50_000)
    for strips, chunk in ((1, 333), (3, 1000), (7, 8000), (None, None)):
        got = band_sums(xy, y, 40.0, strips_per_band=strips, chunk=chunk)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(got[1], want[1])
    few, many = band_layout(xy, 5.0), band_layout(xy, 400.0)
    assert few[0] < many[0] <= 16 and many[1] < few[1]  # more strips and smaller chunks as neighbours grow


def test_moran_band_equals_pair_weights() -> None:
    xy, y = clustered(2000, seed=2)
    for band in (200.0, 700.0):
        a = moran_i(y, distance_band(xy, band))
        b = moran_band(y, xy, band)
        assert pytest.approx(a.I, rel=1e-10) == b.I and b.z == pytest.approx(a.z, rel=1e-9)


def test_lattice_gistar_equals_point_gistar_on_grid_cells() -> None:
    from ioc_qgis_plugin.analytics.gistar import gi_star_lattice

    xy, _ = clustered(4000, seed=9)
    for cell, band in ((250.0, 500.0), (250.0, 760.0), (100.0, 1500.0)):
        agg = aggregate(xy, cell, "square")
        rows, cols = np.divmod(agg.cells, agg.grid.ncols)
        lat = gi_star_lattice(rows, cols, agg.values, (agg.grid.nrows, agg.grid.ncols), cell, band)
        ref = gi_star(agg.centers(), agg.values, neighbours=distance_band(agg.centers(), band * (1 + 1e-9)))
        np.testing.assert_array_equal(lat.n_neighbours, ref.n_neighbours)
        np.testing.assert_allclose(lat.z, ref.z, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(lat.gi_bin, ref.gi_bin)
