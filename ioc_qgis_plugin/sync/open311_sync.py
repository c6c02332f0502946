"""Incremental, idempotent, resumable pull of Open311 requests into the store.

* Windows of ≤ 90 days over updated_datetime (server extension "updated_window"), oldest first; without the
  extension, windows over requested_datetime with a look-back (`reopen_days`) so that late changes to older
  requests are still seen.
* Each window's rows and the cursor (`ioc_meta['open311_sync_cursor']`, JSON) commit in ONE transaction: a sync
  interrupted anywhere resumes at the last committed window — nothing lost (the cursor never passes rows that were
  not stored) and nothing duplicated (store.upsert_reports is keyed by report_id).
* Running it twice changes nothing: rows equal to what is stored are not written (no version bump, no event).
* Local workflow wins where Open311 is coarser: a server saying "open" does not turn our "assigned" back into
  "received"; a report with changes still in the outbox keeps its local status until they are pushed.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..connectors.open311 import Open311Client, Window, iso
from ..connectors.open311_parse import VIETNAM_BOUNDS, Problem, normalise_batch, strip_private
from ..core import statuses
from ..core.sla import SlaRules
from ..core.timeutil import epoch_array_to_iso, iso_to_epoch_array, parse_iso
from .common import CancelFn, Hooks, ProgressFn

CURSOR_KEY = "open311_sync_cursor"
log = logging.getLogger("ioc.sync.open311")

_EMPTY = (None, "")


@dataclass
class SyncResult:
    mode: str = ""
    since: str = ""
    until: str = ""
    resumed_from: Optional[str] = None
    windows: int = 0
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    full: bool = False  # this run was a periodic full reconciliation
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Open311 sync {self.since} → {self.until}: {self.fetched} fetched in {self.windows} windows, "
            f"{self.inserted} new, {self.updated} changed, {len(self.problems)} problems"
            + (f" ({self.skipped} requests skipped)" if self.skipped else "")
            + (" — full reconciliation" if self.full else "")
        )

    @property
    def skipped(self) -> int:
        """Requests not stored at all (no usable id, unreadable), each named in `problems`."""
        return sum(1 for p in self.problems if p.severity == "error" and p.message.endswith("skipped"))


class WardLocator:
    """Ward id of a point from the store's wards layer (bounding boxes first, then exact tests)."""

    def __init__(self, store: Any) -> None:
        from shapely.prepared import prep

        try:
            wards = store.fetch("wards", columns=["ward_id"], geometry=True)
        except Exception:  # noqa: BLE001 - a store without wards just gives no ward ids
            wards = []
        self._items = [(w["ward_id"], w["geom"].bounds, prep(w["geom"])) for w in wards if w.get("geom") is not None]

    def __bool__(self) -> bool:
        return bool(self._items)

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        from shapely.geometry import Point

        out = np.full(len(lon), None, dtype=object)
        ok = ~(np.isnan(lon) | np.isnan(lat))
        for ward_id, (x0, y0, x1, y1), prepared in self._items:
            cand = np.flatnonzero(ok & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (out == None))  # noqa: E711
            for j in cand:
                if prepared.contains(Point(lon[j], lat[j])):
                    out[j] = ward_id
        return out


