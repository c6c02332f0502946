"""Publish log: what was published, when, by whom, to which target, with which checksums.

Kept in the IOC store's ioc_meta (key `export.publish_log`, newest last, capped) so it travels with the data,
and optionally appended to a JSON-lines file for schedulers. Never contains secrets.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any, Optional

from ..core.timeutil import now_utc_iso

META_KEY = "export.publish_log"
MAX_ENTRIES = 500


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some service environments
        return "unknown"


def entry(
    dataset: str, target: str, result: str, files: dict[str, str], who: Optional[str] = None, **details: Any
) -> dict:
    return {
        "at": now_utc_iso(),
        "who": who or current_user(),
        "dataset": dataset,
        "target": target,
        "result": result,
        "files": dict(sorted(files.items())),
        **details,
    }


def read(store) -> list[dict]:  # noqa: ANN001 - IocStore
    from_db = getattr(store, "publication_log", None)  # PostGIS city level >= 5: an append-only table
    entries = from_db() if from_db is not None else None
    if entries is not None:
        return entries
    text = store.get_meta(META_KEY)
    try:
        data = json.loads(text) if text else []
    except ValueError:
        data = []
    return data if isinstance(data, list) else []


def append(store, item: dict, file: Optional[Path] = None) -> None:  # noqa: ANN001 - IocStore
    """The file first (a scheduler's log keeps the entry even if the store refuses it), then the store.

    A PostGIS city (level >= 5) takes the entry through its narrow, append-only path, stamped with the database
    user and the server's time; an account that may not publish gets AccessDenied here.
    """
    if file is not None:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        with open(file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    if store is not None:
        to_db = getattr(store, "log_publication", None)
        if to_db is not None and to_db(item):
            return
        with store.transaction():  # read and write under one write lock: concurrent exports lose no entry
            log = (read(store) + [item])[-MAX_ENTRIES:]
            store.set_meta(META_KEY, json.dumps(log, ensure_ascii=False))
