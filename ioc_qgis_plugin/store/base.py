"""One store interface over GeoPackage and PostGIS.

SQL is written once with '?' placeholders; each backend adapts placeholders, geometry encoding and time types.
Reads return plain dicts (times as UTC ISO text, geometry as shapely) or, in bulk, numpy column arrays.
"""

from __future__ import annotations

import json
import uuid
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Optional, Sequence

import numpy as np
from shapely.geometry.base import BaseGeometry

from ..core import statuses
from ..core.timeutil import now_utc_iso, to_utc_iso
from .errors import ConflictError, NotAnIocStore, SchemaVersionError, StoreError, StoreUnavailable
from .schema import Schema, Table, load_schema, upgrade_ddl

Row = dict[str, Any]

# Columns whose change is recorded as its own kind of event in the audit trail.
_EVENT_ACTIONS = {"status": "status", "assigned_to": "assign", "agency_responsible": "assign", "priority": "priority"}


class IocStore(ABC):
    """What the plugin, sync and analytics need from persistence."""

    kind: str = "abstract"

    def __init__(self) -> None:
        self.schema: Schema = load_schema()

    # -- backend hooks ------------------------------------------------------------------------------------
    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    @abstractmethod
    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    @abstractmethod
    def _geom_param(self) -> str:
        """SQL fragment that turns one bound parameter into the stored geometry."""

    @abstractmethod
    def _geom_value(self, geom: Optional[BaseGeometry]) -> Any: ...

    @abstractmethod
    def _geom_select(self) -> str:
        """SQL expression that reads the geometry column in a form _decode_geoms understands."""

    @abstractmethod
    def _decode_geoms(self, values: list[Any]) -> list[Optional[BaseGeometry]]: ...

    @abstractmethod
    def _begin(self) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def _qualified(self, table: str) -> str:
        return table

    @abstractmethod
    def layer_uri(self, table: str) -> tuple[str, str]:
        """(QGIS data source URI, provider key) for a table."""

    # -- meta ---------------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        try:
            rows = self._query(f"SELECT value FROM {self._qualified('ioc_meta')} WHERE key = ?", ("schema_version",))
        except StoreUnavailable:
            raise
        except StoreError as exc:  # a foreign database has no ioc_meta table
            raise NotAnIocStore(f"{self.describe()} is not an IOC store (no ioc_meta table): {exc}") from exc
        if not rows:
            raise NotAnIocStore(f"{self.describe()} is not an IOC store (no schema version recorded)")
        try:
            return int(rows[0][0])
        except (TypeError, ValueError) as exc:
            raise NotAnIocStore(f"{self.describe()} has an unreadable schema version {rows[0][0]!r}") from exc

    def check_schema(self) -> None:
        found = self.schema_version()
        if found < self.schema.version:
            found = self._upgrade_additive(found)
        if found != self.schema.version:
            raise SchemaVersionError(
                f"{self.describe()} has schema version {found}; this plugin needs {self.schema.version}. "
                "Upgrade the store (or the plugin) — nothing was changed."
            )

    def _upgrade_additive(self, found: int) -> int:
        """An older store whose upgrade only adds nullable columns (schema.json `added_in`) is upgraded in place, in
        one transaction with its version bump: existing rows are untouched. Anything else is left as it was (the
        caller reports the version mismatch); so is a store the account may not alter (the error says so)."""
        try:
            statements = upgrade_ddl(self.schema, found, getattr(self, "kind", "gpkg"), self._qualified)
        except ValueError:
            return found
        t = self._qualified("ioc_meta")
        try:
            with self.transaction():
                for stmt in statements:
                    self._execute(stmt)
                self._execute(f"DELETE FROM {t} WHERE key = ?", ("schema_version",))
                self._execute(
                    f"INSERT INTO {t} (key, value) VALUES (?, ?)", ("schema_version", str(self.schema.version))
                )
        except StoreError as exc:
            raise SchemaVersionError(
                f"{self.describe()} has schema version {found} and could not be upgraded to {self.schema.version} "
                f"({exc}); nothing was changed. Ask the database owner to open it once with this plugin."
            ) from exc
        return self.schema.version

    def get_meta(self, key: str, default: Optional[str] = None) -> Optional[str]:
        rows = self._query(f"SELECT value FROM {self._qualified('ioc_meta')} WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        t = self._qualified("ioc_meta")
        with self.transaction():
            self._execute(f"DELETE FROM {t} WHERE key = ?", (key,))
            self._execute(f"INSERT INTO {t} (key, value) VALUES (?, ?)", (key, value))

    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def styled_tables(self) -> set[str]:
        """Tables for which the store carries its own default QGIS style."""

    # -- generic table access -----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._begin()
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            self._commit()

    def _table(self, name: str) -> Table:
        return self.schema.table(name)

    def insert(self, table: str, rows: Sequence[Row], geometries: Optional[Sequence[Any]] = None) -> int:
        """Bulk insert; `geometries` are shapely objects (or backend-ready values from `prepare_geometries`)."""
        if not rows:
            return 0
        t = self._table(table)
        present = set().union(*(r.keys() for r in rows))  # every key of every row, not just the first row's
        cols = [c for c in t.column_names if c in present]
        placeholders = ["?"] * len(cols)
        if t.geometry and geometries is not None:
            cols, placeholders = ["geom", *cols], [self._geom_param(), *placeholders]
        sql = f"INSERT INTO {self._qualified(table)} ({', '.join(cols)}) VALUES ({', '.join(placeholders)})"
        data_cols = [c for c in cols if c != "geom"]
        if t.geometry and geometries is not None:
            geoms = [self._geom_value(g) if isinstance(g, BaseGeometry) else g for g in geometries]
            params = ([g, *(r.get(c) for c in data_cols)] for g, r in zip(geoms, rows))
        else:
            params = ([r.get(c) for c in data_cols] for r in rows)
        self._executemany(sql, params)
        return len(rows)

    def update_rows(self, table: str, key: str, rows: Sequence[Row]) -> None:
        """Bulk UPDATE by a key column (one executemany; every row carries the same columns as the first)."""
        if not rows:
            return
        t = self._table(table)
        cols = [c for c in t.column_names if c in rows[0] and c != key]
        sql = f"UPDATE {self._qualified(table)} SET {', '.join(f'{c} = ?' for c in cols)} WHERE {key} = ?"
        self._executemany(sql, ([r.get(c) for c in cols] + [r[key]] for r in rows))

    def fetch(
        self,
        table: str,
        where: str = "",
        params: Sequence[Any] = (),
        columns: Optional[Sequence[str]] = None,
        geometry: bool = False,
        order_by: str = "",
        limit: Optional[int] = None,
    ) -> list[Row]:
        t = self._table(table)
        cols = list(columns or ["fid", *t.column_names])
        select = [self._select_expr(t, c) for c in cols]
        if geometry and t.geometry:
            select.append(self._geom_select())
        sql = f"SELECT {', '.join(select)} FROM {self._qualified(table)}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._query(sql, params)
        out = [dict(zip(cols, r[: len(cols)])) for r in rows]
        if geometry and t.geometry:
            for row, g in zip(out, self._decode_geoms([r[len(cols)] for r in rows])):
                row["geom"] = g
        return out

    def _select_expr(self, table: Table, column: str) -> str:
        return column

    def distinct(self, table: str, column: str) -> list[Any]:
        self._table(table).column(column)  # only known columns reach the SQL
        rows = self._query(
            f"SELECT DISTINCT {column} FROM {self._qualified(table)} WHERE {column} IS NOT NULL "
            f"AND {column} <> '' ORDER BY {column}"
        )
        return [r[0] for r in rows]

    def count(self, table: str, where: str = "", params: Sequence[Any] = ()) -> int:
        sql = f"SELECT count(*) FROM {self._qualified(table)}" + (f" WHERE {where}" if where else "")
        return int(self._query(sql, params)[0][0])

    def columns(self, table: str, names: Sequence[str], where: str = "", params: Sequence[Any] = ()) -> dict:
        """Bulk read as numpy arrays (object for text, float64 for numbers) — the path analytics and the panel use."""
        t = self._table(table)
        rows = self._query(
            f"SELECT {', '.join(self._select_expr(t, n) for n in names)} FROM {self._qualified(table)}"
            + (f" WHERE {where}" if where else ""),
            params,
        )
        out: dict[str, np.ndarray] = {}
        for i, name in enumerate(names):
            values = [r[i] for r in rows]
            kind = "INTEGER" if name == "fid" else t.column(name).type
            if kind in ("REAL", "INTEGER"):
                out[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            else:
                out[name] = np.array(values, dtype=object)
        return out

    # -- field reports ------------------------------------------------------------------------------------
    def get_report(self, report_id: str, geometry: bool = False) -> Optional[Row]:
        rows = self.fetch("field_reports", "report_id = ?", (report_id,), geometry=geometry)
        return rows[0] if rows else None

    def report_events(self, report_id: str) -> list[Row]:
        return self.fetch("report_events", "report_id = ?", (report_id,), order_by="at, fid")

    def add_event(
        self,
        report_id: str,
        actor: str,
        action: str,
        old: str = "",
        new: str = "",
        note: str = "",
        at: Optional[str] = None,
    ) -> None:
        self.insert(
            "report_events",
            [
                {
                    "report_id": report_id,
                    "at": at or now_utc_iso(),
                    "actor": actor,
                    "action": action,
                    "old_value": old or "",
                    "new_value": new or "",
                    "note": note or "",
                }
            ],
        )

    def update_report(
        self,
        report_id: str,
        changes: dict[str, Any],
        actor: str,
        note: str = "",
        expected_version: Optional[int] = None,
        enqueue: bool = True,
    ) -> int:
        """Change a report, record one audit event per changed field, queue it for the server; returns new version.

        With `expected_version`, a report changed by someone else meanwhile raises ConflictError (no lost update).
        """
        t = self._table("field_reports")
        unknown = set(changes) - set(t.column_names)
        if unknown:
            raise StoreError(f"unknown report fields: {', '.join(sorted(unknown))}")
        with self.transaction():
            current = self.fetch("field_reports", "report_id = ?", (report_id,))
            if not current:
                raise StoreError(f"report {report_id} does not exist")
            cur = current[0]
            version = int(cur["version"])
            if expected_version is not None and version != expected_version:
                raise ConflictError(
                    f"report {report_id} was changed by someone else (version {version}, you had "
                    f"{expected_version}); reload it and apply your change again"
                )
            if "status" in changes:
                changes["status"] = statuses.check_transition(cur["status"], changes["status"]).value
                derived: dict[str, Any] = {}
                if changes["status"] in (s.value for s in statuses.DONE_STATUSES) and not cur.get("resolved_at"):
                    derived["resolved_at"] = now_utc_iso()
                elif changes["status"] in (s.value for s in statuses.OPEN_STATUSES) and cur.get("resolved_at"):
                    # reopened: the old resolution no longer counts; the next one sets its own time
                    derived["resolved_at"] = None
                # derived fields first, so the status change stays the newest event of the edit
                changes = {**{k: v for k, v in derived.items() if k not in changes}, **changes}
            now = now_utc_iso()
            changed = {k: v for k, v in changes.items() if cur.get(k) != v}
            if not changed and not note:
                return version
            db_records = self._database_records_changes(actor, note)
            if enqueue and cur.get("source") not in (None, "", "local"):
                # queued before the UPDATE: a change that hands the report on (another ward) may leave it
                # invisible to this account, and the outbox accepts only reports the account can see
                self.enqueue_change(report_id, {"changes": changed, "note": note, "actor": actor})
            sets = {**changed, "updated_at": now, "version": version + 1}
            where = "report_id = ? AND version = ?"
            assignments = ", ".join(f"{k} = ?" for k in sets)
            n = self._execute(
                f"UPDATE {self._qualified('field_reports')} SET {assignments} WHERE {where}",
                (*sets.values(), report_id, version),
            )
            if n == 0:
                raise ConflictError(f"report {report_id} was changed by someone else; reload it")
            for key, value in ({} if db_records else changed).items():
                action = _EVENT_ACTIONS.get(key, "edit")
                self.add_event(
                    report_id,
                    actor,
                    action if action != "edit" else f"edit:{key}",
                    str(cur.get(key) or ""),
                    str(value or ""),
                    note,
                    at=now,
                )
            if note and not changed:
                self.add_event(report_id, actor, "note", note=note, at=now)
            return version + 1

    def _database_records_changes(self, actor: str, note: str) -> bool:
        """Whether the database itself writes one event per changed field (PostGIS city level >= 5).

        Such a store takes the person's name and note for the transaction's events here; the plugin then writes
        only notes. The GeoPackage has no triggers of that kind: the plugin writes every event.
        """
        return False

    def enqueue_change(self, report_id: str, payload: dict) -> str:
        change_id = uuid.uuid4().hex
        self.insert(
            "report_outbox",
            [
                {
                    "report_id": report_id,
                    "change_id": change_id,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "created_at": now_utc_iso(),
                    "attempts": 0,
                }
            ],
        )
        return change_id

    def pending_changes(self) -> list[Row]:
        return self.fetch("report_outbox", "sent_at IS NULL", order_by="fid")

    def mark_sent(self, change_id: str) -> None:
        self._execute(
            f"UPDATE {self._qualified('report_outbox')} SET sent_at = ? WHERE change_id = ?", (now_utc_iso(), change_id)
        )

    def mark_failed(self, change_id: str, error: str) -> None:
        self._execute(
            f"UPDATE {self._qualified('report_outbox')} SET attempts = attempts + 1, last_error = ? "
            "WHERE change_id = ?",
            (error[:500], change_id),
        )

    def upsert_reports(self, rows: Sequence[Row], actor: str = "sync") -> tuple[int, int]:
        """Insert new reports and update changed ones by report_id (idempotent); returns (inserted, updated).

        Rows carry lon/lat; geometry is built from them. An update bumps the version and records a 'sync' event.
        """
        if not rows:
            return 0, 0
        t = self._table("field_reports")
        time_cols = [c.name for c in t.columns if c.type == "DATETIME"]
        rows = [{**r, **{c: to_utc_iso(r[c]) for c in time_cols if c in r}} for r in rows]
        ids = [r["report_id"] for r in rows]
        existing: dict[str, Row] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for r in self.fetch("field_reports", f"report_id IN ({', '.join('?' * len(chunk))})", chunk):
                existing[r["report_id"]] = r
        new_rows = [r for r in rows if r["report_id"] not in existing]
        updates: list[tuple[Row, Row]] = []
        for r in rows:
            cur = existing.get(r["report_id"])
            if cur is None:
                continue
            diff = {k: v for k, v in r.items() if k in t.column_names and k != "version" and cur.get(k) != v}
            if diff:
                updates.append((cur, diff))
        with self.transaction():
            db_records = self._database_records_changes(actor, "sync")
            if new_rows:
                self.insert("field_reports", new_rows, self.point_geometries(new_rows))
            if new_rows and not db_records:
                now = now_utc_iso()
                self.insert(
                    "report_events",
                    [
                        {
                            "report_id": r["report_id"],
                            "at": r.get("requested_at") or now,
                            "actor": actor,
                            "action": "created",
                            "old_value": "",
                            "new_value": r.get("status", ""),
                            "note": "",
                        }
                        for r in new_rows
                    ],
                )
            for cur, diff in updates:
                sets = {**diff, "version": int(cur["version"]) + 1}
                geom_sql = ""
                geom_params: list[Any] = []
                if "lon" in diff or "lat" in diff:
                    lon, lat = diff.get("lon", cur.get("lon")), diff.get("lat", cur.get("lat"))
                    geom_sql = f", geom = {self._geom_param()}"
                    geom_params = [self.point_geometries([{"lon": lon, "lat": lat}])[0]]
                self._execute(
                    f"UPDATE {self._qualified('field_reports')} SET {', '.join(f'{k} = ?' for k in sets)}{geom_sql} "
                    "WHERE report_id = ?",
                    (*sets.values(), *geom_params, cur["report_id"]),
                )
                if db_records:
                    continue
                if "status" in diff:
                    self.add_event(
                        cur["report_id"], actor, "status", str(cur.get("status") or ""), str(diff["status"]), "sync"
                    )
                else:
                    self.add_event(cur["report_id"], actor, "sync", note=", ".join(sorted(diff)))
        return len(new_rows), len(updates)

    def point_geometries(self, rows: Sequence[Row]) -> list[Any]:
        """Backend-ready point geometries from rows' lon/lat (None where missing)."""
        from shapely.geometry import Point

        out = []
        for r in rows:
            lon, lat = r.get("lon"), r.get("lat")
            out.append(None if lon is None or lat is None else self._geom_value(Point(float(lon), float(lat))))
        return out

    @staticmethod
    def normalise_time(value: Any) -> Optional[str]:
        return to_utc_iso(value)
