"""Create and upgrade a city database on an existing PostgreSQL/PostGIS server; manage IOC accounts.

    python -m ioc_qgis_plugin.store.postgis_admin create-city --dbname longkhanh --analysis-srid 5899
    python -m ioc_qgis_plugin.store.postgis_admin migrate --dbname longkhanh
    python -m ioc_qgis_plugin.store.postgis_admin add-user --dbname longkhanh desk_xuanan --role desk --ward W01
    python -m ioc_qgis_plugin.store.postgis_admin add-user --dbname longkhanh cron_deadlines --role scheduler
    python -m ioc_qgis_plugin.store.postgis_admin status --dbname longkhanh

Connection: --host/--port/--user or the usual libpq variables (PGHOST, PGPORT, PGUSER); the administrator's
password comes from PGPASSWORD or ~/.pgpass, else it is prompted. A new account's password comes from
IOC_NEW_PASSWORD or is prompted twice — never from the command line (it would show in `ps` and shell history).
A `scheduler` login may only run `SELECT ioc.refresh_deadline_state()` (cron), at the server's time.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from . import migrations
from .errors import StoreError
from .postgis import AccessDenied, AuthenticationFailed, PostgisStore, explain_connect_error

try:
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import encrypt_password, make_dsn
except ImportError:  # pragma: no cover
    psycopg2 = None


def default_prefix(dbname: str) -> str:
    """Group roles are cluster-wide, so each city's carry its database name: longkhanh → longkhanh_desk."""
    prefix = re.sub(r"[^a-z0-9_]+", "_", dbname.lower()).strip("_")[:30] or "ioc"
    return prefix if prefix[0].isalpha() or prefix[0] == "_" else f"ioc_{prefix}"


def _connect(dsn: str) -> Any:
    try:
        conn = psycopg2.connect(dsn, connect_timeout=10, application_name="ioc_postgis_admin")
    except psycopg2.OperationalError as exc:
        from .postgis import _dsn_params

        raise explain_connect_error(exc, _dsn_params(dsn)) from exc
    conn.autocommit = True
    return conn


def _grant_connect(conn: Any, prefix: str) -> None:
    """Only the city's roles may connect to its database."""
    with conn.cursor() as cur:
        cur.execute("SELECT current_database()")
        db = cur.fetchone()[0]
        cur.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(sql.Identifier(db)))
        names = _existing_roles(cur, migrations.role_names(prefix).values())
        roles = sql.SQL(", ").join(sql.Identifier(r) for r in names)
        cur.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(db), roles))


def _existing_roles(cur: Any, names: Any) -> list[str]:
    """The city's group roles that exist (a database below level 5 has no scheduler role yet)."""
    cur.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(names),))
    found = {r[0] for r in cur.fetchall()}
    return [n for n in names if n in found]


def _ensure_srid(store: PostgisStore, srid: int) -> None:
    """PostGIS 3.3 lacks the newer VN-2000 TM-3 codes (EPSG:9210-9218): register them from PROJ's database."""
    if store._query("SELECT 1 FROM spatial_ref_sys WHERE srid = ?", (srid,)):
        return
    try:
        from pyproj import CRS

        crs = CRS.from_epsg(srid)
    except Exception as exc:  # noqa: BLE001 - pyproj missing or unknown code: say which
        raise StoreError(f"EPSG:{srid} is neither in PostGIS's spatial_ref_sys nor known to PROJ: {exc}") from exc
    with warnings.catch_warnings():  # PostGIS transforms from srtext (WKT); proj4text is informative only
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4()
    store._execute(
        "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES (?, 'EPSG', ?, ?, ?)",
        (srid, srid, crs.to_wkt("WKT1_GDAL"), proj4),
    )


