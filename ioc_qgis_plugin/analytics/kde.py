"""Kernel density rasters: an exact mode that reproduces QGIS's heatmap raw output, and a fast binned+FFT mode.

Exact mode follows QgsKernelDensityEstimation (QGIS 3.22, `qgis:heatmapkerneldensityestimation`, "Raw" output):
- raster = data extent grown by the radius, ceil(size / pixel) + 1 columns and rows, origin at the top-left;
- each point touches a (2b+1)² block, b = radius // pixel (+1 when the remainder exceeds 0.5 map units);
- block column/row offsets are truncated toward zero; a block that would cross the raster edge is dropped
  (GDAL refuses the read/write there, and QGIS goes on without that point);
- the block is written from the top row while its pixel centres are computed from the bottom, i.e. QGIS mirrors
  each block vertically; we do the same so both rasters agree pixel for pixel;
- pixels no point reached are nodata (-9999).
Fast mode bins points onto the pixel-centre lattice with linear (cloud-in-cell) weights and convolves with the kernel
sampled on that lattice (FFT); it estimates the same surface without the per-point loop, with nodata where QGIS
has it (pixels no kernel reaches). Its error grows as the radius shrinks to a few pixels: `fast_error_bound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from scipy import fft as sfft

NODATA = -9999.0
KERNELS = ("quartic", "triangular", "uniform", "triweight", "epanechnikov")  # QGIS enum order
MAX_PIXELS = 400_000_000
AUTO_FAST_ABOVE = 50_000  # points; below this the exact per-point loop takes seconds at most
FAST_MAX_ERROR = 0.01  # relative RMS the help text promises for fast mode


def kernel_raw(shape: str, d: np.ndarray, radius: float, decay: float = 0.0) -> np.ndarray:
    """QGIS 'raw' kernel values at distances `d` (callers drop d > radius)."""
    u = np.asarray(d, dtype=np.float64) / radius
    if shape == "quartic":
        return (1.0 - u * u) ** 2
    if shape == "triweight":
        return (1.0 - u * u) ** 3
    if shape == "epanechnikov":
        return 1.0 - u * u
    if shape == "triangular":
        return 1.0 - (1.0 - decay) * u
    if shape == "uniform":
        return np.ones_like(u)
    raise ValueError(f"unknown kernel {shape!r}; one of {', '.join(KERNELS)}")


def kernel_scaled(shape: str, d: np.ndarray, radius: float, decay: float = 0.0) -> np.ndarray:
    """Kernel normalised to integrate to 1 over the disc (a proper density, points per map unit²)."""
    norm = {
        "quartic": 3.0 / np.pi,
        "triweight": 4.0 / np.pi,
        "epanechnikov": 2.0 / np.pi,
        "uniform": 1.0 / np.pi,
        "triangular": 3.0 / ((1.0 + 2.0 * decay) * np.pi) if decay >= 0 else 1.0,
    }[shape]
    return kernel_raw(shape, d, radius, decay) * norm / radius**2


def _kernel_of_t(shape: str, t: np.ndarray, decay: float) -> np.ndarray:
    """QGIS 'raw' kernel from t = 1 − (d/r)², 0 outside the disc (t < 0); computed in place on `t`'s copy."""
    if shape == "triangular":
        u = np.sqrt(np.maximum(1.0 - t, 0.0))
        return np.where(t >= 0.0, 1.0 - (1.0 - decay) * u, 0.0)
    if shape == "uniform":
        return (t >= 0.0).astype(np.float64)
    out = np.maximum(t, 0.0)
    if shape == "quartic":
        out *= out
    elif shape == "triweight":
        out = out * out * out
    elif shape != "epanechnikov":
        raise ValueError(f"unknown kernel {shape!r}; one of {', '.join(KERNELS)}")
    return out


