"""What may leave the IOC, per table and field (Decree 13/2023 on personal data protection).

Field actions:
  keep      published as stored
  drop      never published
  scrub     free text with phones, e-mails, ID numbers and names after cues replaced by tokens
  address   house and alley numbers removed, then scrubbed
  day       timestamps cut to the day (YYYY-MM-DD)
  hour      timestamps cut to the hour
Location methods for tables with citizens' locations: grid (snap to cell centres), kanon (k-anonymous cells,
coarsened until each cell holds ≥ k rows, else the location is suppressed), exact, drop.

Report ids: published as keyed pseudonyms (HMAC-SHA256 with a per-city secret that lives in QGIS's auth manager or
in an environment variable, never in the store or the project), so portal users can follow one report across
publications while nobody without the secret can turn a published id back into the Open311 id — which would
return the exact location and address from a public Open311 server. Real ids only with an explicit confirmation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Optional

ACTIONS = ("keep", "drop", "scrub", "address", "day", "hour")
LOCATION_METHODS = ("grid", "kanon", "exact", "drop")

# Column names that are personal data wherever they appear: they can only be dropped.
PERSONAL = re.compile(
    r"reporter|phone|email|e_mail|mobile|sdt|cccd|cmnd|passport|national_id|id_number|citizen_id|full_name|authcfg"
    r"|password|token",
    re.IGNORECASE,
)


class PolicyError(ValueError):
    """A rule would publish personal data, or names an unknown action."""


# Defaults per table; columns not listed fall back to scrub (text) or keep (numbers, times).
DEFAULT_RULES: dict[str, dict[str, str]] = {
    "field_reports": {
        "source": "drop",
        "status_notes": "scrub",
        "description": "scrub",
        "address": "address",
        "assigned_to": "drop",  # a named official, not needed by the public
        "media_url": "drop",  # photos can show faces and number plates
        "reporter_name": "drop",
        "reporter_phone": "drop",
        "reporter_email": "drop",
        "version": "drop",
        "lat": "drop",  # replaced by the generalised location
        "lon": "drop",
    },
    "cameras": {
        "stream_url": "drop",  # may carry credentials and allows live viewing
        "substream_url": "drop",
        "snapshot_url": "drop",
        "onvif_url": "drop",
        "authcfg": "drop",
    },
    "report_events": {"actor": "drop", "note": "scrub", "old_value": "scrub", "new_value": "scrub"},
    "report_attachments": {"path": "drop", "media_url": "drop"},
    "parcels": {"address": "address"},
}
# Tables whose point locations are where citizens stood (often their home): generalised by default.
PERSONAL_LOCATION_TABLES = {"field_reports"}
NEVER_EXPORT = {"report_outbox", "ioc_meta", "layer_styles"}
# Columns holding the Open311 / local report id; published as pseudonyms.
ID_COLUMNS = {"field_reports": "report_id", "report_events": "report_id", "report_attachments": "report_id"}
ID_MODES = ("pseudonym", "real")
ID_SECRET_ENV = "IOC_EXPORT_ID_SECRET"
MIN_SECRET_CHARS = 16
REAL_IDS_RISK = (
    "Publishing the real report ids lets anyone look each report up on the city's Open311 server, which returns "
    "the exact location, the address and the photos: the grid or k-anonymity generalisation is undone and the "
    "reporter's home can be found. Publish real ids only if the Open311 server is not public."
)


@dataclass
class LocationRule:
    method: str = "grid"
    cell_m: float = 250.0
    k: int = 5
    crs: str = ""  # metric CRS for the grid; empty = the store's analysis CRS

    def check(self) -> None:
        if self.method not in LOCATION_METHODS:
            raise PolicyError(f"unknown location method {self.method!r}; use one of {', '.join(LOCATION_METHODS)}")
        if self.method in ("grid", "kanon") and not self.cell_m > 0:
            raise PolicyError("the grid cell size must be > 0 m")
        if self.method == "kanon" and self.k < 2:
            raise PolicyError("k-anonymity needs k ≥ 2")


@dataclass
class Policy:
    """Field rules per table (overrides on top of DEFAULT_RULES) and the location rule for personal locations."""

    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    location: LocationRule = field(default_factory=LocationRule)
    id_mode: str = "pseudonym"
    id_secret: str = field(default="", repr=False)  # never serialised, logged or written
    real_ids_confirmed: bool = False

    def check_ids(self) -> None:
        if self.id_mode not in ID_MODES:
            raise PolicyError(f"unknown id mode {self.id_mode!r}; use one of {', '.join(ID_MODES)}")
        if self.id_mode == "real" and not self.real_ids_confirmed:
            raise PolicyError("real report ids need an explicit confirmation: " + REAL_IDS_RISK)
        if self.id_mode == "pseudonym" and len(self.id_secret or "") < MIN_SECRET_CHARS:
            raise PolicyError(
                f"published report ids are keyed pseudonyms and need the city's secret (at least {MIN_SECRET_CHARS} "
                f"characters): set it in the environment variable {ID_SECRET_ENV} or choose its QGIS "
                "authentication configuration"
            )

    def public_id(self, value: object) -> object:
        """The id as published: HMAC-SHA256 pseudonym (stable for one secret) or the real id when confirmed."""
        if value is None or self.id_mode == "real":
            return value
        digest = hmac.new(self.id_secret.encode("utf-8"), f"report:{value}".encode(), hashlib.sha256).hexdigest()
        return "r-" + digest[:24]

    def action(self, table: str, column: str, sql_type: str) -> str:
        explicit = self.rules.get(table, {}).get(column)
        if explicit is not None:
            return explicit
        default = DEFAULT_RULES.get(table, {}).get(column)
        if default is not None:
            return default
        if PERSONAL.search(column):
            return "drop"
        return "scrub" if sql_type == "TEXT" else "keep"

    def location_method(self, table: str) -> str:
        return self.location.method if table in PERSONAL_LOCATION_TABLES else "exact"

    def check(self, table: str, columns: dict[str, str]) -> None:
        """Refuse a policy that names unknown actions or would publish a personal column."""
        if table in NEVER_EXPORT:
            raise PolicyError(f"table {table} is internal and is never exported")
        self.location.check()
        if table in ID_COLUMNS:
            self.check_ids()
        for column, action in self.rules.get(table, {}).items():
            if action not in ACTIONS:
                raise PolicyError(f"{table}.{column}: unknown action {action!r}; use one of {', '.join(ACTIONS)}")
            if column not in columns:
                raise PolicyError(f"{table} has no column {column!r}")
        for column, sql_type in columns.items():
            action = self.action(table, column, sql_type)
            if PERSONAL.search(column) and action != "drop":
                raise PolicyError(f"{table}.{column} is personal data and can only be dropped (asked: {action})")
            if table in PERSONAL_LOCATION_TABLES and column in ("lat", "lon") and action != "drop":
                raise PolicyError(f"{table}.{column} is an exact location; use the location rule instead")

    def describe(self, table: str, columns: dict[str, str]) -> dict[str, str]:
        """column → action, for the metadata and the preview."""
        out = {c: self.action(table, c, t) for c, t in columns.items()}
        out["(location)"] = self.location_method(table)
        if table in ID_COLUMNS:
            out[ID_COLUMNS[table]] = "keep (real id)" if self.id_mode == "real" else "pseudonym"
        return out

    @classmethod
    def from_dict(cls, data: Optional[dict]) -> Policy:
        data = data or {}
        loc = data.get("location", {}) or {}
        return cls(
            rules={t: dict(r) for t, r in (data.get("rules") or {}).items()},
            location=LocationRule(
                method=str(loc.get("method", "grid")),
                cell_m=float(loc.get("cell_m", 250.0)),
                k=int(loc.get("k", 5)),
                crs=str(loc.get("crs", "")),
            ),
            id_mode=str(data.get("id_mode", "pseudonym")),
        )

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "rules": {t: dict(sorted(r.items())) for t, r in sorted(self.rules.items())},
            "location": {"method": loc.method, "cell_m": loc.cell_m, "k": loc.k, "crs": loc.crs},
            "id_mode": self.id_mode,
        }
