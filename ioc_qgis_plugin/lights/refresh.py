"""One refresh: newest observations of every light from SensorThings → state → street_lights (one transaction).

Runs off the GUI thread (QgsTask) with its own store connection. When the server cannot be reached, nothing in the
store changes: the last good state stays, and the panel shows "no data since" from each light's last_report.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..connectors.sensorthings import (
    FIELD_NAMES,
    TALQ_FIELDS,
    VALUE_RANGES,
    LatestValues,
    SensorThingsClient,
    SensorThingsError,
    latest_values,
)
from ..core.timeutil import epoch_array_to_iso, iso_to_epoch_array
from .state import Classified, classify

log = logging.getLogger("ioc.lights")


@dataclass
class RefreshResult:
    ok: bool
    at: float  # epoch of this attempt
    error: str = ""
    light_ids: list[str] = field(default_factory=list)
    classified: Optional[Classified] = None
    issues: dict[str, list[str]] = field(default_factory=dict)  # light_id → problems worth showing
    datastreams: dict[str, dict] = field(default_factory=dict)  # light_id → TALQ field → Datastream id
    thing_ids: dict[str, object] = field(default_factory=dict)  # light_id → Thing id (commands)
    updated: int = 0
    inserted: int = 0
    readings: int = 0
    problems: list[str] = field(default_factory=list)  # Things the server sent that could not be used
    requests: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        if self.classified is None:
            return {}
        states, n = np.unique(self.classified.state.astype(str), return_counts=True)
        return dict(zip(states.tolist(), n.tolist()))


@dataclass
class RefreshOptions:
    stale_after_s: float = 3600.0
    max_skew_s: float = 300.0
    record_readings: bool = True  # append the newest values to light_readings when they are new


def fetch_latest(client: SensorThingsClient, now: float, opts: RefreshOptions) -> LatestValues:
    things = client.latest_by_thing()
    return latest_values(things, now=now, max_skew_s=opts.max_skew_s)


def refresh(
    client: SensorThingsClient, store, now: Optional[float] = None, opts: Optional[RefreshOptions] = None
) -> RefreshResult:  # noqa: ANN001 - any IocStore
    """Fetch, classify and write. Never raises for server trouble: returns ok=False and leaves the store alone."""
    opts = opts or RefreshOptions()
    t0 = time.perf_counter()
    now = time.time() if now is None else now
    before = client.requests_made
    try:
        latest = fetch_latest(client, now, opts)
    except SensorThingsError as exc:
        return RefreshResult(False, now, error=str(exc), requests=client.requests_made - before)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError, RecursionError, MemoryError) as exc:
        # an answer shaped in a way nothing above foresaw: still server trouble, still no change to the store
        log.exception("SensorThings answer could not be read")
        return RefreshResult(
            False,
            now,
            error=f"the SensorThings answer has an unexpected shape ({type(exc).__name__}); nothing was changed",
            requests=client.requests_made - before,
        )
    result = apply_latest(store, latest, now, opts)
    result.problems = list(latest.problems)
    result.requests = client.requests_made - before
    result.seconds = time.perf_counter() - t0
    return result


def apply_latest(store, latest: LatestValues, now: float, opts: RefreshOptions) -> RefreshResult:  # noqa: ANN001
    """Classify the fetched values against the lights in the store and write them in one transaction."""
    known = store.columns("street_lights", ["light_id", "rated_power_w", "last_report"])
    known_ids = [str(x) for x in known["light_id"]]
    pos = {lid: i for i, lid in enumerate(known_ids)}
    n = len(latest.light_ids)
    rated = np.array([_num(_props(latest, i).get("rated_power_w")) for i in range(n)], dtype=np.float64)
    rated[(rated <= 0) | (rated > VALUE_RANGES["power"][1])] = np.nan
    idx = np.array([pos.get(lid, -1) for lid in latest.light_ids], dtype=np.int64)
    have = idx >= 0
    # index -1 (a light not in the store yet) lands on the appended NaN — also when the store has no lights at all
    known_rated = np.append(np.asarray(known["rated_power_w"], dtype=np.float64), np.nan)
    rated = np.where(np.isnan(rated) & have, known_rated[idx], rated)
    c = classify(latest.values, latest.times, now, rated, stale_after_s=opts.stale_after_s)
    stored_last = np.append(iso_to_epoch_array(known["last_report"]), np.nan)[idx]
    # a light whose server side went quiet keeps the report time we already had
    last = np.where(np.isnan(c.last_report), stored_last, c.last_report)
    last_iso = epoch_array_to_iso(last)
    issues = {lid: list(latest.issues[i]) for i, lid in enumerate(latest.light_ids) if latest.issues[i]}
    rows = []
    for i, lid in enumerate(latest.light_ids):
        rows.append(
            {
                "light_id": lid,
                "state": c.state[i],
                "light_level": _opt(c.light_level[i]),
                "active_power_w": _opt(c.active_power_w[i]),
                "fault": c.fault[i],
                "last_report": last_iso[i],
            }
        )
    update = [r for r, h in zip(rows, have) if h]
    new = [r for r, h in zip(rows, have) if not h]
    for r, i in zip(new, np.flatnonzero(~have)):
        p = _props(latest, i)
        r.update(
            ward_id=_label(p.get("ward_id")),
            cabinet_id=_label(p.get("cabinet_id")),
            circuit_id=_label(p.get("circuit_id")),
            lamp_type=_label(p.get("lamp_type")),
            rated_power_w=_opt(rated[i]),
            lon=_opt(latest.lon[i]),
            lat=_opt(latest.lat[i]),
        )
    missing = sorted(set(known_ids) - set(latest.light_ids))
    for lid in missing:
        issues.setdefault(lid, []).append("not on the SensorThings server")
    readings = _new_readings(latest, c, stored_last, opts) if opts.record_readings else []
    with store.transaction():
        store.update_rows("street_lights", "light_id", update)
        if missing:
            store.update_rows("street_lights", "light_id", [{"light_id": lid, "state": "nodata"} for lid in missing])
        if new:
            store.insert("street_lights", new, store.point_geometries(new))
        if readings:
            store.insert("light_readings", readings)
    return RefreshResult(
        True,
        now,
        light_ids=list(latest.light_ids),
        classified=c,
        issues=issues,
        datastreams=dict(zip(latest.light_ids, latest.datastream_ids)),
        thing_ids=dict(zip(latest.light_ids, latest.thing_ids)),
        updated=len(update),
        inserted=len(new),
        readings=len(readings),
    )


def _new_readings(latest: LatestValues, c: Classified, stored_last: np.ndarray, opts: RefreshOptions) -> list[dict]:
    """One light_readings row per light whose newest observation is newer than what the store already had."""
    newer = ~np.isnan(c.last_report) & (np.isnan(stored_last) | (c.last_report > stored_last + 0.5))
    if not newer.any():
        return []
    at = epoch_array_to_iso(c.last_report)
    out = []
    for i in np.flatnonzero(newer):
        row: dict = {"light_id": latest.light_ids[i], "at": at[i]}
        for j, f in enumerate(FIELD_NAMES):
            v = latest.values[i, j]
            col, kind = TALQ_FIELDS[f]
            row[col] = None if np.isnan(v) else (bool(v > 0.5) if kind == "bool" else float(v))
        out.append(row)
    return out


def _num(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return np.nan
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return np.nan
    return f if np.isfinite(f) else np.nan


def _props(latest: LatestValues, i: int) -> dict:
    p = latest.properties[i] if i < len(latest.properties) else None
    return p if isinstance(p, dict) else {}


def _label(v: object) -> Optional[str]:
    """A short printable text from a Thing's properties (ward, cabinet, …), or None."""
    if v is None or isinstance(v, (bool, dict, list, float)):
        return None
    text = str(v).strip()
    if not text or len(text) > 200 or not text.isprintable() or any("\ud800" <= c <= "\udfff" for c in text):
        return None
    return text


def _opt(v: float) -> Optional[float]:
    return None if v is None or np.isnan(v) else float(v)