@dataclass
class RasterGrid:
    """North-up raster: top-left corner (x0, y_top), square pixels."""

    x0: float
    y_top: float
    pixel: float
    cols: int
    rows: int

    @property
    def geotransform(self) -> tuple[float, float, float, float, float, float]:
        return (self.x0, self.pixel, 0.0, self.y_top, 0.0, -self.pixel)

    @property
    def y_bottom(self) -> float:
        return self.y_top - self.rows * self.pixel


def qgis_grid(xy: np.ndarray, radius: float, pixel: float) -> tuple[RasterGrid, tuple[float, float, float, float]]:
    """The raster QGIS's heatmap writes for these points, and the bounds it tests points against."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    xmin, ymin = xy.min(axis=0) - radius
    xmax, ymax = xy.max(axis=0) + radius
    rows = int(max(np.ceil((ymax - ymin) / pixel) + 1, 1))
    cols = int(max(np.ceil((xmax - xmin) / pixel) + 1, 1))
    if rows * cols > MAX_PIXELS:
        raise ValueError(f"raster of {cols}×{rows} pixels is too large; use a larger pixel size")
    return RasterGrid(float(xmin), float(ymax), float(pixel), cols, rows), (xmin, ymin, xmax, ymax)


def radius_in_pixels(radius: float, pixel: float) -> int:
    buffer = int(radius / pixel)
    if radius - pixel * buffer > 0.5:  # QGIS compares the remainder with half a map unit, not half a pixel
        buffer += 1
    return buffer


@dataclass
class KdeResult:
    values: np.ndarray  # (rows, cols), top row first; NODATA where no kernel reached; float32 in fast mode
    grid: RasterGrid
    n_points: int
    dropped: int = 0  # points QGIS would drop (block over the raster edge, or outside the bounds)

    def filled(self) -> np.ndarray:
        return np.where(self.values == NODATA, 0.0, self.values)


def kde_exact(
    xy: np.ndarray,
    radius: float,
    pixel: float,
    kernel: str = "quartic",
    weights: Optional[np.ndarray] = None,
    decay: float = 0.0,
    chunk: int = 4_000,
    progress: Optional[Callable[[float], bool]] = None,
) -> KdeResult:
    """QGIS heatmap 'Raw' output, pixel for pixel. `progress(fraction)` returning False cancels (raises)."""
    xy = _check(xy, radius, pixel)
    grid, (bx0, by0, bx1, by1) = qgis_grid(xy, radius, pixel)
    w = np.ones(len(xy)) if weights is None else np.nan_to_num(np.asarray(weights, dtype=np.float64), nan=0.0)
    b = radius_in_pixels(radius, pixel)
    bs = 2 * b + 1
    inb = (xy[:, 0] >= bx0) & (xy[:, 0] <= bx1) & (xy[:, 1] >= by0) & (xy[:, 1] <= by1)
    # C++ converts (double) offsets to unsigned int: truncation toward zero
    xpos = np.trunc((xy[:, 0] - bx0) / pixel - b).astype(np.int64)
    ypos = np.trunc((xy[:, 1] - by0) / pixel - b).astype(np.int64)
    ypos_io = np.trunc((by1 - xy[:, 1]) / pixel - b).astype(np.int64)
    fits = inb & (xpos >= 0) & (ypos_io >= 0) & (xpos + bs <= grid.cols) & (ypos_io + bs <= grid.rows)
    idx = np.flatnonzero(fits)
    # Points in raster row order: each chunk then touches a narrow band of rows, so its sums are counted into a
    # small array (cache-sized) instead of one the size of the raster per chunk. Addition order changes only in
    # the last bits of a double; the raster is written as float32.
    idx = idx[np.argsort(ypos_io[idx], kind="stable")]
    acc = np.zeros(grid.rows * grid.cols)
    touched = np.zeros(grid.rows * grid.cols, dtype=bool)
    off = np.arange(bs)
    block = off[:, None] * grid.cols + off[None, :]  # raster offsets of the block's rows × columns
    r2 = radius * radius
    for start in range(0, len(idx), chunk):
        sel = idx[start : start + chunk]
        px, py = xy[sel, 0], xy[sel, 1]
        cx = (xpos[sel, None] + off[None, :] + 0.5) * pixel + bx0  # (m, bs): by block column xp
        cy = (ypos[sel, None] + off[None, :] + 0.5) * pixel + by0  # (m, bs): by block row yp
        # t = 1 − d²/r² from a column part and a row part: one broadcast subtraction instead of sqrt per pixel
        t = np.subtract((1.0 - (cx - px[:, None]) ** 2 / r2)[:, None, :], ((cy - py[:, None]) ** 2 / r2)[:, :, None])
        inside = t >= 0.0
        val = _kernel_of_t(kernel, t, decay)
        if weights is not None:
            val *= w[sel, None, None]
        origin = ypos_io[sel] * grid.cols + xpos[sel]
        lo = int(origin.min())
        flat = (origin - lo)[:, None, None] + block[None, :, :]
        band = np.bincount(flat.ravel(), weights=val.ravel())
        acc[lo : lo + band.size] += band
        # QGIS writes every pixel whose centre is within the radius, even where the kernel's value is 0
        touched[flat[inside] + lo] = True
        if progress is not None and progress((start + len(sel)) / max(len(idx), 1)) is False:
            raise InterruptedError("kernel density canceled")
    values = np.where(touched, acc, NODATA).reshape(grid.rows, grid.cols)
    return KdeResult(values, grid, len(xy), int(len(xy) - len(idx)))


def kde_fast(
    xy: np.ndarray,
    radius: float,
    pixel: float,
    kernel: str = "quartic",
    weights: Optional[np.ndarray] = None,
    decay: float = 0.0,
    qgis_compatible: bool = True,
) -> KdeResult:
    """Binned (linear) + FFT estimate of the raw surface on QGIS's raster.

    With `qgis_compatible`, each kernel is displaced vertically exactly as QGIS's mirrored block displaces it
    (by less than one pixel), so the result estimates QGIS's raster; without it, the kernel sits on the point.
    """
    xy = _check(xy, radius, pixel)
    grid, (bx0, by0, bx1, by1) = qgis_grid(xy, radius, pixel)
    w = np.ones(len(xy)) if weights is None else np.nan_to_num(np.asarray(weights, dtype=np.float64), nan=0.0)
    # continuous pixel coordinates of each point, pixel centres at integers; row counted from the top
    fx = (xy[:, 0] - grid.x0) / grid.pixel - 0.5
    fy = (grid.y_top - xy[:, 1]) / grid.pixel - 0.5
    if qgis_compatible:
        b = radius_in_pixels(radius, pixel)
        a = (xy[:, 1] - by0) / pixel - b
        c = (by1 - xy[:, 1]) / pixel - b
        fy = fy + (a - np.trunc(a)) - (c - np.trunc(c))  # the mirrored block's centre row
    ix = np.floor(fx).astype(np.int64)
    iy = np.floor(fy).astype(np.int64)
    tx = fx - ix
    ty = fy - iy
    pad = 1  # the 2×2 stencil may reach one pixel past the raster
    shape = (grid.rows + 2 * pad, grid.cols + 2 * pad)
    # the four corners of every point in one bincount (one pass over the raster instead of four)
    corners = [(ddy, ddx, wy * wx) for ddy, wy in ((0, 1 - ty), (1, ty)) for ddx, wx in ((0, 1 - tx), (1, tx))]
    flat = np.concatenate(
        [np.clip(iy + ddy + pad, 0, shape[0] - 1) * shape[1] + np.clip(ix + ddx + pad, 0, shape[1] - 1)
         for ddy, ddx, _ in corners]
    )  # fmt: skip
    share = np.concatenate([w * cw for _, _, cw in corners])
    binned = np.bincount(flat, weights=share, minlength=shape[0] * shape[1]).reshape(shape)
    del flat, share
    b = int(np.ceil(radius / grid.pixel))
    off = np.arange(-b, b + 1) * grid.pixel
    d = np.hypot(off[:, None], off[None, :])
    stencil = np.where(d <= radius, kernel_raw(kernel, d, radius, decay), 0.0)
    dens = _convolve_same(binned, stencil)[pad:-pad, pad:-pad]
    del binned
    # single-precision FFT round-off: two comparisons instead of an |x| copy of the raster
    tiny = np.float32(1e-6 * max(float(dens.max()), -float(dens.min()), 1e-300))
    dens[(dens < tiny) & (dens > -tiny)] = 0.0
    # QGIS leaves pixels that no kernel reaches as nodata: so do we (transparent, not 0)
    dens[~reached_pixels(fx, fy, radius / grid.pixel, grid.rows, grid.cols)] = NODATA
    return KdeResult(dens, grid, len(xy))


def reached_pixels(fx: np.ndarray, fy: np.ndarray, reach: float, rows: int, cols: int) -> np.ndarray:
    """Pixels whose centre lies within `reach` (pixels) of some point at continuous pixel position (fx, fy).

    A point lies within √½ pixel of its nearest pixel centre: widening the marked nearest pixels by a disc of
    reach − √½ (by FFT) gives pixels reached for sure, by reach + √½ every pixel that may be; only that thin ring
    is measured point by point with a k-d tree.
    """
    from scipy.spatial import cKDTree

    half_diag = np.sqrt(0.5) + 1e-9
    k = int(np.ceil(reach + half_diag))
    shape = _fft_shape((rows, cols), 2 * k + 1)
    occupied = np.zeros(shape, dtype=np.float32)  # already padded: the FFT copies nothing
    occupied[np.clip(np.rint(fy).astype(np.int64), 0, rows - 1), np.clip(np.rint(fx).astype(np.int64), 0, cols - 1)] = 1
    spec = sfft.rfft2(occupied, workers=-1)
    del occupied
    off = np.arange(-k, k + 1)
    d = np.hypot(off[:, None], off[None, :])

    def widened(radius: float) -> np.ndarray:
        disc = _kernel_spectrum((d <= radius).astype(np.float32), shape)
        disc *= spec
        full = sfft.irfft2(disc, shape, workers=-1, overwrite_x=True)
        return full[k : k + rows, k : k + cols] > 0.5  # counts of marked pixels; round-off is ~1e-3

    reached = widened(reach - half_diag) if reach > half_diag else np.zeros((rows, cols), dtype=bool)
    ring_r, ring_c = np.nonzero(widened(reach + half_diag) & ~reached)
    if len(ring_r):
        tree = cKDTree(np.column_stack([fx, fy]), balanced_tree=False, compact_nodes=False)
        ring = np.column_stack([ring_c, ring_r]).astype(np.float64)
        dist, _ = tree.query(ring, distance_upper_bound=reach * 1.01, workers=-1)
        hit = dist <= reach
        reached[ring_r[hit], ring_c[hit]] = True
    return reached


def fast_error_bound(kernel: str, radius: float, pixel: float, decay: float = 0.0, samples: int = 6) -> float:
    """Relative RMS difference between one kernel as QGIS samples it and its binned + FFT estimate.

    Averaged over sub-pixel positions of an isolated point. Where kernels overlap the errors partly cancel, so the
    whole-raster difference is smaller (about a fifth of this at incident densities): an upper bound to warn with.
    """
    b = int(np.ceil(radius / pixel))
    lattice = np.arange(-b, b + 2) * pixel
    gx, gy = np.meshgrid(lattice, lattice)
    d = np.hypot(*np.meshgrid(np.arange(-b, b + 1) * pixel, np.arange(-b, b + 1) * pixel))
    stencil = np.where(d <= radius, kernel_raw(kernel, d, radius, decay), 0.0)
    num = den = 0.0
    for ox in (np.arange(samples) + 0.5) / samples:
        for oy in (np.arange(samples) + 0.5) / samples:
            dd = np.hypot(gx - ox * pixel, gy - oy * pixel)
            exact = np.where(dd <= radius, kernel_raw(kernel, dd, radius, decay), 0.0)
            approx = np.zeros_like(exact)
            for ix, wx in ((0, 1 - ox), (1, ox)):
                for iy, wy in ((0, 1 - oy), (1, oy)):
                    approx[iy : iy + 2 * b + 1, ix : ix + 2 * b + 1] += wx * wy * stencil
            num += float(((approx - exact) ** 2).sum())
            den += float((exact**2).sum())
    return float(np.sqrt(num / den)) if den > 0 else 1.0


def _fft_shape(image: tuple[int, int], kernel_size: int) -> tuple[int, int]:
    """Fast real-FFT lengths that hold an image and an odd kernel without wrapping around."""
    return (sfft.next_fast_len(image[0] + kernel_size - 1, True), sfft.next_fast_len(image[1] + kernel_size - 1, True))


def _kernel_spectrum(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """rfft2 of a small kernel zero-padded to `shape`: rows first on the kernel's own rows only (the padding rows
    would transform to zeros), then the columns; the same spectrum for a fraction of the work and memory."""
    rows = sfft.rfft(kernel, shape[1], axis=1, workers=-1)
    return sfft.fft(rows, shape[0], axis=0, workers=-1, overwrite_x=True)


def _convolve_same(image: np.ndarray, stencil: np.ndarray) -> np.ndarray:
    """Linear 2-D convolution by real FFT on a fast length, cropped to the image ("same"); stencil is odd-sized.

    Single precision: twice as fast, and its round-off (~1e-7 of the maximum) is far below the binning error and
    the Float32 GeoTIFF the result goes to. Large rasters are the case this is for, so it allocates each
    raster-sized array once (fresh pages cost the kernel as much time here as the transforms).
    """
    kr, kc = stencil.shape
    shape = _fft_shape(image.shape, max(kr, kc))
    padded = np.zeros(shape, dtype=np.float32)
    padded[: image.shape[0], : image.shape[1]] = image
    spec = sfft.rfft2(padded, workers=-1)
    del padded
    spec *= _kernel_spectrum(stencil.astype(np.float32), shape)
    full = sfft.irfft2(spec, shape, workers=-1, overwrite_x=True)
    return full[kr // 2 : kr // 2 + image.shape[0], kc // 2 : kc // 2 + image.shape[1]]


def _check(xy: np.ndarray, radius: float, pixel: float) -> np.ndarray:
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) == 0:
        raise ValueError("no points")
    if not (np.isfinite(radius) and radius > 0 and np.isfinite(pixel) and pixel > 0):
        raise ValueError("radius and pixel size must be positive")
    return xy


def relative_rms(a: np.ndarray, b: np.ndarray) -> float:
    """RMS difference relative to the RMS of `b` over pixels where either is non-zero."""
    a = np.where(a == NODATA, 0.0, a)
    b = np.where(b == NODATA, 0.0, b)
    m = (a != 0) | (b != 0)
    if not m.any():
        return 0.0
    return float(np.sqrt(np.mean((a[m] - b[m]) ** 2)) / np.sqrt(np.mean(b[m] ** 2)))


def auto_mode(n_points: int, kernel: str, radius: float, pixel: float, decay: float = 0.0) -> tuple[str, float]:
    """("fast" | "exact", error bound of fast mode): fast only for many points and a bound within 1 %."""
    bound = fast_error_bound(kernel, radius, pixel, decay)
    return ("fast" if n_points > AUTO_FAST_ABOVE and bound <= FAST_MAX_ERROR else "exact"), bound
