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
