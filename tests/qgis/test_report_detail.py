"""Report detail widget and Open311 sync task in a real QGIS (offscreen)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtGui import QColor, QImage

from ioc_qgis_plugin.connectors.open311 import Open311Client
from ioc_qgis_plugin.core import statuses
from ioc_qgis_plugin.devservers.open311_server import Open311Server
from ioc_qgis_plugin.gui.report_detail import ReportDetail
from ioc_qgis_plugin.gui.report_sync_task import ReportSyncTask
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.open311_data import END, demo_rows
from tests.support.waiting import wait_until


def wait(predicate, timeout: float = 10.0) -> bool:  # noqa: ANN001
    return wait_until(predicate, timeout, step=0.01)


@pytest.fixture
def store(tmp_path):
    s = GeoPackageStore.create(tmp_path / "ioc.gpkg")
    rows = demo_rows(50)
    s.insert("field_reports", rows, s.point_geometries(rows))
    yield s
    s.close()


def received_report(store) -> str:  # noqa: ANN001
    rid = store.fetch("field_reports", "status = 'closed'", order_by="report_id", limit=1)[0]["report_id"]
    store.update_report(rid, {"status": "in_progress"}, actor="an", note="mở lại", enqueue=False)
    return rid


def history_actions(w: ReportDetail) -> list[str]:
    return [w.history.topLevelItem(i).text(2) for i in range(w.history.topLevelItemCount())]


def test_shows_fields_history_and_allowed_transitions(qgis_app, store) -> None:  # noqa: ANN001
    rid = received_report(store)
    w = ReportDetail(store, actor="tester", lang="en")
    assert w.show_report(rid)
    assert w.isEnabled() and rid in w.title.text()
    assert w.values["status"].text() == "In progress"
    offered = {w.status_combo.itemData(i) for i in range(w.status_combo.count())}
    assert offered == {s.value for s in statuses.TRANSITIONS[statuses.ReportStatus.IN_PROGRESS]}
    assert history_actions(w)[0] == "status"  # newest first
    assert not w.show_report("NOPE") and not w.isEnabled()


def test_change_status_assign_and_note_are_audited(qgis_app, store) -> None:  # noqa: ANN001
    rid = received_report(store)
    w = ReportDetail(store, actor="tester", lang="en", units=["Đội Trật tự đô thị"])
    changed: list[str] = []
    w.changed.connect(changed.append)
    w.show_report(rid)
    w.status_combo.setCurrentIndex(w.status_combo.findData("resolved"))
    w.note_edit.setText("Đã dọn xong")
    assert w.apply_status()
    row = store.get_report(rid)
    assert row["status"] == "resolved" and row["resolved_at"]
    top = w.history.topLevelItem(0)
    assert top.text(1) == "tester" and "Resolved" in top.text(3) and top.text(4) == "Đã dọn xong"
    w.note_edit.setText("Người dân xác nhận")
    assert w.apply_note()
    assert w.history.topLevelItem(0).text(2) == "note"
    assert changed == [rid, rid]
    assert {s.value for s in statuses.TRANSITIONS[statuses.ReportStatus.RESOLVED]} == {
        w.status_combo.itemData(i) for i in range(w.status_combo.count())
    }
    assert len(store.pending_changes()) == 2  # demo reports come from Open311: changes are queued for it


def test_conflict_is_explained_and_nothing_is_overwritten(qgis_app, store) -> None:  # noqa: ANN001
    rid = received_report(store)
    w = ReportDetail(store, actor="tester", lang="vi")
    w.show_report(rid)
    store.update_report(rid, {"status": "assigned", "assigned_to": "Phường 2"}, actor="someone")
    w.status_combo.setCurrentIndex(w.status_combo.findData("resolved"))
    assert not w.apply_status()
    assert store.get_report(rid)["status"] == "assigned"
    assert "người khác" in w.message.text()  # Vietnamese fallback text without a .qm
    assert w.values["status"].text() == "Đã phân công"  # reloaded


def test_attach_photo_shows_a_thumbnail(qgis_app, store, tmp_path) -> None:  # noqa: ANN001
    rid = received_report(store)
    img = QImage(400, 300, QImage.Format_RGB32)
    img.fill(QColor("#c0392b"))
    path = tmp_path / "snap.png"
    assert img.save(str(path))
    w = ReportDetail(store, actor="tester", lang="en")
    w.show_report(rid)
    assert w.attach_photo(str(path), camera_id="CAM-001")
    assert w.attachments.count() == 1
    assert wait(lambda: not w.attachments.item(0).icon().isNull())
    assert history_actions(w)[0] == "attach"
    assert store.count("report_attachments", "report_id = ?", (rid,)) == 1


def test_sync_task_pushes_then_pulls(qgis_app, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "task.gpkg"
    GeoPackageStore.create(path).close()
    with Open311Server(demo_rows(300), now=lambda: END) as srv:
        outcome: list = []
        task = ReportSyncTask(
            lambda: GeoPackageStore.open(path),
            lambda: Open311Client(srv.url, api_key="demo-key"),
            sync_options={"initial_since": END - timedelta(days=800), "now": lambda: END},
        )
        task.done.connect(outcome.append)
        QgsApplication.taskManager().addTask(task)
        assert wait(lambda: bool(outcome), 30)
        assert outcome[0].pull.inserted == 300 and outcome[0].push.sent == 0
    s = GeoPackageStore.open(path)
    assert s.count("field_reports") == 300
    s.close()
