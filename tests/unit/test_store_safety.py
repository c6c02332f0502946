"""The store keeps its SQLite locks, waits out "locked", names what is wrong, and never writes a damaged file."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc_qgis_plugin.store import gpkg_safety
from ioc_qgis_plugin.store.errors import NotAnIocStore, StoreBusy, StoreDamaged, StoreError
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

ROOT = Path(__file__).resolve().parents[2]


def posix_locks(path: Path, pid: int) -> list[str]:
    ino = os.stat(path).st_ino
    with open("/proc/locks", encoding="ascii") as fh:  # /proc, not the store
        return [line for line in fh if f":{ino} " in line and f" {pid} " in line]


def other_process(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    p = tmp_path / "ioc.gpkg"
    GeoPackageStore.create(p).close()
    return p


def test_opening_again_and_gdal_layers_keep_this_process_locks(gpkg: Path) -> None:
    from osgeo import ogr

    store = GeoPackageStore.open(gpkg)
    store.get_meta("x")
    assert posix_locks(gpkg, os.getpid()), "an open store holds a shared lock on the file"
    GeoPackageStore.open(gpkg, read_only=True).close()  # the panel reload (the old header read dropped them here)
    ds = ogr.Open(str(gpkg), 1)  # QGIS opening its layers on the same file (GDAL probes the header first)
    assert ds is not None and ds.GetLayerByName("field_reports") is not None
    ds = None
    assert posix_locks(gpkg, os.getpid()), "this process lost its locks: another process may now delete the -wal"
    store.close()


def test_a_saved_edit_survives_another_process_closing_the_file(gpkg: Path) -> None:
    store = GeoPackageStore.open(gpkg)  # "QGIS"
    store.set_meta("edit", "1")
    GeoPackageStore.open(gpkg, read_only=True).close()
    other_process(
        "from ioc_qgis_plugin.store.gpkg import GeoPackageStore as G\n"
        f"s = G.open({str(gpkg)!r}, read_only=True); s.get_meta('edit'); s.close()"
    )
    assert Path(f"{gpkg}-wal").exists(), "the other process deleted the -wal that QGIS still uses"
    store.set_meta("edit", "2")  # saved after the briefing ran
    seen = other_process(
        "from ioc_qgis_plugin.store.gpkg import GeoPackageStore as G\n"
        f"s = G.open({str(gpkg)!r}, read_only=True); print(s.get_meta('edit')); s.close()"
    )
    assert seen.strip() == "2"
    store.close()
    assert gpkg_safety.integrity_ok(gpkg) == (True, "ok")


def _hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO ioc_meta VALUES ('blocker', 'x')")
    started.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_locked_is_waited_out_and_retried(gpkg: Path, monkeypatch) -> None:
    monkeypatch.setattr(gpkg_safety, "BUSY_TIMEOUT_S", 0.2)
    store = GeoPackageStore.open(gpkg)
    started = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(gpkg, 0.5, started))
    t.start()
    started.wait(10)
    store.set_meta("k", "v")  # busy handler 0.2 s, then retries: succeeds once the other writer is done
    t.join()
    assert store.get_meta("k") == "v"
    store.close()


def test_a_writer_blocked_too_long_gets_a_clear_message(gpkg: Path, monkeypatch) -> None:
    monkeypatch.setattr(gpkg_safety, "BUSY_TIMEOUT_S", 0.1)
    store = GeoPackageStore.open(gpkg)
    started = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(gpkg, 3.0, started))
    t.start()
    started.wait(10)
    try:
        with pytest.raises(StoreBusy) as err:
            store.update_extents()
        msg = str(err.value)
        assert str(gpkg) in msg and "try again" in msg and "locked" in msg
        assert not isinstance(err.value.__cause__, StoreError)
    finally:
        t.join()
    store.update_extents()  # and it works once the other program is done
    store.close()


def test_a_read_only_store_writes_nothing(gpkg: Path) -> None:
    before = sha(gpkg)
    store = GeoPackageStore.open(gpkg, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.set_meta("k", "v")
    store.close()
    assert sha(gpkg) == before


def test_recreating_a_store_in_use_is_refused(gpkg: Path) -> None:
    store = GeoPackageStore.open(gpkg)
    store.set_meta("keep", "me")
    with pytest.raises(StoreBusy, match="open in another program"):
        GeoPackageStore.create(gpkg, overwrite=True)
    assert store.get_meta("keep") == "me"
    store.close()
    GeoPackageStore.create(gpkg, overwrite=True).close()  # nobody uses it now: allowed
    assert not Path(f"{gpkg}-wal").exists()


def _damage(path: Path, table: str) -> None:
    """Overwrite the first page of a table's b-tree (as a disk or a careless copy would)."""
    conn = sqlite3.connect(str(path))
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:  # the file is closed everywhere: this test plays the disk
        fh.seek((page - 1) * size)
        fh.write(b"\xa5" * 64)


