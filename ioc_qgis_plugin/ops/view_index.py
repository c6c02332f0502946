"""Which cameras see a place, and which reports a camera sees.

Report → cameras: an STRtree over the cameras' geodesic FOV wedges (core.fov), exact `covers`, then distance order.
Camera → reports: a vectorised angle + distance test in a local metric frame around the camera (no per-point
shapely call); only points within a hair of the wedge's outline are settled by the wedge polygon itself, so both
directions agree exactly with `fov_wedge(...).covers(point)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
from pyproj import Geod
from shapely.geometry import Point, Polygon
from shapely.prepared import prep

from ..core.compat import GeometryIndex
from ..core.fov import fov_wedge
from ..core.statuses import OPEN_STATUSES

_GEOD = Geod(ellps="WGS84")
_A = 6378137.0
_E2 = 6.69437999014e-3
# Points this close to the wedge outline (relative range / degrees / metres) are decided by the polygon itself:
# the wedge's arc is a polyline (chord sag ≤ 0.06 % of the range) and the local frame is not exactly geodesic.
_EDGE_REL = 0.003
_EDGE_DEG = 0.25
_EDGE_M = 0.5
_OPEN_VALUES = np.array(sorted(s.value for s in OPEN_STATUSES), dtype=object)


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """(east, north) metres per degree of longitude/latitude at `lat` on the WGS 84 ellipsoid."""
    phi = np.radians(lat)
    s2 = np.sin(phi) ** 2
    n = _A / np.sqrt(1 - _E2 * s2)  # prime vertical radius
    m = _A * (1 - _E2) / (1 - _E2 * s2) ** 1.5  # meridian radius
    return float(np.radians(1) * n * np.cos(phi)), float(np.radians(1) * m)


@dataclass
class CameraHit:
    camera_id: str
    distance_m: float
    name: str = ""
    note: str = ""  # e.g. "no bearing/angle: treated as 360°"


@dataclass
class Cameras:
    """Camera columns (WGS 84). Missing values are NaN (numbers) or '' (text)."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    bearing: np.ndarray
    angle: np.ndarray
    range_m: np.ndarray
    names: Optional[np.ndarray] = None

    @classmethod
    def from_rows(cls, rows: Sequence[dict]) -> Cameras:
        def num(key: str) -> np.ndarray:
            return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], dtype=np.float64)

        return cls(
            ids=np.array([str(r["camera_id"]) for r in rows], dtype=object),
            lon=num("lon"),
            lat=num("lat"),
            bearing=num("bearing"),
            angle=num("angle"),
            range_m=num("range_m"),
            names=np.array([str(r.get("name") or r["camera_id"]) for r in rows], dtype=object),
        )

    @classmethod
    def from_store(cls, store) -> Cameras:  # noqa: ANN001 - IocStore
        rows = store.fetch("cameras", columns=["camera_id", "name", "bearing", "angle", "range_m"], geometry=True)
        for r in rows:
            g = r.pop("geom", None)
            r["lon"], r["lat"] = (g.x, g.y) if g is not None and not g.is_empty else (None, None)
        return cls.from_rows(rows)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Reports:
    """Report points (WGS 84) and whether each is open; NaN lon/lat = no location."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    is_open: np.ndarray

    @classmethod
    def from_columns(cls, cols: dict) -> Reports:
        status = np.asarray(cols["status"], dtype=object)
        return cls(
            ids=np.asarray(cols["report_id"], dtype=object),
            lon=np.asarray(cols["lon"], dtype=np.float64),
            lat=np.asarray(cols["lat"], dtype=np.float64),
            is_open=np.isin(status, _OPEN_VALUES),
        )

    @classmethod
    def from_store(cls, store, where: str = "", params: Sequence = ()) -> Reports:  # noqa: ANN001 - IocStore
        return cls.from_columns(store.columns("field_reports", ["report_id", "status", "lon", "lat"], where, params))

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class ViewResult:
    """Reports inside one camera's view, nearest first."""

    camera_id: str
    report_ids: list[str] = field(default_factory=list)
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # indices into Reports
    distance_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    note: str = ""


