"""One export run: read + anonymise once, write the file package, then send it to the chosen target, then log.

Used by the CLI, the Processing algorithm and the export dialog, so all three publish exactly the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..store.base import IocStore
from . import publog
from .package import DatasetInfo, Distribution, write_package
from .policy import Policy
from .select import ExportTable, Selection, read_selection

Progress = Callable[[float, str], None]  # (percent, message)
TARGETS = ("file", "ckan", "ogcapi")


class Cancelled(Exception):
    """The user cancelled; nothing further was sent."""


@dataclass
class ExportResult:
    target: str
    dataset: str
    out_dir: Path
    distributions: list[Distribution]
    records: dict[str, int]
    url: str = ""
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    message: str = ""
    removed: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # table → field → why → count

    def files(self) -> dict[str, str]:
        return {d.path.name: d.sha256 for d in self.distributions}


def options_digest(selection: Selection, policy: Policy) -> str:
    """Short fingerprint of what was asked for (goes into the metadata so a re-export can be compared)."""
    text = json.dumps({"selection": selection.to_dict(), "policy": policy.to_dict()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_package(
    store: IocStore,
    selection: Selection,
    policy: Policy,
    info: DatasetInfo,
    out_dir: Path,
    progress: Optional[Progress] = None,
) -> tuple[list[ExportTable], list[Distribution]]:
    say = progress or (lambda p, m: None)
    say(2, "reading and anonymising")
    tables = read_selection(store, selection, policy, lambda m: say(10, m))
    say(30, "writing the file package")
    extra = {"selection": selection.to_dict(), "options": options_digest(selection, policy)}
    dists = write_package(tables, info, Path(out_dir), extra)
    say(50, f"package written to {out_dir}")
    return tables, dists


def _never_over_the_store(store: IocStore, info: DatasetInfo, folders: list[Path]) -> None:
    """The package's GeoPackage is written by replacing a file: never let that file be the live store."""
    live = getattr(store, "path", None)
    if live is None:
        return
    for folder in folders:
        target = (folder / f"{info.name}.gpkg").resolve()
        if target == Path(live).resolve():
            raise ValueError(
                f"exporting dataset '{info.name}' to {folder} would replace the IOC store {live} itself; "
                "choose another output folder or dataset name"
            )


def run_export(
    store: IocStore,
    selection: Selection,
    policy: Policy,
    info: DatasetInfo,
    out_dir: Path,
    target: str = "file",
    target_options: Optional[dict[str, Any]] = None,
    progress: Optional[Progress] = None,
    is_cancelled: Callable[[], bool] = lambda: False,
    who: Optional[str] = None,
    log_file: Optional[Path] = None,
) -> ExportResult:
    """Export and publish; every outcome (success or failure after something left) is written to the log."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; use one of {', '.join(TARGETS)}")
    opts = dict(target_options or {})
    _never_over_the_store(store, info, [Path(out_dir)] + ([Path(opts["data_dir"])] if opts.get("data_dir") else []))
    tables, dists = build_package(store, selection, policy, info, out_dir, progress)
    result = ExportResult(target, info.name, Path(out_dir), dists, {t.name: len(t) for t in tables})
    result.removed = {t.name: t.removed for t in tables}
    if is_cancelled():
        raise Cancelled("cancelled before publishing; only the local package was written")
    say = progress or (lambda p, m: None)
    if target != "file":  # log first: a publication that cannot be logged must not leave the building
        publog.append(
            store, publog.entry(info.name, target, "started", result.files(), who, url=opts.get("url", "")), log_file
        )
    try:
        if target == "ckan":
            from .ckan import CkanClient, publish_package

            client = CkanClient(opts["url"], token=opts.get("token"), timeout=opts.get("timeout", (5.0, 120.0)))
            outcome = publish_package(
                client,
                info,
                dists,
                owner_org=opts.get("owner_org"),
                progress=lambda p, m: say(50 + p / 2, m),
                is_cancelled=is_cancelled,
            )
            result.url, result.uploaded, result.skipped = outcome.url, outcome.uploaded, outcome.skipped
            result.message = outcome.message
        elif target == "ogcapi":
            from .ogcapi import publish_collections

            outcome = publish_collections(
                tables,
                dists,
                info,
                Path(opts["data_dir"]),
                Path(opts["config"]),
                base_url=opts.get("url", ""),
                progress=lambda p, m: say(50 + p / 2, m),
            )
            result.url, result.uploaded, result.message = outcome.url, outcome.collections, outcome.message
        else:
            result.message = f"{len(dists)} files written to {out_dir}"
    except Exception as exc:
        publog.append(
            store,
            publog.entry(info.name, target, f"failed: {exc}", result.files(), who, url=opts.get("url", "")),
            log_file,
        )
        raise
    say(100, result.message)
    publog.append(
        store,
        publog.entry(
            info.name,
            target,
            "ok",
            result.files(),
            who,
            url=result.url,
            records=result.records,
            uploaded=result.uploaded,
            skipped=result.skipped,
            removed={t.name: t.removed for t in tables},  # per field: why removed → count (no values)
        ),
        log_file,
    )
    return result
