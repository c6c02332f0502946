"""The one schema (layers/schema.json) rendered as GeoPackage and PostGIS DDL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..core.paths import layers_dir


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # TEXT | INTEGER | REAL | DATETIME | BOOLEAN
    constraint: str


@dataclass(frozen=True)
class Table:
    name: str
    geometry: Optional[str]  # POINT | MULTIPOLYGON | None (attribute table)
    title: str
    columns: tuple[Column, ...]
    indexes: tuple[tuple[str, ...], ...]
    added_in: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (schema version, columns it added)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")


@dataclass(frozen=True)
class Schema:
    version: int
    srid: int
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"unknown table {name}")


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    data = json.loads((layers_dir() / "schema.json").read_text(encoding="utf-8"))
    tables = tuple(
        Table(
            t["name"],
            t.get("geometry"),
            t.get("title", t["name"]),
            tuple(Column(*c) for c in t["columns"]),
            tuple(tuple(i) for i in t.get("indexes", [])),
            tuple(sorted((int(v), tuple(cols)) for v, cols in t.get("added_in", {}).items())),
        )
        for t in data["tables"]
    )
    return Schema(int(data["schema_version"]), int(data["srid"]), tables)


_PG_TYPES = {
    "TEXT": "text",
    "INTEGER": "integer",
    "REAL": "double precision",
    "DATETIME": "timestamptz",
    "BOOLEAN": "boolean",
}


def gpkg_ddl(table: Table) -> list[str]:
    cols = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    if table.geometry:
        cols.append(f"geom {table.geometry}")
    cols += [f"{c.name} {c.type} {c.constraint}".strip() for c in table.columns]
    stmts = [f"CREATE TABLE {table.name} ({', '.join(cols)})"]
    for idx in table.indexes:
        stmts.append(f"CREATE INDEX idx_{table.name}_{'_'.join(idx)} ON {table.name} ({', '.join(idx)})")
    return stmts


def postgis_ddl(table: Table, schema: str, srid: int) -> list[str]:
    cols = ["fid bigserial PRIMARY KEY"]
    if table.geometry:
        cols.append(f"geom geometry({table.geometry.title().replace('polygon', 'Polygon')}, {srid})")
    cols += [f"{c.name} {_PG_TYPES[c.type]} {c.constraint}".strip() for c in table.columns]
    stmts = [f"CREATE TABLE {schema}.{table.name} ({', '.join(cols)})"]
    for idx in table.indexes:
        stmts.append(f"CREATE INDEX idx_{table.name}_{'_'.join(idx)} ON {schema}.{table.name} ({', '.join(idx)})")
    if table.geometry:
        stmts.append(f"CREATE INDEX sidx_{table.name}_geom ON {schema}.{table.name} USING gist (geom)")
    return stmts


def upgrade_ddl(schema: Schema, from_version: int, kind: str, qualify=lambda t: t) -> list[str]:  # noqa: ANN001
    """ALTER TABLE statements that bring a store at `from_version` to `schema.version`, or raise ValueError when
    some step is not a plain column addition (those need a written migration). Added columns are nullable without
    default, so no row is rewritten or lost, and the same DDL runs on GeoPackage and PostGIS."""
    steps: dict[int, list[str]] = {}
    for table in schema.tables:
        for version, columns in table.added_in:
            if version > from_version:
                for name in columns:
                    col = table.column(name)
                    sql_type = _PG_TYPES[col.type] if kind == "postgis" else col.type
                    steps.setdefault(version, []).append(
                        f"ALTER TABLE {qualify(table.name)} ADD COLUMN {col.name} {sql_type} {col.constraint}".strip()
                    )
    missing = [v for v in range(from_version + 1, schema.version + 1) if v not in steps]
    if from_version < 1 or missing:
        raise ValueError(f"no automatic upgrade from schema version {from_version} to {schema.version}")
    return [stmt for v in sorted(steps) for stmt in steps[v]]