class ViewIndex:
    """Both lookups over one set of cameras (and optionally reports); build once, query many times."""

    def __init__(self, cameras: Cameras, reports: Optional[Reports] = None) -> None:
        self.cameras = cameras
        self.reports = reports
        self._row = {cid: i for i, cid in enumerate(cameras.ids)}
        self.notes: dict[str, str] = {}  # camera_id → why it is treated specially
        self.wedges: list[Polygon] = []
        for i, cid in enumerate(cameras.ids):
            lon, lat, rng = cameras.lon[i], cameras.lat[i], cameras.range_m[i]
            bearing, angle = _opt(cameras.bearing[i]), _opt(cameras.angle[i])
            if not (np.isfinite(lon) and np.isfinite(lat)):
                self.notes[cid] = "no location: cannot see anything"
                self.wedges.append(Polygon())
                continue
            if not np.isfinite(rng) or rng <= 0:
                self.notes[cid] = "no range: field of view unknown, left out"
                self.wedges.append(Polygon())
                continue
            if bearing is None or angle is None:
                self.notes[cid] = "no bearing/angle: treated as seeing all around (360°)"
            self.wedges.append(fov_wedge(float(lon), float(lat), bearing, angle, float(rng)))
        valid = [i for i, w in enumerate(self.wedges) if not w.is_empty]
        self._valid = valid
        self._tree = GeometryIndex([self.wedges[i] for i in valid]) if valid else None
        self._prepared = {i: prep(self.wedges[i]) for i in valid}
        if reports is not None:
            self._report_row = {rid: i for i, rid in enumerate(reports.ids)}
            self._located = np.isfinite(reports.lon) & np.isfinite(reports.lat)
            # reports sorted by longitude: a camera's bounding box becomes one searchsorted slice
            order = np.argsort(np.where(self._located, reports.lon, np.inf), kind="stable")
            self._order = order[self._located[order]]
            self._sorted_lon = reports.lon[self._order]
        self.unlocated_reports = 0 if reports is None else int((~self._located).sum())

    # -- report → cameras ----------------------------------------------------------------------------------
    def cameras_seeing(self, lon: Optional[float], lat: Optional[float]) -> list[CameraHit]:
        """Cameras whose wedge covers (lon, lat), nearest first; [] for a point without location."""
        if lon is None or lat is None or not (np.isfinite(lon) and np.isfinite(lat)) or self._tree is None:
            return []
        pt = Point(float(lon), float(lat))
        rows = [i for i in self._query(pt) if self._prepared[i].covers(pt)]
        if not rows:
            return []
        c = self.cameras
        idx = np.array(rows)
        _, _, dist = _GEOD.inv(c.lon[idx], c.lat[idx], np.full(len(idx), float(lon)), np.full(len(idx), float(lat)))
        hits = [
            CameraHit(
                str(c.ids[i]), float(d), str(c.names[i]) if c.names is not None else "", self.notes.get(c.ids[i], "")
            )
            for i, d in zip(rows, np.atleast_1d(dist))
        ]
        hits.sort(key=lambda h: (h.distance_m, h.camera_id))
        return hits

    def cameras_for_report(self, report_id: str) -> tuple[list[CameraHit], str]:
        """(cameras, note); the note explains an empty answer."""
        if self.reports is None or report_id not in self._report_row:
            return [], f"report {report_id} is not loaded"
        i = self._report_row[report_id]
        if not self._located[i]:
            return [], f"report {report_id} has no location"
        hits = self.cameras_seeing(self.reports.lon[i], self.reports.lat[i])
        return hits, "" if hits else f"no camera's field of view covers report {report_id}"

    def _query(self, geom) -> list[int]:  # noqa: ANN001
        """Camera rows whose wedge box meets `geom`."""
        return [self._valid[int(k)] for k in self._tree.query(geom)]

    # -- camera → reports ----------------------------------------------------------------------------------
    def reports_in_view(self, camera_id: str, open_only: bool = True) -> ViewResult:
        out = ViewResult(camera_id)
        ci = self._row.get(camera_id)
        if ci is None:
            out.note = f"camera {camera_id} is not known"
            return out
        wedge = self.wedges[ci]
        if wedge.is_empty:
            out.note = f"camera {camera_id}: {self.notes.get(camera_id, 'no field of view')}"
            return out
        out.note = self.notes.get(camera_id, "")
        r = self.reports
        if r is None or not len(self._order):
            return out
        minx, miny, maxx, maxy = wedge.bounds
        lo = np.searchsorted(self._sorted_lon, minx, side="left")
        hi = np.searchsorted(self._sorted_lon, maxx, side="right")
        cand = self._order[lo:hi]
        cand = cand[(r.lat[cand] >= miny) & (r.lat[cand] <= maxy)]
        if open_only:
            cand = cand[r.is_open[cand]]
        inside, dist = self._in_wedge(ci, r.lon[cand], r.lat[cand])
        rows, dist = cand[inside], dist[inside]
        order = np.lexsort((r.ids[rows].astype(str), dist))
        out.rows, out.distance_m = rows[order], dist[order]
        out.report_ids = [str(x) for x in r.ids[out.rows]]
        return out

    def _in_wedge(self, ci: int, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised wedge test in a local east/north metre frame; boundary cases go to the polygon."""
        c = self.cameras
        clon, clat, rng = c.lon[ci], c.lat[ci], c.range_m[ci]
        ex, ny = _metres_per_degree(clat)
        dx, dy = (lon - clon) * ex, (lat - clat) * ny
        dist = np.hypot(dx, dy)
        bearing, angle = _opt(c.bearing[ci]), _opt(c.angle[ci])
        full = bearing is None or angle is None or angle >= 360
        margin = max(rng * _EDGE_REL, _EDGE_M)
        inside = dist <= rng - margin
        unsure = np.abs(dist - rng) <= margin
        if not full:
            half = max(angle, 0.1) / 2.0
            az = np.degrees(np.arctan2(dx, dy))
            off = np.abs((az - bearing + 180.0) % 360.0 - 180.0)
            inside &= off < half - _EDGE_DEG
            unsure |= (np.abs(off - half) <= _EDGE_DEG) & (dist <= rng + margin)
            unsure |= dist <= _EDGE_M
        unsure &= ~inside
        if unsure.any():
            pw = self._prepared[ci]
            for j in np.flatnonzero(unsure):
                inside[j] = pw.covers(Point(float(lon[j]), float(lat[j])))
        return inside, dist


def _opt(value: float) -> Optional[float]:
    return None if value is None or not np.isfinite(value) else float(value)
