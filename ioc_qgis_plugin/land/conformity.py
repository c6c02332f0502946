"""Conformity of parcels with the plan: which zone each parcel mostly lies in, whether its land use is allowed
there, and the share of each zone's parcel area per land-use code.

Zones are few and large, parcels many and small: one STRtree over the parcels, each zone prepared once; a
parcel fully inside a zone (the common case) costs one prepared `contains`, only border parcels an intersection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from .quality import _strtree


def parse_allowed(text: str) -> frozenset[str]:
    return frozenset(c.strip().upper() for c in (text or "").replace(";", ",").split(",") if c.strip())


@dataclass
class ZoneSummary:
    zone_id: str
    parcel_area: float = 0.0
    parcels: int = 0
    nonconforming: int = 0
    nonconforming_area: float = 0.0
    area_by_use: dict[str, float] = field(default_factory=dict)

    def shares(self) -> dict[str, float]:
        total = self.parcel_area or 1.0
        return {k: v / total for k, v in sorted(self.area_by_use.items(), key=lambda kv: -kv[1])}


@dataclass
class Conformity:
    zone_index: np.ndarray  # majority zone per parcel, -1 outside every zone
    zone_share: np.ndarray  # share of the parcel's area in that zone
    conforming: np.ndarray  # 1 allowed, 0 not allowed, -1 outside the plan
    zones: list[ZoneSummary]

    def reason(self, i: int, land_use: str, zone_ids: Sequence[str], allowed: Sequence[frozenset]) -> str:
        z = int(self.zone_index[i])
        if z < 0:
            return "Outside every planning zone"
        if self.conforming[i] == 1:
            return f"{land_use} allowed in {zone_ids[z]}"
        return f"{land_use or '(none)'} not allowed in {zone_ids[z]} (allowed: {', '.join(sorted(allowed[z]))})"


def check_conformity(
    parcels: Sequence[BaseGeometry],
    land_use: Sequence[str],
    zones: Sequence[BaseGeometry],
    allowed: Sequence[frozenset],
    zone_ids: Sequence[str],
) -> Conformity:
    n = len(parcels)
    best_area = np.zeros(n)
    zone_index = np.full(n, -1, dtype=np.int64)
    area = np.array([g.area if g is not None else 0.0 for g in parcels])
    summaries = [ZoneSummary(str(z)) for z in zone_ids]
    valid = [i for i, g in enumerate(parcels) if g is not None and not g.is_empty]
    tree = _strtree([parcels[i] for i in valid]) if valid else None
    codes = [str(c or "").strip().upper() for c in land_use]
    for k, zone in enumerate(zones):
        if tree is None or zone is None or zone.is_empty:
            continue
        pz = prep(zone)
        summary = summaries[k]
        for c in tree.query(zone):
            i = valid[c]
            g = parcels[i]
            if pz.contains(g):
                a = area[i]
            elif pz.intersects(g):
                a = zone.intersection(g).area
            else:
                continue
            if a <= 0:
                continue
            summary.parcel_area += a
            summary.area_by_use[codes[i]] = summary.area_by_use.get(codes[i], 0.0) + a
            if a > best_area[i]:
                best_area[i], zone_index[i] = a, k
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(area > 0, best_area / area, 0.0)
    conforming = np.full(n, -1, dtype=np.int64)
    for i in np.flatnonzero(zone_index >= 0):
        z = zone_index[i]
        ok = codes[i] in allowed[z]
        conforming[i] = 1 if ok else 0
        summaries[z].parcels += 1
        if not ok:
            summaries[z].nonconforming += 1
            summaries[z].nonconforming_area += best_area[i]
    return Conformity(zone_index, share, conforming, summaries)
