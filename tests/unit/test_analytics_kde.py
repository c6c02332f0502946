"""Kernel density: exact mode against a literal per-pixel transcription of QGIS's heatmap, fast mode against it
and against the textbook estimator, kernel normalisation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ioc_qgis_plugin.analytics.kde import (
    KERNELS,
    NODATA,
    kde_exact,
    kde_fast,
    kernel_raw,
    kernel_scaled,
    qgis_grid,
    radius_in_pixels,
    relative_rms,
)


def qgis_by_hand(xy: np.ndarray, radius: float, pixel: float, kernel: str, w: np.ndarray) -> np.ndarray:
    """QGIS 3.22 QgsKernelDensityEstimation::addFeature, loop for loop (slow; small inputs only)."""
    xmin, ymin = xy.min(axis=0) - radius
    xmax, ymax = xy.max(axis=0) + radius
    rows = int(max(math.ceil((ymax - ymin) / pixel) + 1, 1))
    cols = int(max(math.ceil((xmax - xmin) / pixel) + 1, 1))
    out = np.full((rows, cols), NODATA)
    buf = int(radius / pixel)
    if radius - pixel * buf > 0.5:
        buf += 1
    size = 2 * buf + 1
    for (px, py), weight in zip(xy, w):
        xpos = int((px - xmin) / pixel - buf)
        ypos = int((py - ymin) / pixel - buf)
        ypos_io = int((ymax - py) / pixel - buf)
        if xpos < 0 or ypos_io < 0 or xpos + size > cols or ypos_io + size > rows:
            continue  # GDAL refuses the block
        for xp in range(size):
            for yp in range(size):
                cx = (xpos + xp + 0.5) * pixel + xmin
                cy = (ypos + yp + 0.5) * pixel + ymin
                d = math.sqrt((cx - px) ** 2 + (cy - py) ** 2)
                if d > radius:
                    continue
                r, c = ypos_io + yp, xpos + xp
                if out[r, c] == NODATA:
                    out[r, c] = 0.0
                out[r, c] += weight * float(kernel_raw(kernel, np.array([d]), radius, 0.25)[0])
    return out


@pytest.mark.parametrize("kernel", KERNELS)
def test_exact_equals_qgis_procedure(kernel: str) -> None:
    rng = np.random.default_rng(7)
    xy = rng.uniform([1000, 5000], [1400, 5300], size=(40, 2))
    w = rng.uniform(0.5, 2.0, 40)
    ref = qgis_by_hand(xy, 57.3, 9.1, kernel, w)
    got = kde_exact(xy, 57.3, 9.1, kernel, weights=w, decay=0.25, chunk=7)
    assert got.values.shape == ref.shape
    np.testing.assert_array_equal(got.values == NODATA, ref == NODATA)
    np.testing.assert_allclose(got.values, ref, rtol=1e-12, atol=1e-12)


def test_grid_and_buffer_rules() -> None:
    grid, _ = qgis_grid(np.array([[0.0, 0.0], [100.0, 50.0]]), 10.0, 3.0)
    assert (grid.cols, grid.rows) == (int(np.ceil(120 / 3)) + 1, int(np.ceil(70 / 3)) + 1)
    assert grid.geotransform == (-10.0, 3.0, 0.0, 60.0, 0.0, -3.0)
    assert radius_in_pixels(10.0, 3.0) == 4  # remainder 1 map unit > 0.5
    assert radius_in_pixels(10.0, 4.0) == 3  # remainder 2 > 0.5
    assert radius_in_pixels(9.0, 3.0) == 3


@pytest.mark.parametrize("kernel", ["quartic", "triweight", "epanechnikov"])
def test_fast_close_to_exact(kernel: str) -> None:
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.normal([5000, 5000], 400, (3000, 2)), rng.uniform(3000, 7000, (3000, 2))])
    exact = kde_exact(xy, 300.0, 20.0, kernel)
    fast = kde_fast(xy, 300.0, 20.0, kernel)
    assert fast.values.shape == exact.values.shape
    assert relative_rms(fast.values, exact.values) < 0.01


def test_fast_without_qgis_shift_matches_textbook_kde() -> None:
    rng = np.random.default_rng(5)
    xy = rng.normal([0, 0], 200, (2000, 2))
    res = kde_fast(xy, 250.0, 10.0, "quartic", qgis_compatible=False)
    g = res.grid
    cx = g.x0 + (np.arange(g.cols) + 0.5) * g.pixel
    cy = g.y_top - (np.arange(g.rows) + 0.5) * g.pixel
    gx, gy = np.meshgrid(cx, cy)
    direct = np.zeros_like(gx)
    for px, py in xy:  # Σ K(|c − p|), the estimator's definition
        d = np.hypot(gx - px, gy - py)
        direct += np.where(d <= 250.0, (1 - (d / 250.0) ** 2) ** 2, 0.0)
    assert relative_rms(res.values, direct) < 0.005


@pytest.mark.parametrize("kernel", KERNELS)
def test_scaled_kernels_integrate_to_one(kernel: str) -> None:
    step = 0.5
    ax = np.arange(-100, 100 + step, step)
    d = np.hypot(ax[:, None], ax[None, :])
    k = np.where(d <= 100, kernel_scaled(kernel, d, 100.0, 0.0), 0.0)
    assert k.sum() * step * step == pytest.approx(1.0, rel=5e-3)


def test_degenerate_kde_inputs() -> None:
    one = kde_exact(np.array([[10.0, 10.0]]), 5.0, 1.0)
    assert one.values.max() == pytest.approx(kernel_raw("quartic", np.array([math.hypot(0.5, 0.5)]), 5.0)[0])
    same = kde_exact(np.full((5, 2), 3.0), 5.0, 1.0)
    assert same.values.max() == pytest.approx(5 * one.values.max())
    with pytest.raises(ValueError):
        kde_exact(np.zeros((0, 2)), 5.0, 1.0)
    with pytest.raises(ValueError):
        kde_fast(np.zeros((3, 2)), 0.0, 1.0)


@pytest.mark.parametrize(("radius", "pixel"), [(300.0, 30.0), (75.0, 45.0), (333.0, 17.0)])
def test_fast_has_nodata_exactly_where_qgis_has(radius: float, pixel: float) -> None:
    """Pixels no kernel reaches are nodata in QGIS's raster (exact mode reproduces it); fast mode wrote 0 there."""
    rng = np.random.default_rng(4)
    xy = np.vstack([rng.normal([705_000, 1_210_000], 400, (3000, 2)), rng.uniform(700_000, 710_000, (3000, 2))])
    xy[:, 1] = np.clip(xy[:, 1], 1_205_000, 1_215_000)
    exact = kde_exact(xy, radius, pixel)
    fast = kde_fast(xy, radius, pixel)
    assert (exact.values == NODATA).sum() > 1000  # the test means something: there are empty areas
    np.testing.assert_array_equal(fast.values == NODATA, exact.values == NODATA)


