"""The one rule for every process that opens the IOC GeoPackage (plugin, QGIS's own layers, CLIs, servers, tests).

    Never open, copy, truncate, rename or delete the live ``.gpkg`` or its ``-wal``/``-shm`` files with anything
    but SQLite: open read-only tools with ``mode=ro``, writers in WAL mode with a busy timeout and short
    transactions, and take snapshots with SQLite's backup API (``snapshot()``), never with a file copy.
    Open the store through ``GeoPackageStore.open`` so the process keeps its SQLite locks (see below).

Why so strict: SQLite coordinates processes with POSIX advisory locks, and POSIX drops *every* lock a process
holds on a file as soon as *any* descriptor of that file is closed in that process — a Python ``open()``/``close()``
to read the header, ``shutil.copy``, or GDAL probing the file before it opens it (``GDALOpenInfo``). Once the
locks are gone, another process that closes its connection believes it is alone, checkpoints and deletes the
``-wal`` file still in use: saved edits vanish and the file can end "malformed" (issue 14).

GDAL cannot be told to skip its probe, but it skips it for a file that a GDAL SQLite dataset of the same process
already has open. So, before the first SQLite connection of a process to a store, ``hold()`` opens one small
read-only GDAL dataset on the file (the *anchor*) and keeps it while any store connection of the process is open;
QGIS layers and Processing tools opened later on that path then never close a descriptor of the file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import quote

log = logging.getLogger("ioc.store")

T = TypeVar("T")

#: seconds a writer waits for another connection's write lock before giving up (SQLite's busy handler)
BUSY_TIMEOUT_S = float(os.environ.get("IOC_STORE_BUSY_TIMEOUT_S", "20"))
#: after the busy handler gave up, further attempts (short waits) before the user sees "busy"
BUSY_RETRIES = 3

_DAMAGE_MARKERS = ("malformed", "disk i/o error", "file is not a database", "database disk image")
_BUSY_MARKERS = ("database is locked", "database is busy", "database table is locked")


def absolute(path: str | Path) -> str:
    """The one spelling of a store path used for SQLite, GDAL anchors and QGIS layer URIs.

    GDAL recognises a file its own SQLite datasets hold open by name, so every opener in a process must use
    the same string; symlinks are kept as given (resolving them would change what the user chose).
    """
    return os.path.abspath(os.fspath(path))


def sqlite_uri(path: str | Path, mode: str) -> str:
    """``file:`` URI for sqlite3.connect(uri=True); mode is ro (read-only), rw (never create) or rwc."""
    return f"file:{quote(absolute(path))}?mode={mode}"


def is_damage(exc: BaseException) -> bool:
    # UnicodeDecodeError: Python could not even decode SQLite's message quoting the damaged schema
    return isinstance(exc, UnicodeDecodeError) or any(m in str(exc).lower() for m in _DAMAGE_MARKERS)


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(m in str(exc).lower() for m in _BUSY_MARKERS)


def retry_busy(fn: Callable[[], T], attempts: int = BUSY_RETRIES, pause_s: float = 0.2) -> T:
    """Run fn again while SQLite says busy/locked (the busy handler already waited); re-raise the last error."""
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or i == attempts - 1:
                raise
            time.sleep(pause_s * (i + 1))
    raise AssertionError("unreachable")


# -- process-wide GDAL anchors ---------------------------------------------------------------------------------
_anchors: dict[str, list[Any]] = {}  # absolute path -> [gdal dataset or None, holders]
_anchor_lock = threading.Lock()


def hold(path: str | Path) -> str:
    """Register one more store connection of this process on `path`; opens the GDAL anchor for the first one."""
    key = absolute(path)
    with _anchor_lock:
        entry = _anchors.get(key)
        if entry is None:
            entry = _anchors[key] = [_open_anchor(key), 0]
        entry[1] += 1
    return key


def release(key: str) -> None:
    with _anchor_lock:
        entry = _anchors.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _anchors[key]
            entry[0] = None  # closing a GDAL SQLite dataset is safe: SQLite defers closes while locks are held


def anchored(path: str | Path) -> bool:
    return _anchors.get(absolute(path), [None])[0] is not None


def _open_anchor(path: str) -> Any:
    try:
        from osgeo import gdal
    except ImportError:  # no GDAL in this process: nothing else here can probe the file either
        return None
    try:
        with _GdalQuiet(gdal):
            ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
    except Exception as exc:  # noqa: BLE001 - not a GeoPackage: the SQLite checks will say why
        log.debug("no GDAL anchor on %s: %s", path, exc)
        return None
    return ds


class _GdalQuiet:
    def __init__(self, gdal: Any) -> None:
        self.gdal = gdal

    def __enter__(self) -> None:
        self.gdal.PushErrorHandler("CPLQuietErrorHandler")

    def __exit__(self, *exc: Any) -> None:
        self.gdal.PopErrorHandler()


# -- snapshots -------------------------------------------------------------------------------------------------
def snapshot(conn: sqlite3.Connection, dest: str | Path) -> Path:
    """A consistent copy of a live store through SQLite's backup API (never a file copy), atomically renamed.

    The copy is written to ``dest.part`` in rollback-journal mode (a stand-alone file without -wal/-shm) and only
    renamed to `dest` once complete, so a crash never leaves a half backup under the real name.
    """
    dest = Path(absolute(dest))
    source = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if source and os.path.realpath(source) == os.path.realpath(dest):
        raise ValueError(f"refusing to write a snapshot of {source} over itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if part.exists():
        part.unlink()  # our own unfinished temp file from an earlier crash, never a store
    out = sqlite3.connect(str(part), isolation_level=None)
    try:
        # all pages in one step, i.e. under one read transaction: writers of other processes go on (WAL) and the
        # copy never restarts because of them, as a step-wise backup would each time the source changes
        conn.backup(out, pages=-1)
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()
    os.replace(part, dest)
    return dest


def integrity_ok(path: str | Path) -> tuple[bool, str]:
    """PRAGMA integrity_check on a file opened read-only (for backups and tests; slow on big stores)."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, str(exc)
    text = "; ".join(str(r[0]) for r in rows[:5])
    return text == "ok", text


def folder_problem(path: Path) -> Optional[str]:
    """Why a writable store in this folder cannot work, or None (WAL creates -wal and -shm next to the file)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} is read-only: the store needs to create {path.name}-wal and {path.name}-shm "
            "next to the file. Move the file to a folder you can write to, or make this folder writable."
        )
    if not os.access(path, os.W_OK):
        return f"{path} is read-only: make the file writable (or open it read-only to look at it)."
    return None
