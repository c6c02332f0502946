"""A consistent private copy of a test GeoPackage, made with SQLite's backup API, never a file copy.

A file copy of a GeoPackage misses whatever still sits in its ``-wal`` file (a connection of the fixture that
built it may not have checkpointed yet), so the copy would sometimes lack tables: QGIS then reported
"gpkg_contents is missing" in one run out of four. The backup API reads one consistent snapshot.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_gpkg(src: Path, dst: Path) -> Path:
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(str(dst))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dst
