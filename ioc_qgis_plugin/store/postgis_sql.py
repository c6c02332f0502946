"""Panel filters as parameterised PostgreSQL (never text pasted into SQL), for the database-side counts and grids.

Unlike ReportFilter.to_sql (a QGIS subset string, which cannot carry parameters) every value here is bound.
Deadline states use the stored `deadline_state` column kept current by refresh_deadline_state (city migration 2).
"""

from __future__ import annotations

from typing import Any, Optional

from ..core.report_filter import ReportFilter
from ..core.statuses import OPEN_STATUSES
from ..core.timeutil import epoch_to_iso

OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))


def filter_where(flt: Optional[ReportFilter]) -> tuple[str, list[Any]]:
    """WHERE clause ('?' placeholders) and its parameters; ('TRUE', []) for no filter."""
    if flt is None:
        return "TRUE", []
    parts: list[str] = []
    params: list[Any] = []
    for column, values in (("ward_id", flt.wards), ("service_code", flt.categories), ("status", flt.statuses)):
        if values:
            parts.append(f"{column} = ANY(?)")
            params.append(list(values))
    if flt.open_only:
        parts.append("status = ANY(?)")
        params.append(list(OPEN_VALUES))
    if flt.date_from is not None:
        parts.append("requested_at >= ?::timestamptz")
        params.append(epoch_to_iso(flt.date_from))
    if flt.date_to is not None:
        parts.append("requested_at < ?::timestamptz")
        params.append(epoch_to_iso(flt.date_to))
    if flt.states:
        parts.append("deadline_state = ANY(?::smallint[])")
        params.append([int(s) for s in flt.states])
    if flt.text:
        # LIKE wildcards in the user's text are literal
        needle = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        parts.append("(report_id ILIKE ? OR address ILIKE ? OR description ILIKE ?)")
        params += [needle, needle, needle]
    return (" AND ".join(parts) or "TRUE"), params