def create_city(
    server_dsn: str,
    dbname: str,
    db_schema: str = "ioc",
    prefix: Optional[str] = None,
    analysis_srid: Optional[int] = None,
    target: Optional[int] = None,
) -> str:
    """Create database (if missing), schema, roles, RLS, audit and scale features; returns the city's DSN.

    `target` stops at an older city level (benchmarks compare levels in one run; tests upgrade from it).
    """
    migrations.check_identifier(db_schema, "schema")
    prefix = migrations.check_identifier(prefix or default_prefix(dbname), "role prefix")
    conn = _connect(server_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if not cur.fetchone():
                cur.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(dbname)))
    finally:
        conn.close()
    city_dsn = make_dsn(server_dsn, dbname=dbname)
    store = PostgisStore.create(city_dsn, db_schema)
    try:
        if analysis_srid:
            _ensure_srid(store, int(analysis_srid))
            store.set_meta("analysis_srid", str(int(analysis_srid)))
        migrations.migrate(store.conn, db_schema, prefix, target)
        _grant_connect(store.conn, prefix)
    finally:
        store.close()
    return city_dsn


def migrate_city(dsn: str, db_schema: str = "ioc", prefix: Optional[str] = None, target: Optional[int] = None) -> list:
    """Upgrade an existing store (plain or city) to the latest city level without touching its data."""
    store = PostgisStore(dsn, db_schema)
    try:
        store.check_schema()
        found = store.get_meta(migrations.ROLE_PREFIX_KEY)
        prefix = migrations.check_identifier(
            found or prefix or default_prefix(store._params.get("dbname", "ioc")), "role prefix"
        )
        applied = migrations.migrate(store.conn, db_schema, prefix, target)
        _grant_connect(store.conn, prefix)
        return applied
    finally:
        store.close()


def add_user(
    dsn: str,
    user: str,
    role: str,
    password: str,
    db_schema: str = "ioc",
    wards: Sequence[str] = (),
    departments: Sequence[str] = (),
    valid_until: Optional[str] = None,
) -> None:
    """Create (or update) a login in one IOC group, with its wards/departments for desks and operators."""
    if role not in migrations.ROLES:
        raise StoreError(f"unknown role '{role}'; one of {', '.join(migrations.ROLES)}")
    if not password:
        raise StoreError("a password is required")
    conn = _connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(f'SELECT value FROM "{db_schema}".ioc_meta WHERE key = %s', (migrations.ROLE_PREFIX_KEY,))
            row = cur.fetchone()
            if not row:
                raise StoreError("this database has no city roles yet: run `postgis_admin migrate` first")
            group = migrations.role_names(row[0])[role]
            groups = _existing_roles(cur, migrations.role_names(row[0]).values())
            if group not in groups:
                raise StoreError(f"role '{role}' needs a newer city level: run `postgis_admin migrate` first")
            # the server only ever sees the SCRAM verifier, not the password (not even in its statement log)
            verifier = encrypt_password(password, user, conn, "scram-sha-256")
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
            verb = "ALTER" if cur.fetchone() else "CREATE"
            stmt = sql.SQL("{} ROLE {} LOGIN PASSWORD {} VALID UNTIL {}").format(
                sql.SQL(verb), sql.Identifier(user), sql.Literal(verifier), sql.Literal(valid_until or "infinity")
            )
            conn.autocommit = False
            cur.execute(stmt)
            for other in groups:  # exactly one IOC group per login
                if other != group:
                    cur.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), sql.Identifier(user)))
            cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(user)))
            units = [("ward", w) for w in wards] + [("department", d) for d in departments]
            cur.execute(f'DELETE FROM "{db_schema}".ioc_user_units WHERE db_user = %s', (user,))
            for kind, unit in units:
                cur.execute(
                    f'INSERT INTO "{db_schema}".ioc_user_units (db_user, unit_kind, unit_id) VALUES (%s, %s, %s)',
                    (user, kind, unit),
                )
            conn.commit()
    except psycopg2.Error as exc:
        conn.rollback()
        raise StoreError(f"cannot add user '{user}': {str(exc).strip()}") from exc
    finally:
        conn.close()


@dataclass
class ConnectionCheck:
    ok: bool
    message: str
    role: Optional[str] = None
    kind: str = ""  # ok | auth | rights | unreachable | schema | error


