"""Multi-user store: the same schema in a PostGIS database (psycopg2)."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
from shapely import wkb as shapely_wkb
from shapely.geometry.base import BaseGeometry

from ..core.dependencies import missing_message
from ..core.report_filter import ReportFilter
from ..core.statuses import TransitionError
from ..core.timeutil import epoch_to_iso, now_utc_iso
from . import migrations
from .base import IocStore
from .errors import AlreadyExists, ConflictError, NotAnIocStore, StoreError, StoreUnavailable
from .pending_edits import APPLIED, CONFLICT, FAILED, PendingEdits
from .postgis_sql import filter_where
from .schema import Table, postgis_ddl

try:
    import psycopg2
    import psycopg2.extras
except ImportError:  # pragma: no cover - the plugin still works with GeoPackage only
    psycopg2 = None


SUMMARY_CITY_VERSION = 4  # layers/postgis/004_report_summary.sql
HOSTILE_CITY_VERSION = 5  # layers/postgis/005_hostile_account.sql: database-written audit, scheduler, publish log
_DAY = 86400


def _day_iso(day_index: int) -> str:
    """Days since 1970-01-01 (UTC) as an ISO date."""
    return (date(1970, 1, 1) + timedelta(days=day_index)).isoformat()


class AuthenticationFailed(StoreUnavailable):
    """Login refused: wrong password, expired account (VALID UNTIL) or unknown user — the server does not say which."""


class AccessDenied(StoreError):
    """Logged in, but the account lacks the right (no CONNECT, no IOC role, or a table it may not change)."""


class EditQueued(StoreUnavailable):
    """The connection dropped during an edit; the edit is saved locally and will be sent again."""

    def __init__(self, message: str, edit_id: int) -> None:
        super().__init__(message)
        self.edit_id = edit_id


def explain_connect_error(exc: Exception, params: dict[str, str]) -> StoreUnavailable:
    """psycopg2's connect error as a message a city desk can act on."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else "connection failed"
    user, db = params.get("user", "?"), params.get("dbname", "?")
    # without host/port in the DSN libpq takes PGHOST/PGPORT, else the local socket: name what it really tried
    host = params.get("host") or os.environ.get("PGHOST") or "the local socket"
    where = f"{host}:{params.get('port') or os.environ.get('PGPORT') or '5432'}"
    low = text.lower()
    head = f"cannot connect to PostGIS at {where}"
    if "password authentication failed" in low or "no password supplied" in low:
        return AuthenticationFailed(
            f"{head}: password authentication failed for '{user}' — the password is wrong or the account has "
            "expired (VALID UNTIL). Check the authentication configuration in IOC settings or ask the city's "
            "database administrator."
        )
    if "certificate" in low or "ssl" in low:
        return AuthenticationFailed(f"{head}: the server refused the certificate login of '{user}': {first}")
    if "permission denied for database" in low or "connect privilege" in low:
        return StoreUnavailable(
            f"{head}: account '{user}' may not connect to database '{db}' (no CONNECT right); ask the "
            "administrator to add it with `postgis_admin add-user`."
        )
    if "does not exist" in low and "database" in low:
        return StoreUnavailable(f"{head}: database '{db}' does not exist; check the database name in IOC settings.")
    if "could not connect" in low or "connection refused" in low or "timeout" in low or "translate host" in low:
        return StoreUnavailable(f"{head}: the server is unreachable ({first}); check host, port and network.")
    return StoreUnavailable(f"{head}: {first}")


def _dsn_params(dsn: str) -> dict[str, str]:
    try:
        from psycopg2.extensions import parse_dsn

        return {k: v for k, v in parse_dsn(dsn).items() if k != "password"}
    except Exception:  # noqa: BLE001 - an unparsable DSN is reported by connect itself
        return {}


