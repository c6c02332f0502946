"""Aggregate points to a square (fishnet) or hexagon grid, vectorised.

Grids are snapped to multiples of the cell size so the same data gives the same cells in every run,
and cell ids are stable (row-major) so time steps of a space-time cube line up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

SQRT3 = float(np.sqrt(3.0))
MAX_CELLS = 20_000_000  # beyond this a grid no longer fits comfortably in memory; ask for a larger cell


@dataclass
class Grid:
    """Regular grid: "square" (side = cell_size) or "hex" (pointy-top; neighbouring centres cell_size apart)."""

    kind: str
    cell_size: float
    x0: float
    y0: float
    ncols: int
    nrows: int

    @property
    def n_cells(self) -> int:
        return self.ncols * self.nrows

    @property
    def row_step(self) -> float:
        return self.cell_size if self.kind == "square" else self.cell_size * SQRT3 / 2.0

    def centers(self, cells: Optional[np.ndarray] = None) -> np.ndarray:
        """(m, 2) centre coordinates of `cells` (all cells when None)."""
        ids = np.arange(self.n_cells) if cells is None else np.asarray(cells, dtype=np.int64)
        row, col = np.divmod(ids, self.ncols)
        if self.kind == "square":
            cx = self.x0 + (col + 0.5) * self.cell_size
            cy = self.y0 + (row + 0.5) * self.cell_size
        else:
            cx = self.x0 + col * self.cell_size + (row % 2) * (self.cell_size / 2.0)
            cy = self.y0 + row * self.row_step
        return np.column_stack([cx, cy]).astype(np.float64)

    def rings(self, cells: Optional[np.ndarray] = None) -> np.ndarray:
        """(m, v, 2) polygon vertices (v = 4 or 6, not closed) of `cells`."""
        c = self.centers(cells)
        if self.kind == "square":
            h = self.cell_size / 2.0
            offsets = np.array([[-h, -h], [h, -h], [h, h], [-h, h]])
        else:
            r = self.cell_size / SQRT3  # circumradius of a hexagon whose flat-to-flat width is cell_size
            ang = np.radians(30.0 + 60.0 * np.arange(6))
            offsets = np.column_stack([r * np.cos(ang), r * np.sin(ang)])
        return c[:, None, :] + offsets[None, :, :]

    def cell_of(self, xy: np.ndarray) -> np.ndarray:
        """Cell id of each point, -1 outside the grid."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        if self.kind == "square":
            col = np.floor((xy[:, 0] - self.x0) / self.cell_size).astype(np.int64)
            row = np.floor((xy[:, 1] - self.y0) / self.cell_size).astype(np.int64)
        else:
            row, col = self._hex_rowcol(xy)
        ok = (col >= 0) & (col < self.ncols) & (row >= 0) & (row < self.nrows)
        return np.where(ok, row * self.ncols + col, -1)

    def _hex_rowcol(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # A pointy-top hexagon reaches 2/3 of a row step beyond its row line, so the nearest centre of a point
        # lying between two row lines is always in one of those two rows: test both, keep the nearer.
        dy = self.row_step
        r0 = np.floor((xy[:, 1] - self.y0) / dy).astype(np.int64)
        best_row = r0
        best_col = np.zeros_like(r0)
        best_d = np.full(len(xy), np.inf)
        for r in (r0, r0 + 1):
            shift = (r % 2) * (self.cell_size / 2.0)
            c = np.rint((xy[:, 0] - self.x0 - shift) / self.cell_size).astype(np.int64)
            d = (xy[:, 0] - (self.x0 + c * self.cell_size + shift)) ** 2 + (xy[:, 1] - (self.y0 + r * dy)) ** 2
            better = d < best_d
            best_row = np.where(better, r, best_row)
            best_col = np.where(better, c, best_col)
            best_d = np.where(better, d, best_d)
        return best_row, best_col


def make_grid(xy: np.ndarray, cell_size: float, kind: str = "square") -> Grid:
    """Smallest snapped grid of `kind` covering every point in `xy`."""
    if kind not in ("square", "hex"):
        raise ValueError(f"unknown grid kind {kind!r} (square or hex)")
    if not np.isfinite(cell_size) or cell_size <= 0:
        raise ValueError("cell size must be a positive number")
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) == 0:
        raise ValueError("no points to grid")
    xmin, ymin = xy.min(axis=0)
    xmax, ymax = xy.max(axis=0)
    if kind == "square":
        x0 = np.floor(xmin / cell_size) * cell_size
        y0 = np.floor(ymin / cell_size) * cell_size
        ncols = int(np.floor((xmax - x0) / cell_size)) + 1
        nrows = int(np.floor((ymax - y0) / cell_size)) + 1
    else:
        dy = cell_size * SQRT3 / 2.0
        # centres sit on the lattice; start one step before the data so border points have their nearest centre
        x0 = (np.floor(xmin / cell_size) - 1) * cell_size
        y0 = (np.floor(ymin / (2 * dy)) * 2 - 2) * dy  # even row index keeps the odd-row offset stable
        ncols = int(np.ceil((xmax - x0) / cell_size)) + 2
        nrows = int(np.ceil((ymax - y0) / dy)) + 2
    if ncols * nrows > MAX_CELLS:
        raise ValueError(f"grid of {ncols}×{nrows} cells is too large; use a larger cell size")
    return Grid(kind, float(cell_size), float(x0), float(y0), ncols, nrows)


@dataclass
class Aggregation:
    grid: Grid
    cells: np.ndarray  # ids of the kept cells
    values: np.ndarray  # count (or sum of weights) per kept cell
    point_cell: np.ndarray  # index into `cells` of each input point, -1 if dropped

    def centers(self) -> np.ndarray:
        return self.grid.centers(self.cells)

    def rings(self) -> np.ndarray:
        return self.grid.rings(self.cells)


def aggregate(
    xy: np.ndarray,
    cell_size: float,
    kind: str = "square",
    weights: Optional[np.ndarray] = None,
    keep: str = "all",
    grid: Optional[Grid] = None,
) -> Aggregation:
    """Count (or sum `weights`) per cell.

    keep="all" keeps every cell of the covering grid (empty cells are real zeros for incident counts; hex grids keep
    the cells whose centre lies within the data extent grown by half a cell); keep="nonzero" keeps cells with data.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    grid = grid or make_grid(xy, cell_size, kind)
    cid = grid.cell_of(xy)
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=np.float64)
    inside = cid >= 0
    values_all = np.bincount(cid[inside], weights=w[inside], minlength=grid.n_cells)
    if keep == "nonzero":
        present = np.bincount(cid[inside], minlength=grid.n_cells) > 0
        cells = np.flatnonzero(present)
    elif keep == "all":
        if grid.kind == "hex":
            c = grid.centers()
            half = grid.cell_size / 2.0
            lo = xy.min(axis=0) - half
            hi = xy.max(axis=0) + half
            inbox = np.all((c >= lo) & (c <= hi), axis=1)
            inbox[np.unique(cid[inside])] = True
            cells = np.flatnonzero(inbox)
        else:
            cells = np.arange(grid.n_cells)
    else:
        raise ValueError("keep must be 'all' or 'nonzero'")
    lookup = np.full(grid.n_cells, -1, dtype=np.int64)
    lookup[cells] = np.arange(len(cells))
    point_cell = np.where(inside, lookup[np.where(inside, cid, 0)], -1)
    return Aggregation(grid, cells, values_all[cells], point_cell)