def test_auto_mode_and_error_bound_follow_radius_over_pixel() -> None:
    """The fast error grows as the kernel spans fewer pixels: 5.6 % RMS at R 75 m / P 45 m must not be chosen."""
    from ioc_qgis_plugin.analytics.kde import auto_mode, fast_error_bound, relative_rms

    assert fast_error_bound("quartic", 75.0, 45.0) > 0.05
    assert fast_error_bound("quartic", 300.0, 30.0) < 0.01
    assert fast_error_bound("uniform", 300.0, 30.0) > 0.05  # hard-edged kernel: never within 1 %
    assert auto_mode(100_000, "quartic", 75.0, 45.0)[0] == "exact"
    assert auto_mode(100_000, "quartic", 300.0, 30.0)[0] == "fast"
    assert auto_mode(1_000, "quartic", 300.0, 30.0)[0] == "exact"
    # the bound is an upper bound of what a realistic raster shows
    rng = np.random.default_rng(2)
    xy = np.vstack([rng.normal([5000, 5000], 700, (4000, 2)), rng.uniform(0, 10_000, (4000, 2))])
    for radius, pixel in ((75.0, 45.0), (150.0, 30.0), (300.0, 30.0)):
        actual = relative_rms(kde_fast(xy, radius, pixel).values, kde_exact(xy, radius, pixel).values)
        assert actual <= fast_error_bound("quartic", radius, pixel)
