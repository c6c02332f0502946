"""Cadastral quality checks in metres: invalid geometries, overlaps, gaps, slivers, computed area vs DienTich.

shapely 1.8 and 2 alike (core.compat): one STRtree over the parcels, prepared geometries for the pair tests and
numpy for everything that is per parcel. Each neighbour pair is tested once (j > i), and the expensive intersection is
computed only for pairs whose interiors really meet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely.validation import explain_validity

from ..core.compat import GeometryIndex, geometry_bounds
from .errors import ImportCancelled
from .repair import make_valid_bounded

KINDS = ("invalid", "overlap", "gap", "sliver", "area")


@dataclass
class QualityOptions:
    overlap_min_m2: float = 0.05  # smaller overlaps are digitising noise
    gap_max_m2: float = 50.0  # holes in the parcel cover up to this size are gaps …
    gap_width_m: float = 1.0  # … and so are thin ones of any size (mean width 2·A/P); others are roads/blocks
    sliver_width_m: float = 0.5  # mean width 2·A/P below this is a sliver
    sliver_area_m2: float = 1.0  # or a parcel this small
    area_rel_tol: float = 0.05  # |computed − DienTich| above 5 % …
    area_abs_tol_m2: float = 1.0  # … and above 1 m²
    check_gaps: bool = True
    repair_budget_s: float = 10.0  # per invalid parcel: a pathological one is reported, not the import hung


@dataclass
class Issue:
    kind: str
    index: int  # parcel index (-1: not one parcel, e.g. a gap)
    other: int  # second parcel of an overlap, else -1
    value: float  # m² (overlap, gap, area difference) or m (sliver width)
    reason: str
    geom: Optional[BaseGeometry] = None  # what to draw: overlap/gap polygon, or the parcel


@dataclass
class QualityReport:
    n: int
    issues: list[Issue] = field(default_factory=list)
    repaired: dict[int, BaseGeometry] = field(default_factory=dict)  # index -> valid polygonal geometry

    def count(self, kind: str) -> int:
        return sum(1 for i in self.issues if i.kind == kind)

    def counts(self) -> dict[str, int]:
        return {k: self.count(k) for k in KINDS}

    def flagged(self, kind: str) -> np.ndarray:
        """Parcel indices involved in issues of one kind (both parcels of an overlap)."""
        idx = [i.index for i in self.issues if i.kind == kind and i.index >= 0]
        idx += [i.other for i in self.issues if i.kind == kind and i.other >= 0]
        return np.unique(np.asarray(idx, dtype=np.int64))

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{self.n} parcels: {c['invalid']} invalid, {c['overlap']} overlaps, {c['gap']} gaps, "
            f"{c['sliver']} slivers, {c['area']} area mismatches"
        )


def polygonal(geom: BaseGeometry) -> Optional[BaseGeometry]:
    """Polygon/MultiPolygon part of a geometry (what make_valid returns may be a collection)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    if not parts:
        return None
    return unary_union(parts)


def check_invalid(
    geoms: Sequence[BaseGeometry],
    report: QualityReport,
    budget_s: float = 10.0,
    cancelled: Optional[Callable[[], bool]] = None,
) -> list[BaseGeometry]:
    """Flags invalid parcels and returns the list with repaired geometries (used by the other checks)."""
    out = list(geoms)
    for i, g in enumerate(geoms):
        if g.is_valid:
            continue
        reason = explain_validity(g)
        repaired, why = make_valid_bounded(g, budget_s, cancelled)
        fixed = polygonal(repaired) if repaired is not None else None
        if why:
            reason += f" — {why}"
        report.issues.append(Issue("invalid", i, -1, 0.0, f"Invalid geometry: {reason}", g))
        if fixed is not None:
            report.repaired[i] = fixed
            out[i] = fixed
        else:  # left out of the other checks (GEOS fails on what it could not repair); reported as invalid
            out[i] = Polygon()
    return out


def _strtree(geoms: Sequence[BaseGeometry]) -> GeometryIndex:
    """Box index answering with positions in `geoms` on shapely 1.8 and 2 alike."""
    return GeometryIndex(geoms)


