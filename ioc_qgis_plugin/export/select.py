"""Read what was asked for from the IOC store and anonymise it: the result is exactly what will leave.

The preview shows these ExportTables; every target writes from them and nothing else, so the preview cannot
differ from what is published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
from shapely.geometry.base import BaseGeometry

from ..core.timeutil import to_utc_iso
from ..store.base import IocStore
from . import history, locations
from .gazetteer import store_gazetteer
from .policy import ID_COLUMNS, Policy, PolicyError
from .scrub import Scrubber

DEFAULT_CRS = "EPSG:5899"


@dataclass
class Selection:
    """Which rows: tables plus optional filters (each applied only to tables that have the column)."""

    tables: Sequence[str] = ("field_reports",)
    ward_ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    statuses: Sequence[str] = ()
    time_field: str = "requested_at"
    start: Optional[str] = None  # ISO 8601, inclusive
    end: Optional[str] = None  # ISO 8601, exclusive
    limit: Optional[int] = None  # preview only

    def to_dict(self) -> dict:
        return {
            "tables": list(self.tables),
            "ward_ids": sorted(self.ward_ids),
            "service_codes": sorted(self.service_codes),
            "statuses": sorted(self.statuses),
            "time_field": self.time_field,
            "start": to_utc_iso(self.start) if self.start else None,
            "end": to_utc_iso(self.end) if self.end else None,
        }


@dataclass
class ExportTable:
    """One anonymised table: column names, rows (plain Python values) and geometry per row."""

    name: str
    title: str
    columns: list[str]
    types: list[str]
    rows: list[list[Any]]
    geometry_type: Optional[str] = None  # POINT, MULTIPOLYGON… or None
    lon: Optional[np.ndarray] = None  # points
    lat: Optional[np.ndarray] = None
    geometries: Optional[list[Optional[BaseGeometry]]] = None  # other geometry types
    actions: dict[str, str] = field(default_factory=dict)
    suppressed_locations: int = 0
    time_field: Optional[str] = None
    removed: dict[str, dict[str, int]] = field(default_factory=dict)  # column → why removed → count

    def __len__(self) -> int:
        return len(self.rows)


def _where(table_cols: set[str], sel: Selection) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for col, values in (("ward_id", sel.ward_ids), ("service_code", sel.service_codes), ("status", sel.statuses)):
        if values and col in table_cols:
            parts.append(f"{col} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if sel.time_field in table_cols:
        if sel.start:
            parts.append(f"{sel.time_field} >= ?")
            params.append(to_utc_iso(sel.start))
        if sel.end:
            parts.append(f"{sel.time_field} < ?")
            params.append(to_utc_iso(sel.end))
    return " AND ".join(parts), params


def _key(table) -> str:  # noqa: ANN001 - store.schema.Table
    for c in table.columns:
        if "UNIQUE" in (c.constraint or "").upper():
            return c.name
    return "fid"


def _apply(action: str, values: list[Any], scrubber: Scrubber, counts: Optional[Counter] = None) -> list[Any]:
    if action == "keep":
        return values
    if action == "scrub":
        return [scrubber.scrub(v, counts) if isinstance(v, str) else v for v in values]
    if action == "address":
        return [scrubber.address(v, counts) if isinstance(v, str) else v for v in values]
    if action in ("day", "hour"):
        cut = 10 if action == "day" else 13
        return [v[:cut] if isinstance(v, str) else v for v in values]
    raise PolicyError(f"unknown action {action!r}")


def read_table(
    store: IocStore,
    table: str,
    selection: Selection,
    policy: Policy,
    progress: Optional[Callable[[str], None]] = None,
    scrubber: Optional[Scrubber] = None,
) -> ExportTable:
    scrubber = scrubber or Scrubber(store_gazetteer(store), remember=True)
    t = store.schema.table(table)
    types = {c.name: c.type for c in t.columns}
    policy.check(table, types)
    actions = {c: policy.action(table, c, ty) for c, ty in types.items()}
    id_column = ID_COLUMNS.get(table)
    if id_column in actions and actions[id_column] != "drop":
        actions[id_column] = "keep"  # replaced by its pseudonym below; scrubbing would mangle the pseudonym
    published = [c for c in t.column_names if actions[c] != "drop"]
    where, params = _where(set(types), selection)
    key = _key(t)
    method = policy.location_method(table)
    point = t.geometry == "POINT"
    need_xy = point and method != "drop"
    read_cols = list(dict.fromkeys([*published, *(["lon", "lat"] if need_xy and "lon" in types else [])]))
    rows = store.fetch(
        table,
        where,
        params,
        columns=read_cols,
        geometry=bool(t.geometry) and not (point and "lon" in types),
        order_by=f"{key}, fid" if key != "fid" else "fid",
        limit=selection.limit,
    )
    if progress:
        progress(f"{table}: {len(rows)} rows read")
    if table == "report_events":
        report_types = {c.name: c.type for c in store.schema.table("field_reports").columns}

        def report_action(column: str) -> str:
            return policy.action("field_reports", column, report_types[column]) if column in report_types else "drop"

        rows = history.public_events(rows, policy, report_action, lambda a, v: _apply(a, [v], scrubber)[0])
    if id_column in published:
        for r in rows:
            r[id_column] = policy.public_id(r.get(id_column))
    removed: dict[str, Counter] = {c: Counter() for c in published}
    columns = {c: _apply(actions[c], [r.get(c) for r in rows], scrubber, removed[c]) for c in published}
    out = ExportTable(
        name=table,
        title=t.title,
        columns=published,
        types=[types[c] for c in published],
        rows=[list(vals) for vals in zip(*(columns[c] for c in published))] if rows else [],
        geometry_type=t.geometry if method != "drop" or not point else None,
        actions={**actions, "(location)": method if point else "exact"},
        time_field=selection.time_field if selection.time_field in types else None,
        removed={c: dict(sorted(n.items())) for c, n in removed.items() if n},
    )
    if id_column in published:
        out.actions[id_column] = "keep (real id)" if policy.id_mode == "real" else "pseudonym"
    if point and method != "drop":
        if "lon" in types:
            lon = np.array([np.nan if r.get("lon") is None else float(r["lon"]) for r in rows], dtype=float)
            lat = np.array([np.nan if r.get("lat") is None else float(r["lat"]) for r in rows], dtype=float)
        else:
            geoms = [r.get("geom") for r in rows]
            lon = np.array([g.x if g is not None and not g.is_empty else np.nan for g in geoms], dtype=float)
            lat = np.array([g.y if g is not None and not g.is_empty else np.nan for g in geoms], dtype=float)
        crs = policy.location.crs or store.get_meta("analysis_crs", DEFAULT_CRS) or DEFAULT_CRS
        if method == "grid":
            lon, lat = locations.snap_to_grid(lon, lat, policy.location.cell_m, crs)
        elif method == "kanon":
            lon, lat, out.suppressed_locations = locations.k_anonymous(
                lon, lat, policy.location.cell_m, policy.location.k, crs
            )
        out.lon, out.lat = lon, lat
    elif t.geometry and not point:
        out.geometries = [r.get("geom") for r in rows]
    return out


def read_selection(
    store: IocStore, selection: Selection, policy: Policy, progress: Optional[Callable[[str], None]] = None
) -> list[ExportTable]:
    if not selection.tables:
        raise PolicyError("choose at least one table to export")
    scrubber = Scrubber(store_gazetteer(store), remember=True)
    tables = [read_table(store, t, selection, policy, progress, scrubber) for t in selection.tables]
    for t in tables:
        _order_by_public_id(t)
    return tables


def _order_by_public_id(table: ExportTable) -> None:
    """Pseudonymised rows in pseudonym order: store order would tell the rank of the real (sequential) id."""
    id_column = ID_COLUMNS.get(table.name)
    if id_column not in table.columns or table.actions.get(id_column) != "pseudonym" or not table.rows:
        return
    i = table.columns.index(id_column)
    order = sorted(range(len(table.rows)), key=lambda k: (str(table.rows[k][i]), k))
    table.rows = [table.rows[k] for k in order]
    if table.lon is not None:
        table.lon, table.lat = table.lon[order], table.lat[order]
    if table.geometries is not None:
        table.geometries = [table.geometries[k] for k in order]


def preview_rows(table: ExportTable, limit: int = 200) -> tuple[list[str], list[list[Any]]]:
    """Header and rows exactly as the file targets write them (location columns appended)."""
    header = list(table.columns)
    if table.lon is not None:
        header += ["lon", "lat"]
    rows = []
    for i, row in enumerate(table.rows[:limit]):
        extra = []
        if table.lon is not None:
            extra = [None if np.isnan(table.lon[i]) else float(table.lon[i]), None]
            extra[1] = None if np.isnan(table.lat[i]) else float(table.lat[i])
        rows.append([*row, *extra])
    return header, rows
