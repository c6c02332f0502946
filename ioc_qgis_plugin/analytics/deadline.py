"""Deadline performance of field reports by ward and category, from the SLA rules in core.sla."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..core.sla import DeadlineState, SlaRules, deadline_state, due_times, hours_to_resolution
from ..core.statuses import OPEN_STATUSES, RETURNED_STATUSES


@dataclass
class GroupStats:
    ward: str
    category: str
    total: int
    open: int
    overdue: int
    due_soon: int
    resolved_on_time: int
    resolved_late: int
    no_deadline: int
    on_time_rate: float  # resolved on time / resolved (NaN: nothing resolved)
    median_hours: float  # median hours from request to resolution (NaN: nothing resolved)


def report_states(
    category: np.ndarray,
    priority: np.ndarray,
    status: np.ndarray,
    requested: np.ndarray,
    due: np.ndarray,
    resolved: np.ndarray,
    now: float,
    rules: Optional[SlaRules] = None,
) -> np.ndarray:
    """DeadlineState per report; a missing due time is derived from the rules (category, priority).

    Rejected and duplicate reports have no deadline even when they carry a resolved_at (they were returned, not
    handled). Resolved/closed reports without a resolution time have no deadline either: when they were done is
    unknown (see core.sla.deadline_state).
    """
    rules = rules or SlaRules.default()
    requested = np.asarray(requested, dtype=np.float64)
    due = np.asarray(due, dtype=np.float64).copy()
    missing = np.isnan(due)
    if missing.any():
        hours = rules.hours_array(
            np.asarray(category, dtype=object)[missing], np.asarray(priority, dtype=object)[missing]
        )
        due[missing] = due_times(requested[missing], hours)
    open_values = {s.value for s in OPEN_STATUSES}
    returned_values = {s.value for s in RETURNED_STATUSES}
    text = [str(s) for s in status]
    is_open = np.array([s in open_values for s in text], dtype=bool)
    returned = np.array([s in returned_values for s in text], dtype=bool)
    return deadline_state(requested, due, resolved, is_open, now, rules.due_soon_fraction, returned=returned)


def performance(
    ward: np.ndarray,
    category: np.ndarray,
    state: np.ndarray,
    requested: np.ndarray,
    resolved: np.ndarray,
    by_category: bool = True,
) -> list[GroupStats]:
    """Counts per (ward, category) — or per ward with category "*" — and on-time rate, vectorised by group codes."""
    ward = np.asarray(ward, dtype=object).astype(str)
    cat = np.asarray(category, dtype=object).astype(str) if by_category else np.full(len(ward), "*", dtype=object)
    keys = np.char.add(np.char.add(ward.astype(str), "\x1f"), cat.astype(str))
    uniq, inv = np.unique(keys, return_inverse=True)
    g = len(uniq)
    state = np.asarray(state)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(inv[mask], minlength=g)

    S = DeadlineState
    total = np.bincount(inv, minlength=g)
    on_time = count(state == S.RESOLVED_ON_TIME)
    late = count(state == S.RESOLVED_LATE)
    overdue = count(state == S.OVERDUE)
    soon = count(state == S.DUE_SOON)
    open_ = count((state == S.ON_TIME) | (state == S.DUE_SOON) | (state == S.OVERDUE))
    none = count(state == S.NO_DEADLINE)
    hours = hours_to_resolution(requested, resolved)
    out = []
    for k, key in enumerate(uniq):
        w, c = key.split("\x1f", 1)
        resolved_k = on_time[k] + late[k]
        h = hours[(inv == k) & np.isfinite(hours)] if resolved_k else np.zeros(0)
        out.append(
            GroupStats(
                w,
                c,
                int(total[k]),
                int(open_[k]),
                int(overdue[k]),
                int(soon[k]),
                int(on_time[k]),
                int(late[k]),
                int(none[k]),
                float(on_time[k] / resolved_k) if resolved_k else float("nan"),
                float(np.median(h)) if len(h) else float("nan"),
            )
        )
    return out