def check_connection(dsn: str, db_schema: str = "ioc") -> ConnectionCheck:
    """What the settings dialog's 'Test connection' shows: can this account work in this city database?"""
    try:
        store = PostgisStore(dsn, db_schema)
    except AuthenticationFailed as exc:
        return ConnectionCheck(False, str(exc), kind="auth")
    except StoreError as exc:
        return ConnectionCheck(False, str(exc), kind="unreachable")
    try:
        store.check_schema()
        role = store.my_role()
        level = store.city_version()
        user = store._params.get("user", "?")
        if (
            level
            and role is None
            and not store._query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]
        ):
            return ConnectionCheck(False, f"account '{user}' has no IOC role in this database", kind="rights")
        what = f"role {role}" if role else "database owner/administrator"
        return ConnectionCheck(True, f"connected as '{user}' ({what}); city database level {level}", role, "ok")
    except AccessDenied as exc:
        return ConnectionCheck(False, str(exc), kind="rights")
    except StoreError as exc:
        return ConnectionCheck(False, str(exc), kind="schema")
    finally:
        store.close()


# -- command line -------------------------------------------------------------------------------------------
def _server_dsn(args: argparse.Namespace, dbname: str) -> str:
    parts = {"host": args.host, "port": args.port, "user": args.user, "dbname": dbname}
    return make_dsn(**{k: v for k, v in parts.items() if v})


def _with_password(dsn: str) -> str:
    """Try libpq's own sources (PGPASSWORD, ~/.pgpass) first; prompt only if the login needs a password."""
    try:
        _connect(dsn).close()
        return dsn
    except AuthenticationFailed:
        if not sys.stdin.isatty():
            raise
        return make_dsn(dsn, password=getpass.getpass("Administrator's database password: "))


def _new_password() -> str:
    pw = os.environ.get("IOC_NEW_PASSWORD")
    if pw:
        return pw
    first = getpass.getpass("Password for the new account: ")
    if first != getpass.getpass("Repeat the password: "):
        raise SystemExit("passwords differ; nothing was changed")
    return first


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ioc_qgis_plugin.store.postgis_admin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", default=None)
    parser.add_argument("--user", default=None, help="administrator (superuser or CREATEDB+CREATEROLE owner)")
    parser.add_argument("--schema", default="ioc")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-city", help="create the city database, schema, roles and policies")
    p.add_argument("--dbname", required=True)
    p.add_argument("--analysis-srid", type=int, required=True, help="the province's VN-2000 TM-3 EPSG code")
    p.add_argument("--prefix", default=None, help="group role prefix (default: from the database name)")
    p.add_argument("--maintenance-db", default="postgres")
    p = sub.add_parser("migrate", help="upgrade a city database to this plugin's level (data kept)")
    p.add_argument("--dbname", required=True)
    p.add_argument("--target", type=int, default=None)
    p = sub.add_parser("add-user", help="create or update a login in one IOC role")
    p.add_argument("--dbname", required=True)
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=migrations.ROLES)
    p.add_argument("--ward", action="append", default=[], help="ward id (desk, operator); repeatable")
    p.add_argument("--department", action="append", default=[], help="department name (desk); repeatable")
    p.add_argument("--valid-until", default=None, help="account expiry, e.g. 2026-12-31")
    p = sub.add_parser("status", help="show the database's schema and city levels")
    p.add_argument("--dbname", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "create-city":
            server = _with_password(_server_dsn(args, args.maintenance_db))
            create_city(server, args.dbname, args.schema, args.prefix, args.analysis_srid)
            print(f"city database '{args.dbname}' ready at level {migrations.latest_version()}")
        elif args.command == "migrate":
            applied = migrate_city(_with_password(_server_dsn(args, args.dbname)), args.schema, target=args.target)
            print(f"applied city migrations: {applied or 'none (already up to date)'}")
        elif args.command == "add-user":
            dsn = _with_password(_server_dsn(args, args.dbname))
            add_user(
                dsn, args.name, args.role, _new_password(), args.schema, args.ward, args.department, args.valid_until
            )
            print(f"account '{args.name}' is now {args.role}")
        else:
            store = PostgisStore(_with_password(_server_dsn(args, args.dbname)), args.schema)
            try:
                print(
                    f"schema_version {store.schema_version()}, city level {store.city_version()} "
                    f"(latest {migrations.latest_version()})"
                )
            finally:
                store.close()
    except (StoreError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
