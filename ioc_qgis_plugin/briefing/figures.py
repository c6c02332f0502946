"""Briefing figures per ward for one reporting day (Asia/Ho_Chi_Minh), computed in numpy from the store.

Everything the PDF prints is decided here, as plain text and numbers, so the layout only places it and bad data
(wards without geometry, reports without location, an empty day) becomes a sentence instead of a broken page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Optional, Sequence

import numpy as np
from shapely.geometry.base import BaseGeometry

from ..core.categories import category_label
from ..core.fov import fov_wedge
from ..core.report_filter import ReportData
from ..core.timeutil import CITY_TZ

TOP_OVERDUE = 10
LIGHT_OUTAGE_FAULTS = ("supplyLoss", "lampFailure", "relayFailure")  # the lamp is dark


def fmt_date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, CITY_TZ).strftime("%d/%m/%Y")


def fmt_datetime(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, CITY_TZ).strftime("%H:%M %d/%m/%Y")


def fmt_duration(hours: float) -> str:
    if hours < 48:
        return f"{hours:.0f} giờ"
    days = hours / 24
    if days < 10:
        return f"{days:.1f} ngày".replace(".", ",")
    return f"{days:,.0f} ngày".replace(",", ".")  # Vietnamese groups thousands with "."


def ward_title(name: str) -> str:
    """'Phường Xuân An' → 'Báo cáo tình hình phường Xuân An' (communes keep 'xã')."""
    text = (name or "").strip()
    for prefix in ("Phường ", "Xã ", "Thị trấn "):
        if text.startswith(prefix):
            return f"Báo cáo tình hình {prefix.lower()}{text[len(prefix) :]}"
    return f"Báo cáo tình hình phường {text}"


@dataclass(frozen=True)
class Period:
    day: date  # the last day of the period
    start: float  # epoch seconds, inclusive (00:00 city time of the first day)
    end: float  # exclusive (24:00 city time of `day`)
    as_of: float  # figures "as of": end of the period, or now while it is still running
    days: int = 1

    @classmethod
    def for_day(cls, day: date, now: Optional[float] = None, days: int = 1) -> Period:
        days = max(1, int(days))
        end = datetime.combine(day + timedelta(days=1), time(0, 0), CITY_TZ).timestamp()
        start = end - 86400.0 * days
        now = datetime.now(CITY_TZ).timestamp() if now is None else now
        return cls(day, start, end, max(start, min(end, now)), days)

    @property
    def label(self) -> str:
        """'ngày 20/11/2026' or 'từ 14/11/2026 đến 20/11/2026'."""
        if self.days == 1:
            return f"ngày {self.day:%d/%m/%Y}"
        first = self.day - timedelta(days=self.days - 1)
        return f"từ {first:%d/%m/%Y} đến {self.day:%d/%m/%Y}"


@dataclass
class OverdueRow:
    report_id: str
    category: str
    address: str
    due: str
    late: str
    agency: str
    late_hours: float


@dataclass
class WardBriefing:
    ward_id: str
    name: str
    geometry: Optional[BaseGeometry]
    received: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    open: int = 0
    overdue: int = 0
    lights: int = 0
    lights_fault: int = 0
    lights_dark: int = 0
    cameras: int = 0
    cameras_offline: int = 0
    unlocated: int = 0
    top_overdue: list[OverdueRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return ward_title(self.name)

    @property
    def has_geometry(self) -> bool:
        return self.geometry is not None and not self.geometry.is_empty

    @property
    def on_time_text(self) -> str:
        if not self.resolved:
            return "—"
        return f"{self.resolved_on_time}/{self.resolved} ({100 * self.resolved_on_time / self.resolved:.0f}%)"


@dataclass
class Points:
    """Map content in WGS 84 with one attribute column (`kind`) for styling."""

    lon: np.ndarray
    lat: np.ndarray
    kind: np.ndarray
    ward_id: np.ndarray


@dataclass
class Briefing:
    city: str
    period: Period
    analysis_crs: str
    wards: list[WardBriefing]
    reports: Points  # open reports at as_of: kind 'open' | 'overdue'
    lights: Points  # all lights: kind 'ok' | 'fault' | 'dark'
    cameras: Points  # kind 'online' | 'offline' | 'unknown'
    wedges: list[BaseGeometry]  # FOV per camera (WGS 84), empty where unknown
    generated: float = 0.0
    pages: list[str] = field(default_factory=list)  # wards that get a page (all wards stay on the maps)

    def ward(self, ward_id: str) -> WardBriefing:
        for w in self.wards:
            if w.ward_id == ward_id:
                return w
        raise KeyError(ward_id)


def compute_briefing(
    store,  # noqa: ANN001 - IocStore
    day: date,
    ward_ids: Optional[Sequence[str]] = None,
    now: Optional[float] = None,
    days: int = 1,
) -> Briefing:
    """All wards' figures for the `days` ending with `day` (city time); `ward_ids` limits the pages, not the maps."""
    now = datetime.now(CITY_TZ).timestamp() if now is None else now
    period = Period.for_day(day, now, days)
    ward_rows = store.fetch("wards", columns=["ward_id", "name"], geometry=True, order_by="ward_id")
    wards = [WardBriefing(str(w["ward_id"]), str(w["name"] or w["ward_id"]), w.get("geom")) for w in ward_rows]
    by_id = {w.ward_id: w for w in wards}

    reports = _report_points(store, period, by_id)
    lights = _light_points(store, by_id)
    cameras, wedges = _camera_points(store, by_id)
    for w in wards:
        if not w.has_geometry:
            w.notes.append("Phường chưa có ranh giới trên bản đồ: không vẽ được bản đồ, số liệu lấy theo mã phường.")
        if w.unlocated:
            w.notes.append(f"{w.unlocated} phản ánh không có vị trí (có trong số liệu, không có trên bản đồ).")
        if not w.received and not w.open and not w.resolved:
            w.notes.append(f"Không có phản ánh nào {period.label} và không còn phản ánh đang mở.")
        if not w.lights:
            w.notes.append("Chưa có dữ liệu đèn chiếu sáng cho phường này.")
    return Briefing(
        city=store.get_meta("city_name", "") or "",
        period=period,
        analysis_crs=store.get_meta("analysis_crs", "EPSG:4326") or "EPSG:4326",
        wards=wards,
        reports=reports,
        lights=lights,
        cameras=cameras,
        wedges=wedges,
        generated=now,
        pages=[w.ward_id for w in wards if not ward_ids or w.ward_id in set(ward_ids)],
    )


