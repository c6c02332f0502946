"""City migrations for a PostGIS store (layers/postgis/NNN_name.sql), tracked in ioc_meta separately from
schema_version.

Why a separate counter: schema_version describes the tables every store shares (GeoPackage too). Roles, row-level
security, audit triggers and the derived columns for 10 M-row work exist only on PostGIS and change nothing the
shared store code reads, so bumping schema_version would force a pointless GeoPackage upgrade. The city level
lives in ioc_meta as `postgis_city_version`; a plain `PostgisStore.create` database is level 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.paths import layers_dir

CITY_VERSION_KEY = "postgis_city_version"
ROLE_PREFIX_KEY = "role_prefix"
ROLES = ("admin", "planner", "operator", "gis_staff", "data_officer", "desk", "scheduler")  # scheduler: level 5
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def sql(self, db_schema: str, prefix: str) -> str:
        return render(self.path.read_text(encoding="utf-8"), db_schema, prefix)


def check_identifier(value: str, what: str) -> str:
    """Schema and role prefixes go into DDL, so they are restricted to plain lower-case identifiers."""
    if not _IDENT.match(value or ""):
        raise ValueError(f"{what} '{value}' must be lower-case letters, digits and _ (max 41 characters)")
    return value


def role_names(prefix: str) -> dict[str, str]:
    check_identifier(prefix, "role prefix")
    return {r: f"{prefix}_{r}" for r in ROLES}


def render(sql: str, db_schema: str, prefix: str) -> str:
    check_identifier(db_schema, "schema")
    out = sql.replace("@s@", f'"{db_schema}"')
    for role, name in role_names(prefix).items():
        out = out.replace(f"@r_{role}@", f'"{name}"').replace(f"@l_{role}@", f"'{name}'")
    leftover = re.findall(r"@[a-z_]+@", out)
    if leftover:
        raise ValueError(f"unknown migration tokens: {', '.join(sorted(set(leftover)))}")
    return out


def available() -> list[Migration]:
    found = []
    for path in sorted((layers_dir() / "postgis").glob("[0-9][0-9][0-9]_*.sql")):
        version = int(path.name[:3])
        found.append(Migration(version, path.stem[4:], path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"city migrations must be numbered 1..n without gaps, found {versions}")
    return found


def latest_version() -> int:
    return len(available())


def current_version(conn: Any, db_schema: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            f'SELECT value FROM "{check_identifier(db_schema, "schema")}".ioc_meta WHERE key = %s', (CITY_VERSION_KEY,)
        )
        row = cur.fetchone()
    return int(row[0]) if row else 0


def migrate(conn: Any, db_schema: str, prefix: str, target: int | None = None) -> list[int]:
    """Apply pending migrations up to `target`, each in its own transaction with its version bump.

    A failing migration rolls back completely (DDL is transactional in PostgreSQL) and leaves the previous level.
    Returns the versions applied.
    """
    target = latest_version() if target is None else target
    applied = []
    for mig in available():
        if mig.version > target:
            break
        autocommit = conn.autocommit
        conn.autocommit = False
        try:
            if mig.version <= current_version(conn, db_schema):
                conn.rollback()
                continue
            with conn.cursor() as cur:
                cur.execute(f'LOCK TABLE "{db_schema}".ioc_meta IN EXCLUSIVE MODE')  # one migrator at a time
                if mig.version <= current_version(conn, db_schema):
                    conn.rollback()
                    continue
                cur.execute(mig.sql(db_schema, prefix))
                for key, value in ((CITY_VERSION_KEY, str(mig.version)), (ROLE_PREFIX_KEY, prefix)):
                    cur.execute(f'DELETE FROM "{db_schema}".ioc_meta WHERE key = %s', (key,))
                    cur.execute(f'INSERT INTO "{db_schema}".ioc_meta (key, value) VALUES (%s, %s)', (key, value))
            conn.commit()
            applied.append(mig.version)
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.autocommit = autocommit
    return applied
