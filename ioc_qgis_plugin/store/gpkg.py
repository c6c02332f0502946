"""Embedded default store: one GeoPackage file (OGC GeoPackage 1.2, R-tree indexed) written with sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from shapely.geometry.base import BaseGeometry

from ..core.timeutil import now_utc_iso
from . import gpkg_geometry
from .base import IocStore
from .errors import AlreadyExists, NotAnIocStore, StoreError
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


class GeoPackageStore(IocStore):
    kind = "gpkg"

    def __init__(self, path: str | Path, _conn: Optional[sqlite3.Connection] = None) -> None:
        super().__init__()
        self.path = Path(path)
        self._in_tx = False
        self._depth = 0
        self.conn = _conn or self._connect(self.path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
        gpkg_geometry.register_sql_functions(conn)
        # QGIS (and sqlite3, ogr2ogr) leave a GeoPackage in rollback-journal mode when they close it; QGIS's own
        # connections switch it to WAL again while ours stay in rollback mode, and its layers then fail with
        # "unable to open database file". Every store connection therefore puts the file in WAL first.
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    def describe(self) -> str:
        return f"GeoPackage {self.path}"

    # -- open / create --------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> GeoPackageStore:
        """Open an existing IOC GeoPackage read-write after checking it is one, of our schema version."""
        p = Path(path)
        if not p.is_file():
            raise StoreError(f"GeoPackage {p} does not exist")
        with open(p, "rb") as fh:
            head = fh.read(100)
        if not head.startswith(b"SQLite format 3\x00"):
            raise NotAnIocStore(f"{p} is not a GeoPackage (not an SQLite database; corrupt or another format)")
        try:
            conn = cls._connect(p)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise NotAnIocStore(f"{p} cannot be read as a GeoPackage: {exc}") from exc
        if app_id != _APPLICATION_ID:
            conn.close()
            raise NotAnIocStore(f"{p} is an SQLite database but not a GeoPackage")
        store = cls(p, conn)
        try:
            store.check_schema()
        except Exception:
            store.close()
            raise
        return store

    @classmethod
    def create(cls, path: str | Path, overwrite: bool = False) -> GeoPackageStore:
        p = Path(path)
        if p.exists():
            if not overwrite:
                raise AlreadyExists(f"{p} already exists; refusing to overwrite it")
            p.unlink()
        p.parent.mkdir(parents=True, exist_ok=True)
        store = cls(p)
        store._create_schema()
        return store

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
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self.conn.execute(sql, tuple(params)).rowcount
        except sqlite3.Error as exc:
            raise StoreError(f"{self.describe()}: {exc}") from exc

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            if self._in_tx:
                self.conn.executemany(sql, rows)
            else:
                with self.transaction():
                    self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.describe()}: {exc}") from exc

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.describe()}: {exc}") from exc

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
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx, self._depth = True, 0

    def _commit(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self.conn.execute("COMMIT")
        self._in_tx = False

    def _rollback(self) -> None:
        if self._depth:
            self._depth -= 1
            return
        self.conn.execute("ROLLBACK")
        self._in_tx = False

    def close(self) -> None:
        self.conn.close()

    def layer_uri(self, table: str) -> tuple[str, str]:
        return f"{self.path}|layername={table}", "ogr"

    def point_geometries(self, rows):  # fast path without shapely objects
        return gpkg_geometry.encode_points([r.get("lon") for r in rows], [r.get("lat") for r in rows], self.schema.srid)