def _report_points(store, period: Period, wards: dict[str, WardBriefing]) -> Points:  # noqa: ANN001
    names = ["report_id", "service_code", "priority", "status", "ward_id", "requested_at", "due_at", "resolved_at"]
    cols = store.columns("field_reports", [*names, "address", "agency_responsible", "lon", "lat"])
    cols.setdefault("description", np.full(len(cols["report_id"]), "", dtype=object))
    data = ReportData.from_columns(cols, period.as_of)
    req, due, res = data.requested, data.due, data.resolved
    t = period.as_of
    # open at `as_of`: received by then and not resolved by then (rejected/duplicate without a time are not open)
    open_ = (req < t) & ((data.is_open & np.isnan(res)) | (res > t))
    overdue = open_ & (due < t)
    received = (req >= period.start) & (req < period.end)
    resolved = (res >= period.start) & (res < period.end)
    on_time = resolved & (res <= due)
    located = np.isfinite(cols["lon"]) & np.isfinite(cols["lat"])
    ward = cols["ward_id"]
    for wid, w in wards.items():
        m = ward == wid
        w.received = int((m & received).sum())
        w.resolved = int((m & resolved).sum())
        w.resolved_on_time = int((m & on_time).sum())
        w.open = int((m & open_).sum())
        w.overdue = int((m & overdue).sum())
        w.unlocated = int((m & (received | open_) & ~located).sum())
        rows = np.flatnonzero(m & overdue)
        late = (t - due[rows]) / 3600.0
        top = rows[np.argsort(-late, kind="stable")[:TOP_OVERDUE]]
        w.top_overdue = [
            OverdueRow(
                str(cols["report_id"][i]),
                category_label(str(cols["service_code"][i])),
                str(cols["address"][i] or "—"),
                fmt_datetime(due[i]),
                fmt_duration((t - due[i]) / 3600.0),
                str(cols["agency_responsible"][i] or "Chưa phân công"),
                float((t - due[i]) / 3600.0),
            )
            for i in top
        ]
    show = open_ & located
    kind = np.where(overdue[show], "overdue", "open").astype(object)
    return Points(cols["lon"][show], cols["lat"][show], kind, ward[show])


def _light_points(store, wards: dict[str, WardBriefing]) -> Points:  # noqa: ANN001
    cols = store.columns("street_lights", ["ward_id", "state", "fault"])
    geoms = [r.get("geom") for r in store.fetch("street_lights", columns=["fid"], geometry=True, order_by="fid")]
    lon = np.array([g.x if g is not None else np.nan for g in geoms], dtype=np.float64)
    lat = np.array([g.y if g is not None else np.nan for g in geoms], dtype=np.float64)
    fault = cols["state"] == "fault"
    dark = np.isin(cols["fault"], np.array(LIGHT_OUTAGE_FAULTS, dtype=object))
    kind = np.where(dark, "dark", np.where(fault, "fault", "ok")).astype(object)
    for wid, w in wards.items():
        m = cols["ward_id"] == wid
        w.lights, w.lights_fault, w.lights_dark = int(m.sum()), int((m & fault).sum()), int((m & dark).sum())
    ok = np.isfinite(lon) & np.isfinite(lat)
    return Points(lon[ok], lat[ok], kind[ok], cols["ward_id"][ok])


def _camera_points(store, wards: dict[str, WardBriefing]) -> tuple[Points, list[BaseGeometry]]:  # noqa: ANN001
    rows = store.fetch(
        "cameras", columns=["camera_id", "ward_id", "bearing", "angle", "range_m", "status"], geometry=True
    )
    rows = [r for r in rows if r.get("geom") is not None and not r["geom"].is_empty]
    wedges = [fov_wedge(r["geom"].x, r["geom"].y, r["bearing"], r["angle"], r["range_m"]) for r in rows]
    status = np.array([str(r["status"] or "unknown") for r in rows], dtype=object)
    ward = np.array([str(r["ward_id"] or "") for r in rows], dtype=object)
    for wid, w in wards.items():
        m = ward == wid
        w.cameras, w.cameras_offline = int(m.sum()), int((m & (status == "offline")).sum())
    pts = Points(
        np.array([r["geom"].x for r in rows], dtype=np.float64),
        np.array([r["geom"].y for r in rows], dtype=np.float64),
        status,
        ward,
    )
    return pts, wedges
