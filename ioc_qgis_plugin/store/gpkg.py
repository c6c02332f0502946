"""Embedded default store: one GeoPackage file (OGC GeoPackage 1.2, R-tree indexed) written with sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from shapely.geometry.base import BaseGeometry

from ..core.timeutil import now_utc_iso
from . import gpkg_geometry, gpkg_safety
from .base import IocStore
from .errors import AlreadyExists, NotAnIocStore, StoreBusy, StoreDamaged, StoreError
from .schema import Table, gpkg_ddl

_APPLICATION_ID = 0x47504B47  # "GPKG"
_USER_VERSION = 10200

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_CORE_TABLES = [
    """CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
       organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
       description TEXT)""",
    """CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
       identifier TEXT UNIQUE, description TEXT DEFAULT '',
       last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
       min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
       CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
       geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
       CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
       CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
       CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
       definition TEXT NOT NULL, scope TEXT NOT NULL,
       CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    "CREATE TABLE ioc_meta (key TEXT PRIMARY KEY, value TEXT)",
    # GDAL's feature-count cache; without it QGIS 3.22 reports the unfiltered count for filtered layers.
    "CREATE TABLE gpkg_ogr_contents (table_name TEXT NOT NULL PRIMARY KEY, feature_count INTEGER DEFAULT NULL)",
    # QGIS loads the style marked useAsDefault from this table when a layer is opened.
    """CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
       f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30),
       styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
       update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))""",
]

_RTREE_TRIGGERS = """
CREATE TRIGGER rtree_{t}_geom_insert AFTER INSERT ON {t} WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN INSERT OR REPLACE INTO rtree_{t}_geom VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom),
  ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
CREATE TRIGGER rtree_{t}_geom_update1 AFTER UPDATE OF geom ON {t}
WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN INSERT OR REPLACE INTO rtree_{t}_geom VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom),
  ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
CREATE TRIGGER rtree_{t}_geom_update2 AFTER UPDATE OF geom ON {t}
WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN DELETE FROM rtree_{t}_geom WHERE id = OLD.fid; END;
CREATE TRIGGER rtree_{t}_geom_update3 AFTER UPDATE ON {t}
WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN DELETE FROM rtree_{t}_geom WHERE id = OLD.fid; INSERT OR REPLACE INTO rtree_{t}_geom VALUES (NEW.fid,
  ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
CREATE TRIGGER rtree_{t}_geom_update4 AFTER UPDATE ON {t}
WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
BEGIN DELETE FROM rtree_{t}_geom WHERE id IN (OLD.fid, NEW.fid); END;
CREATE TRIGGER rtree_{t}_geom_delete AFTER DELETE ON {t} WHEN old.geom NOT NULL
BEGIN DELETE FROM rtree_{t}_geom WHERE id = OLD.fid; END;
"""

_COUNT_TRIGGERS = """
CREATE TRIGGER trigger_insert_feature_count_{t} AFTER INSERT ON {t}
BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count + 1 WHERE lower(table_name) = lower('{t}'); END;
CREATE TRIGGER trigger_delete_feature_count_{t} AFTER DELETE ON {t}
BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count - 1 WHERE lower(table_name) = lower('{t}'); END;
"""


# SQLite errors; Python's sqlite3 raises UnicodeDecodeError when SQLite's own message quotes damaged schema text.
_SQLITE_ERRORS = (sqlite3.Error, UnicodeDecodeError)


