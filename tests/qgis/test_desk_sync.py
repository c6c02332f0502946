"""The desk's changes reach the reporting system: the api key from QGIS's auth manager, the result told honestly.

A real Open311 server (devservers/open311_server.py) on 127.0.0.1, a real GeoPackage store, the real QgsTask.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from ioc_qgis_plugin.connectors.open311 import Open311Client
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from ioc_qgis_plugin.gui.report_sync_task import ReportSyncTask, api_key_from_authcfg, store_api_key
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.open311_data import END, demo_rows


def wait(predicate, timeout: float = 30.0) -> bool:  # noqa: ANN001
    end = time.time() + timeout
    while time.time() < end:
        QCoreApplication.processEvents()
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def unlocked_auth(qgis_app):  # noqa: ANN001
    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("ioc-test-master", True)
    return manager


@pytest.fixture
def desk(tmp_path):  # noqa: ANN001
    """A store holding the server's reports, with two desk changes waiting in the outbox."""
    rows = demo_rows(40)
    path = tmp_path / "desk.gpkg"
    s = GeoPackageStore.create(path)
    s.insert("field_reports", rows, s.point_geometries(rows))
    closed = [r["report_id"] for r in rows if r["status"] == "closed"][:2]
    assert len(closed) == 2
    for rid in closed:
        s.update_report(rid, {"status": "in_progress"}, actor="desk", note="mở lại")
    assert len(s.pending_changes()) == 2
    s.close()
    return path, rows


def run_sync(path, srv, api_key):  # noqa: ANN001, ANN201
    outcome: list = []
    failed: list = []
    task = ReportSyncTask(
        lambda: GeoPackageStore.open(path),
        lambda: Open311Client(srv.url, api_key=api_key),
        pull=False,
        sync_options={"initial_since": END - timedelta(days=800), "now": lambda: END},
    )
    task.done.connect(outcome.append)
    task.failed.connect(failed.append)
    QgsApplication.taskManager().addTask(task)
    assert wait(lambda: bool(outcome or failed)), "sync task did not finish"
    assert not failed, failed
    return outcome[0]


def test_api_key_from_the_auth_manager_gets_the_outbox_through(unlocked_auth, desk) -> None:  # noqa: ANN001
    path, rows = desk
    authcfg = store_api_key("IOC test Open311", "desk-secret", "ioct311")
    assert authcfg == "ioct311"
    assert store_api_key("IOC test Open311", "desk-secret", "ioct311") == "ioct311"  # idempotent: update
    key = api_key_from_authcfg(authcfg)
    assert key == "desk-secret"
    with Open311Server(rows, now=lambda: END, api_keys={"desk-secret"}) as srv:
        outcome = run_sync(path, srv, key)
    assert (outcome.push.sent, outcome.push.failed, outcome.push.waiting) == (2, 0, 0)
    text, level = outcome.message()
    assert level == "success" and "2" in text
    s = GeoPackageStore.open(path)
    assert s.pending_changes() == []
    s.close()


def test_refused_changes_are_an_error_not_a_success(unlocked_auth, desk) -> None:  # noqa: ANN001
    path, rows = desk
    with Open311Server(rows, now=lambda: END, api_keys={"desk-secret"}) as srv:
        outcome = run_sync(path, srv, "wrong-key")
    assert outcome.push.failed == 2
    text, level = outcome.message()
    assert level == "error"
    assert "refused: 2" in text and "403" in text
    s = GeoPackageStore.open(path)
    assert len(s.pending_changes()) == 2  # nothing lost
    s.close()


def test_sync_message_is_translated(unlocked_auth, desk, tmp_path) -> None:  # noqa: ANN001
    import shutil
    import subprocess
    from pathlib import Path

    ts = Path(__file__).resolve().parents[2] / "ioc_qgis_plugin" / "i18n" / "ioc_vi.ts"
    if not shutil.which("lrelease"):
        pytest.skip("lrelease not installed")
    qm = tmp_path / "ioc_vi.qm"
    subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QgsApplication.installTranslator(translator)
    try:
        path, rows = desk
        with Open311Server(rows, now=lambda: END, api_keys={"desk-secret"}) as srv:
            outcome = run_sync(path, srv, "wrong-key")
            task = ReportSyncTask(lambda: GeoPackageStore.open(path), lambda: Open311Client(srv.url))
            assert "Open311" not in task.description() and "IOC" in task.description()
        text, level = outcome.message()
        assert level == "error"
        # our words are Vietnamese; the reporting system's own answer after "said:" is quoted as it came
        assert "changes sent" not in text and "refused:" not in text and "từ chối" in text
    finally:
        QgsApplication.removeTranslator(translator)
