"""Push queued report changes (store.report_outbox) to the Open311 server — never lost, never applied twice.

* A change leaves the outbox (mark_sent) only after the server confirmed it; any failure keeps it pending with
  the error and an attempt count, so an offline desk loses nothing.
* Every push carries the change_id as Idempotency-Key: if we crash after the server applied a change but before
  mark_sent, the retry is recognised by the server and not applied a second time.
* Order per report is kept: after a failed change, later changes to the same report wait for the next push.
* GeoReport v2 has no update verb: without the server's "request_update" extension nothing is pushed and the
  changes stay queued (PushResult.unsupported).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

from ..connectors.open311 import Open311Client, Open311Error, Open311HTTPError, UpdateNotSupported
from ..core import statuses
from .common import CancelFn, Hooks, ProgressFn

log = logging.getLogger("ioc.sync.outbox")

# Fields the Open311 update extension carries; other local edits (priority, due time…) stay local.
_PUSHED = ("status", "status_notes", "agency_responsible", "assigned_to")


@dataclass
class PushResult:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # skipped: an earlier change of the same report failed, or the server went away
    unsupported: bool = False
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.unsupported:
            return "Open311 server cannot take updates (no request_update extension); changes stay queued"
        return f"Outbox: {self.sent} sent, {self.failed} failed, {self.waiting} waiting"


def update_arguments(payload: dict[str, Any]) -> dict[str, Optional[str]]:
    """Outbox payload {"changes", "note", "actor"} → keyword arguments of Open311Client.update."""
    changes = payload.get("changes") or {}
    args: dict[str, Optional[str]] = {}
    if changes.get("status"):
        s = statuses.ReportStatus(changes["status"])
        args["status"], args["detailed_status"] = s.open311, s.value
    notes = changes.get("status_notes") or payload.get("note")
    if notes:
        args["status_notes"] = str(notes)
    agency = changes.get("agency_responsible") or changes.get("assigned_to")
    if agency:
        args["agency_responsible"] = str(agency)
    return args


class OutboxPusher:
    def __init__(
        self,
        store: Any,
        client: Open311Client,
        *,
        progress: Optional[ProgressFn] = None,
        is_cancelled: Optional[CancelFn] = None,
    ) -> None:
        self.store = store
        self.client = client
        self.hooks = Hooks(progress, is_cancelled)

    def push(self) -> PushResult:
        result = PushResult()
        changes = self.store.pending_changes()
        if not changes:
            return result
        try:
            if not self.client.supports_update():
                raise UpdateNotSupported("no request_update extension")
        except (UpdateNotSupported, Open311Error) as exc:
            result.unsupported = isinstance(exc, UpdateNotSupported)
            result.waiting = len(changes)
            result.errors.append(str(exc))
            log.warning("Outbox not pushed: %s", exc)
            return result
        blocked: set[str] = set()
        for i, change in enumerate(changes):
            self.hooks.check_cancel()
            self.hooks.progress(i / len(changes), f"Outbox: {i}/{len(changes)}")
            report_id, change_id = change["report_id"], change["change_id"]
            if report_id in blocked:
                result.waiting += 1
                continue
            try:
                args = update_arguments(json.loads(change["payload"]))
            except (ValueError, TypeError) as exc:
                self.store.mark_failed(change_id, f"unreadable outbox payload: {exc}")
                result.failed += 1
                blocked.add(report_id)
                continue
            if not args:  # only local fields changed: nothing the server stores
                self.store.mark_sent(change_id)
                continue
            try:
                self.client.update(report_id, idempotency_key=change_id, **args)
            except Open311HTTPError as exc:
                self.store.mark_failed(change_id, str(exc))
                result.failed += 1
                result.errors.append(str(exc))
                log.error("Outbox change %s of report %s refused: %s", change_id, report_id, exc)
                blocked.add(report_id)
                if exc.status >= 500 or exc.status in (408, 429):
                    result.waiting += len(changes) - i - 1
                    break
                continue
            except Open311Error as exc:  # unreachable, bad answer: stop, keep everything queued
                self.store.mark_failed(change_id, str(exc))
                result.failed += 1
                result.waiting += len(changes) - i - 1
                result.errors.append(str(exc))
                log.error("Outbox push stopped at change %s of report %s: %s", change_id, report_id, exc)
                break
            self.store.mark_sent(change_id)
            result.sent += 1
        self.hooks.progress(1.0, result.summary())
        log.info(result.summary())
        return result