class PostgisStore(IocStore):
    kind = "postgis"

    def __init__(
        self, dsn: str, db_schema: str = "ioc", _conn: Any = None, pending_path: Optional[Path] = None
    ) -> None:
        super().__init__()
        if psycopg2 is None:
            raise StoreUnavailable(missing_message("psycopg2", "the city database (PostGIS)"))
        self.dsn = dsn
        self.db_schema = db_schema
        self._depth = 0
        self._in_tx = False
        self._params = _dsn_params(dsn)
        self._pending_path = pending_path
        self._pending: Optional[PendingEdits] = None
        self._summary_level: Optional[bool] = None  # report_summary present (city level ≥ 4), looked up once
        self._audit_level: Optional[bool] = None  # the database writes change events (city level ≥ 5)
        self._role_cache: Optional[tuple[str]] = None
        self.conn = _conn or self._connect(dsn)
        self._params = {k: v for k, v in self.conn.get_dsn_parameters().items() if k != "password"}

    @staticmethod
    def _connect(dsn: str) -> Any:
        try:
            conn = psycopg2.connect(dsn, connect_timeout=10, application_name="ioc_qgis_plugin")
        except psycopg2.OperationalError as exc:
            raise explain_connect_error(exc, _dsn_params(dsn)) from exc
        conn.autocommit = True
        return conn

    def _ensure_connection(self) -> None:
        """Reconnect after a dropped connection (never inside a transaction: that one is lost and rolled back)."""
        if self.conn is None or (self.conn.closed and not self._in_tx):
            self.conn = self._connect(self.dsn)

    def describe(self) -> str:
        params = self._params
        return (
            f"PostGIS {params.get('user', '?')}@{params.get('host', '?')}:{params.get('port', '?')}/"
            f"{params.get('dbname', '?')} schema {self.db_schema}"
        )

    @classmethod
    def open(cls, dsn: str, db_schema: str = "ioc", pending_path: Optional[Path] = None) -> PostgisStore:
        store = cls(dsn, db_schema, pending_path=pending_path)
        try:
            store.check_schema()
        except Exception:
            store.close()
            raise
        return store

    @classmethod
    def create(cls, dsn: str, db_schema: str = "ioc", overwrite: bool = False) -> PostgisStore:
        store = cls(dsn, db_schema)
        exists = store._query("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", (db_schema,))
        if exists:
            if not overwrite:
                store.close()
                raise AlreadyExists(f"schema {db_schema} already exists in the database; refusing to overwrite it")
            store._execute(f"DROP SCHEMA {db_schema} CASCADE")
        with store.transaction():
            store._execute("CREATE EXTENSION IF NOT EXISTS postgis")
            store._execute(f"CREATE SCHEMA {db_schema}")
            store._execute(f"CREATE TABLE {db_schema}.ioc_meta (key text PRIMARY KEY, value text)")
            for table in store.schema.tables:
                for stmt in postgis_ddl(table, db_schema, store.schema.srid):
                    store._execute(stmt)
            store._execute(
                f"INSERT INTO {db_schema}.ioc_meta VALUES ('schema_version', ?)", (str(store.schema.version),)
            )
            store._execute(f"INSERT INTO {db_schema}.ioc_meta VALUES ('created_at', ?)", (now_utc_iso(),))
        return store

    # -- backend hooks ------------------------------------------------------------------------------------
    def _qualified(self, table: str) -> str:
        return f"{self.db_schema}.{table}"

    @staticmethod
    def _pg(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._ensure_connection()
        try:
            with self.conn.cursor() as cur:
                cur.execute(self._pg(sql), tuple(params))
                return cur.rowcount
        except psycopg2.Error as exc:
            raise self._wrap(exc) from exc

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._ensure_connection()
        try:
            with self.conn.cursor() as cur:
                psycopg2.extras.execute_batch(cur, self._pg(sql), list(rows), page_size=1000)
        except psycopg2.Error as exc:
            raise self._wrap(exc) from exc

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self._ensure_connection()
        try:
            with self.conn.cursor() as cur:
                cur.execute(self._pg(sql), tuple(params))
                rows = cur.fetchall()
        except psycopg2.Error as exc:
            raise self._wrap(exc) from exc
        return [tuple(_plain(v) for v in r) for r in rows]

    def _wrap(self, exc: Exception) -> StoreError:
        if isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)):
            return StoreUnavailable(f"{self.describe()}: connection lost: {str(exc).strip()}")
        if isinstance(exc, psycopg2.errors.InsufficientPrivilege):
            first = str(exc).strip().splitlines()[0]
            return AccessDenied(
                f"{self.describe()}: your database account '{self._params.get('user', '?')}' may not do this "
                f"({first}); ask the city's database administrator for the right role."
            )
        return StoreError(f"{self.describe()}: {str(exc).strip()}")

    def _select_expr(self, table: Table, column: str) -> str:
        return column

    def _geom_param(self) -> str:
        return f"ST_SetSRID(ST_GeomFromWKB(?), {self.schema.srid})"

    def _geom_value(self, geom: Optional[BaseGeometry]) -> Any:
        return None if geom is None else psycopg2.Binary(shapely_wkb.dumps(geom, big_endian=False))

    def _geom_select(self) -> str:
        return "ST_AsBinary(geom)"

    def _decode_geoms(self, values: list[Any]) -> list[Optional[BaseGeometry]]:
        return [None if v is None else shapely_wkb.loads(bytes(v)) for v in values]

    def _begin(self) -> None:
        if self._in_tx:
            self._depth += 1
            return
        self._ensure_connection()
        self.conn.autocommit = False
        self._in_tx, self._depth = True, 0

    def _commit(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        try:
            self.conn.commit()  # deferred triggers (audit) run here and may fail
            self.conn.autocommit = True
        except psycopg2.Error as exc:
            self._end_broken_tx()
            raise self._wrap(exc) from exc
        self._in_tx = False

    def _rollback(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self._end_broken_tx()

    def _end_broken_tx(self) -> None:
        """Roll back; a connection that died mid-transaction cannot, and is replaced on next use."""
        self._in_tx, self._depth = False, 0
        try:
            if not self.conn.closed:
                self.conn.rollback()
                self.conn.autocommit = True
        except psycopg2.Error:
            pass

    def close(self) -> None:
        if self.conn is not None and not self.conn.closed:
            self.conn.close()

    def layer_uri(self, table: str) -> tuple[str, str]:
        p = self._params
        geom = " (geom)" if self.schema.table(table).geometry else ""
        uri = (
            f"dbname='{p.get('dbname')}' host={p.get('host')} port={p.get('port')} user='{p.get('user')}' "
            f"key='fid' table=\"{self.db_schema}\".\"{table}\"{geom}"
        )
        return uri, "postgres"

    def styled_tables(self) -> set[str]:
        if not self._query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' " "AND table_name = 'layer_styles'"
        ):
            return set()
        rows = self._query(
            "SELECT DISTINCT f_table_name FROM public.layer_styles WHERE f_table_schema = ? " "AND useasdefault",
            (self.db_schema,),
        )
        return {r[0] for r in rows}

    def save_style(self, table: str, qml: str, name: str = "IOC", default: bool = True) -> None:
        """Styles in public.layer_styles, where QGIS looks for a PostGIS layer's default style."""
        self._execute(
            "CREATE TABLE IF NOT EXISTS public.layer_styles (id serial PRIMARY KEY, f_table_catalog varchar, "
            "f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, "
            "stylesld xml, useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml, "
            "update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"
        )
        dbname = self.conn.get_dsn_parameters().get("dbname")
        with self.transaction():
            self._execute(
                "DELETE FROM public.layer_styles WHERE f_table_schema = ? AND f_table_name = ? " "AND stylename = ?",
                (self.db_schema, table, name),
            )
            self._execute(
                "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "stylename, styleqml, useasdefault, description) VALUES (?, ?, ?, 'geom', ?, ?, ?, 'IOC default')",
                (dbname, self.db_schema, table, name, qml, default),
            )

    def update_extents(self) -> None:
        self._execute(f"ANALYZE {self.db_schema}.field_reports")

    # -- permissions ---------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        try:
            return super().schema_version()
        except NotAnIocStore as exc:
            if isinstance(exc.__cause__, AccessDenied):  # a login without an IOC role, not a foreign database
                raise AccessDenied(
                    f"account '{self._params.get('user', '?')}' has no IOC role in {self.describe()}: ask the "
                    "administrator to add it with `python -m ioc_qgis_plugin.store.postgis_admin add-user`."
                ) from exc
            raise

    def city_version(self) -> int:
        """Level of the city migrations (roles, RLS, audit, scale); 0 for a plain store."""
        return int(self.get_meta(migrations.CITY_VERSION_KEY, "0") or 0)

    def my_role(self) -> Optional[str]:
        """The IOC group role of the logged-in user (admin, planner, …), None for superusers/owners."""
        prefix = self.get_meta(migrations.ROLE_PREFIX_KEY)
        if not prefix:
            return None
        names = migrations.role_names(prefix)
        rows = self._query(  # roles of a later level (scheduler) may not exist yet
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(?) AND pg_has_role(current_user, oid, 'MEMBER')",
            (list(names.values()),),
        )
        mine = {r[0] for r in rows}
        for role, name in names.items():
            if name in mine:
                return role
        return None

    def _database_records_changes(self, actor: str, note: str) -> bool:
        if self._audit_level is None:
            self._audit_level = self.city_version() >= HOSTILE_CITY_VERSION
        if not self._audit_level:
            return False
        # transaction-local: the audit trigger names the person and the note next to the database user
        self._query("SELECT set_config('ioc.actor', ?, true), set_config('ioc.note', ?, true)", (actor, note or ""))
        return True

    def log_publication(self, item: dict) -> bool:
        """Append an export's publish-log entry through the database's narrow path (city level ≥ 5).

        Returns False on older levels (the caller keeps the entry in ioc_meta). Raises AccessDenied for accounts
        that may not publish: the export must then stop before uploading anything.
        """
        if self.city_version() < HOSTILE_CITY_VERSION:
            return False
        import json

        self._query(f"SELECT {self.db_schema}.log_publication(?::jsonb)", (json.dumps(item, ensure_ascii=False),))
        return True

    def publication_log(self) -> Optional[list[dict]]:
        """Publish-log entries (oldest first) with the database user and server time; None below level 5."""
        if self.city_version() < HOSTILE_CITY_VERSION:
            return None
        rows = self._query(f"SELECT entry, db_user, at FROM {self._qualified('publish_log')} ORDER BY fid")
        return [{**entry, "db_user": db_user, "logged_at": at} for entry, db_user, at in rows]

    def report_audit(self, report_id: str) -> list[dict]:
        """History with the database user that made each change (city level ≥ 1)."""
        rows = self._query(
            f"SELECT at, actor, db_user, action, old_value, new_value, note FROM {self._qualified('report_events')} "
            "WHERE report_id = ? ORDER BY at, fid",
            (report_id,),
        )
        keys = ("at", "actor", "db_user", "action", "old_value", "new_value", "note")
        return [dict(zip(keys, r)) for r in rows]

    # -- heavy work in the database (city level ≥ 2) ------------------------------------------------------
    def report_counts(self, flt: Optional[ReportFilter] = None) -> dict[str, Any]:
        """Panel figures for the filter, counted where the data is (and only over rows the user may see).

        From city level 4 on, filters without free text are answered from `report_summary` (counts per UTC day ×
        ward × category × status × deadline state), which triggers keep exact in the same transaction as every
        change of field_reports: the figures are as fresh as the reports themselves (deadline states as of the
        last refresh_deadline_state, like the base table). Date bounds that do not fall on a UTC midnight are
        split: whole days from the summary, the partial first/last day from field_reports. Desks and operators
        read only the summary rows of their own wards (RLS on the summary); a desk's reports of other wards that
        are assigned/addressed to its department are counted from field_reports under its RLS. Free text goes
        to field_reports.
        """
        if (flt is not None and flt.text) or not self._has_summary():
            where, params = filter_where(flt)
            return self._rollup(self._base_counts(where, params))
        flt = flt or ReportFilter()
        lo, hi = flt.date_from, flt.date_to
        d0 = None if lo is None else math.ceil(lo / _DAY)  # first whole day in range
        d1 = None if hi is None else math.floor(hi / _DAY)  # whole days end before this one
        if d0 is not None and d1 is not None and d0 >= d1:  # less than one whole day: the base table is quick
            where, params = filter_where(flt)
            return self._rollup(self._base_counts(where, params))
        parts: list[list[tuple]] = []
        keys_only = replace(flt, date_from=None, date_to=None, text="")
        where, params = filter_where(keys_only)
        if d0 is not None:
            where += " AND day >= ?::date"
            params.append(_day_iso(d0))
        if d1 is not None:
            where += " AND day < ?::date"
            params.append(_day_iso(d1))
        parts.append(
            self._query(
                "SELECT status, ward_id, service_code, deadline_state, sum(n) "
                f"FROM {self._qualified('report_summary')} WHERE {where} GROUP BY 1, 2, 3, 4 HAVING sum(n) > 0",
                params,
            )
        )
        # partial days at the edges of the range
        edges = []
        if d0 is not None and lo < d0 * _DAY:
            edges.append((lo, d0 * _DAY))
        if d1 is not None and d1 * _DAY < hi:
            edges.append((d1 * _DAY, hi))
        for a, b in edges:
            parts.append(self._base_counts(*filter_where(replace(keys_only, date_from=a, date_to=b))))
        # a department desk: reports of other wards it sees through its department, over the whole days
        if self._role() == "desk":
            wards, depts = self._query(
                f"SELECT {self.db_schema}.my_units('ward'), {self.db_schema}.my_units('department')"
            )[0]
            if depts:
                span = replace(
                    keys_only,
                    date_from=None if d0 is None else d0 * _DAY,
                    date_to=None if d1 is None else d1 * _DAY,
                )
                where, params = filter_where(span)
                where += (
                    " AND (assigned_to = ANY(?) OR agency_responsible = ANY(?))"
                    " AND coalesce(ward_id = ANY(?), false) = false"
                )
                parts.append(self._base_counts(where, [*params, list(depts), list(depts), list(wards or [])]))
        return self._rollup(*parts)

    def _base_counts(self, where: str, params: Sequence[Any]) -> list[tuple]:
        # one GROUP BY over the four keys (a few thousand groups, parallel-capable) rolled up in Python, rather
        # than GROUPING SETS, which PostgreSQL runs as several serial passes
        return self._query(
            f"SELECT status, ward_id, service_code, deadline_state, count(*) FROM {self._qualified('field_reports')} "
            f"WHERE {where} GROUP BY 1, 2, 3, 4",
            params,
        )

    @staticmethod
    def _rollup(*parts: list[tuple]) -> dict[str, Any]:
        out: dict[str, Any] = {"total": 0, "status": {}, "ward_id": {}, "service_code": {}, "deadline_state": {}}
        for rows in parts:
            for *keys, n in rows:
                out["total"] += int(n)
                for name, key in zip(("status", "ward_id", "service_code", "deadline_state"), keys):
                    out[name][key] = out[name].get(key, 0) + int(n)
        return out

    def _has_summary(self) -> bool:
        if self._summary_level is None:
            self._summary_level = self.city_version() >= SUMMARY_CITY_VERSION
        return self._summary_level

    def _role(self) -> Optional[str]:
        if self._role_cache is None:
            self._role_cache = (self.my_role() or "",)
        return self._role_cache[0] or None

    def refresh_deadline_state(self, now: Optional[float] = None) -> int:
        """Bring stored deadline states up to the database clock; returns rows changed.

        From city level 5 only the scheduler and admin roles may run it, always at the server's time; `now`
        (epoch s, a simulated clock for tests and replays) is the database owner's alone.
        """
        if self.city_version() < HOSTILE_CITY_VERSION:
            at = epoch_to_iso(now) if now is not None else None
            sql = f"SELECT {self.db_schema}.refresh_deadline_state(coalesce(?::timestamptz, now()))"
            return int(self._query(sql, (at,))[0][0])
        if now is None:
            return int(self._query(f"SELECT {self.db_schema}.refresh_deadline_state()")[0][0])
        return int(
            self._query(f"SELECT {self.db_schema}.refresh_deadline_state_at(?::timestamptz)", (epoch_to_iso(now),))[0][
                0
            ]
        )

    def grid_counts(
        self, cell_m: float, analysis_srid: Optional[int] = None, flt: Optional[ReportFilter] = None
    ) -> dict[str, Any]:
        """Reports per square cell in the analysis CRS: arrays ix, iy (cell indices from 0,0), count.

        Uses the stored analysis coordinates when `analysis_srid` is the city's, else transforms on the fly.
        """
        if cell_m <= 0:
            raise StoreError("grid cell size must be positive")
        stored = self.get_meta("analysis_srid")
        srid = int(analysis_srid or stored or 0)
        if not srid:
            raise StoreError("no analysis CRS: pass analysis_srid or set it with postgis_admin create-city")
        where, params = filter_where(flt)
        table = self._qualified("field_reports")
        if stored and int(stored) == srid:
            sql = (
                f"SELECT floor(ax / ?)::bigint, floor(ay / ?)::bigint, count(*) FROM {table} "
                f"WHERE ax IS NOT NULL AND {where} GROUP BY 1, 2"
            )
        else:
            sql = (
                "SELECT floor(ST_X(p) / ?)::bigint, floor(ST_Y(p) / ?)::bigint, count(*) FROM "
                f"(SELECT ST_Transform(geom, {srid}) AS p FROM {table} WHERE geom IS NOT NULL AND {where}) q "
                "GROUP BY 1, 2"
            )
        rows = self._query(sql, (float(cell_m), float(cell_m), *params))
        arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
        return {"ix": arr[:, 0], "iy": arr[:, 1], "count": arr[:, 2], "cell_m": float(cell_m), "srid": srid}

    # -- edits survive a dropped connection ---------------------------------------------------------------
    @property
    def pending(self) -> PendingEdits:
        if self._pending is None:
            self._pending = PendingEdits(self._pending_path)
        return self._pending

    def _target(self) -> str:
        p = self._params
        where = f"{p.get('host', '?')}:{p.get('port', '5432')}/{p.get('dbname', '?')}"
        return f"{p.get('user', '?')}@{where}/{self.db_schema}"

    def update_report(
        self,
        report_id: str,
        changes: dict[str, Any],
        actor: str,
        note: str = "",
        expected_version: Optional[int] = None,
        enqueue: bool = True,
    ) -> int:
        """As IocStore.update_report; if the connection drops, the edit is saved locally and EditQueued raised."""
        saved = dict(changes)
        try:
            return super().update_report(report_id, dict(changes), actor, note, expected_version, enqueue)
        except StoreUnavailable as exc:
            if self.conn is not None and not self.conn.closed:
                raise
            edit_id = self.pending.add(
                self._target(), report_id, saved, actor, note, expected_version, enqueue, str(exc)[:300]
            )
            raise EditQueued(
                f"the connection to the database was lost while saving report {report_id}; your change is kept "
                "on this computer and will be sent when the connection is back (nothing was lost).",
                edit_id,
            ) from exc

    def pending_edits(self, state: Optional[str] = "pending") -> list:
        return self.pending.list(self._target(), state)

    def replay_pending(self) -> dict[str, int]:
        """Send queued edits in order. Stops at the first connection failure (the rest stay queued).

        An edit whose version no longer matches is applied only if the report already carries it (the commit
        reached the server before the connection died); otherwise it is marked 'conflict' for the desk to review.
        """
        result = {"applied": 0, "conflict": 0, "failed": 0, "pending": 0}
        edits = self.pending_edits()
        for i, e in enumerate(edits):
            try:
                super().update_report(e.report_id, dict(e.changes), e.actor, e.note, e.expected_version, e.enqueue)
            except ConflictError as exc:
                cur = self.get_report(e.report_id) or {}
                if all(cur.get(k) == v for k, v in e.changes.items()):
                    self.pending.finish(e.id, APPLIED, "already applied before the connection dropped")
                    result["applied"] += 1
                else:
                    self.pending.finish(e.id, CONFLICT, str(exc))
                    result["conflict"] += 1
                continue
            except StoreUnavailable:
                result["pending"] = len(edits) - i
                break
            except (StoreError, TransitionError) as exc:
                if isinstance(exc, TransitionError):
                    cur = self.get_report(e.report_id) or {}
                    if all(cur.get(k) == v for k, v in e.changes.items()):
                        self.pending.finish(e.id, APPLIED, "already applied before the connection dropped")
                        result["applied"] += 1
                        continue
                self.pending.finish(e.id, FAILED, str(exc))
                result["failed"] += 1
                continue
            self.pending.finish(e.id, APPLIED)
            result["applied"] += 1
        return result


def _plain(value: Any) -> Any:
    """timestamptz → the same UTC ISO text the GeoPackage stores."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value
