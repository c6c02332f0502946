"""Outage analytics on the current light states: supply faults vs single lamps, day/night, near field reports.

All functions take plain arrays (one entry per light) so Processing scripts, the panel and tests share them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.statuses import OPEN_STATUSES
from .solar import daylight
from .state import DARK_FAULTS

OUTAGE_CLASSES = {
    "cabinet_supply": ("Mất nguồn tủ điện", "Cabinet supply fault"),
    "circuit_supply": ("Mất nguồn lộ/tuyến", "Circuit supply fault"),
    "single_lamp": ("Hỏng đèn đơn lẻ", "Single-lamp fault"),
}


def _text(a: np.ndarray) -> np.ndarray:
    return np.array(["" if v is None or v != v else str(v) for v in np.asarray(a, dtype=object)], dtype=object)


def dark_mask(
    state: np.ndarray, light_level: np.ndarray, fault: np.ndarray, night: np.ndarray | bool = True
) -> np.ndarray:
    """Lamps giving no light where they should: a fault that leaves it dark, or 'off' at night."""
    state = _text(state)
    fault = _text(fault)
    level = np.asarray(light_level, dtype=np.float64)
    dark_fault = np.zeros(len(state), dtype=bool)
    for f in DARK_FAULTS:
        dark_fault |= np.char.find(fault.astype(str), f) >= 0
    with np.errstate(invalid="ignore"):
        zero = ~(level > 0)  # NaN (unknown) counts as dark for a faulty lamp
    is_fault = state == "fault"
    return (is_fault & (dark_fault | zero)) | ((state == "off") & np.asarray(night, dtype=bool))


@dataclass
class OutageResult:
    dark: np.ndarray  # bool per light
    light_class: np.ndarray  # per light: "" | single_lamp | circuit_supply | cabinet_supply
    circuits: list[dict]  # per circuit with at least one dark lamp: cabinet, circuit, lamps, dark, share, class


def outage_clusters(
    cabinet: np.ndarray,
    circuit: np.ndarray,
    state: np.ndarray,
    light_level: np.ndarray,
    fault: np.ndarray,
    night: np.ndarray | bool = True,
    supply_share: float = 0.5,
    min_dark: int = 2,
) -> OutageResult:
    """Dark lamps grouped by circuit: when at least `supply_share` of a circuit (and `min_dark` lamps) is dark, or a
    lamp reports supplyLoss, the circuit probably lost supply; when most circuits of a cabinet did, the cabinet."""
    cabinet, circuit, fault = _text(cabinet), _text(circuit), _text(fault)
    n = len(cabinet)
    dark = dark_mask(state, light_level, fault, night)
    circuit_key = np.where(circuit == "", cabinet + "|?", circuit)
    cu, cinv = np.unique(circuit_key.astype(str), return_inverse=True)
    lamps = np.bincount(cinv, minlength=len(cu))
    dark_n = np.bincount(cinv, weights=dark, minlength=len(cu))
    supply_flag = np.bincount(cinv, weights=np.char.find(fault.astype(str), "supplyLoss") >= 0, minlength=len(cu))
    share = np.where(lamps > 0, dark_n / np.maximum(lamps, 1), 0.0)
    circ_supply = ((share >= supply_share) & (dark_n >= min_dark)) | ((supply_flag > 0) & (dark_n > 0))
    # cabinet level: share of its lamps on supply-faulty circuits
    ku, kinv = np.unique(cabinet.astype(str), return_inverse=True)
    cab_of_circuit = np.zeros(len(cu), dtype=np.int64)
    cab_of_circuit[cinv] = kinv
    circuits_per_cab = np.bincount(cab_of_circuit, minlength=len(ku))
    faulty_per_cab = np.bincount(cab_of_circuit, weights=circ_supply, minlength=len(ku))
    # the whole cabinet: all its circuits, or at least two and half of them, lost supply
    cab_supply = (faulty_per_cab >= 1) & (
        (faulty_per_cab == circuits_per_cab) | ((faulty_per_cab >= 2) & (faulty_per_cab >= circuits_per_cab / 2))
    )
    cab_supply &= ku != ""
    light_class = np.full(n, "", dtype=object)
    light_class[dark] = "single_lamp"
    light_class[dark & circ_supply[cinv]] = "circuit_supply"
    light_class[dark & cab_supply[kinv]] = "cabinet_supply"
    circuits = []
    for j in np.flatnonzero(dark_n > 0):
        k = cab_of_circuit[j]
        cls = (
            "cabinet_supply"
            if cab_supply[k] and circ_supply[j]
            else ("circuit_supply" if circ_supply[j] else "single_lamp")
        )
        circuits.append(
            {
                "cabinet_id": str(ku[k]),
                "circuit_id": "" if cu[j].endswith("|?") else str(cu[j]),
                "lamps": int(lamps[j]),
                "dark": int(dark_n[j]),
                "dark_share": float(share[j]),
                "outage_class": cls,
                "members": np.flatnonzero(cinv == j),
            }
        )
    return OutageResult(dark, light_class, circuits)


def day_night_problems(
    state: np.ndarray,
    light_level: np.ndarray,
    fault: np.ndarray,
    at: np.ndarray,
    lat: float,
    lon: float,
    margin_s: float = 1800.0,
) -> np.ndarray:
    """Per light: 'lit_in_daytime', 'dark_at_night' or '' — judged at each light's report time `at` (epoch)."""
    state = _text(state)
    level = np.asarray(light_level, dtype=np.float64)
    is_day, is_night = daylight(at, lat, lon, margin_s)
    with np.errstate(invalid="ignore"):
        lit = np.isin(state, ["on", "dimmed"]) | ((state == "fault") & (level > 0))
    dark = dark_mask(state, level, fault, night=True)
    out = np.full(len(state), "", dtype=object)
    out[is_day & lit] = "lit_in_daytime"
    out[is_night & dark] = "dark_at_night"
    return out


