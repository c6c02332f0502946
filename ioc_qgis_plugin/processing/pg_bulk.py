"""Column-wise reads of PostGIS tables for the IOC algorithms. No qgis import: pg_source.py resolves the layer's
connection (and its auth configuration), common.py / land_base.py decide when this applies.

Points: coordinates, numbers and times in one binary COPY of fixed-width rows read straight into numpy, text-like
fields in a CSV COPY of the same snapshot. Polygons: little-endian WKB from a server-side cursor, in batches.
What QGIS's postgres provider would do differently is refused with NotColumnar, so the caller iterates features
instead: keys that are not one integer column, unconstrained or curved geometry columns, field types QGIS converts
in ways not repeated here. The layer's subset string is the WHERE clause, run in a read-only transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

from .bulk_io import Columns, NotColumnar, WkbColumns

INT_TYPES = {"int2", "int4", "int8"}
FLOAT_TYPES = {"float4", "float8"}
TEXT_TYPES = {"text", "varchar"}
POINT_GEOMETRY = {"POINT"}
POLYGON_GEOMETRY = {"POLYGON", "MULTIPOLYGON"}
BATCH = 50_000
CHECK_EVERY = 20_000  # rows of a COPY between progress reports / cancel checks


@dataclass
class PgTable:
    """Where a layer's rows live. `connect` holds psycopg2.connect keywords, the password among them: it is never
    part of a repr, a message or an exception raised here."""

    connect: dict = field(repr=False)
    schema: str
    table: str
    geometry: str  # "" for a table without geometry
    key: str  # "" to use the table's own single-column primary key
    subset: str = ""
    srid: Optional[int] = None  # the layer's SRID when QGIS was told one


def _scrub(text: str, table: PgTable) -> str:
    secret = str(table.connect.get("password") or "")
    return text.replace(secret, "***") if secret else text


def _connect(table: PgTable):  # noqa: ANN202 - psycopg2 connection
    try:
        import psycopg2
    except ImportError as exc:
        raise NotColumnar("psycopg2 is not installed") from exc
    try:
        conn = psycopg2.connect(connect_timeout=15, application_name="ioc processing read", **table.connect)
    except psycopg2.Error as exc:  # libpq's text names host, user and reason, never the password (scrubbed anyway)
        first = (str(exc).strip().splitlines() or ["connection failed"])[0]
        raise NotColumnar(_scrub(f"PostgreSQL refused the connection: {first}", table)) from None
    # the subset string is SQL: whatever it says, this transaction cannot write; its reads share one snapshot
    conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
    conn.set_client_encoding("UTF8")  # the CSV of text fields is decoded as UTF-8 whatever the database's encoding
    return conn


def access_problem(table: PgTable) -> str:
    """Why these credentials cannot read this table, in PostgreSQL's own words (wrong password, no SELECT
    privilege, no such table), or "" when they can. For the error of an input QGIS could not load: its postgres
    provider writes the reason only to the message log, which qgis_process does not print."""
    import psycopg2
    from psycopg2 import sql

    try:
        conn = _connect(table)
    except NotColumnar as exc:
        return str(exc)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT FROM {} LIMIT 0").format(sql.Identifier(table.schema, table.table)))
    except psycopg2.Error as exc:
        first = (str(exc).strip().splitlines() or ["the read failed"])[0]
        return _scrub(f"PostgreSQL refused the read: {first}", table)
    finally:
        conn.close()
    return ""


def _columns(cur, table: PgTable) -> dict[str, str]:  # noqa: ANN001 - psycopg2 cursor
    """Column name → type name (pg_type.typname) of the table or view."""
    from psycopg2 import sql

    qualified = sql.Identifier(table.schema, table.table).as_string(cur)
    cur.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
        (qualified,),
    )
    out = {str(name): str(kind) for name, kind in cur.fetchall()}
    if not out:
        raise NotColumnar("table not found (or not readable) in the database")
    return out


def _key(cur, table: PgTable, kinds: dict[str, str]) -> str:  # noqa: ANN001
    """The integer column QGIS uses as feature id: the layer's key, else the table's one-column primary key."""
    from psycopg2 import sql

    key = table.key.strip().strip('"')
    if not key:
        cur.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
            (sql.Identifier(table.schema, table.table).as_string(cur),),
        )
        keys = [str(r[0]) for r in cur.fetchall()]
        if len(keys) != 1:
            raise NotColumnar("no one-column primary key")
        key = keys[0]
    if "," in table.key or kinds.get(key) not in INT_TYPES:
        raise NotColumnar("the feature key is not one integer column")
    return key


def _geometry_type(cur, table: PgTable, allowed: set[str], dims: set[int]) -> None:  # noqa: ANN001
    cur.execute(
        "SELECT upper(type), coord_dimension, srid FROM geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s AND f_geometry_column = %s",
        (table.schema, table.table, table.geometry),
    )
    row = cur.fetchone()
    if row is None:
        raise NotColumnar("not a PostGIS geometry column")
    kind, dim, srid = str(row[0]), int(row[1]), int(row[2])
    if kind not in allowed or dim not in dims:
        raise NotColumnar(f"geometry type {kind} ({dim}D) is read feature by feature")
    if table.srid is not None and table.srid != srid:
        raise NotColumnar("the layer's SRID differs from the column's")


def _stream(conn, query, table: PgTable) -> Iterator[list[tuple]]:  # noqa: ANN001
    """Batches of rows from a server-side cursor (memory bounded by one batch)."""
    import psycopg2

    cur = conn.cursor(name="ioc_bulk_read")
    cur.itersize = BATCH
    try:
        cur.execute(query)
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                return
            yield rows
    except psycopg2.Error as exc:
        # e.g. a subset string this database cannot run: QGIS's provider says what is wrong with it
        raise NotColumnar(_scrub(f"the query failed: {str(exc).strip().splitlines()[0]}", table)) from None
    finally:
        cur.close()


def _select(table: PgTable, key: str, geometry_sql: Optional[str], fields: list[tuple[str, str]]):  # noqa: ANN202
    from psycopg2 import sql

    parts = [sql.SQL("{}::int8").format(sql.Identifier(key))]
    if geometry_sql is not None:
        parts.append(sql.SQL(geometry_sql).format(sql.Identifier(table.geometry)))
    for name, cast in fields:
        parts.append(sql.SQL(cast).format(sql.Identifier(name)))
    query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(parts), sql.Identifier(table.schema, table.table))
    if table.subset.strip():
        query = sql.SQL("{} WHERE ({})").format(query, sql.SQL(table.subset))
    return query


def _local_epochs(naive: np.ndarray) -> np.ndarray:
    """Seconds of a timestamp without time zone (or a date) read as UTC wall time → as QGIS reads it: local time
    of this machine (QDateTime in Qt::LocalTime). Per distinct value, in Python: a rare column type."""
    out = np.full(len(naive), np.nan)
    good = np.isfinite(naive)
    if good.any():
        values, back = np.unique(naive[good], return_inverse=True)
        local = [(EPOCH + timedelta(seconds=float(v))).timestamp() for v in values]
        out[good] = np.asarray(local, dtype=np.float64)[back]
    return out


EPOCH = datetime(1970, 1, 1)
# A time as QGIS reads it (its text parsed into a QDateTime): the whole seconds, and the first four digits of the
# fraction that Qt turns into milliseconds (qt_datetime.cpp: min(qRound(digits / 10^n * 1000), 999)); two columns
WHOLE_SECONDS = "floor(extract(epoch from {}))::float8"
FRACTION_DIGITS = "floor(mod(extract(microseconds from {})::numeric, 1000000) / 100)::float8"


def _qt_epoch(seconds: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Epoch seconds as QDateTime.toMSecsSinceEpoch() / 1000 gives them, with Qt's own float steps."""
    ms = np.minimum(np.floor(digits / 10000.0 * 1000.0 + 0.5), 999.0)
    return (seconds * 1000.0 + ms) / 1000.0


COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


class _CopySink:
    """File-like target of COPY TO STDOUT: keeps the bytes, reports progress and stops on cancel."""

    def __init__(self, cancelled: Callable[[float], bool], rows: int, span: tuple[float, float]) -> None:
        self.parts: list[bytes] = []
        self.cancelled, self.rows, self.span = cancelled, max(rows, 1), span

    def write(self, data: bytes) -> None:  # psycopg2 hands over one row at a time: kept as cheap as possible
        parts = self.parts
        parts.append(data)
        if len(parts) % CHECK_EVERY == 0:
            lo, hi = self.span
            if self.cancelled(lo + (hi - lo) * min(len(parts) / self.rows, 1.0)):
                raise InterruptedError("reading canceled")

    def data(self) -> bytes:
        return b"".join(self.parts)


def _copy(cur, query, table: PgTable, sink: _CopySink) -> bytes:  # noqa: ANN001 - psycopg2 cursor, sql.Composed
    import psycopg2

    try:
        cur.copy_expert(query, sink, size=1 << 20)
    except psycopg2.Error as exc:
        # e.g. a subset string this database cannot run: QGIS's provider says what is wrong with it
        raise NotColumnar(_scrub(f"the query failed: {(str(exc).strip().splitlines() or ['?'])[0]}", table)) from None
    return sink.data()


