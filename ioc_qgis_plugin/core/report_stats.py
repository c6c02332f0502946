"""Monthly field-report statistics per ward and category — vectorised (numpy), no QGIS.

For each month M (calendar month in the city's zone, Asia/Ho_Chi_Minh) and each (ward, category):
  received          requested during M
  carried_over      requested before M and not finished when M began
  resolved_on_time  finished (resolved/closed) during M, at or before the due time
  resolved_late     finished during M, after the due time
  returned          rejected or marked duplicate during M
  unresolved        requested before the end of M and still not finished when M ended
so that received + carried_over = resolved_on_time + resolved_late + returned + unresolved.

"Finished" time: resolved_at; where a closed/returned report has none, updated_at stands in for it.
Due time: due_at; missing ones (or all, with `rules`) come from the SLA rules by category and priority.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from . import statuses
from .sla import SlaRules
from .timeutil import iso_to_epoch_array

COUNT_FIELDS = ("received", "carried_over", "resolved_on_time", "resolved_late", "returned", "unresolved")
STORE_COLUMNS = ("ward_id", "service_code", "priority", "status", "requested_at", "updated_at", "resolved_at", "due_at")
_CITY_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh has no daylight saving time


@dataclass
class ReportStats:
    month: np.ndarray  # object, "YYYY-MM"
    ward_id: np.ndarray  # object
    service_code: np.ndarray  # object
    counts: dict[str, np.ndarray]  # COUNT_FIELDS → int64

    def __len__(self) -> int:
        return len(self.month)

    def on_time_rate(self) -> np.ndarray:
        """Share of finished reports finished on time (NaN where none finished)."""
        done = self.counts["resolved_on_time"] + self.counts["resolved_late"]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(done > 0, self.counts["resolved_on_time"] / np.maximum(done, 1), np.nan)

    def rows(self) -> list[dict[str, Any]]:
        rate = self.on_time_rate()
        out = []
        for i in range(len(self)):
            row: dict[str, Any] = {
                "month": self.month[i],
                "ward_id": self.ward_id[i],
                "service_code": self.service_code[i],
            }
            row.update({k: int(self.counts[k][i]) for k in COUNT_FIELDS})
            row["on_time_rate"] = None if np.isnan(rate[i]) else round(float(rate[i]), 4)
            out.append(row)
        return out

    def totals(self, by: str = "month") -> dict[str, dict[str, int]]:
        """Counts summed over the other keys, e.g. per month for the panel's summary line."""
        keys = getattr(self, by)
        out: dict[str, dict[str, int]] = {}
        for k in sorted(set(keys.tolist())):
            mask = keys == k
            out[k] = {f: int(self.counts[f][mask].sum()) for f in COUNT_FIELDS}
        return out

    def to_csv(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        fields = ["month", "ward_id", "service_code", *COUNT_FIELDS, "on_time_rate"]
        with open(p, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel opens Vietnamese text right
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(self.rows())
        return p


def _months(epoch: np.ndarray) -> np.ndarray:
    """Epoch seconds → month index (datetime64[M]) in the city's zone; NaN → NaT."""
    out = np.full(epoch.shape, np.datetime64("NaT"), dtype="datetime64[M]")
    ok = ~np.isnan(epoch)
    out[ok] = (epoch[ok] + _CITY_OFFSET_S).astype("int64").astype("datetime64[s]").astype("datetime64[M]")
    return out


def _month_start(m: np.datetime64) -> float:
    return float(m.astype("datetime64[s]").astype("int64")) - _CITY_OFFSET_S


def _epoch(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64)
    return iso_to_epoch_array(arr)


def _text(values: Any, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, "", dtype=object)
    arr = np.asarray(values, dtype=object)
    return np.where(np.equal(arr, None), "", arr).astype(str).astype(object)


def report_statistics(
    cols: Mapping[str, Any],
    month_from: Optional[str] = None,
    month_to: Optional[str] = None,
    rules: Optional[SlaRules] = None,
) -> ReportStats:
    """Statistics from column arrays (see STORE_COLUMNS; times as ISO text or epoch seconds).

    `rules` given: due times are recomputed from them for every report; otherwise due_at is used and only missing
    ones are filled from the default rules.
    """
    requested = _epoch(cols["requested_at"])
    n = len(requested)
    status = _text(cols.get("status"), n)
    ward = _text(cols.get("ward_id"), n)
    code = _text(cols.get("service_code"), n)
    priority = _text(cols.get("priority"), n)
    priority[priority == ""] = "normal"
    resolved = _epoch(cols["resolved_at"]) if "resolved_at" in cols else np.full(n, np.nan)
    updated = _epoch(cols["updated_at"]) if "updated_at" in cols else np.full(n, np.nan)
    due = _epoch(cols["due_at"]) if "due_at" in cols and rules is None else np.full(n, np.nan)
    missing_due = np.isnan(due)
    if missing_due.any():
        hours = (rules or SlaRules.default()).hours_array(code[missing_due], priority[missing_due])
        due[missing_due] = requested[missing_due] + hours * 3600.0

    is_done = np.isin(status, [s.value for s in statuses.DONE_STATUSES])
    is_returned = np.isin(status, [s.value for s in statuses.RETURNED_STATUSES])
    finished = np.where(np.isnan(resolved), updated, resolved)
    finished = np.where(is_done | is_returned, finished, np.nan)
    finished = np.where(finished < requested, requested, finished)  # a clock error must not break the balance
    late = finished > due

    has_req = ~np.isnan(requested)
    req_month = _months(requested)
    if not has_req.any():
        return ReportStats(*(np.zeros(0, dtype=object),) * 3, {k: np.zeros(0, np.int64) for k in COUNT_FIELDS})
    first = np.datetime64(month_from, "M") if month_from else req_month[has_req].min()
    if month_to:
        last = np.datetime64(month_to, "M")
    else:
        fin_month = _months(finished)
        fin_month = fin_month[~np.isnat(fin_month)]
        last = max(req_month[has_req].max(), fin_month.max()) if len(fin_month) else req_month[has_req].max()

    keys = np.char.add(np.char.add(ward.astype(str), "\x1f"), code.astype(str))
    uniq, group = np.unique(keys, return_inverse=True)
    g = len(uniq)
    months, counts = [], {k: [] for k in COUNT_FIELDS}
    not_finished_by = np.where(np.isnan(finished), np.inf, finished)
    for m in np.arange(first, last + 1, dtype="datetime64[M]"):
        s, e = _month_start(m), _month_start(m + 1)
        fin_in = (finished >= s) & (finished < e)
        masks = {
            "received": has_req & (requested >= s) & (requested < e),
            "carried_over": has_req & (requested < s) & (not_finished_by >= s),
            "resolved_on_time": is_done & fin_in & ~late,
            "resolved_late": is_done & fin_in & late,
            "returned": is_returned & fin_in,
            "unresolved": has_req & (requested < e) & (not_finished_by >= e),
        }
        for k, mask in masks.items():
            counts[k].append(np.bincount(group[mask], minlength=g))
        months.append(str(m))
    stacked = {k: np.concatenate(v).astype(np.int64) for k, v in counts.items()}
    month_col = np.repeat(np.array(months, dtype=object), g)
    parts = np.array([u.split("\x1f", 1) for u in uniq], dtype=object).reshape(-1, 2)
    ward_col, code_col = np.tile(parts[:, 0], len(months)), np.tile(parts[:, 1], len(months))
    keep = np.zeros(len(month_col), dtype=bool)
    for v in stacked.values():
        keep |= v > 0
    return ReportStats(month_col[keep], ward_col[keep], code_col[keep], {k: v[keep] for k, v in stacked.items()})


def from_store(
    store: Any, month_from: Optional[str] = None, month_to: Optional[str] = None, rules: Optional[SlaRules] = None
) -> ReportStats:
    """Statistics of a store's field_reports, read in bulk (one query)."""
    return report_statistics(store.columns("field_reports", list(STORE_COLUMNS)), month_from, month_to, rules)