class ReportSync:
    def __init__(
        self,
        store: Any,
        client: Open311Client,
        *,
        source: str = "open311",
        initial_since: Optional[datetime] = None,
        initial_days: int = 3 * 366,
        reopen_days: int = 90,
        overlap: timedelta = timedelta(minutes=10),
        bounds: Optional[Sequence[float]] = VIETNAM_BOUNDS,
        rules: Optional[SlaRules] = None,
        progress: Optional[ProgressFn] = None,
        is_cancelled: Optional[CancelFn] = None,
        now: Optional[Callable[[], datetime]] = None,
        cursor_key: str = CURSOR_KEY,
        full_every: timedelta = timedelta(days=7),
        max_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.client = client
        self.source = source
        self.initial_since = initial_since
        self.initial_days = initial_days
        self.reopen_days = reopen_days
        self.overlap = overlap
        self.bounds = bounds
        self.rules = rules or SlaRules.default()
        self.hooks = Hooks(progress, is_cancelled)
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.cursor_key = cursor_key
        self.full_every = full_every  # a full re-read this often finds requests published after the look-back
        self.max_seconds = max_seconds  # whole sync; committed windows stay, the next run resumes
        self._clock = clock
        self._wards: Optional[WardLocator] = None

    # -- cursor ---------------------------------------------------------------------------------------------
    def cursor(self) -> Optional[dict[str, Any]]:
        text = self.store.get_meta(self.cursor_key)
        if not text:
            return None
        try:
            data = json.loads(text)
            parse_iso(data["done_until"])
        except (ValueError, KeyError, TypeError):
            log.warning("Open311 sync cursor is unreadable (%r); starting a full sync", text[:80])
            return None
        if data.get("endpoint") != self.client.endpoint:
            log.info(
                "Open311 endpoint changed (%s → %s); starting a full sync", data.get("endpoint"), self.client.endpoint
            )
            return None
        return data

    def _cursor_json(self, mode: str, done_until: datetime, last_full: str) -> str:
        return json.dumps(
            {"endpoint": self.client.endpoint, "mode": mode, "done_until": iso(done_until), "last_full": last_full}
        )

    # -- run ------------------------------------------------------------------------------------------------
    def run(self) -> SyncResult:
        by_updated = self.client.supports_updated_window()
        mode = "updated" if by_updated else "requested"
        until = self.now().astimezone(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
        cur = self.cursor()
        result = SyncResult(mode=mode)
        last_full = str(cur.get("last_full") or "") if cur else ""
        full_due = not last_full or _older_than(last_full, until - self.full_every)
        if cur and cur.get("mode") == mode and not full_due:
            done = parse_iso(cur["done_until"])
            result.resumed_from = cur["done_until"]
            since = done - (self.overlap if by_updated else timedelta(days=self.reopen_days))
        else:
            # first run, or the periodic full reconciliation: a request published late (requested long ago,
            # first visible now) is older than any look-back window and only a full re-read finds it
            since = self.initial_since or (until - timedelta(days=self.initial_days))
            result.full = bool(cur)
            last_full = iso(until)
        since = since.astimezone(timezone.utc).replace(microsecond=0)
        result.since, result.until = iso(since), iso(until)
        pending = {r["report_id"] for r in self.store.pending_changes()}
        total = max((until - since).total_seconds(), 1.0)
        self.hooks.progress(0.0, f"Open311: {iso(since)} → {iso(until)}")
        started = self._clock()
        for window in self.client.windows(since, until, by_updated):
            self.hooks.check_cancel()
            self._commit_window(window, mode, pending, result, last_full)
            if self._clock() - started > self.max_seconds and window.end < until:
                raise SyncDeadline(
                    f"Open311 sync stopped after {self.max_seconds:.0f} s at {iso(window.end)}; "
                    f"{result.fetched} requests stored, the next run continues from there"
                )
            done = (window.end - since).total_seconds() / total
            self.hooks.progress(done, f"Open311: {result.fetched} requests, until {iso(window.end)}")
        log.info(result.summary())
        return result

    def _commit_window(self, window: Window, mode: str, pending: set[str], result: SyncResult, last_full: str) -> None:
        rows, problems = normalise_batch(window.records, self.source, self.bounds)
        rows = self._merge(rows, pending, problems)
        for p in problems:
            (log.error if p.severity == "error" else log.warning)(str(p))
        cursor = self._cursor_json(mode, window.end, last_full)
        try:
            with self.store.transaction():  # rows and cursor together: resume never skips nor repeats
                inserted, updated = self.store.upsert_reports(rows, actor=self.source) if rows else (0, 0)
                self.store.set_meta(self.cursor_key, cursor)
        except Exception as exc:  # noqa: BLE001 - sorted out below: one bad row, or the store itself
            if not _record_error(exc) or len(rows) < 2:
                raise
            inserted, updated = self._commit_one_by_one(rows, problems, cursor)
        result.windows += 1
        result.fetched += len(window.records)
        result.inserted += inserted
        result.updated += updated
        result.problems.extend(problems)

    def _commit_one_by_one(self, rows: list[dict[str, Any]], problems: list[Problem], cursor: str) -> tuple[int, int]:
        """A row the store refused sank the window: store row by row (upserts are idempotent, so a stop part-way
        is repaired by the next run), name the refused ones, then move the cursor — unless every row failed,
        which is the store's trouble, not the data's."""
        inserted = updated = 0
        failed: list[BaseException] = []
        for row in rows:
            try:
                with self.store.transaction():
                    i, u = self.store.upsert_reports([row], actor=self.source)
                inserted, updated = inserted + i, updated + u
            except Exception as exc:  # noqa: BLE001 - classified by _record_error
                if not _record_error(exc):
                    raise
                failed.append(exc)
                problems.append(
                    Problem(
                        row["report_id"], "request", f"the store refused it ({type(exc).__name__}); skipped", "error"
                    )
                )
        if len(failed) == len(rows):
            raise failed[0]
        with self.store.transaction():
            self.store.set_meta(self.cursor_key, cursor)
        return inserted, updated

    # -- remote rows → store rows ---------------------------------------------------------------------------
    def _existing(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for r in self.store.fetch("field_reports", f"report_id IN ({', '.join('?' * len(chunk))})", chunk):
                found[r["report_id"]] = r
        return found

    def _synced_last(self, ids: list[str]) -> set[str]:
        """Of these reports, those whose stored updated_at came from this server (last event written by sync).

        A local edit also sets updated_at (local clock): only a copy the server itself sent is a fair comparison.
        """
        out: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            last: dict[str, str] = {}
            events = self.store.fetch(
                "report_events",
                f"report_id IN ({', '.join('?' * len(chunk))})",
                chunk,
                ["report_id", "actor"],
                order_by="fid",
            )
            for e in events:
                last[e["report_id"]] = e["actor"]
            out.update(rid for rid, actor in last.items() if actor == self.source)
        return out

    def _merge(
        self, rows: list[dict[str, Any]], pending: set[str], problems: Optional[list[Problem]] = None
    ) -> list[dict[str, Any]]:
        existing = self._existing([r["report_id"] for r in rows])
        stale = self._synced_last(
            [
                r["report_id"]
                for r in rows
                if _older(r.get("updated_at"), (existing.get(r["report_id"]) or {}).get("updated_at"))
            ]
        )
        out: list[dict[str, Any]] = []
        new_rows: list[dict[str, Any]] = []
        for row in rows:
            detailed = row.get("_status_detailed", False)
            row = strip_private(row)
            cur = existing.get(row["report_id"])
            if cur is not None and row["report_id"] in stale:
                # monotonic merge: a server (or a stale mirror) going back in time never undoes a newer copy
                if problems is not None:
                    problems.append(
                        Problem(
                            row["report_id"],
                            "updated_datetime",
                            f"{row.get('updated_at')} is older than the stored copy ({cur.get('updated_at')}); ignored",
                        )
                    )
                continue
            if cur is None:
                if row["status"] in _DONE and not row.get("resolved_at"):
                    row["resolved_at"] = row.get("updated_at")
                new_rows.append(row)
                out.append(row)
                continue
            if row["report_id"] in pending:
                row.pop("status")  # our change is waiting in the outbox; the server has not seen it yet
            elif not detailed and (row["status"] in _OPEN) == (cur["status"] in _OPEN):
                row.pop("status")  # open/closed agrees with our finer workflow status: keep ours
            if row.get("status") in _DONE and not cur.get("resolved_at"):
                row["resolved_at"] = row.get("updated_at")
            if row.get("lat") is None or row.get("lon") is None:
                row.pop("lat", None), row.pop("lon", None)  # never erase a good location with a bad one
            for key in [k for k, v in row.items() if v in _EMPTY and cur.get(k) in _EMPTY]:
                del row[key]
            out.append(row)
        if new_rows:
            self._fill_new(new_rows)
            # store.insert takes its columns from the first row: give every new row the same keys
            keys = set().union(*new_rows)
            for r in new_rows:
                for k in keys:
                    r.setdefault(k, None)
        return out

    def _fill_new(self, rows: list[dict[str, Any]]) -> None:
        """Local fields a new report needs: due time from the SLA rules, ward from its location."""
        requested = iso_to_epoch_array([r.get("requested_at") for r in rows])
        codes = np.array([r["service_code"] for r in rows], dtype=object)
        hours = self.rules.hours_array(codes, np.full(len(rows), "normal", dtype=object))
        for r, due in zip(rows, epoch_array_to_iso(requested + hours * 3600.0)):
            r["due_at"] = due
            r.setdefault("priority", "normal")
        if self._wards is None:
            self._wards = WardLocator(self.store)
        if self._wards:
            lon = np.array([np.nan if r.get("lon") is None else r["lon"] for r in rows], dtype=np.float64)
            lat = np.array([np.nan if r.get("lat") is None else r["lat"] for r in rows], dtype=np.float64)
            for r, ward in zip(rows, self._wards.locate(lon, lat)):
                if ward is not None:
                    r["ward_id"] = ward


def _record_error(exc: BaseException) -> bool:
    """An error caused by one row's values (encoding, type, range, constraint), not by the store being unavailable."""
    if isinstance(exc, (UnicodeError, ValueError, TypeError, OverflowError)):
        return True
    causes = (exc, exc.__cause__)  # the store wraps its driver's error (sqlite3 / psycopg2) in a StoreError
    return any(type(c).__name__ in ("InterfaceError", "DataError", "IntegrityError") for c in causes if c is not None)


class SyncDeadline(Exception):
    """The sync ran past its overall time budget; everything up to the last window is committed."""


def _older(new: Optional[str], stored: Optional[str]) -> bool:
    """True when `new` is strictly older than `stored` (both ISO UTC; a missing time never counts as older)."""
    if not new or not stored:
        return False
    try:
        return parse_iso(new) < parse_iso(stored)
    except (ValueError, TypeError, OverflowError):
        return False


def _older_than(text: str, limit: datetime) -> bool:
    try:
        return parse_iso(text) < limit
    except (ValueError, TypeError, OverflowError):
        return True


_OPEN = {s.value for s in statuses.OPEN_STATUSES}
_DONE = {s.value for s in statuses.DONE_STATUSES}