def _fixed_rows(raw: bytes, ncols: int) -> np.ndarray:
    """Rows of a binary COPY whose columns are one int8 and then float8s, none NULL: one structured array."""
    if raw[:11] != COPY_SIGNATURE or raw[-2:] != b"\xff\xff":
        raise NotColumnar("unexpected COPY data")
    start = 19 + int.from_bytes(raw[15:19], "big")  # header: signature, flags, extension length (+ extension)
    fields = [("count", ">i2"), ("len0", ">i4"), ("v0", ">i8")]
    for k in range(1, ncols):
        fields += [(f"len{k}", ">i4"), (f"v{k}", ">f8")]
    dtype = np.dtype(fields)
    count, rest = divmod(len(raw) - start - 2, dtype.itemsize)
    if rest:
        raise NotColumnar("unexpected COPY data")
    rows = np.frombuffer(raw, dtype=dtype, offset=start, count=count)
    if np.any(rows["count"] != ncols) or any(np.any(rows[f"len{k}"] != 8) for k in range(ncols)):
        raise NotColumnar("unexpected COPY data")
    return rows


def _fields_and_key(cur, table: PgTable, wanted: Sequence[str]) -> tuple[dict[str, str], str]:  # noqa: ANN001
    """The table's column kinds and its usable key; NotColumnar when a wanted field is missing."""
    kinds = _columns(cur, table)
    missing = [f for f in wanted if f not in kinds]
    if missing:
        raise NotColumnar(f"fields not in the table: {missing}")
    return kinds, _key(cur, table, kinds)


