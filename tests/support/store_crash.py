"""A fork server for kill -9 tests: imports everything once, then forks one writer per request (issue 14).

    python -m tests.support.store_crash --gpkg F --out DIR --open311 URL --sheet SHP

Reads `ROLE SEED` lines on stdin, forks a child that runs that writer in a loop until it is killed, and answers
with the child's pid. Forking from a warmed-up process makes each start take milliseconds instead of a second of
imports, so 100 kills fit in the test's time budget. The server process itself never opens the store.

Every writer appends what was acknowledged to DIR/ROLE.acks (one line, fsync'ed, after the call returned).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _ack(out: Path, role: str, line: str) -> None:
    with open(out / f"{role}.acks", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def writer(role: str, seed: int, a: argparse.Namespace, mapping=None) -> None:  # noqa: ANN001
    from ioc_qgis_plugin.connectors.open311 import Open311Client
    from ioc_qgis_plugin.export import publog
    from ioc_qgis_plugin.land import importer
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore
    from ioc_qgis_plugin.sync.open311_sync import ReportSync
    from ioc_qgis_plugin.sync.outbox import OutboxPusher

    rng = random.Random(seed)
    out = Path(a.out)
    client = Open311Client(a.open311, api_key="demo-key", sleep=lambda s: None, retries=1)
    store = GeoPackageStore.open(a.gpkg)
    ids = [r["report_id"] for r in store.fetch("field_reports", columns=["report_id"], order_by="report_id")]
    # announce that the writer is at work: the test's random kill moment counts from here
    print("started", flush=True)
    n = 0
    while True:
        n += 1
        token = f"{role}-{seed}-{n}"
        if role == "desk":
            rid = rng.choice(ids)
            store.update_report(rid, {}, actor="desk", note=token, enqueue=False)
            _ack(out, role, token)
        elif role == "outbox":
            rid = rng.choice(ids)
            store.update_report(rid, {}, actor="desk", note=token)  # queues a change for the city's system
            _ack(out, role, token)
            OutboxPusher(store, client).push()
        elif role == "sync":
            ReportSync(store, client).run()
        elif role == "import":
            res = importer.import_cadastre(a.sheet, store, mapping, mode="replace_sheets")
            _ack(out, role, f"{token}\t{res.imported}")
        elif role == "publog":
            publog.append(store, publog.entry("crash", "file", "ok", {}, who=token))
            _ack(out, role, token)
        else:
            raise SystemExit(f"unknown role {role}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpkg", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--open311", required=True)
    ap.add_argument("--sheet", required=True)
    a = ap.parse_args()
    # warm up: import everything the writers need before the first fork
    import ioc_qgis_plugin.connectors.open311  # noqa: F401
    import ioc_qgis_plugin.export.publog  # noqa: F401
    import ioc_qgis_plugin.land.importer  # noqa: F401
    import ioc_qgis_plugin.store.gpkg  # noqa: F401
    import ioc_qgis_plugin.sync.open311_sync  # noqa: F401
    import ioc_qgis_plugin.sync.outbox  # noqa: F401
    from ioc_qgis_plugin.land.mapping import guess_mapping
    from ioc_qgis_plugin.land.reader import read_cadastre

    mapping = guess_mapping(read_cadastre(a.sheet).field_names)  # the shapefile, never the store

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        role, seed = line.split()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                writer(role, int(seed), a, mapping)
            except BaseException as exc:  # noqa: BLE001 - reported to the test through a file
                _ack(Path(a.out), "errors", f"{role}\t{type(exc).__name__}: {exc}")
                code = 1
            os._exit(code)
        print(pid, flush=True)  # then the child prints "started" once it has opened the store
    return 0


if __name__ == "__main__":
    sys.exit(main())
