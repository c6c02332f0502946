"""Issue 14: kill -9 each writer at 20 seeded random moments; the file and the city's system stay consistent.

Writers: Open311 sync (pull), outbox push, cadastral import (replace a sheet: all or nothing), export publish log,
desk edit. After every kill the file must pass integrity_check and reopen; at the end every acknowledged edit and
publish-log entry is there exactly once, the sheet is imported completely or not at all, and once the outbox has
been pushed to the end every queued change reached the local Open311 server exactly once (counted there).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from ioc_qgis_plugin.connectors.open311 import Open311Client
from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.devservers.open311_server import Open311Server, rows_from_gpkg
from ioc_qgis_plugin.export import publog
from ioc_qgis_plugin.land.synthetic import make_sheet, write_sheet
from ioc_qgis_plugin.store import gpkg_safety
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from ioc_qgis_plugin.sync.outbox import OutboxPusher

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("IOC_CRASH_KILLS", "20"))
ROLES = ("sync", "outbox", "import", "publog", "desk")
SHEET_PARCELS = 150


def _city(path: Path) -> Path:
    end = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(time.time() - 3600))
    store = GeoPackageStore.create(path)
    build(
        store,
        CityConfig(reports=300, parcels=0, lights=20, cameras=4, reading_days=1, years=0.1, end=end),
        log=lambda m: None,
    )
    store.close()
    return path


def _ro(gpkg: Path) -> sqlite3.Connection:
    return sqlite3.connect(gpkg_safety.sqlite_uri(gpkg, "ro"), uri=True, timeout=30)


def _acks(out: Path, role: str) -> list[str]:
    f = out / f"{role}.acks"
    return f.read_text(encoding="utf-8").splitlines() if f.exists() else []


def _sheet_count(gpkg: Path, sheet_nos: list) -> int:
    conn = _ro(gpkg)
    try:
        marks = ",".join("?" * len(sheet_nos))
        return conn.execute(f"SELECT count(*) FROM parcels WHERE sheet_no IN ({marks})", sheet_nos).fetchone()[0]
    finally:
        conn.close()


def test_kill_9_writers_at_random_moments(tmp_path: Path) -> None:
    gpkg = _city(tmp_path / "ioc.gpkg")
    out = tmp_path / "out"
    out.mkdir()
    sheet = make_sheet(SHEET_PARCELS, seed=5)
    shp = write_sheet(sheet, str(tmp_path / "thua.shp"))
    sheet_nos = sorted({int(s) for s in sheet.sheet_no})
    rng = random.Random(14)
    with Open311Server(rows_from_gpkg(str(gpkg))) as o311:
        stop = threading.Event()

        def citizens() -> None:  # the city's system keeps changing reports: every sync has rows to write
            ids = sorted(o311.state.records)
            i = 0
            while not stop.wait(0.05):
                o311.state.touch(ids[i % len(ids) : i % len(ids) + 10], notes=f"server note {i}")
                i += 10

        threading.Thread(target=citizens, daemon=True).start()
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        zygote = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.store_crash",
                "--gpkg",
                str(gpkg),
                "--out",
                str(out),
                "--open311",
                o311.url,
                "--sheet",
                shp,
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert zygote.stdout.readline().strip() == "ready"
        problems: list[str] = []
        imported_sizes = set()
        try:
            for k in range(KILLS):
                for role in ROLES:
                    zygote.stdin.write(f"{role} {k}\n")
                    zygote.stdin.flush()
                    # the fork server answers with the pid, the child says "started" (either may come first)
                    lines = {zygote.stdout.readline().strip(), zygote.stdout.readline().strip()}
                    assert "started" in lines, lines
                    pid = int((lines - {"started"}).pop())
                    # let the writer get going (its first open, a first write) and kill it at a random moment
                    time.sleep(rng.uniform(0.0, 0.8 if role != "import" else 1.5))
                    os.kill(pid, signal.SIGKILL)
                    _wait_gone(pid)
                    ok, text = gpkg_safety.integrity_ok(gpkg)
                    if not ok:
                        problems.append(f"{role} kill {k}: integrity {text}")
                    store = GeoPackageStore.open(gpkg)  # "restart": the store opens and reads
                    store.count("field_reports")
                    store.close()
                    imported_sizes.add(_sheet_count(gpkg, sheet_nos))
        finally:
            zygote.stdin.close()
            zygote.wait(30)
            stop.set()
        errors = _acks(out, "errors")
        assert not problems, problems
        assert not errors, errors[:10]
        # all or nothing: the sheet is either not there or complete, at every moment we looked
        assert imported_sizes <= {0, SHEET_PARCELS}, imported_sizes
        completed = sum(line.split("\t")[1] == str(SHEET_PARCELS) for line in _acks(out, "import"))
        conn = _ro(gpkg)
        notes = Counter(r[0] for r in conn.execute("SELECT note FROM report_events WHERE action = 'note'"))
        changes = [r[0] for r in conn.execute("SELECT change_id FROM report_outbox")]
        conn.close()
        for role in ("desk", "outbox"):
            acked = _acks(out, role)
            assert acked, f"no {role} edit was ever acknowledged"
            assert all(notes[t] == 1 for t in acked), [t for t in acked if notes[t] != 1][:5]
        store = GeoPackageStore.open(gpkg)
        entries = Counter(e["who"] for e in publog.read(store))
        # the log keeps its newest MAX_ENTRIES by design: every acknowledged entry from the oldest kept one on
        oldest = min(_order(t) for t in entries)
        acked = [t for t in _acks(out, "publog") if _order(t) >= oldest]
        assert acked and all(entries[t] == 1 for t in acked), [t for t in acked if entries[t] != 1][:5]
        # after the last crash, push the outbox to the end: every queued change reached the server exactly once
        client = Open311Client(o311.url, api_key="demo-key", sleep=lambda s: None, retries=1)
        for _ in range(5):
            if not store.pending_changes():
                break
            OutboxPusher(store, client).push()
        assert store.pending_changes() == []
        # and the import, run again after the crashes, completes
        from ioc_qgis_plugin.land import importer
        from ioc_qgis_plugin.land.mapping import guess_mapping
        from ioc_qgis_plugin.land.reader import read_cadastre

        mapping = guess_mapping(read_cadastre(shp).field_names)
        assert importer.import_cadastre(shp, store, mapping, mode="replace_sheets").imported == SHEET_PARCELS
        store.close()
        assert _sheet_count(gpkg, sheet_nos) == SHEET_PARCELS
        assert set(o311.state.applied_updates) == set(changes)
        assert o311.state.update_count == len(changes) > 0
    ok, text = gpkg_safety.integrity_ok(gpkg)
    assert ok, text
    print(json.dumps({"kills": KILLS * len(ROLES), "outbox_changes": len(changes), "imports_completed": completed}))


def _order(token: str) -> tuple[int, int]:
    """Tokens are ROLE-KILL-N: chronological order of the writes."""
    _, kill, n = token.rsplit("-", 2)
    return int(kill), int(n)


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                if fh.read().split(") ")[1].startswith(("Z", "X")):
                    return
        except (FileNotFoundError, ProcessLookupError):  # reaped between open() and read()
            return
        time.sleep(0.005)
    raise AssertionError(f"writer {pid} did not die")
