"""Per-light state from the newest TALQ values, vectorised over all lights.

States: on · dimmed · off · fault · nodata. A value older than `stale_after_s` no longer counts; a light with no
fresh value at all is "nodata" and keeps its last values and report time ("no data since …").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.talq import FIELD_NAMES

STATES = ("on", "dimmed", "off", "fault", "nodata")
# Faults that make the lamp itself faulty; an open cabinet door is an alarm listed with them, not a lamp state.
LAMP_FAULTS = ("lampFailure", "dimmingFailure", "relayFailure", "supplyLoss")
ALARMS = ("cabinetDoorOpen",)
# Faults after which the lamp gives no light.
DARK_FAULTS = ("lampFailure", "relayFailure", "supplyLoss", "noPowerDraw")

STATE_LABELS = {
    "on": ("Sáng", "On"),
    "dimmed": ("Giảm sáng", "Dimmed"),
    "off": ("Tắt", "Off"),
    "fault": ("Lỗi", "Fault"),
    "nodata": ("Không có dữ liệu", "No data"),
}
FAULT_LABELS = {
    "lampFailure": ("Hỏng bóng", "Lamp failure"),
    "dimmingFailure": ("Lỗi điều chỉnh độ sáng", "Dimming failure"),
    "relayFailure": ("Lỗi rơ-le", "Relay failure"),
    "supplyLoss": ("Mất nguồn", "Supply loss"),
    "cabinetDoorOpen": ("Cửa tủ mở", "Cabinet door open"),
    "noPowerDraw": ("Bật nhưng không tiêu thụ điện", "On but draws no power"),
}


@dataclass
class Classified:
    state: np.ndarray  # object (n,)
    fault: np.ndarray  # object (n,): comma-separated TALQ fault names, "" when none
    light_level: np.ndarray  # float (n,) last known, NaN when never reported
    active_power_w: np.ndarray
    last_report: np.ndarray  # float (n,) epoch of the newest value of any field, NaN when none
    fresh: np.ndarray  # bool (n,) at least one value newer than the stale limit


def classify(
    values: np.ndarray,
    times: np.ndarray,
    now: float,
    rated_power_w: np.ndarray,
    stale_after_s: float = 3600.0,
    on_at: float = 90.0,
    off_below: float = 1.0,
) -> Classified:
    """values/times: (n, len(FIELD_NAMES)) newest value per TALQ field (store units) and its epoch time."""
    values = np.asarray(values, dtype=np.float64)
    times = np.asarray(times, dtype=np.float64)
    n = values.shape[0]
    col = {f: i for i, f in enumerate(FIELD_NAMES)}
    with np.errstate(invalid="ignore"):
        fresh_cell = (now - times) <= stale_after_s
    v = np.where(fresh_cell, values, np.nan)
    level, power = v[:, col["actualLightState"]], v[:, col["activePower"]]
    rated = np.asarray(rated_power_w, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(rated > 0, power / rated * 100.0, np.nan)
        effective = np.where(np.isnan(level), ratio, level)
        flags = {f: np.nan_to_num(v[:, col[f]], nan=0.0) > 0.5 for f in (*LAMP_FAULTS, *ALARMS)}
        # a lamp told to give light that draws (almost) nothing has failed even if it does not say so
        flags["noPowerDraw"] = (level > 10) & (power < 0.02 * rated) & ~flags["lampFailure"] & ~flags["supplyLoss"]
    lamp_fault = np.zeros(n, dtype=bool)
    for f in (*LAMP_FAULTS, "noPowerDraw"):
        lamp_fault |= flags[f]
    fresh = fresh_cell.any(axis=1)
    state = np.full(n, "nodata", dtype=object)
    known = fresh & ~np.isnan(effective)
    with np.errstate(invalid="ignore"):
        state[known & (effective >= on_at)] = "on"
        state[known & (effective >= off_below) & (effective < on_at)] = "dimmed"
        state[known & (effective < off_below)] = "off"
    state[fresh & lamp_fault] = "fault"
    fault = np.full(n, "", dtype=object)
    for f, flag in flags.items():
        hit = flag & fresh
        if hit.any():
            fault[hit] = np.where(fault[hit] == "", f, fault[hit] + "," + f)
    last_level = values[:, col["actualLightState"]]
    last_power = values[:, col["activePower"]]
    last = np.where(np.isnan(times), -np.inf, times).max(axis=1) if n else np.zeros(0)
    last = np.where(np.isfinite(last), last, np.nan)
    return Classified(state, fault, last_level, last_power, last, fresh)


def age_text(seconds: float, lang: str = "vi") -> str:
    """'5 phút' / '5 min', '3,2 giờ' / '3.2 h', '2 ngày' / '2 d' — for "no data since" and the fault list."""
    if seconds != seconds:  # NaN
        return "—"
    s = max(0.0, float(seconds))
    vi = lang.startswith("vi")
    if s < 90:
        return f"{s:.0f} {'giây' if vi else 's'}"
    if s < 5400:
        return f"{s / 60:.0f} {'phút' if vi else 'min'}"
    if s < 2 * 86400:
        text = f"{s / 3600:.1f}"
        return f"{text.replace('.', ',') if vi else text} {'giờ' if vi else 'h'}"
    return f"{s / 86400:.0f} {'ngày' if vi else 'd'}"


def state_counts(states: Any) -> dict[str, int]:
    """How many lights are in each state — the one definition behind the overview and the Lights tab figures."""
    arr = np.asarray(states, dtype=object).astype(str)
    return {s: int(np.count_nonzero(arr == s)) for s in STATES}