def read_pg_points(
    table: PgTable,
    numeric: Sequence[str] = (),
    text: Sequence[str] = (),
    times: Sequence[str] = (),
    parse_time: Callable[[object], float] = lambda v: np.nan,
    cancelled: Callable[[float], bool] = lambda fraction: False,
    need_points: bool = True,
    total: int = 0,
) -> Columns:
    """Points (x, y in the column's CRS), feature keys and the named fields of a PostGIS table.

    Numbers, times and coordinates come in one binary COPY of fixed-width rows (NULL sent as NaN) read straight
    into numpy; text-like fields in a second COPY (CSV) of the same snapshot, matched by key. `Columns.key` names
    the key column when QGIS numbers the features itself (int8 keys) and the caller must map keys to its ids.
    """
    from psycopg2 import sql

    numeric, text, times = ([f for f in group if f] for group in (numeric, text, times))
    wanted = [*numeric, *text, *times]
    conn = _connect(table)
    try:
        cur = conn.cursor()
        kinds, key = _fields_and_key(cur, table, wanted)
        if table.geometry:
            _geometry_type(cur, table, POINT_GEOMETRY, {2, 3, 4})
        floats: list[tuple[str, str]] = []  # (field, SQL giving float8) for the binary COPY
        texts: list[tuple[str, str]] = []  # (field, SQL giving text) for the CSV COPY
        local: set[str] = set()
        fraction: set[str] = set()  # times sent as two columns: whole seconds, then the fraction's digits
        for name in wanted:
            kind = kinds[name]
            if name in numeric and kind == "float4":  # QGIS reads its shortest text, not the widened float
                floats.append((name, "{}::text::float8"))
            elif name in numeric and kind in INT_TYPES | FLOAT_TYPES | {"numeric"}:
                floats.append((name, "{}::float8"))
            elif name in numeric and kind in TEXT_TYPES:
                texts.append((name, "{}"))
            elif name in text and kind in INT_TYPES | TEXT_TYPES:
                texts.append((name, "{}::text"))
            elif name in times and kind in ("timestamptz", "timestamp", "date"):
                if kind == "date":
                    floats.append((name, "extract(epoch from {})::float8"))
                else:
                    floats += [(name, WHOLE_SECONDS), (name, FRACTION_DIGITS)]
                    fraction.add(name)
                if kind != "timestamptz":
                    local.add(name)
            elif name in times and kind in TEXT_TYPES:
                texts.append((name, "{}"))
            else:
                raise NotColumnar(f"field {name} of type {kind} is read feature by feature")
        point = ["ST_X({})", "ST_Y({})"] if table.geometry else ["NULL::float8", "NULL::float8"]
        exprs = [sql.SQL(f"coalesce({p}, 'NaN')").format(sql.Identifier(table.geometry)) for p in point]
        exprs += [sql.SQL(f"coalesce({e}, 'NaN')").format(sql.Identifier(n)) for n, e in floats]
        rows = _fixed_rows(
            _copy(cur, _copy_query(table, key, exprs, "binary"), table,
                  _CopySink(cancelled, total, (0.0, 0.8 if texts else 1.0))),
            len(exprs) + 1,
        )  # fmt: skip
        keys = rows["v0"].astype(np.int64)
        x, y = rows["v1"].astype(np.float64), rows["v2"].astype(np.float64)
        batch: dict = {"fid": keys, "x": x, "y": y}
        k = 3
        for name in dict.fromkeys(n for n, _e in floats):
            values = rows[f"v{k}"].astype(np.float64)
            if name in local:
                values = _local_epochs(values)
            if name in fraction:
                k += 1
                values = _qt_epoch(values, rows[f"v{k}"].astype(np.float64))
            batch[name] = values
            k += 1
        if texts:
            exprs = [sql.SQL(e).format(sql.Identifier(n)) for n, e in texts]
            raw = _copy(cur, _copy_query(table, key, exprs, "csv"), table, _CopySink(cancelled, total, (0.8, 1.0)))
            text_keys, columns = _csv_columns(raw.decode("utf-8"), len(texts) + 1)
            if len(text_keys) != len(keys):
                raise NotColumnar("the table changed between two reads")
            order = None
            if not np.array_equal(text_keys, keys):  # another scan order: match rows by key
                sort = np.argsort(text_keys)
                order = sort[np.searchsorted(text_keys, keys, sorter=sort)]
                if not np.array_equal(text_keys[order], keys):
                    raise NotColumnar("the table changed between two reads")
            for (name, _e), column in zip(texts, columns):
                batch[name] = column if order is None else column[order]
        conn.rollback()  # end the read-only snapshot
    finally:
        conn.close()
    if cancelled(1.0):
        raise InterruptedError("reading canceled")
    mapped = key if kinds.get(key) == "int8" else ""  # QGIS 3.22 numbers int8-keyed features itself
    return _points_from_columns(batch, numeric, text, times, parse_time, need_points, mapped)


