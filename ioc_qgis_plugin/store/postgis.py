"""Multi-user store: the same schema in a PostGIS database (psycopg2)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Optional, Sequence

from shapely import wkb as shapely_wkb
from shapely.geometry.base import BaseGeometry

from ..core.timeutil import now_utc_iso
from .base import IocStore
from .errors import AlreadyExists, StoreError, StoreUnavailable
from .schema import Table, postgis_ddl

try:
    import psycopg2
    import psycopg2.extras
except ImportError:  # pragma: no cover - the plugin still works with GeoPackage only
    psycopg2 = None


class PostgisStore(IocStore):
    kind = "postgis"

    def __init__(self, dsn: str, db_schema: str = "ioc", _conn: Any = None) -> None:
        super().__init__()
        if psycopg2 is None:
            raise StoreUnavailable("PostGIS support needs psycopg2 (Debian package python3-psycopg2)")
        self.dsn = dsn
        self.db_schema = db_schema
        self._depth = 0
        self._in_tx = False
        self.conn = _conn or self._connect(dsn)

    @staticmethod
    def _connect(dsn: str) -> Any:
        try:
            conn = psycopg2.connect(dsn, connect_timeout=10, application_name="ioc_qgis_plugin")
        except psycopg2.OperationalError as exc:
            # psycopg2's message names the host and the failure (password, unreachable, no database).
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else "connection failed"
            raise StoreUnavailable(f"cannot connect to PostGIS: {text}") from exc
        conn.autocommit = True
        return conn

    def describe(self) -> str:
        params = self.conn.get_dsn_parameters() if self.conn else {}
        return (
            f"PostGIS {params.get('user', '?')}@{params.get('host', '?')}:{params.get('port', '?')}/"
            f"{params.get('dbname', '?')} schema {self.db_schema}"
        )

    @classmethod
    def open(cls, dsn: str, db_schema: str = "ioc") -> PostgisStore:
        store = cls(dsn, db_schema)
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
        try:
            with self.conn.cursor() as cur:
                cur.execute(self._pg(sql), tuple(params))
                return cur.rowcount
        except psycopg2.Error as exc:
            raise self._wrap(exc) from exc

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            with self.conn.cursor() as cur:
                psycopg2.extras.execute_batch(cur, self._pg(sql), list(rows), page_size=1000)
        except psycopg2.Error as exc:
            raise self._wrap(exc) from exc

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
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
            return StoreError(f"{self.describe()}: your database account may not do this: {str(exc).strip()}")
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
        self.conn.autocommit = False
        self._in_tx, self._depth = True, 0

    def _commit(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self.conn.commit()
        self.conn.autocommit = True
        self._in_tx = False

    def _rollback(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self.conn.rollback()
        self.conn.autocommit = True
        self._in_tx = False

    def close(self) -> None:
        if self.conn is not None and not self.conn.closed:
            self.conn.close()

    def layer_uri(self, table: str) -> tuple[str, str]:
        p = self.conn.get_dsn_parameters()
        geom = " (geom)" if self.schema.table(table).geometry else ""
        uri = (
            f"dbname='{p.get('dbname')}' host={p.get('host')} port={p.get('port')} user='{p.get('user')}' "
            f"key='fid' table=\"{self.db_schema}\".\"{table}\"{geom}"
        )
        return uri, "postgres"

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


def _plain(value: Any) -> Any:
    """timestamptz → the same UTC ISO text the GeoPackage stores."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value
