"""Daily, rotated backups of the IOC GeoPackage, made with SQLite's backup API while the store is in use.

Where: a folder ``<name>-backups`` next to the store (``ioc.gpkg`` → ``ioc-backups/ioc-2026-11-29.gpkg``), one
file per day, the newest KEEP kept. A backup is written under a temporary name, checked with
``PRAGMA integrity_check`` and only then given its real name, so every file in the folder is a good one. A store
that fails the check is not backed up (yesterday's good copy is kept instead of being rotated away).

To go back to a backup, ``restore_copy`` makes a new working file next to the damaged one (which is left as it
is, for inspection) — never a copy over the store.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

from . import gpkg_safety
from .errors import StoreDamaged

KEEP = 7


def backup_dir(store_path: str | Path) -> Path:
    p = Path(gpkg_safety.absolute(store_path))
    return p.with_name(f"{p.stem}-backups")


def backups(store_path: str | Path) -> list[Path]:
    """Good backups of this store, newest first."""
    p = Path(store_path)
    folder = backup_dir(p)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{p.stem}-????-??-??.gpkg"), reverse=True)


def last_good_backup(store_path: str | Path) -> Optional[Path]:
    found = backups(store_path)
    return found[0] if found else None


def daily_backup(store, keep: int = KEEP, today: Optional[date] = None) -> Optional[Path]:  # noqa: ANN001
    """Today's backup of an open GeoPackageStore, unless there is one already; returns the new file or None."""
    day = (today or date.today()).isoformat()
    folder = backup_dir(store.path)
    dest = folder / f"{store.path.stem}-{day}.gpkg"
    if dest.exists():
        return None
    work = folder / f".{dest.name}.checking"
    store.snapshot(work)
    ok, text = gpkg_safety.integrity_ok(work)
    if not ok:
        work.unlink()  # our own temporary file
        raise StoreDamaged(
            f"{store.path} failed its integrity check ({text}); no backup was made and the older ones are kept. "
            f"The last good backup is {last_good_backup(store.path) or 'not available'}."
        )
    work.replace(dest)
    for old in backups(store.path)[keep:]:
        old.unlink()  # rotation: only ever our own finished backup files
    return dest


def restore_copy(backup: str | Path, store_path: str | Path) -> Path:
    """A new working store made from `backup`, next to the original (which is left untouched)."""
    from .gpkg import GeoPackageStore

    b, p = Path(backup), Path(gpkg_safety.absolute(store_path))
    dest = p.with_name(f"{p.stem}-from-{b.stem}.gpkg")
    n = 1
    while dest.exists():
        n += 1
        dest = p.with_name(f"{p.stem}-from-{b.stem}-{n}.gpkg")
    return GeoPackageStore.copy_file(b, dest)