def _csv_columns(text: str, width: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Keys and text columns of a CSV COPY (key first). Without any quote no value holds a comma, a newline or is
    an empty string, so one split of the whole text gives every cell; otherwise Python's csv module reads it."""
    if '"' not in text:
        cells = text[:-1].replace("\n", ",").split(",") if text else []
        if len(cells) % width == 0:
            keys = np.array(cells[0::width]).astype(np.int64) if cells else np.zeros(0, dtype=np.int64)
            return keys, [np.array(cells[k::width], dtype=object) for k in range(1, width)]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    keys = np.fromiter((int(r[0]) for r in rows), dtype=np.int64, count=len(rows))
    columns = []
    for k in range(1, width):
        column = np.empty(len(rows), dtype=object)
        column[:] = [r[k] for r in rows]
        columns.append(column)
    return keys, columns


def _copy_query(table: PgTable, key: str, exprs: list, fmt: str):  # noqa: ANN202 - sql.Composed
    from psycopg2 import sql

    inner = sql.SQL("SELECT {}::int8, {} FROM {}").format(
        sql.Identifier(key), sql.SQL(", ").join(exprs), sql.Identifier(table.schema, table.table)
    )
    if table.subset.strip():
        inner = sql.SQL("{} WHERE ({})").format(inner, sql.SQL(table.subset))
    return sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT {})").format(inner, sql.SQL(fmt))


def _points_from_columns(
    batch: dict,
    numeric: Sequence[str],
    text: Sequence[str],
    times: Sequence[str],
    parse_time: Callable[[object], float],
    need_points: bool,
    key: str,
) -> Columns:
    """Columns as the OGR reader gives them: rows without a usable point dropped (or only counted)."""
    x, y = batch["x"], batch["y"]
    ok = np.isfinite(x) & np.isfinite(y)  # NULL and POINT EMPTY both arrive as NaN
    keep = ok if need_points else np.ones(len(ok), dtype=bool)
    attrs: dict[str, np.ndarray] = {}
    for name in numeric:
        values = batch[name][keep]
        attrs[name] = values if values.dtype == np.float64 else _text_floats(values)
    for name in text:
        attrs[name] = batch[name][keep]  # CSV: NULL and empty text both arrive as ""
    for name in times:
        values = batch[name][keep]
        attrs[name] = values if values.dtype == np.float64 else np.array([parse_time(v) for v in values], dtype=float)
    return Columns(x[keep], y[keep], batch["fid"][keep], attrs, int((~ok).sum()), key=key)


def _text_floats(values: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except ValueError:
            pass
    return out


def read_pg_wkb(
    table: PgTable,
    fields: Sequence[str] = (),
    cancelled: Callable[[float], bool] = lambda fraction: False,
    total: int = 0,
) -> WkbColumns:
    """Every row's geometry as little-endian ISO WKB (None where NULL), the feature ids and the named fields as
    plain Python values (None where NULL). Only 2D (multi)polygon columns and number/text fields, as the OGR path."""
    wanted = [f for f in fields if f]
    conn = _connect(table)
    try:
        cur = conn.cursor()
        kinds, key = _fields_and_key(cur, table, wanted)
        if not table.geometry:
            raise NotColumnar("no geometry column")
        _geometry_type(cur, table, POLYGON_GEOMETRY, {2})
        casts = []
        for name in wanted:
            kind = kinds[name]
            if kind not in INT_TYPES | FLOAT_TYPES | TEXT_TYPES and kind != "numeric":
                raise NotColumnar(f"field {name} of type {kind} is read feature by feature")
            casts.append((name, "{}::float8" if kind == "numeric" else "{}"))
        cur.close()
        query = _select(table, key, "ST_AsBinary({}, 'NDR')", casts)
        out = WkbColumns([], [], {f: [] for f in wanted}, key if kinds.get(key) == "int8" else "")
        for rows in _stream(conn, query, table):
            out.fids.extend(int(r[0]) for r in rows)
            out.wkb.extend(None if r[1] is None else bytes(r[1]) for r in rows)
            for k, name in enumerate(wanted, start=2):
                out.attrs[name].extend(r[k] for r in rows)
            if cancelled(min(len(out.fids) / max(total, 1), 1.0)):
                raise InterruptedError("reading canceled")
        return out
    finally:
        conn.close()
