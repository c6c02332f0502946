"""Report detail for the Reports tab: fields, photos, history (audit trail) and the workflow actions.

Every change goes through store.update_report with the version the user saw (optimistic locking): if somebody
else changed the report meanwhile, the widget says so and reloads instead of overwriting their change. Store
calls here are single-row reads/writes (milliseconds); decoding and scaling photos runs on a thread pool.
Errors are shown inline (no modal dialogs: the desk keeps working, and tests run offscreen).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Optional

from qgis.PyQt.QtCore import QCoreApplication, QObject, QRunnable, QSettings, QSize, Qt, QThreadPool, pyqtSignal
from qgis.PyQt.QtGui import QIcon, QImage, QImageReader, QPixmap
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import statuses
from ..core.categories import category_label, priority_label
from ..core.sla import DeadlineState, SlaRules, deadline_state
from ..core.timeutil import iso_to_epoch_array, now_utc_iso
from ..store.errors import ConflictError, StoreError
from .formats import city_datetime
from .messages import log

CONTEXT = "ReportDetail"
THUMB = QSize(96, 96)

# Vietnamese texts used when no compiled translation (.qm) is installed; keys are the English sources.
VI = {
    "Report": "Phản ánh",
    "Status": "Trạng thái",
    "Category": "Lĩnh vực",
    "Priority": "Mức độ",
    "Ward": "Phường/xã",
    "Address": "Địa chỉ",
    "Agency": "Đơn vị xử lý",
    "Assigned to": "Giao cho",
    "Received": "Thời điểm nhận",
    "Due": "Hạn xử lý",
    "Resolved": "Thời điểm xử lý xong",
    "Deadline": "Tiến độ",
    "Description": "Nội dung",
    "Status notes": "Ghi chú xử lý",
    "Photo link": "Liên kết ảnh",
    "Photos and attachments": "Ảnh và tệp đính kèm",
    "History": "Lịch sử xử lý",
    "When": "Thời gian",
    "Who": "Người thực hiện",
    "Action": "Thao tác",
    "Change": "Thay đổi",
    "Note": "Ghi chú",
    "Change status": "Chuyển trạng thái",
    "Assign": "Giao xử lý",
    "Add note": "Thêm ghi chú",
    "Attach photo…": "Đính kèm ảnh…",
    "Note (optional)": "Ghi chú (không bắt buộc)",
    "Unit (department or ward)": "Đơn vị (phòng ban hoặc phường)",
    "No further status from here": "Không thể chuyển tiếp từ trạng thái này",
    "Saved.": "Đã lưu.",
    "Report {} not found.": "Không tìm thấy phản ánh {}.",
    "Someone else changed this report meanwhile; it was reloaded — check it and apply your change again.": (
        "Phản ánh vừa được người khác cập nhật; đã tải lại — vui lòng kiểm tra và thực hiện lại thao tác."
    ),
    "Not saved: {}": "Chưa lưu: {}",
    "Write a note first.": "Hãy nhập ghi chú trước.",
    "Choose a unit first.": "Hãy chọn đơn vị trước.",
    "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)": "Ảnh (*.png *.jpg *.jpeg *.bmp *.gif *.webp)",
    "created": "tạo mới",
    "status": "chuyển trạng thái",
    "assign": "giao xử lý",
    "note": "ghi chú",
    "attach": "đính kèm",
    "sync": "đồng bộ",
    "priority": "mức độ",
    "changed": "sửa",
    "Click a report in the table to see it here.": "Nhấp vào một phản ánh trong bảng để xem chi tiết tại đây.",
}


def is_vietnamese() -> bool:
    s = QSettings()
    locale = str(s.value("locale/userLocale", "") or "") if s.value("locale/overrideFlag", False, type=bool) else ""
    from qgis.PyQt.QtCore import QLocale

    return (locale or QLocale().name()).lower().startswith("vi")


def tr(text: str, lang: Optional[str] = None) -> str:
    translated = QCoreApplication.translate(CONTEXT, text)
    vi = lang.startswith("vi") if lang else is_vietnamese()
    if translated == text and vi and text in VI:
        return VI[text]
    return translated


def local_time(value: Any) -> str:
    """The city's local date and time in the UI locale's format."""
    return city_datetime(value)


# Field → label of the card; the history names edited fields by the same labels.
FIELD_LABELS = {
    "status": "Status",
    "service_code": "Category",
    "priority": "Priority",
    "ward_id": "Ward",
    "address": "Address",
    "agency_responsible": "Agency",
    "assigned_to": "Assigned to",
    "requested_at": "Received",
    "due_at": "Due",
    "resolved_at": "Resolved",
    "description": "Description",
    "status_notes": "Status notes",
    "media_url": "Photo link",
}
_TIME_FIELDS = ("requested_at", "due_at", "resolved_at", "updated_at")


class _ThumbSignals(QObject):
    ready = pyqtSignal(str, QImage)


class _ThumbJob(QRunnable):
    """Decode and scale one photo off the GUI thread (QImage is thread-safe; QPixmap is made on the GUI thread)."""

    def __init__(self, path: str, signals: _ThumbSignals) -> None:
        super().__init__()
        self.path, self.signals = path, signals

    def run(self) -> None:
        reader = QImageReader(self.path)
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB, Qt.KeepAspectRatio))
        image = reader.read()
        try:
            self.signals.ready.emit(self.path, image)
        except RuntimeError:  # widget closed meanwhile
            pass


class ReportDetail(QWidget):
    """Shows one report; `changed(report_id)` after every saved change (the panel refreshes its table/map)."""

    changed = pyqtSignal(str)

    def __init__(
        self,
        store: Any = None,
        actor: str = "",
        lang: Optional[str] = None,
        units: Iterable[str] = (),
        rules: Optional[SlaRules] = None,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor or os.environ.get("USER", "") or "qgis"
        self.lang = lang or ("vi" if is_vietnamese() else "en")
        self.units = list(units)
        self.ward_names: dict[str, str] = {}  # ward_id → name, filled by the panel
        self.rules = rules or SlaRules.default()
        self.report: Optional[dict[str, Any]] = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._thumbs = _ThumbSignals()
        self._thumbs.ready.connect(self._thumb_ready)
        self._build()
        self._empty()

    def _empty(self) -> None:
        """No report open: say how to open one instead of showing a blank card."""
        self.setEnabled(False)
        self.title.setText(self.t("Click a report in the table to see it here."))

    def t(self, text: str) -> str:
        return tr(text, self.lang)

    # -- layout ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        root.addWidget(self.title)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        root.addWidget(self.message)

        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("status", "Status"),
            ("deadline", "Deadline"),
            ("service_code", "Category"),
            ("priority", "Priority"),
            ("ward_id", "Ward"),
            ("address", "Address"),
            ("agency_responsible", "Agency"),
            ("assigned_to", "Assigned to"),
            ("requested_at", "Received"),
            ("due_at", "Due"),
            ("resolved_at", "Resolved"),
            ("description", "Description"),
            ("status_notes", "Status notes"),
            ("media_url", "Photo link"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.LinksAccessibleByMouse)
            value.setOpenExternalLinks(True)
            self.values[key] = value
            form.addRow(self.t(label), value)
        root.addLayout(form)

        actions = QGroupBox(self.t("Change status"))
        grid = QVBoxLayout(actions)
        row1 = QHBoxLayout()
        self.status_combo = QComboBox()
        self.status_button = QPushButton(self.t("Change status"))
        self.status_button.clicked.connect(self.apply_status)
        row1.addWidget(self.status_combo, 1)
        row1.addWidget(self.status_button)
        grid.addLayout(row1)
        row2 = QHBoxLayout()
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        self.unit_combo.lineEdit().setPlaceholderText(self.t("Unit (department or ward)"))
        self.assign_button = QPushButton(self.t("Assign"))
        self.assign_button.clicked.connect(self.apply_assign)
        row2.addWidget(self.unit_combo, 1)
        row2.addWidget(self.assign_button)
        grid.addLayout(row2)
        row3 = QHBoxLayout()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(self.t("Note (optional)"))
        self.note_button = QPushButton(self.t("Add note"))
        self.note_button.clicked.connect(self.apply_note)
        self.attach_button = QPushButton(self.t("Attach photo…"))
        self.attach_button.clicked.connect(self._choose_photo)
        row3.addWidget(self.note_edit, 1)
        row3.addWidget(self.note_button)
        row3.addWidget(self.attach_button)
        grid.addLayout(row3)
        root.addWidget(actions)

        media = QGroupBox(self.t("Photos and attachments"))
        ml = QVBoxLayout(media)
        self.attachments = QListWidget()
        self.attachments.setViewMode(QListWidget.IconMode)
        self.attachments.setIconSize(THUMB)
        self.attachments.setResizeMode(QListWidget.Adjust)
        self.attachments.setMaximumHeight(THUMB.height() + 40)
        ml.addWidget(self.attachments)
        root.addWidget(media)

        history = QGroupBox(self.t("History"))
        hl = QVBoxLayout(history)
        self.history = QTreeWidget()
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([self.t(h) for h in ("When", "Who", "Action", "Change", "Note")])
        hl.addWidget(self.history)
        root.addWidget(history, 1)

    # -- loading --------------------------------------------------------------------------------------------
    def set_store(self, store: Any) -> None:
        self.store = store
        self.report = None
        self._empty()

    @property
    def report_id(self) -> Optional[str]:
        return self.report["report_id"] if self.report else None

    def show_report(self, report_id: str) -> bool:
        if self.store is None:
            return False
        report = self.store.get_report(report_id)
        if report is None:
            self.report = None
            self.setEnabled(False)
            self._say(self.t("Report {} not found.").format(report_id), error=True)
            return False
        self.report = report
        self._fill(report)
        self.setEnabled(True)
        return True

    def reload(self) -> None:
        if self.report_id:
            self.show_report(self.report_id)

    def _fill(self, r: dict[str, Any]) -> None:
        status = statuses.ReportStatus(r["status"])
        self.title.setText(f"{self.t('Report')} {r['report_id']} · {category_label(r['service_code'], self.lang)}")
        v = self.values
        v["status"].setText(status.label(self.lang))
        v["deadline"].setText(self._deadline(r).label(self.lang))
        v["service_code"].setText(category_label(r["service_code"] or "", self.lang))
        v["priority"].setText(priority_label(r.get("priority") or "normal", self.lang))
        ward = r.get("ward_id") or ""
        v["ward_id"].setText(self.ward_names.get(ward, ward) or "–")
        for key in ("address", "agency_responsible", "assigned_to", "description"):
            v[key].setText(str(r.get(key) or "–"))
        v["status_notes"].setText(str(r.get("status_notes") or "–"))
        for key in ("requested_at", "due_at", "resolved_at"):
            v[key].setText(local_time(r.get(key)))
        url = r.get("media_url") or ""
        v["media_url"].setText(f'<a href="{url}">{url}</a>' if url.startswith(("http://", "https://")) else "–")

        self.status_combo.clear()
        allowed = sorted(statuses.TRANSITIONS[status], key=lambda s: list(statuses.ReportStatus).index(s))
        for s in allowed:
            self.status_combo.addItem(s.label(self.lang), s.value)
        self.status_combo.setEnabled(bool(allowed))
        self.status_button.setEnabled(bool(allowed))
        if not allowed:
            self.status_combo.addItem(self.t("No further status from here"), None)
        forward = statuses.next_step(status)  # preselect the step forward, never a step back
        if forward is not None:
            self.status_combo.setCurrentIndex(self.status_combo.findData(forward.value))

        current_units = {self.unit_combo.itemText(i) for i in range(self.unit_combo.count())}
        for unit in [*self.units, r.get("agency_responsible") or "", r.get("assigned_to") or ""]:
            if unit and unit not in current_units:
                self.unit_combo.addItem(unit)
                current_units.add(unit)
        self._fill_history(r["report_id"])
        self._fill_attachments(r)

    def _deadline(self, r: dict[str, Any]) -> DeadlineState:
        req = iso_to_epoch_array([r.get("requested_at")])
        due = iso_to_epoch_array([r.get("due_at")])
        if due[0] != due[0]:  # NaN: compute from the rules
            due = req + self.rules.hours_for(r.get("service_code") or "", r.get("priority") or "normal") * 3600
        resolved = iso_to_epoch_array([r.get("resolved_at")])
        status = statuses.ReportStatus(r["status"])
        is_open = [status.is_open]
        returned = [status in statuses.RETURNED_STATUSES]
        now = iso_to_epoch_array([now_utc_iso()])[0]
        state = deadline_state(req, due, resolved, is_open, now, self.rules.due_soon_fraction, returned=returned)
        return DeadlineState(int(state[0]))

    def _fill_history(self, report_id: str) -> None:
        self.history.clear()
        events = self._history_rows(report_id)
        for e in reversed(events):  # newest first
            action = str(e.get("action") or "")
            old, new = e.get("old_value") or "", e.get("new_value") or ""
            if action == "status" or (action == "created" and new):
                old, new = self._status_label(old), self._status_label(new)
            shown_action = self.t(action)
            if action.startswith("edit:"):  # "edit:resolved_at" → "changed: Resolved" / "sửa: Thời điểm xử lý xong"
                field = action.split(":", 1)[1]
                shown_action = f"{self.t('changed')}: {self.t(FIELD_LABELS.get(field, field))}"
                if field in _TIME_FIELDS:
                    old, new = (local_time(x) if x else "" for x in (old, new))
            change = f"{old} → {new}" if old and new else (new or old)
            item = QTreeWidgetItem(
                [local_time(e.get("at")), self._who(e), shown_action, change, str(e.get("note") or "")]
            )
            self.history.addTopLevelItem(item)
        for col in range(4):
            self.history.resizeColumnToContents(col)

    def _history_rows(self, report_id: str) -> list[dict[str, Any]]:
        """A PostGIS city's trail carries the database user and the server's time of every event (report_audit)."""
        audit = getattr(self.store, "report_audit", None)
        if audit is not None:
            try:
                return audit(report_id)
            except StoreError:  # a PostGIS store without city roles has no db_user column
                pass
        return self.store.report_events(report_id)

    @staticmethod
    def _who(event: dict[str, Any]) -> str:
        """The database account (cannot be forged) first; the name typed at the desk, if different, after it."""
        db_user, actor = str(event.get("db_user") or ""), str(event.get("actor") or "")
        if db_user and actor and actor != db_user:
            return f"{db_user} ({actor})"
        return db_user or actor

    def _status_label(self, value: str) -> str:
        try:
            return statuses.ReportStatus(value).label(self.lang)
        except ValueError:
            return value

    def _fill_attachments(self, r: dict[str, Any]) -> None:
        self.attachments.clear()
        rows = self.store.fetch("report_attachments", "report_id = ?", (r["report_id"],), order_by="fid")
        for a in rows:
            path = a.get("path") or ""
            name = Path(path).name if path else (a.get("media_url") or "")
            item = QListWidgetItem(QIcon(), name)
            item.setToolTip(path or a.get("media_url") or "")
            item.setData(Qt.UserRole, path)
            self.attachments.addItem(item)
            if path and os.path.isfile(path):
                self.pool.start(_ThumbJob(path, self._thumbs))

    def _thumb_ready(self, path: str, image: QImage) -> None:
        if image.isNull():
            return
        for i in range(self.attachments.count()):
            item = self.attachments.item(i)
            if item.data(Qt.UserRole) == path:
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    # -- actions --------------------------------------------------------------------------------------------
    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.show()

    def _save(self, changes: dict[str, Any], note: str = "") -> bool:
        if not self.report:
            return False
        rid = self.report_id
        try:
            self.store.update_report(
                rid, changes, actor=self.actor, note=note, expected_version=int(self.report["version"])
            )
        except ConflictError as exc:
            log(f"report {rid}: {exc}", "warning")
            self.reload()
            self._say(
                self.t(
                    "Someone else changed this report meanwhile; it was reloaded — check it and apply your change "
                    "again."
                ),
                error=True,
            )
            return False
        except (StoreError, statuses.TransitionError) as exc:
            log(f"report {rid}: {exc}", "warning")
            self._say(self.t("Not saved: {}").format(exc), error=True)
            return False
        self.note_edit.clear()
        self.reload()
        self._say(self.t("Saved."))
        self.changed.emit(rid)
        return True

    def apply_status(self) -> bool:
        value = self.status_combo.currentData()
        if not value:
            return False
        return self._save({"status": value}, self.note_edit.text().strip())

    def apply_assign(self) -> bool:
        unit = self.unit_combo.currentText().strip()
        if not unit:
            self._say(self.t("Choose a unit first."), error=True)
            return False
        changes: dict[str, Any] = {"assigned_to": unit}
        if self.report and self.report["status"] in ("received", "assigned"):
            changes["status"] = statuses.ReportStatus.ASSIGNED.value
        return self._save(changes, self.note_edit.text().strip())

    def apply_note(self) -> bool:
        note = self.note_edit.text().strip()
        if not note:
            self._say(self.t("Write a note first."), error=True)
            return False
        return self._save({}, note)

    def _choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.t("Attach photo…"), "", self.t("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)")
        )
        if path:
            self.attach_photo(path)

    def attach_photo(self, path: str, camera_id: str = "", kind: str = "photo") -> bool:
        """Attach a local photo (e.g. a camera snapshot) and record it in the history."""
        if not self.report:
            return False
        rid = self.report_id
        try:
            with self.store.transaction():
                self.store.insert(
                    "report_attachments",
                    [
                        {
                            "report_id": rid,
                            "path": str(path),
                            "media_url": "",
                            "kind": kind,
                            "camera_id": camera_id,
                            "created_at": now_utc_iso(),
                        }
                    ],
                )
                self.store.add_event(rid, self.actor, "attach", new=Path(path).name, note=camera_id)
        except StoreError as exc:
            self._say(self.t("Not saved: {}").format(exc), error=True)
            return False
        self.reload()
        self._say(self.t("Saved."))
        self.changed.emit(rid)
        return True

    def closeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        self.pool.clear()
        self.pool.waitForDone(2000)
        super().closeEvent(event)