DAY_NIGHT_LABELS = {
    "lit_in_daytime": ("Sáng ban ngày", "Lit in daytime"),
    "dark_at_night": ("Tắt/hỏng ban đêm", "Dark at night"),
}


def open_report_mask(service_code: np.ndarray, status: np.ndarray, services: tuple[str, ...] = ("security", "traffic")):
    """Field reports that are open (not resolved/closed/rejected) and of the given services."""
    open_values = {s.value for s in OPEN_STATUSES} | {"open"}
    sc, st = _text(service_code), _text(status)
    return np.isin(sc, list(services)) & np.isin(st, list(open_values))


@dataclass
class NearResult:
    reports_within: np.ndarray  # int per light (0 for lights that are not dark)
    nearest_m: np.ndarray  # float per light, NaN when no report within the distance
    nearest_report: np.ndarray  # int index into the report arrays, -1 when none


def dark_near_reports(light_xy: np.ndarray, dark: np.ndarray, report_xy: np.ndarray, distance_m: float) -> NearResult:
    """For each dark light: open reports within `distance_m` (coordinates in metres, same projected CRS)."""
    from scipy.spatial import cKDTree

    n = len(light_xy)
    within = np.zeros(n, dtype=np.int64)
    nearest = np.full(n, np.nan)
    idx = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(report_xy) == 0 or not np.any(dark):
        return NearResult(within, nearest, idx)
    tree = cKDTree(np.asarray(report_xy, dtype=np.float64))
    sel = np.flatnonzero(np.asarray(dark, dtype=bool))
    pts = np.asarray(light_xy, dtype=np.float64)[sel]
    d, j = tree.query(pts, k=1, distance_upper_bound=distance_m)
    hit = np.isfinite(d)
    nearest[sel[hit]] = d[hit]
    idx[sel[hit]] = j[hit]
    within[sel] = np.array([len(x) for x in tree.query_ball_point(pts, r=distance_m)], dtype=np.int64)
    return NearResult(within, nearest, idx)


def local_xy(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Equirectangular metres around (lon0, lat0): error < 0.1 % across a city, for tests and quick looks."""
    r = 6_371_008.8
    x = np.radians(np.asarray(lon, dtype=np.float64) - lon0) * r * np.cos(np.radians(lat0))
    y = np.radians(np.asarray(lat, dtype=np.float64) - lat0) * r
    return np.column_stack([x, y])
