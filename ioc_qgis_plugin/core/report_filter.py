"""Panel filters over columnar report data: one vectorised mask per change (100,000 rows in a few ms),
and the same filter as an SQL WHERE clause so the map layer can show exactly what the table shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .sla import DeadlineState, SlaRules, deadline_state
from .statuses import DONE_STATUSES, OPEN_STATUSES, RETURNED_STATUSES
from .text_fold import contains_sql, fold
from .timeutil import iso_to_epoch_array

REPORT_COLUMNS = (
    "fid",
    "report_id",
    "service_code",
    "priority",
    "status",
    "ward_id",
    "requested_at",
    "due_at",
    "resolved_at",
    "address",
    "agency_responsible",
    "description",
)
_OPEN_VALUES = np.array(sorted(s.value for s in OPEN_STATUSES), dtype=object)
_DONE_VALUES = np.array(sorted(s.value for s in DONE_STATUSES), dtype=object)
_RETURNED_VALUES = np.array(sorted(s.value for s in RETURNED_STATUSES), dtype=object)


@dataclass
class ReportData:
    """Report columns as numpy arrays plus derived epoch times and deadline state."""

    cols: dict[str, np.ndarray]
    requested: np.ndarray
    due: np.ndarray
    resolved: np.ndarray
    is_open: np.ndarray
    returned: np.ndarray
    state: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    _blob: str = ""
    _starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def from_columns(cls, cols: dict[str, np.ndarray], now: float, rules: Optional[SlaRules] = None) -> ReportData:
        rules = rules or SlaRules.default()
        requested = iso_to_epoch_array(cols["requested_at"])
        due = iso_to_epoch_array(cols["due_at"])
        missing_due = np.isnan(due) & ~np.isnan(requested)
        if missing_due.any():  # servers that send no deadline: derive it from the rules
            hours = rules.hours_array(cols["service_code"][missing_due], cols["priority"][missing_due])
            due[missing_due] = requested[missing_due] + hours * 3600
        resolved = iso_to_epoch_array(cols["resolved_at"])
        is_open = np.isin(cols["status"], _OPEN_VALUES)
        returned = np.isin(cols["status"], _RETURNED_VALUES)
        data = cls(cols, requested, due, resolved, is_open, returned)
        data.refresh_state(now, rules.due_soon_fraction)
        data.build_search_index()
        return data

    def refresh_state(self, now: float, due_soon_fraction: float = 0.25) -> None:
        self.state = deadline_state(
            self.requested, self.due, self.resolved, self.is_open, now, due_soon_fraction, returned=self.returned
        )

    def __len__(self) -> int:
        return len(self.requested)

    def build_search_index(self) -> None:
        """One folded text (text_fold.fold: lower case, no diacritics) of id, address and description per report,
        joined, so a search is a C-speed scan of one string instead of a Python loop over rows."""
        c = self.cols
        texts = [
            fold(f"{r}\x1f{a or ''}\x1f{d or ''}").replace("\n", " ")
            for r, a, d in zip(c["report_id"], c["address"], c["description"])
        ]
        self._blob = "\n".join(texts)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        self._starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(texts) else lengths

    def text_mask(self, needle: str) -> np.ndarray:
        if len(self._starts) != len(self):
            self.build_search_index()
        hits = np.zeros(len(self), dtype=bool)
        needle = fold(needle)
        if not needle or "\n" in needle:
            return hits if needle else ~hits
        pos = np.fromiter(_find_all(self._blob, needle), dtype=np.int64)
        if len(pos):
            hits[np.searchsorted(self._starts, pos, side="right") - 1] = True
        return hits


def _find_all(text: str, needle: str):
    """Start of every occurrence; str.find scans in C, so this costs one step per hit, not per row."""
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


@dataclass
class ReportFilter:
    wards: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    states: tuple[int, ...] = ()  # DeadlineState values
    open_only: bool = False
    date_from: Optional[float] = None  # epoch seconds, inclusive
    date_to: Optional[float] = None  # epoch seconds, exclusive
    text: str = ""

    def mask(self, data: ReportData) -> np.ndarray:
        c = data.cols
        m = np.ones(len(data), dtype=bool)
        if self.wards:
            m &= np.isin(c["ward_id"], np.array(self.wards, dtype=object))
        if self.categories:
            m &= np.isin(c["service_code"], np.array(self.categories, dtype=object))
        if self.statuses:
            m &= np.isin(c["status"], np.array(self.statuses, dtype=object))
        if self.open_only:
            m &= data.is_open
        if self.states:
            m &= np.isin(data.state, np.array(self.states, dtype=np.uint8))
        if self.date_from is not None:
            m &= data.requested >= self.date_from
        if self.date_to is not None:
            m &= data.requested < self.date_to
        if self.text:
            m &= data.text_mask(self.text)
        return m

    def to_sql(self, now: float, due_soon_fraction: float = 0.25, dialect: str = "sqlite") -> str:
        """The same filter as a layer subset string, for GeoPackage (SQLite) or PostGIS."""

        def seconds(col: str) -> str:
            return f'(julianday("{col}") * 86400.0)' if dialect == "sqlite" else f'extract(epoch from "{col}")'

        def quoted(values) -> str:
            return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)

        parts = []
        if self.wards:
            parts.append(f'"ward_id" IN ({quoted(self.wards)})')
        if self.categories:
            parts.append(f'"service_code" IN ({quoted(self.categories)})')
        if self.statuses:
            parts.append(f'"status" IN ({quoted(self.statuses)})')
        if self.open_only:
            parts.append(f'"status" IN ({quoted(_OPEN_VALUES)})')
        from .timeutil import epoch_to_iso

        if self.date_from is not None:
            parts.append(f"\"requested_at\" >= '{epoch_to_iso(self.date_from)}'")
        if self.date_to is not None:
            parts.append(f"\"requested_at\" < '{epoch_to_iso(self.date_to)}'")
        if self.states:
            now_iso = epoch_to_iso(now)
            open_ = f'"status" IN ({quoted(_OPEN_VALUES)})'
            conds = []
            if DeadlineState.OVERDUE in self.states:
                conds.append(f"({open_} AND \"due_at\" < '{now_iso}')")
            # julianday counts from 4714 BC: the Unix epoch is julian day 2440587.5 (= 210866760000 s).
            now_s = now + (210866760000.0 if dialect == "sqlite" else 0.0)
            left = f"({seconds('due_at')} - {now_s:.0f})"
            window = f"({seconds('due_at')} - {seconds('requested_at')})"
            if DeadlineState.DUE_SOON in self.states:
                conds.append(f"({open_} AND \"due_at\" >= '{now_iso}' AND {left} < {due_soon_fraction} * {window})")
            if DeadlineState.ON_TIME in self.states:
                conds.append(f"({open_} AND \"due_at\" >= '{now_iso}' AND {left} >= {due_soon_fraction} * {window})")
            # only resolved/closed reports: a rejected or duplicate one with a resolution time has no deadline
            done = f'"status" IN ({quoted(_DONE_VALUES)})'
            if DeadlineState.RESOLVED_LATE in self.states:
                conds.append(f'({done} AND "resolved_at" > "due_at")')
            if DeadlineState.RESOLVED_ON_TIME in self.states:
                conds.append(f'({done} AND "resolved_at" <= "due_at")')
            if conds:
                parts.append("(" + " OR ".join(conds) + ")")
        if self.text:
            parts.append(contains_sql(("report_id", "address", "description"), self.text, dialect))
        return " AND ".join(parts)
