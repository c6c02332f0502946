"""Edits that could not reach the database (connection dropped mid-edit) kept in a local SQLite file.

Nothing is ever deleted: each edit ends as 'applied', 'conflict' (someone else changed the report meanwhile; the
desk must look again) or 'failed' (refused, with the reason), so a queued change is never silently lost.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..core.timeutil import now_utc_iso

PENDING, APPLIED, CONFLICT, FAILED = "pending", "applied", "conflict", "failed"


def default_path() -> Path:
    base = os.environ.get("IOC_PENDING_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "ioc_qgis_plugin"
    )
    return Path(base) / "pending_edits.sqlite"


@dataclass
class PendingEdit:
    id: int
    target: str
    report_id: str
    changes: dict[str, Any]
    actor: str
    note: str
    expected_version: Optional[int]
    enqueue: bool
    queued_at: str
    state: str
    message: str
    attempts: int


class PendingEdits:
    """One file per user profile; rows are scoped by `target` (user@host:port/db/schema, no secrets)."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS pending_edits (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, "
                "report_id TEXT NOT NULL, changes TEXT NOT NULL, actor TEXT NOT NULL, note TEXT, "
                "expected_version INTEGER, enqueue INTEGER NOT NULL, queued_at TEXT NOT NULL, "
                "state TEXT NOT NULL DEFAULT 'pending', message TEXT DEFAULT '', attempts INTEGER DEFAULT 0, "
                "done_at TEXT)"
            )

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a queued edit must survive a crash of QGIS too
        return db

    def add(
        self,
        target: str,
        report_id: str,
        changes: dict[str, Any],
        actor: str,
        note: str,
        expected_version: Optional[int],
        enqueue: bool,
        message: str,
    ) -> int:
        db = self._db()
        try:
            cur = db.execute(
                "INSERT INTO pending_edits (target, report_id, changes, actor, note, expected_version, enqueue, "
                "queued_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    target,
                    report_id,
                    json.dumps(changes, ensure_ascii=False, default=str),
                    actor,
                    note,
                    expected_version,
                    int(enqueue),
                    now_utc_iso(),
                    message,
                ),
            )
            return int(cur.lastrowid)
        finally:
            db.close()

    def list(self, target: str, state: Optional[str] = PENDING) -> list[PendingEdit]:
        db = self._db()
        try:
            sql = (
                "SELECT id, target, report_id, changes, actor, note, expected_version, enqueue, queued_at, state, "
                "message, attempts FROM pending_edits WHERE target = ?"
            )
            params: list[Any] = [target]
            if state is not None:
                sql += " AND state = ?"
                params.append(state)
            rows = db.execute(sql + " ORDER BY id", params).fetchall()
        finally:
            db.close()
        return [
            PendingEdit(*r[:3], json.loads(r[3]), r[4], r[5] or "", r[6], bool(r[7]), *r[8:12])  # type: ignore[arg-type]
            for r in rows
        ]

    def finish(self, edit_id: int, state: str, message: str = "") -> None:
        db = self._db()
        try:
            db.execute(
                "UPDATE pending_edits SET state = ?, message = ?, attempts = attempts + 1, done_at = ? WHERE id = ?",
                (state, message, now_utc_iso() if state != PENDING else None, edit_id),
            )
        finally:
            db.close()