class GeoPackageStore(IocStore):
    """One connection to the IOC GeoPackage; every opener follows the rule in gpkg_safety (read it first)."""

    kind = "gpkg"

    def __init__(self, path: str | Path, _conn: Optional[sqlite3.Connection] = None, read_only: bool = False) -> None:
        super().__init__()
        self.path = Path(gpkg_safety.absolute(path))
        self.read_only = read_only
        self.damaged = False  # set when SQLite reports damage: from then on nothing is written
        self._in_tx = False
        self._depth = 0
        self._hold: Optional[str] = None
        if _conn is None:
            self._hold = gpkg_safety.hold(self.path)  # GDAL anchor before our first SQLite connection
            try:
                _conn = self._connect(self.path, "ro" if read_only else "rwc")
            except BaseException:
                self._release()
                raise
        self.conn = _conn

    @staticmethod
    def _connect(path: Path, mode: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            gpkg_safety.sqlite_uri(path, mode),
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=gpkg_safety.BUSY_TIMEOUT_S,
        )
        gpkg_geometry.register_sql_functions(conn)
        return conn

    def _release(self) -> None:
        if self._hold is not None:
            gpkg_safety.release(self._hold)
            self._hold = None

    def describe(self) -> str:
        return f"GeoPackage {self.path}"

    # -- open / create --------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> GeoPackageStore:
        """Open an existing IOC GeoPackage after checking it is one, of our schema version.

        Read-only tools (briefing, export, analytics) pass read_only=True. The file is only ever touched through
        SQLite: reading its header with open()/close() would drop this process's locks (see gpkg_safety).
        """
        p = Path(gpkg_safety.absolute(path))
        try:
            exists = p.is_file()
        except OSError as exc:  # e.g. a folder on the way that this user may not enter
            raise StoreError(f"GeoPackage {p} cannot be reached: {exc.strerror}") from exc
        if not exists:
            raise StoreError(f"GeoPackage {p} does not exist")
        if not read_only:
            problem = gpkg_safety.folder_problem(p)
            if problem:
                raise StoreError(f"Cannot open {p} for writing: {problem}")
        hold = gpkg_safety.hold(p)
        try:
            conn = cls._connect(p, "ro" if read_only else "rw")
        except _SQLITE_ERRORS as exc:
            gpkg_safety.release(hold)
            raise StoreError(f"{p} cannot be opened: {exc}") from exc
        try:
            app_id = gpkg_safety.retry_busy(lambda: conn.execute("PRAGMA application_id").fetchone()[0])
            if app_id == _APPLICATION_ID and not read_only:
                cls._ensure_wal(conn)
        except _SQLITE_ERRORS as exc:
            conn.close()
            gpkg_safety.release(hold)
            if gpkg_safety.is_busy(exc):
                raise StoreBusy(_busy_message(p)) from exc
            if isinstance(exc, UnicodeDecodeError) or gpkg_safety.is_damage(exc) and "not a database" not in str(exc):
                raise StoreDamaged(f"{p} is damaged ({exc}). {_damage_advice(p)}") from exc
            if "not a database" in str(exc).lower():
                raise NotAnIocStore(
                    f"{p} is not a GeoPackage (not an SQLite database; corrupt or another format)"
                ) from exc
            raise NotAnIocStore(f"{p} cannot be read as a GeoPackage: {exc}. {_damage_advice(p)}") from exc
        except BaseException:
            conn.close()
            gpkg_safety.release(hold)
            raise
        if app_id != _APPLICATION_ID:
            conn.close()
            gpkg_safety.release(hold)
            raise NotAnIocStore(f"{p} is an SQLite database but not a GeoPackage")
        store = cls(p, conn, read_only=read_only)
        store._hold = hold
        try:
            store.check_schema()
        except Exception:
            store.close()
            raise
        return store

    @staticmethod
    def _ensure_wal(conn: sqlite3.Connection) -> None:
        """Writers use WAL (readers never block the writer). Switching needs the file to ourselves: if another
        program has it open in rollback mode we keep that mode rather than wait."""
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if not gpkg_safety.is_busy(exc):
                    raise

    @classmethod
    def create(cls, path: str | Path, overwrite: bool = False) -> GeoPackageStore:
        p = Path(gpkg_safety.absolute(path))
        if p.exists():
            if not overwrite:
                raise AlreadyExists(f"{p} already exists; refusing to overwrite it")
            _retire_unused(p)
        p.parent.mkdir(parents=True, exist_ok=True)
        store = cls(p)
        try:
            store._create_schema()
        finally:
            store.close()
        # Reopen: only now is the file a GeoPackage GDAL can hold as this process's anchor (gpkg_safety).
        return cls(p)

    def _create_schema(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
        c.execute(f"PRAGMA user_version = {_USER_VERSION}")
        c.execute("PRAGMA journal_mode = WAL")
        with self.transaction():
            for stmt in _CORE_TABLES:
                c.execute(stmt)
            c.executemany(
                "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                [
                    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate system"),
                    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate system"),
                    ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude WGS 84"),
                ],
            )
            for table in self.schema.tables:
                self._create_table(table)
            # GDAL (and so QGIS) only sees tables registered in gpkg_contents.
            c.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')"
            )
            c.execute("INSERT INTO ioc_meta VALUES ('schema_version', ?)", (str(self.schema.version),))
            c.execute("INSERT INTO ioc_meta VALUES ('created_at', ?)", (now_utc_iso(),))

    def _create_table(self, table: Table) -> None:
        c = self.conn
        for stmt in gpkg_ddl(table):
            c.execute(stmt)
        srid = self.schema.srid
        data_type = "features" if table.geometry else "attributes"
        c.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?,?,?,?,?)",
            (table.name, data_type, table.name, table.title, srid if table.geometry else None),
        )
        c.execute("INSERT INTO gpkg_ogr_contents VALUES (?, 0)", (table.name,))
        self._run_script(_COUNT_TRIGGERS.format(t=table.name))
        if table.geometry:
            c.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)", (table.name, table.geometry, srid)
            )
            c.execute(f"CREATE VIRTUAL TABLE rtree_{table.name}_geom USING rtree(id, minx, maxx, miny, maxy)")
            c.execute(
                "INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', "
                "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
                (table.name,),
            )
            self._run_script(_RTREE_TRIGGERS.format(t=table.name))

    def _run_script(self, script: str) -> None:
        for stmt in script.split("END;"):
            if stmt.strip():
                self.conn.execute(stmt + "END;")

    def update_extents(self) -> None:
        """Refresh gpkg_contents extents from the R-trees (QGIS uses them for 'zoom to layer')."""
        with self.transaction():
            for t in self.schema.tables:
                if not t.geometry:
                    continue
                ext = self.conn.execute(
                    f"SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_{t.name}_geom"
                ).fetchone()
                self.conn.execute(
                    "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
                    "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
                    (*ext, t.name),
                )

    def styled_tables(self) -> set[str]:
        return {r[0] for r in self._query("SELECT DISTINCT f_table_name FROM layer_styles WHERE useAsDefault")}

    def save_style(self, table: str, qml: str, name: str = "IOC", default: bool = True) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (table, name))
            self.conn.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
                "VALUES ('', '', ?, 'geom', ?, ?, '', ?, 'IOC default style', 'ioc', '')",
                (table, name, qml, 1 if default else 0),
            )

    # -- backend hooks ------------------------------------------------------------------------------------
    def _error(self, exc: Exception) -> StoreError:
        """A StoreError the user can act on; damage also stops every later write."""
        if gpkg_safety.is_busy(exc):
            return StoreBusy(_busy_message(self.path))
        if gpkg_safety.is_damage(exc):
            self.damaged = True
            return StoreDamaged(f"{self.path} is damaged ({exc}). {_damage_advice(self.path)}")
        return StoreError(f"{self.describe()}: {exc}")

    def _check_writable(self) -> None:
        if self.damaged:
            raise StoreDamaged(f"{self.path} is damaged; nothing is written to it. {_damage_advice(self.path)}")
        if self.read_only:
            raise StoreError(f"{self.describe()} was opened read-only; nothing is written to it")

    def _run(self, fn):  # noqa: ANN001, ANN202 - one statement, retried while busy outside a transaction
        try:
            if self._in_tx:
                return fn()  # inside BEGIN IMMEDIATE we hold the write lock: busy cannot happen
            return gpkg_safety.retry_busy(fn)
        except _SQLITE_ERRORS as exc:
            raise self._error(exc) from exc

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._check_writable()
        return self._run(lambda: self.conn.execute(sql, tuple(params)).rowcount)

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._check_writable()
        if self._in_tx:
            self._run(lambda: self.conn.executemany(sql, rows))
        else:
            with self.transaction():
                self._run(lambda: self.conn.executemany(sql, rows))

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._run(lambda: self.conn.execute(sql, tuple(params)).fetchall())

    def _geom_param(self) -> str:
        return "?"

    def _geom_value(self, geom: Optional[BaseGeometry]) -> Any:
        return gpkg_geometry.encode(geom, self.schema.srid)

    def _geom_select(self) -> str:
        return "geom"

    def _decode_geoms(self, values: list[Any]) -> list[Optional[BaseGeometry]]:
        return gpkg_geometry.decode_many(values)

    def _begin(self) -> None:
        if self._in_tx:  # nested: join the outer transaction
            self._depth += 1
            return
        self._check_writable()
        # IMMEDIATE takes the write lock up front (waiting in the busy handler), so a transaction never fails
        # half-way with "locked" because another writer committed after our first read.
        self._run(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        self._in_tx, self._depth = True, 0

    def _commit(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        try:
            self.conn.execute("COMMIT")
        except _SQLITE_ERRORS as exc:
            self._rollback_quietly()
            raise self._error(exc) from exc
        self._in_tx = False

    def _rollback(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self._rollback_quietly()

    def _rollback_quietly(self) -> None:
        self._in_tx, self._depth = False, 0
        try:
            self.conn.execute("ROLLBACK")
        except _SQLITE_ERRORS:
            pass  # SQLite already rolled back (e.g. after an I/O error)

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self._release()

    @classmethod
    def copy_file(cls, src: str | Path, dest: str | Path) -> Path:
        """Copy a store that may be in use (tests, tools): read-only open + backup API, never shutil.copy."""
        store = cls.open(src, read_only=True)
        try:
            return store.snapshot(dest)
        finally:
            store.close()

    def snapshot(self, dest: str | Path) -> Path:
        """A consistent copy through SQLite's backup API (use this, never a file copy of the live store)."""
        try:
            return gpkg_safety.snapshot(self.conn, dest)
        except _SQLITE_ERRORS as exc:
            raise self._error(exc) from exc

    def layer_uri(self, table: str) -> tuple[str, str]:
        return f"{self.path}|layername={table}", "ogr"

    def point_geometries(self, rows):  # fast path without shapely objects
        return gpkg_geometry.encode_points([r.get("lon") for r in rows], [r.get("lat") for r in rows], self.schema.srid)


def _damage_advice(path: Path) -> str:
    return (
        "Nothing more is written to it. Close the programs that use it and keep the file for inspection; "
        f"the daily backups are in {path.with_name(path.stem + '-backups')} (IOC offers to open the last good one)."
    )


def _busy_message(path: Path) -> str:
    return (
        f"{path} is busy: another program (QGIS, sync, import, export) kept it locked for more than "
        f"{gpkg_safety.BUSY_TIMEOUT_S:.0f} s. Nothing was changed; try again in a moment."
    )


def _retire_unused(path: Path) -> None:
    """Remove an existing store before re-creating it, only if no other program has it open.

    Switching the journal back to DELETE needs the file to ourselves; SQLite then folds in and removes its own
    -wal/-shm. If another connection holds it, we refuse instead of deleting a live database.
    """
    try:
        conn = sqlite3.connect(gpkg_safety.sqlite_uri(path, "rw"), uri=True, timeout=1)
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if gpkg_safety.is_busy(exc):
            raise StoreBusy(f"{path} is open in another program; close it before re-creating the store") from exc
        mode = "delete"  # not an SQLite file: no -wal to worry about
    if str(mode).lower() == "wal":
        raise StoreBusy(f"{path} is open in another program; close it before re-creating the store")
    path.unlink()
