"""Which report_events may leave, and in what form.

An event repeats a field's old and new value, so it must follow the same rule as the field itself: changes of
dropped fields (reporter, named official, exact coordinates, photos) never leave; changes of scrubbed or address
fields are scrubbed the same way; coordinate changes are rounded to no finer than the published location.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from .policy import Policy

# Event actions with no personal content in their values.
_PUBLIC_ACTIONS = {"created", "status", "priority", "note", "sync", "attachment"}
# "assign" covers both agency_responsible and assigned_to (a named official): the values never leave.
_VALUELESS_ACTIONS = {"assign"}
_COORDINATES = {"lat", "lon"}


def coordinate_decimals(policy: Policy) -> Optional[int]:
    """Decimals of a degree no finer than the published location (None: exact; -1: never)."""
    method = policy.location.method
    if method == "exact":
        return None
    if method == "drop":
        return -1
    cell = policy.location.cell_m * (2**5 if method == "kanon" else 1)  # kanon may coarsen up to 32×
    return max(0, math.floor(-math.log10(cell / 111_320.0)))


def public_events(
    rows: list[dict[str, Any]],
    policy: Policy,
    report_action: Callable[[str], str],
    apply: Callable[[str, Any], Any],
) -> list[dict[str, Any]]:
    """Filter and transform event rows; report_action(column) is the field_reports action of that column and
    apply(action, value) applies a field action to one value."""
    out: list[dict[str, Any]] = []
    decimals = coordinate_decimals(policy)
    for r in rows:
        action = str(r.get("action") or "")
        row = dict(r)
        if action.startswith("edit:"):
            column = action[5:]
            if column in _COORDINATES:
                if decimals is not None and decimals < 0:
                    continue
                for key in ("old_value", "new_value"):
                    row[key] = _round(row.get(key), decimals)
            else:
                field_action = report_action(column)
                if field_action == "drop":
                    continue
                for key in ("old_value", "new_value"):
                    row[key] = apply(field_action, row.get(key))
        elif action in _VALUELESS_ACTIONS:
            row["old_value"] = row["new_value"] = None
        elif action not in _PUBLIC_ACTIONS:
            continue  # unknown kinds of events stay inside until someone decides they are public
        out.append(row)
    return out


def _round(value: Any, decimals: Optional[int]) -> Any:  # noqa: ANN401
    if decimals is None or value in (None, ""):
        return value
    try:
        return f"{round(float(value), decimals):.{decimals}f}"
    except (TypeError, ValueError):
        return None