def candidate_pairs(
    geoms: Sequence[BaseGeometry], cancelled: Optional[Callable[[], bool]] = None
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j whose bounding boxes overlap with positive area (edge-to-edge neighbours drop out)."""
    valid = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    sub = [geoms[i] for i in valid]
    tree = _strtree(sub)
    ii: list[np.ndarray] = []
    jj: list[np.ndarray] = []
    for start in range(0, len(sub), 5000):  # chunks so a cancel is seen within one chunk
        if cancelled is not None and cancelled():
            raise ImportCancelled("Quality check cancelled.")
        a, c = tree.query_many(sub[start : start + 5000])
        a += start
        keep = c > a
        if keep.any():
            ii.append(a[keep])
            jj.append(c[keep])
    if not ii:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(ii), np.concatenate(jj)
    b = geometry_bounds(sub)
    w = np.minimum(b[i, 2], b[j, 2]) - np.maximum(b[i, 0], b[j, 0])
    h = np.minimum(b[i, 3], b[j, 3]) - np.maximum(b[i, 1], b[j, 1])
    keep = (w > 1e-9) & (h > 1e-9)
    vidx = np.asarray(valid, dtype=np.int64)
    return vidx[i[keep]], vidx[j[keep]]


def find_overlaps(
    geoms: Sequence[BaseGeometry],
    min_area: float = 0.05,
    cancelled: Optional[Callable[[], bool]] = None,
    progress: Optional[Callable[[float], None]] = None,
) -> list[tuple[int, int, float, BaseGeometry]]:
    """(i, j, area m², overlap geometry) for every pair whose interiors overlap by at least `min_area`."""
    ii, jj = candidate_pairs(geoms, cancelled)
    out = []
    n = len(ii)
    for k in range(n):
        if k % 20000 == 0:
            if cancelled is not None and cancelled():
                raise ImportCancelled("Quality check cancelled.")
            if progress is not None:
                progress(k / max(n, 1))
        g, o = geoms[ii[k]], geoms[jj[k]]
        if not g.relate_pattern(o, "2********"):  # interiors share an area, not just a boundary
            continue
        inter = g.intersection(o)
        area = inter.area
        if area >= min_area:
            out.append((int(ii[k]), int(jj[k]), area, polygonal(inter) or inter))
    return out


def find_gaps(geoms: Sequence[BaseGeometry], max_area: float, max_width: float = 1.0) -> list[BaseGeometry]:
    """Holes in the union of the parcels, minus parcels lying inside them: small (≤ `max_area` m²) or thin.

    Big, wide holes are streets or unmapped blocks, not digitising gaps.
    """
    valid = [g for g in geoms if g is not None and not g.is_empty]
    merged = unary_union(valid)
    polys = list(merged.geoms) if hasattr(merged, "geoms") else [merged]
    holes = [Polygon(ring) for poly in polys for ring in getattr(poly, "interiors", [])]
    if not holes:
        return []
    tree = _strtree(valid)
    gaps = []
    for hole in holes:
        ph = prep(hole)
        islands = [valid[c] for c in tree.query(hole) if ph.contains(valid[c])]
        gap = hole.difference(unary_union(islands)) if islands else hole
        area = gap.area
        if area > 0 and (area <= max_area or 2 * area / max(gap.length, 1e-9) <= max_width):
            gaps.append(gap)
    return gaps


def check_quality(
    geoms: Sequence[BaseGeometry],
    declared: Optional[Sequence[float]] = None,
    options: Optional[QualityOptions] = None,
    cancelled: Optional[Callable[[], bool]] = None,
    progress: Optional[Callable[[float], None]] = None,
) -> QualityReport:
    """All checks on parcels in a metric CRS; `declared` = DienTich per parcel (NaN/None = not declared)."""
    opts = options or QualityOptions()
    report = QualityReport(len(geoms))
    fixed = check_invalid(geoms, report, opts.repair_budget_s, cancelled)
    area = np.array([g.area for g in fixed], dtype=np.float64)
    perim = np.array([g.length for g in fixed], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(perim > 0, 2 * area / perim, 0.0)
    unrepaired = np.array([g.is_empty for g in fixed], dtype=bool)
    for i in np.flatnonzero(((width < opts.sliver_width_m) | (area < opts.sliver_area_m2)) & ~unrepaired):
        report.issues.append(
            Issue(
                "sliver",
                int(i),
                -1,
                float(width[i]),
                f"Sliver: mean width {width[i]:.2f} m, area {area[i]:.2f} m²",
                fixed[i],
            )
        )
    if declared is not None:
        dec = np.array([np.nan if v is None else float(v) for v in declared], dtype=np.float64)
        diff = area - dec
        with np.errstate(invalid="ignore"):
            bad = (np.abs(diff) > opts.area_abs_tol_m2) & (np.abs(diff) > opts.area_rel_tol * np.abs(dec))
        for i in np.flatnonzero(bad):
            report.issues.append(
                Issue(
                    "area",
                    int(i),
                    -1,
                    float(diff[i]),
                    f"Computed area {area[i]:.1f} m² differs from DienTich {dec[i]:.1f} m² "
                    f"by {diff[i]:+.1f} m² ({100 * diff[i] / dec[i]:+.1f} %)",
                    fixed[i],
                )
            )
    for i, j, a, g in find_overlaps(fixed, opts.overlap_min_m2, cancelled, progress):
        report.issues.append(Issue("overlap", i, j, a, f"Overlaps parcel #{j + 1} by {a:.2f} m²", g))
    if opts.check_gaps:
        for g in find_gaps(fixed, opts.gap_max_m2, opts.gap_width_m):
            report.issues.append(Issue("gap", -1, -1, g.area, f"Gap of {g.area:.2f} m² between parcels", g))
    return report
