"""What the parcel card shows: parcel data, land-use label, planning zone and conformity, nearby open land reports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

from shapely.geometry.base import BaseGeometry

from ..core.compat import transform_xy
from ..core.land_use import land_uses
from ..core.statuses import OPEN_STATUSES
from .conformity import parse_allowed

EARTH_R = 6371008.8


@dataclass
class ParcelCard:
    parcel: dict
    land_use_label: str
    area_computed_m2: float
    zones: list[dict] = field(default_factory=list)  # zone_id, name, zone_type, allowed_uses, share, decision
    conforming: Optional[bool] = None  # None: outside the plan
    reports: list[dict] = field(default_factory=list)  # report_id, service_name, status, description, distance_m

    @property
    def main_zone(self) -> Optional[dict]:
        return self.zones[0] if self.zones else None


def _local_metres(geom: BaseGeometry, lon0: float, lat0: float) -> BaseGeometry:
    """Equirectangular metres around (lon0, lat0): exact enough for areas and distances within a few km."""
    kx = math.cos(math.radians(lat0)) * math.pi / 180 * EARTH_R
    ky = math.pi / 180 * EARTH_R
    return transform_xy(lambda x, y: ((x - lon0) * kx, (y - lat0) * ky), geom)


def parcel_card(
    store: Any, fid: Optional[int] = None, parcel_id: str = "", distance_m: float = 200.0, lang: str = "vi"
) -> Optional[ParcelCard]:
    where, params = ("fid = ?", (int(fid),)) if fid is not None else ("parcel_id = ?", (parcel_id,))
    rows = store.fetch("parcels", where, params, geometry=True, limit=1)
    if not rows:
        return None
    parcel = rows[0]
    geom = parcel.pop("geom", None)
    lu = land_uses().get(str(parcel.get("land_use") or ""))
    label = lu.label(lang) if lu else f"{parcel.get('land_use') or ''} (?)"
    card = ParcelCard(parcel, label, 0.0)
    if geom is None or geom.is_empty:
        return card
    c = geom.representative_point()
    lon0, lat0 = c.x, c.y
    local = _local_metres(geom, lon0, lat0)
    card.area_computed_m2 = local.area
    # planning zones: few rows, filtered by bounding box first
    minx, miny, maxx, maxy = geom.bounds
    zones = store.fetch("planning_zones", geometry=True)
    for z in zones:
        zg = z.pop("geom", None)
        if zg is None or not zg.intersects(geom):
            continue
        share = _local_metres(zg.intersection(geom), lon0, lat0).area / max(local.area, 1e-9)
        if share > 0:
            z["share"] = share
            card.zones.append(z)
    card.zones.sort(key=lambda z: -z["share"])
    if card.zones:
        card.conforming = str(parcel.get("land_use") or "").upper() in parse_allowed(card.zones[0]["allowed_uses"])
    # open land reports within distance of the parcel (bounding box in SQL, exact distance here)
    dlat = distance_m / (math.pi / 180 * EARTH_R)
    dlon = dlat / max(math.cos(math.radians(lat0)), 1e-6)
    open_statuses = sorted(s.value for s in OPEN_STATUSES)
    reports = store.fetch(
        "field_reports",
        f"service_code = ? AND status IN ({', '.join('?' * len(open_statuses))}) "
        "AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?",
        ("land", *open_statuses, minx - dlon, maxx + dlon, miny - dlat, maxy + dlat),
        ["report_id", "service_name", "status", "description", "address", "requested_at", "lon", "lat"],
    )
    from shapely.geometry import Point

    for r in reports:
        d = local.distance(_local_metres(Point(float(r["lon"]), float(r["lat"])), lon0, lat0))
        if d <= distance_m:
            r["distance_m"] = d
            card.reports.append(r)
    card.reports.sort(key=lambda r: r["distance_m"])
    return card
