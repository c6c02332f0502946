"""Domain records exchanged between the store, connectors and the GUI (plain dataclasses, no qgis)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Camera:
    camera_id: str
    name: str
    lon: float
    lat: float
    bearing: Optional[float] = None  # degrees clockwise from north
    angle: Optional[float] = None  # horizontal field of view, degrees
    range_m: Optional[float] = None  # how far it usefully sees, metres
    stream_url: str = ""  # main stream (single view)
    substream_url: str = ""  # low-resolution stream (grids); falls back to stream_url
    snapshot_url: str = ""
    onvif_url: str = ""
    authcfg: str = ""  # QGIS auth manager id; never the password itself
    ward_id: str = ""
    status: str = "unknown"  # online | slow | offline | unknown
    last_seen: Optional[str] = None
    # per-camera timeouts (seconds; None = the viewer's defaults): slow links, HLS with long segments
    open_timeout_s: Optional[float] = None
    read_timeout_s: Optional[float] = None
    stall_after_s: Optional[float] = None

    def grid_url(self) -> str:
        return self.substream_url or self.stream_url


@dataclass
class FieldReport:
    report_id: str
    service_code: str
    status: str
    lon: Optional[float]
    lat: Optional[float]
    requested_at: Optional[str]
    description: str = ""
    service_name: str = ""
    priority: str = "normal"
    status_notes: str = ""
    address: str = ""
    ward_id: str = ""
    agency_responsible: str = ""
    assigned_to: str = ""
    updated_at: Optional[str] = None
    expected_at: Optional[str] = None
    due_at: Optional[str] = None
    resolved_at: Optional[str] = None
    media_url: str = ""
    source: str = "local"
    version: int = 1
    extra: dict = field(default_factory=dict)


@dataclass
class ReportEvent:
    report_id: str
    at: str
    actor: str
    action: str  # created | status | assign | note | photo | sync
    old_value: str = ""
    new_value: str = ""
    note: str = ""