def test_a_damaged_file_is_named_and_never_written(tmp_path: Path) -> None:
    p = tmp_path / "ioc.gpkg"
    s = GeoPackageStore.create(p)
    s.insert(
        "report_events",
        [{"report_id": f"R{i}", "at": "2024-01-01T00:00:00Z", "actor": "a", "action": "x"} for i in range(500)],
    )
    s.close()
    _damage(p, "report_events")
    before = sha(p)
    store = GeoPackageStore.open(p)
    with pytest.raises(StoreDamaged) as err:
        store.fetch("report_events")  # a full scan of the damaged b-tree
    assert str(p) in str(err.value) and "backup" in str(err.value)
    with pytest.raises(StoreDamaged, match="nothing is written"):
        store.set_meta("k", "v")
    store.close()
    assert sha(p) == before


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to become 'nobody'")
def test_a_writable_file_in_a_read_only_folder_says_so() -> None:
    top = Path(tempfile.mkdtemp(prefix="ioc-ro-"))  # pytest's own tmp folders are closed to other users
    folder = top / "ro"
    folder.mkdir()
    p = folder / "ioc.gpkg"
    GeoPackageStore.create(p).close()
    os.chmod(top, 0o755)
    os.chown(p, 65534, 65534)
    os.chmod(p, 0o644)
    os.chmod(folder, 0o555)  # nobody may write the file but not create ioc.gpkg-wal next to it
    code = (
        "from ioc_qgis_plugin.store.gpkg import GeoPackageStore as G\n"
        "from ioc_qgis_plugin.store.errors import StoreError\n"
        f"try:\n    G.open({str(p)!r})\nexcept StoreError as e:\n    print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": "/tmp"}
    out = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    os.chmod(folder, 0o755)
    shutil.rmtree(top)
    assert "read-only" in out.stdout and str(folder) in out.stdout and "-wal" in out.stdout, out.stdout + out.stderr
    assert "cannot be read as a GeoPackage" not in out.stdout


# -- fuzz: flipped bytes never escape as anything but a StoreError, and a refused file is left untouched -----------
@functools.lru_cache(maxsize=1)
def template() -> bytes:
    """A small valid store (a plain function, not a fixture: hypothesis would print its megabyte on failure)."""
    p = Path(tempfile.mkdtemp(prefix="ioc-fuzz-")) / "t.gpkg"
    s = GeoPackageStore.create(p)
    s.set_meta("city_name", "Long Khánh")
    s.insert(
        "report_events",
        [
            {"report_id": f"R{i}", "at": "2024-01-01T00:00:00Z", "actor": "á", "action": "x", "note": "ghi chú " * 5}
            for i in range(200)
        ],
    )
    s.close()
    data = p.read_bytes()
    shutil.rmtree(p.parent)
    return data


@settings(
    max_examples=int(os.environ.get("IOC_FUZZ_STORE_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=50),
    header=st.booleans(),
)
def test_fuzz_open_flipped_bytes(tmp_path: Path, flips, header: bool) -> None:
    data = bytearray(template())
    for where, xor in flips:
        pos = int(where * (100 if header else len(data)))
        data[pos] ^= xor
    p = tmp_path / "f.gpkg"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{p}{suffix}").unlink(missing_ok=True)
    p.write_bytes(bytes(data))
    before = sha(p)
    try:
        GeoPackageStore.open(p).close()
    except StoreError as exc:
        assert str(p) in str(exc)
        assert sha(p) == before, "a file refused at open was changed"
        return
    opened = sha(p)  # opening may switch a rollback-journal file to WAL: that is a write we allow
    store = GeoPackageStore.open(p)
    try:
        for step in (
            lambda: store.get_meta("city_name"),
            lambda: store.count("report_events"),
            lambda: store.fetch("report_events", limit=50),
            lambda: store.set_meta("fuzz", "1"),
        ):
            try:
                step()
            except StoreDamaged:
                assert store.damaged
            except StoreError:
                pass
    finally:
        store.close()
    if store.damaged:
        assert sha(p) == opened, "a damaged file was written to"


def test_not_a_geopackage_is_refused_without_touching_it(tmp_path: Path) -> None:
    p = tmp_path / "x.gpkg"
    p.write_bytes("Không phải GeoPackage\n".encode() * 300)
    before = sha(p)
    with pytest.raises(NotAnIocStore, match="not a GeoPackage"):
        GeoPackageStore.open(p)
    assert sha(p) == before and not Path(f"{p}-wal").exists()


def test_an_export_never_replaces_the_store(tmp_path: Path) -> None:
    from ioc_qgis_plugin.export import cli

    p = tmp_path / "ioc.gpkg"
    s = GeoPackageStore.create(p)
    s.set_meta("keep", "me")
    s.close()
    before = sha(p)
    rc = cli.main(["--gpkg", str(p), "--out", str(tmp_path), "--name", "ioc", "--title", "Mất dữ liệu?"])
    assert rc == 2 and sha(p) == before
