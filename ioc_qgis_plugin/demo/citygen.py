"""Deterministic synthetic city for the demo, the tests and the benchmarks (default: around Long Khánh, Đồng Nai).

Everything derives from one seed. Reports are clustered in space (hot spots, some of them emerging over time)
and in time (weekly rhythm, growth), so the analytics have something real to find. Geometry is built in the
province's VN-2000 / TM-3 metres and stored in WGS 84.

    python -m ioc_qgis_plugin.demo.citygen --out build/demo/ioc.gpkg [--reports 12000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import numpy as np
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box

from ..core.categories import CATEGORIES
from ..core.compat import transform_xy
from ..core.sla import SlaRules
from ..core.statuses import ReportStatus
from ..core.timeutil import epoch_array_to_iso

WARD_NAMES = [
    "Xuân An",
    "Xuân Bình",
    "Xuân Hòa",
    "Xuân Trung",
    "Xuân Thanh",
    "Phú Bình",
    "Bảo Vinh",
    "Xuân Lập",
    "Bàu Sen",
    "Suối Tre",
    "Bàu Trâm",
    "Hàng Gòn",
    "Bình Lộc",
    "Bảo Quang",
    "Xuân Tân",
]
STREETS = [
    "Hùng Vương",
    "Nguyễn Trãi",
    "Hồ Thị Hương",
    "Khổng Tử",
    "Lê A",
    "CMT8",
    "Trần Phú",
    "Ngô Quyền",
    "Hoàng Diệu",
    "Quang Trung",
    "Nguyễn Văn Cừ",
    "Đinh Tiên Hoàng",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thị Hoa",
    "Văn Hùng",
    "Thu Lan",
    "Đức Minh",
    "Thị Ngọc",
    "Hữu Phước",
    "Thanh Tâm",
    "Văn Tuấn",
]
DESCRIPTIONS = {
    "urban_order": [
        "Lấn chiếm vỉa hè buôn bán",
        "Đổ vật liệu xây dựng ra lòng đường",
        "Quảng cáo rao vặt sai quy định",
    ],
    "environment": ["Rác thải tồn đọng nhiều ngày", "Nước thải chảy tràn ra đường", "Đốt rác gây khói"],
    "traffic": ["Đèn tín hiệu giao thông hỏng", "Ổ gà lớn giữa đường", "Ùn tắc giờ cao điểm"],
    "land": ["Xây dựng không phép", "Lấn chiếm đất công", "Tranh chấp ranh giới thửa đất"],
    "security": ["Tụ tập gây mất trật tự ban đêm", "Nghi trộm cắp xe máy", "Đua xe trái phép"],
    "infrastructure": ["Đèn đường không sáng", "Nắp cống bị vỡ", "Cây xanh gãy đổ"],
}
UNITS = [
    "Phòng Quản lý đô thị",
    "Phòng Tài nguyên và Môi trường",
    "Công an thành phố",
    "Đội Trật tự đô thị",
    "Ban Quản lý dự án",
    "UBND phường",
]
LAND_USES = ["ODT", "ONT", "LUC", "BHK", "CLN", "TMD", "SKC", "DGT", "DKV", "TSC", "DGD", "DYT", "CSD"]
ZONES = [
    ("QH-01", "Khu trung tâm hành chính - thương mại", "mixed", "ODT,TMD,TSC,DGT,DKV", 5.0),
    ("QH-02", "Khu dân cư hiện hữu chỉnh trang", "residential", "ODT,ONT,DGD,DYT,DGT,DKV", 3.0),
    ("QH-03", "Khu công nghiệp - tiểu thủ công nghiệp", "industrial", "SKC,TMD,DGT", 2.0),
    ("QH-04", "Khu nông nghiệp đô thị", "agriculture", "LUC,BHK,CLN,ONT,DGT", 0.5),
    ("QH-05", "Khu cây xanh - công viên", "green", "DKV,DGT,CLN", 0.2),
]


@dataclass
class CityConfig:
    seed: int = 7
    center_lon: float = 107.2445  # Long Khánh, Đồng Nai
    center_lat: float = 10.9380
    radius_m: float = 6000.0
    analysis_epsg: int = 5899  # VN-2000 / TM-3 107°45' (Đồng Nai)
    province: str = "Đồng Nai"
    wards: int = 10
    cameras: int = 50
    reports: int = 12000
    parcels: int = 2000
    zones: int = 5
    lights: int = 3000
    reading_days: int = 7
    reading_step_h: int = 3
    years: float = 2.0
    end: Optional[str] = None  # ISO date/time the report history ends (default: the current hour, UTC)
    rtsp_base: str = "rtsp://127.0.0.1:8554"


def voronoi_cells(points: list[tuple[float, float]], clip: Polygon) -> list[Polygon]:
    """Voronoi cells clipped to `clip`, as intersections of half-planes (few seeds; avoids GEOS's voronoi,
    which crashes in Debian 12's shapely 1.8)."""
    minx, miny, maxx, maxy = clip.bounds
    big = 4 * max(maxx - minx, maxy - miny)
    cells = []
    for i, (xi, yi) in enumerate(points):
        cell = clip
        for j, (xj, yj) in enumerate(points):
            if i == j:
                continue
            mx, my = (xi + xj) / 2, (yi + yj) / 2
            dx, dy = xj - xi, yj - yi
            norm = np.hypot(dx, dy) or 1.0
            ux, uy = dx / norm, dy / norm  # towards j
            px, py = -uy, ux  # along the bisector
            half = Polygon(
                [
                    (mx + px * big, my + py * big),
                    (mx - px * big, my - py * big),
                    (mx - px * big - ux * big, my - py * big - uy * big),
                    (mx + px * big - ux * big, my + py * big - uy * big),
                ]
            )
            cell = cell.intersection(half)
        cells.append(cell)
    return cells


class City:
    """Generated layers as rows (+ shapely geometries in WGS 84), ready for a store."""

    def __init__(self, cfg: CityConfig) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.to_wgs = Transformer.from_crs(cfg.analysis_epsg, 4326, always_xy=True)
        self.to_xy = Transformer.from_crs(4326, cfg.analysis_epsg, always_xy=True)
        cx, cy = self.to_xy.transform(cfg.center_lon, cfg.center_lat)
        self.cx, self.cy = float(cx), float(cy)
        # A slightly irregular city boundary.
        ang = np.linspace(0, 2 * np.pi, 72, endpoint=False)
        r = cfg.radius_m * (1 + 0.12 * np.sin(3 * ang + 0.5) + 0.06 * np.cos(5 * ang))
        self.boundary = Polygon(np.column_stack([self.cx + r * np.cos(ang), self.cy + r * np.sin(ang)]))
        if cfg.end:
            self.end_epoch = datetime.fromisoformat(cfg.end).replace(tzinfo=timezone.utc).timestamp()
        else:  # the demo's history ends this hour, so it has reports still within their deadline
            self.end_epoch = float(int(datetime.now(timezone.utc).timestamp()) // 3600 * 3600)
        self.hotspots = self._hotspots()

    # -- helpers ----------------------------------------------------------------------------------------
    def wgs(self, geom):
        return transform_xy(self.to_wgs.transform, geom)

    def _hotspots(self) -> np.ndarray:
        """(x, y, sigma, weight, growth) of report hot spots; growth > 0 makes an emerging hot spot."""
        n = 24
        ang = self.rng.uniform(0, 2 * np.pi, n)
        dist = self.cfg.radius_m * np.sqrt(self.rng.uniform(0, 0.55, n))
        growth = np.where(self.rng.uniform(size=n) < 0.25, self.rng.uniform(1.5, 3.0, n), 0.0)
        return np.column_stack(
            [
                self.cx + dist * np.cos(ang),
                self.cy + dist * np.sin(ang),
                self.rng.uniform(120, 400, n),
                self.rng.pareto(1.5, n) + 1,
                growth,
            ]
        )

    def _inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        # Fast polygon test on the boundary's radius function (star-shaped around the centre).
        ang = np.arctan2(y - self.cy, x - self.cx)
        r = self.cfg.radius_m * (1 + 0.12 * np.sin(3 * ang + 0.5) + 0.06 * np.cos(5 * ang))
        return np.hypot(x - self.cx, y - self.cy) <= r

    # -- layers -----------------------------------------------------------------------------------------
    def wards(self) -> tuple[list[dict], list]:
        n = min(self.cfg.wards, len(WARD_NAMES))
        pts = []
        while len(pts) < n:
            x, y = self.rng.uniform(-1, 1, 2) * self.cfg.radius_m
            if self._inside(np.array([self.cx + x]), np.array([self.cy + y]))[0]:
                pts.append((self.cx + x * 0.8, self.cy + y * 0.8))
        polys = voronoi_cells(pts, self.boundary)
        self.ward_polys = polys
        rows, geoms = [], []
        for i, poly in enumerate(polys):
            rows.append(
                {
                    "ward_id": f"W{i + 1:02d}",
                    "name": f"Phường {WARD_NAMES[i]}",
                    "province": self.cfg.province,
                    "population": int(self.rng.integers(8000, 30000)),
                    "area_km2": round(poly.area / 1e6, 3),
                }
            )
            geoms.append(MultiPolygon([self.wgs(poly)]))
        return rows, geoms

    def ward_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Ward id per point; vectorised through the wards' bounding boxes, then exact tests."""
        out = np.full(len(x), "", dtype=object)
        from shapely.prepared import prep

        for i, poly in enumerate(self.ward_polys):
            minx, miny, maxx, maxy = poly.bounds
            cand = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy) & (out == ""))
            pp = prep(poly)
            for j in cand:
                if pp.contains(Point(x[j], y[j])):
                    out[j] = f"W{i + 1:02d}"
        return out

    def report_arrays(self, n: Optional[int] = None) -> dict[str, np.ndarray]:
        """Columnar reports (numpy), fast enough for 1,000,000 rows; see `reports()` for store rows."""
        n = self.cfg.reports if n is None else n
        rng = np.random.default_rng(self.cfg.seed + 1)
        span = self.cfg.years * 365.25 * 86400
        start = self.end_epoch - span
        # time: growth over the period + weekly rhythm (more on Mondays) via rejection sampling
        t = start + span * rng.beta(1.25, 1.0, n)
        hs = self.hotspots
        w = hs[:, 3] / hs[:, 3].sum()
        which = rng.choice(len(hs), n, p=w)
        background = rng.uniform(size=n) < 0.3
        # emerging hot spots only produce reports late in the period
        frac = (t - start) / span
        late_only = (hs[which, 4] > 0) & (rng.uniform(size=n) > frac ** hs[which, 4])
        background |= late_only
        x = hs[which, 0] + rng.normal(0, 1, n) * hs[which, 2]
        y = hs[which, 1] + rng.normal(0, 1, n) * hs[which, 2]
        bg = np.flatnonzero(background)
        r = self.cfg.radius_m * np.sqrt(rng.uniform(0, 1, len(bg)))
        a = rng.uniform(0, 2 * np.pi, len(bg))
        x[bg], y[bg] = self.cx + r * np.cos(a), self.cy + r * np.sin(a)
        outside = ~self._inside(x, y)
        x[outside], y[outside] = self.cx + (x[outside] - self.cx) * 0.5, self.cy + (y[outside] - self.cy) * 0.5
        # daily rhythm: most reports in the day, Vietnam time
        t = np.floor(t / 86400) * 86400 + (rng.normal(10.5, 3.5, n) % 24 - 7) * 3600
        t = np.where(t > self.end_epoch - 60, t - 86400, t)  # nothing from the future
        cat_codes = np.array([c.code for c in CATEGORIES], dtype=object)
        cat_p = np.array([0.34, 0.2, 0.16, 0.1, 0.08, 0.12])
        cat = cat_codes[rng.choice(len(cat_codes), n, p=cat_p)]
        priority = np.where(rng.uniform(size=n) < 0.08, "urgent", "normal").astype(object)
        rules = SlaRules.default()
        hours = rules.hours_array(cat, priority)
        due = t + hours * 3600
        # resolution: lognormal around 60 % of the allowed time; ~15-20 % late
        res = t + hours * 3600 * rng.lognormal(np.log(0.6), 0.55, n)
        age = self.end_epoch - t
        status = np.full(n, ReportStatus.CLOSED.value, dtype=object)
        open_p = np.clip(1.4 * 86400 / np.maximum(age, 1), 0, 0.95)  # recent reports are mostly still open
        is_open = rng.uniform(size=n) < open_p
        still = res > self.end_epoch
        is_open |= still
        open_states = np.array(["submitted", "received", "assigned", "in_progress"], dtype=object)
        status[is_open] = open_states[rng.choice(4, is_open.sum(), p=[0.15, 0.2, 0.3, 0.35])]
        closed = ~is_open
        resolved_state = rng.uniform(size=n)
        status[closed & (resolved_state < 0.25)] = ReportStatus.RESOLVED.value
        status[closed & (resolved_state > 0.96)] = ReportStatus.REJECTED.value
        status[closed & (resolved_state > 0.985)] = ReportStatus.DUPLICATE.value
        resolved = np.where(np.isin(status, ["closed", "resolved"]), np.minimum(res, self.end_epoch - 60), np.nan)
        updated = np.where(np.isnan(resolved), np.minimum(t + rng.uniform(600, 7200, n), self.end_epoch), resolved)
        lon, lat = self.to_wgs.transform(x, y)
        order = np.argsort(t, kind="stable")
        out = {
            "x": x,
            "y": y,
            "lon": np.round(lon, 7),
            "lat": np.round(lat, 7),
            "requested": t,
            "due": due,
            "resolved": resolved,
            "updated": updated,
            "service_code": cat,
            "priority": priority,
            "status": status,
            "hours": hours,
        }
        return {k: v[order] for k, v in out.items()}

    def reports(self) -> list[dict]:
        arr = self.report_arrays()
        n = len(arr["x"])
        rng = np.random.default_rng(self.cfg.seed + 2)
        ward = self.ward_of(arr["x"], arr["y"])
        req, upd = epoch_array_to_iso(arr["requested"]), epoch_array_to_iso(arr["updated"])
        due, res = epoch_array_to_iso(arr["due"]), epoch_array_to_iso(arr["resolved"])
        labels = {c.code: c.vi for c in CATEGORIES}
        rows = []
        for i in range(n):
            code = arr["service_code"][i]
            desc = DESCRIPTIONS[code][int(rng.integers(0, 3))]
            phone = f"09{int(rng.integers(10_000_000, 99_999_999))}"
            if rng.uniform() < 0.05:  # citizens sometimes leave their number in the text (anonymisation must catch it)
                desc += f", liên hệ {phone}"
            status = arr["status"][i]
            rows.append(
                {
                    "report_id": f"PA-{i + 1:06d}",
                    "source": "open311",
                    "service_code": code,
                    "service_name": labels[code],
                    "priority": arr["priority"][i],
                    "status": status,
                    "description": desc,
                    "address": f"{int(rng.integers(1, 400))} {STREETS[int(rng.integers(0, len(STREETS)))]}",
                    "ward_id": ward[i],
                    "agency_responsible": UNITS[int(rng.integers(0, len(UNITS)))] if status != "submitted" else "",
                    "requested_at": req[i],
                    "updated_at": upd[i],
                    "due_at": due[i],
                    "resolved_at": res[i],
                    "expected_at": due[i],
                    "lat": float(arr["lat"][i]),
                    "lon": float(arr["lon"][i]),
                    "reporter_name": f"{FAMILY[int(rng.integers(0, 12))]} {GIVEN[int(rng.integers(0, 12))]}",
                    "reporter_phone": phone,
                    "reporter_email": f"nguoidan{int(rng.integers(1, 99999))}@example.vn",
                    "version": 1,
                }
            )
        return rows

    def cameras(self) -> tuple[list[dict], list]:
        rng = np.random.default_rng(self.cfg.seed + 3)
        n = self.cfg.cameras
        hs = self.hotspots
        # most cameras watch hot spots or gates; some hot spots stay uncovered on purpose (coverage gaps)
        idx = rng.choice(len(hs) // 2 + 1, n)
        x = hs[idx, 0] + rng.normal(0, 250, n)
        y = hs[idx, 1] + rng.normal(0, 250, n)
        rows, geoms = [], []
        ward = self.ward_of(x, y)
        lon, lat = self.to_wgs.transform(x, y)
        for i in range(n):
            # point roughly towards the hot spot it watches
            bearing = (np.degrees(np.arctan2(hs[idx[i], 0] - x[i], hs[idx[i], 1] - y[i])) + 360) % 360
            dome = rng.uniform() < 0.1
            rows.append(
                {
                    "camera_id": f"CAM{i + 1:02d}",
                    "name": f"Camera {STREETS[i % len(STREETS)]} {i + 1:02d}",
                    "ward_id": ward[i],
                    "bearing": None if dome else round(float(bearing), 1),
                    "angle": None if dome else float(rng.choice([60, 75, 90])),
                    "range_m": float(rng.integers(80, 220)),
                    "stream_url": f"{self.cfg.rtsp_base}/cam{i + 1:02d}",
                    "substream_url": f"{self.cfg.rtsp_base}/cam{i + 1:02d}_sub",
                    "snapshot_url": "",
                    "onvif_url": "",
                    "authcfg": "",
                    "status": "unknown",
                }
            )
            geoms.append(Point(float(lon[i]), float(lat[i])))
        return rows, geoms

    def planning_zones(self) -> tuple[list[dict], list]:
        rng = np.random.default_rng(self.cfg.seed + 4)
        n = min(self.cfg.zones, len(ZONES))
        core = self.boundary.buffer(-self.cfg.radius_m * 0.15)
        ang = np.linspace(0, 2 * np.pi, n, endpoint=False) + rng.uniform(0, 0.5)
        pts = [(self.cx, self.cy)] + [
            (self.cx + 0.55 * self.cfg.radius_m * np.cos(a), self.cy + 0.55 * self.cfg.radius_m * np.sin(a))
            for a in ang[1:]
        ]
        self.zone_polys = voronoi_cells(pts, core)
        rows, geoms = [], []
        for i, cell in enumerate(self.zone_polys):
            zid, name, ztype, allowed, far = ZONES[i]
            rows.append(
                {
                    "zone_id": zid,
                    "name": name,
                    "zone_type": ztype,
                    "allowed_uses": allowed,
                    "max_far": far,
                    "decision": "QĐ 1234/QĐ-UBND ngày 15/3/2024",
                }
            )
            geoms.append(MultiPolygon([self.wgs(cell)]) if cell.geom_type == "Polygon" else self.wgs(cell))
        return rows, geoms

    def parcels(self) -> tuple[list[dict], list]:
        """Blocks of rectangular parcels near the centre; land use mostly follows the planning zone."""
        rng = np.random.default_rng(self.cfg.seed + 5)
        n = self.cfg.parcels
        rows, geoms = [], []
        side = int(np.ceil(np.sqrt(n / 20)))  # blocks of ~20 parcels (4 x 5)
        block_w, block_h, street = 100.0, 120.0, 16.0
        ox = self.cx - side * (block_w + street) / 2
        oy = self.cy - side * (block_h + street) / 2
        zone_allowed = [set(z[3].split(",")) for z in ZONES]
        count = 0
        for bi in range(side):
            for bj in range(side):
                bx, by = ox + bi * (block_w + street), oy + bj * (block_h + street)
                for pi in range(4):
                    for pj in range(5):
                        if count >= n:
                            break
                        jitter = rng.uniform(-1.5, 1.5, 2)
                        px, py = bx + pi * block_w / 4 + jitter[0], by + pj * block_h / 5 + jitter[1]
                        poly = box(px, py, px + block_w / 4 - 0.2, py + block_h / 5 - 0.2)
                        c = poly.centroid
                        zi = next((k for k, z in enumerate(self.zone_polys) if z.contains(c)), 1)
                        allowed = sorted(zone_allowed[zi])
                        use = (
                            allowed[int(rng.integers(0, len(allowed)))]
                            if rng.uniform() < 0.9
                            else LAND_USES[int(rng.integers(0, len(LAND_USES)))]
                        )
                        declared = poly.area * (1 + (rng.normal(0, 0.01) if rng.uniform() < 0.95 else 0.15))
                        sheet = 10 + bi
                        rows.append(
                            {
                                "parcel_id": f"{sheet}-{count + 1}",
                                "sheet_no": sheet,
                                "parcel_no": count + 1,
                                "area_declared": round(float(declared), 1),
                                "land_use": use,
                                "owner_type": "GDC" if use in ("ODT", "ONT") else "UBS",
                                "address": f"{STREETS[(bi + bj) % len(STREETS)]}",
                                "ward_id": "",
                            }
                        )
                        geoms.append(MultiPolygon([self.wgs(poly)]))
                        count += 1
        xs = np.array([g.centroid.x for g in geoms])
        ys = np.array([g.centroid.y for g in geoms])
        if len(xs):
            wx, wy = self.to_xy.transform(xs, ys)
            for r, w in zip(rows, self.ward_of(np.asarray(wx), np.asarray(wy))):
                r["ward_id"] = w
        return rows, geoms

    def lights(self) -> tuple[list[dict], list, list[dict]]:
        """Lights every ~35 m along a street grid; 40 per cabinet; some faults, one cabinet without supply."""
        rng = np.random.default_rng(self.cfg.seed + 6)
        n = self.cfg.lights
        spacing, street_gap = 35.0, 400.0
        pts: list[tuple[float, float]] = []
        k = int(self.cfg.radius_m // street_gap)
        for i in range(-k, k + 1):
            for t in np.arange(-self.cfg.radius_m, self.cfg.radius_m, spacing):
                pts.append((self.cx + i * street_gap, self.cy + t))
                pts.append((self.cx + t, self.cy + i * street_gap + 17))
        p = np.array(pts)
        p = p[self._inside(p[:, 0], p[:, 1])]
        # keep the n closest to the centre: lit streets concentrate in town
        p = p[np.argsort(np.hypot(p[:, 0] - self.cx, p[:, 1] - self.cy), kind="stable")[:n]]
        ward = self.ward_of(p[:, 0], p[:, 1])
        lon, lat = self.to_wgs.transform(p[:, 0], p[:, 1])
        # cabinets group nearby lights: sort by a coarse spatial key
        key = np.floor(p[:, 0] / 600) * 1000 + np.floor(p[:, 1] / 600)
        cab_order = np.argsort(key, kind="stable")
        cabinet = np.empty(len(p), dtype=object)
        for rank, j in enumerate(cab_order):
            cabinet[j] = f"TU-{rank // 40 + 1:03d}"
        dead_cabinet = cabinet[cab_order[min(len(p) - 1, 40 * 3)]]
        end = self.end_epoch
        rows, geoms = [], []
        states = []
        for j in range(len(p)):
            fault = ""
            u = rng.uniform()
            if cabinet[j] == dead_cabinet:
                fault = "supplyLoss"
            elif u < 0.025:
                fault = "lampFailure"
            elif u < 0.032:
                fault = "relayFailure"
            elif u < 0.036:
                fault = "dimmingFailure"
            stale = rng.uniform() < 0.01
            state = "fault" if fault else ("nodata" if stale else ("dimmed" if rng.uniform() < 0.3 else "on"))
            level = (
                0.0
                if fault in ("supplyLoss", "lampFailure", "relayFailure")
                else (50.0 if state == "dimmed" else 100.0)
            )
            rated = float(rng.choice([60, 90, 120, 150]))
            rows.append(
                {
                    "light_id": f"DEN-{j + 1:05d}",
                    "ward_id": ward[j],
                    "cabinet_id": cabinet[j],
                    "circuit_id": f"{cabinet[j]}-L{1 + j % 2}",
                    "lamp_type": "LED",
                    "rated_power_w": rated,
                    "state": state,
                    "light_level": None if stale else level,
                    "active_power_w": None if stale else round(rated * level / 100 * rng.uniform(0.95, 1.05), 1),
                    "fault": fault,
                    "last_report": epoch_array_to_iso(np.array([end - (3 * 86400 if stale else rng.uniform(60, 900))]))[
                        0
                    ],
                }
            )
            geoms.append(Point(float(lon[j]), float(lat[j])))
            states.append((rated, level, stale, fault))
        readings = self._readings(rows, states, rng)
        return rows, geoms, readings

    def _readings(self, rows: list[dict], states: list, rng: np.random.Generator) -> list[dict]:
        end = self.end_epoch
        steps = int(self.cfg.reading_days * 24 / self.cfg.reading_step_h)
        times = end - np.arange(steps, 0, -1) * self.cfg.reading_step_h * 3600
        iso = epoch_array_to_iso(times)
        local_hour = ((times / 3600) + 7) % 24
        night = (local_hour >= 18) | (local_hour < 6)
        out = []
        for r, (rated, level, stale, fault) in zip(rows, states):
            energy = float(rng.uniform(100, 3000))
            hours = float(rng.uniform(1000, 20000))
            for k in range(steps):
                if stale and times[k] > end - 3 * 86400:
                    break
                on = night[k] and fault not in ("supplyLoss", "lampFailure", "relayFailure")
                lvl = level if on else 0.0
                power = rated * lvl / 100.0
                energy += power * self.cfg.reading_step_h / 1000.0
                hours += self.cfg.reading_step_h if on else 0
                out.append(
                    {
                        "light_id": r["light_id"],
                        "at": iso[k],
                        "light_level": lvl,
                        "active_power_w": round(power, 1),
                        "active_energy_kwh": round(energy, 3),
                        "operating_hours": round(hours, 1),
                        "lamp_failure": fault == "lampFailure",
                        "dimming_failure": fault == "dimmingFailure",
                        "relay_failure": fault == "relayFailure",
                        "supply_loss": fault == "supplyLoss",
                        "cabinet_door_open": False,
                    }
                )
        return out


def build(store, cfg: CityConfig, log=print) -> dict[str, int]:
    """Write the whole city into an (empty) IOC store; returns row counts per table."""
    city = City(cfg)
    counts: dict[str, int] = {}
    t0 = time.perf_counter()
    with store.transaction():
        rows, geoms = city.wards()
        counts["wards"] = store.insert("wards", rows, geoms)
        rows, geoms = city.planning_zones()
        counts["planning_zones"] = store.insert("planning_zones", rows, geoms)
        rows, geoms = city.cameras()
        counts["cameras"] = store.insert("cameras", rows, geoms)
        reports = city.reports()
        counts["field_reports"] = store.insert("field_reports", reports, store.point_geometries(reports))
        events = _events_for(reports)
        counts["report_events"] = store.insert("report_events", events)
        rows, geoms = city.parcels()
        counts["parcels"] = store.insert("parcels", rows, geoms)
        rows, geoms, readings = city.lights()
        counts["street_lights"] = store.insert("street_lights", rows, geoms)
        counts["light_readings"] = store.insert("light_readings", readings)
        store.set_meta("city_name", "Long Khánh (demo)")
        store.set_meta("analysis_crs", f"EPSG:{cfg.analysis_epsg}")
        store.set_meta("city_center", f"{cfg.center_lon},{cfg.center_lat}")
        store.set_meta("generator", f"ioc_qgis_plugin.demo.citygen seed={cfg.seed}")
    store.update_extents()
    log(f"demo city written in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _events_for(reports: list[dict]) -> list[dict]:
    """A plausible audit trail for generated reports: created → received → assigned → … → final status."""
    chain = ["submitted", "received", "assigned", "in_progress", "resolved", "closed"]
    events = []
    for r in reports:
        events.append(
            {
                "report_id": r["report_id"],
                "at": r["requested_at"],
                "actor": "citizen",
                "action": "created",
                "old_value": "",
                "new_value": "submitted",
                "note": "",
            }
        )
        final = r["status"]
        steps = ["submitted", final] if final in ("rejected", "duplicate") else chain[: chain.index(final) + 1]
        for old, new in zip(steps, steps[1:]):
            events.append(
                {
                    "report_id": r["report_id"],
                    "at": r["updated_at"] if new == final else r["requested_at"],
                    "actor": "can_bo_tiep_nhan" if new == "received" else "can_bo_xu_ly",
                    "action": "status",
                    "old_value": old,
                    "new_value": new,
                    "note": "",
                }
            )
    return events


def save_default_styles(store) -> int:
    """Store each layer's QML from layers/styles/ as its default style inside the store."""
    from ..core.paths import styles_dir

    n = 0
    for table in store.schema.tables:
        qml = styles_dir() / f"{table.name}.qml"
        if qml.exists():
            store.save_style(table.name, qml.read_text(encoding="utf-8"))
            n += 1
    return n


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Build the IOC demo city GeoPackage (deterministic, seeded).")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--force", action="store_true", help="overwrite an existing file")
    ap.add_argument("--seed", type=int, default=CityConfig.seed)
    ap.add_argument("--reports", type=int, default=CityConfig.reports)
    ap.add_argument("--cameras", type=int, default=CityConfig.cameras)
    ap.add_argument("--lights", type=int, default=CityConfig.lights)
    ap.add_argument("--parcels", type=int, default=CityConfig.parcels)
    ap.add_argument("--end", default=None, help="last day of the report history (YYYY-MM-DD; default today)")
    ap.add_argument("--rtsp-base", default=CityConfig.rtsp_base)
    a = ap.parse_args(argv)
    from ..store.errors import StoreError
    from ..store.gpkg import GeoPackageStore

    cfg = CityConfig(
        seed=a.seed,
        reports=a.reports,
        cameras=a.cameras,
        lights=a.lights,
        parcels=a.parcels,
        end=a.end,
        rtsp_base=a.rtsp_base,
    )
    try:
        store = GeoPackageStore.create(a.out, overwrite=a.force)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    build(store, cfg)
    save_default_styles(store)
    store.close()
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
