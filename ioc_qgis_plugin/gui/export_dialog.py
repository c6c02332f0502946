"""Export dialog (open data): choose tables, filters, target and anonymisation, preview exactly what leaves, publish.

Preview and publishing run as QgsTasks on their own store connection (store_factory) with progress, so the GUI never
waits on the store or the scrubber. The CKAN token and the city's pseudonym secret are resolved from QGIS's auth
manager inside the task and are never shown, logged or stored. The preview highlights what the scrubber removed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsTask
from qgis.gui import QgsCheckableComboBox
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale, QObject, Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QAction,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core.categories import CATEGORIES
from ..core.statuses import ReportStatus
from ..export.package import DatasetInfo
from ..export.policy import ACTIONS, ID_SECRET_ENV, LOCATION_METHODS, NEVER_EXPORT, LocationRule, Policy
from ..export.publish import TARGETS, ExportResult, run_export
from ..export.scrub import TOKEN_RE, removed_spans
from ..export.select import Selection, preview_rows, read_selection
from ..store.schema import load_schema
from .tasks import FunctionTask, run_task


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


# What the user reads instead of the store's identifiers (the identifiers stay the items' data).
TABLE_LABELS = {
    "wards": QT_TRANSLATE_NOOP("@default", "Wards and communes"),
    "cameras": QT_TRANSLATE_NOOP("@default", "Cameras"),
    "field_reports": QT_TRANSLATE_NOOP("@default", "Field reports"),
    "report_events": QT_TRANSLATE_NOOP("@default", "Field report history"),
    "report_attachments": QT_TRANSLATE_NOOP("@default", "Field report attachments"),
    "parcels": QT_TRANSLATE_NOOP("@default", "Land parcels"),
    "planning_zones": QT_TRANSLATE_NOOP("@default", "Planning zones"),
    "street_lights": QT_TRANSLATE_NOOP("@default", "Street lights"),
    "light_readings": QT_TRANSLATE_NOOP("@default", "Street light readings"),
}
ACTION_LABELS = {
    "keep": QT_TRANSLATE_NOOP("@default", "keep"),
    "drop": QT_TRANSLATE_NOOP("@default", "remove"),
    "scrub": QT_TRANSLATE_NOOP("@default", "remove personal details from the text"),
    "address": QT_TRANSLATE_NOOP("@default", "street only (no house number)"),
    "day": QT_TRANSLATE_NOOP("@default", "date only"),
    "hour": QT_TRANSLATE_NOOP("@default", "date and hour"),
}
LOCATION_LABELS = {
    "grid": QT_TRANSLATE_NOOP("@default", "centre of a grid cell"),
    "kanon": QT_TRANSLATE_NOOP("@default", "grid cell with at least k reports"),
    "exact": QT_TRANSLATE_NOOP("@default", "exact (not anonymised)"),
    "drop": QT_TRANSLATE_NOOP("@default", "no location"),
}
TARGET_LABELS = {
    "file": QT_TRANSLATE_NOOP("@default", "Files (GeoPackage, GeoJSON, CSV and metadata)"),
    "ckan": QT_TRANSLATE_NOOP("@default", "CKAN open data portal"),
    "ogcapi": QT_TRANSLATE_NOOP("@default", "OGC API – Features (pygeoapi)"),
}


def _labelled(combo: QComboBox, codes, labels: dict[str, str]) -> QComboBox:  # noqa: ANN001
    for code in codes:
        combo.addItem(tr(labels.get(code, code)), code)
    return combo


def _select_code(combo: QComboBox, code: str) -> None:
    i = combo.findData(code)
    if i >= 0:
        combo.setCurrentIndex(i)


class CodePicker(QgsCheckableComboBox):
    """Pick any of a list of (label, code); nothing checked means all. `setText("a,b")` checks codes a and b."""

    def __init__(self, items: list[tuple[str, str]], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setDefaultText(tr("all"))
        for label, code in items:
            self.addItemWithCheckState(label, Qt.Unchecked, code)

    def codes(self) -> list[str]:
        return [str(c) for c in self.checkedItemsData()]

    def setText(self, text: str) -> None:  # noqa: N802 - the QLineEdit-like call tests and scripts use
        wanted = {p.strip() for p in text.split(",") if p.strip()}
        for i in range(self.count()):
            self.setItemCheckState(i, Qt.Checked if self.itemData(i) in wanted else Qt.Unchecked)


def token_from_authcfg(authcfg: str) -> str:
    if not authcfg:
        return ""
    cfg = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True):
        raise RuntimeError(tr("The authentication configuration cannot be loaded"))
    token = cfg.config("password") or cfg.config("token") or ""
    if not token and cfg.configMap():
        token = next(iter(cfg.configMap().values()), "")
    return token


def id_secret_from(authcfg: str) -> str:
    """The city's pseudonym secret: its QGIS auth configuration if chosen, else the environment variable."""
    return token_from_authcfg(authcfg) if authcfg else os.environ.get(ID_SECRET_ENV, "")


_HIGHLIGHT = QColor(255, 236, 153)


def highlighted_html(text: str) -> str:
    """Scrubbed text as HTML with every removed span marked (the token says what was removed)."""
    import html

    out, pos = [], 0
    for start, end, _kind in removed_spans(text):
        out.append(html.escape(text[pos:start]))
        out.append(f'<span style="background:#ffec99;font-weight:bold">{html.escape(text[start:end])}</span>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


class ExportDialog(QDialog):
    def __init__(self, store_factory: Callable[[], Any], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store_factory = store_factory
        self.task: Optional[QgsTask] = None
        self.result_: Optional[ExportResult] = None
        self.setWindowTitle(tr("Export open data"))
        tabs = QTabWidget(self)
        tabs.addTab(self._what_tab(), tr("Data"))
        tabs.addTab(self._rules_tab(), tr("Anonymisation"))
        tabs.addTab(self._target_tab(), tr("Target"))
        preview_page = QWidget(self)
        preview_layout = QVBoxLayout(preview_page)
        self.preview = QTableWidget(0, 0, preview_page)
        self.preview_detail = QTextBrowser(preview_page)
        self.preview_detail.setMaximumHeight(90)
        self.preview.currentCellChanged.connect(self._show_cell)
        preview_layout.addWidget(self.preview)
        preview_layout.addWidget(self.preview_detail)
        self.preview_task: Optional[QgsTask] = None
        tabs.addTab(preview_page, tr("Preview"))
        self.preview_page = preview_page
        self.tabs = tabs
        self.progress = QProgressBar(self)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.preview_button = QPushButton(tr("Preview"), self)
        self.publish_button = QPushButton(tr("Publish"), self)
        self.cancel_button = QPushButton(tr("Cancel publishing"), self)
        self.cancel_button.setEnabled(False)
        self.preview_button.clicked.connect(lambda _checked=False: self.show_preview())  # clicked passes a bool
        self.publish_button.clicked.connect(self.publish)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        for b in (self.preview_button, self.publish_button, self.cancel_button):
            buttons.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.Close, self)
        close.button(QDialogButtonBox.Close).setText(tr("Close"))  # Qt ships no Vietnamese for its own buttons
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (tabs, self.progress, self.status):
            layout.addWidget(w)
        layout.addLayout(buttons)
        layout.addWidget(close)

    # -- tabs -------------------------------------------------------------------------------------------------
    def _what_tab(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self.tables = QListWidget(w)
        for t in load_schema().tables:
            if t.name in NEVER_EXPORT:
                continue
            item = QListWidgetItem(tr(TABLE_LABELS.get(t.name, t.name)), self.tables)
            item.setData(Qt.UserRole, t.name)
            item.setCheckState(Qt.Checked if t.name == "field_reports" else Qt.Unchecked)
        form.addRow(tr("Tables"), self.tables)
        self.use_dates = QCheckBox(tr("Only reports requested in this period"), w)
        self.start = QDateEdit(QDate.currentDate().addMonths(-1), w)
        self.end = QDateEdit(QDate.currentDate(), w)
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat(QLocale().dateFormat(QLocale.ShortFormat))
        form.addRow(self.use_dates)
        form.addRow(tr("From"), self.start)
        form.addRow(tr("Until (exclusive)"), self.end)
        lang = "vi" if QLocale().name().startswith("vi") else "en"
        self.wards = CodePicker(self._ward_items(), w)
        self.categories = CodePicker([(c.label(lang), c.code) for c in CATEGORIES], w)
        self.statuses = CodePicker([(st.label(lang), st.value) for st in ReportStatus], w)
        form.addRow(tr("Wards"), self.wards)
        form.addRow(tr("Categories"), self.categories)
        form.addRow(tr("Statuses"), self.statuses)
        self.name = QLineEdit("phan-anh-hien-truong", w)
        self.title = QLineEdit("Phản ánh hiện trường", w)
        self.description = QLineEdit(w)
        self.licence = QComboBox(w)
        self.licence.addItems(["CC-BY-4.0", "CC0-1.0", "ODbL-1.0"])
        self.contact = QLineEdit(w)
        self.keywords = QLineEdit("IOC", w)
        form.addRow(tr("Dataset id"), self.name)
        form.addRow(tr("Title"), self.title)
        form.addRow(tr("Description"), self.description)
        form.addRow(tr("Licence"), self.licence)
        form.addRow(tr("Contact e-mail (office)"), self.contact)
        form.addRow(tr("Keywords"), self.keywords)
        return w

    def _rules_tab(self) -> QWidget:
        w = QWidget(self)
        layout = QVBoxLayout(w)
        form = QFormLayout()
        self.location = _labelled(QComboBox(w), LOCATION_METHODS, LOCATION_LABELS)
        self.cell = QDoubleSpinBox(w)
        self.cell.setRange(1, 10000)
        self.cell.setValue(250)
        self.cell.setSuffix(" m")
        self.k = QSpinBox(w)
        self.k.setRange(2, 1000)
        self.k.setValue(5)
        form.addRow(tr("Report locations"), self.location)
        form.addRow(tr("Grid cell"), self.cell)
        form.addRow(tr("k (k-anonymity)"), self.k)
        layout.addLayout(form)
        self.rules = QTableWidget(0, 3, w)
        self.rules.setHorizontalHeaderLabels([tr("Table"), tr("Field"), tr("Action")])
        policy = Policy()
        for t in load_schema().tables:
            if t.name in NEVER_EXPORT:
                continue
            for c in t.columns:
                row = self.rules.rowCount()
                self.rules.insertRow(row)
                table_item = QTableWidgetItem(tr(TABLE_LABELS.get(t.name, t.name)))
                table_item.setData(Qt.UserRole, t.name)
                self.rules.setItem(row, 0, table_item)
                self.rules.setItem(row, 1, QTableWidgetItem(c.name))
                combo = _labelled(QComboBox(self.rules), ACTIONS, ACTION_LABELS)
                _select_code(combo, policy.action(t.name, c.name, c.type))
                self.rules.setCellWidget(row, 2, combo)
        layout.addWidget(self.rules)
        return w

    def _target_tab(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self.target = _labelled(QComboBox(w), TARGETS, TARGET_LABELS)
        self.out_dir = QLineEdit(str(Path.home() / "ioc_export"), w)
        self.ckan_url = QLineEdit(w)
        self.ckan_org = QLineEdit(w)
        self.authcfg = QLineEdit(w)
        try:  # the auth config picker lives in qgis.gui; a plain id field is the fallback
            from qgis.gui import QgsAuthConfigSelect

            self.auth_select = QgsAuthConfigSelect(w)
            self.auth_select.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)  # no tall empty gap below
            self.auth_select.selectedConfigIdChanged.connect(self.authcfg.setText)
            self.authcfg.hide()  # only holds the picked id: shown, it sat as a stray box over the first row
        except Exception:  # noqa: BLE001
            self.auth_select = None
        self.ogc_data = QLineEdit(w)
        self.ogc_config = QLineEdit(w)
        self.ogc_url = QLineEdit(w)
        form.addRow(tr("Target"), self.target)
        form.addRow(tr("Package folder"), self.out_dir)
        form.addRow(tr("CKAN portal URL"), self.ckan_url)
        form.addRow(tr("CKAN organisation"), self.ckan_org)
        form.addRow(tr("CKAN API token (QGIS authentication)"), self.auth_select or self.authcfg)
        form.addRow(tr("pygeoapi data folder"), self.ogc_data)
        form.addRow(tr("pygeoapi configuration"), self.ogc_config)
        form.addRow(tr("pygeoapi URL (check)"), self.ogc_url)
        self.id_authcfg = QLineEdit(w)
        self.id_authcfg.setPlaceholderText(ID_SECRET_ENV)
        self.real_ids = QCheckBox(tr("Publish the real report ids (risky)"), w)
        self.real_ids.toggled.connect(self._confirm_real_ids)
        form.addRow(tr("Report id secret (QGIS authentication id)"), self.id_authcfg)
        form.addRow(self.real_ids)
        return w

    def ask_real_ids(self) -> bool:
        answer = QMessageBox.warning(
            self,
            tr("Publish real report ids?"),
            tr(
                "Publishing the real report ids lets anyone look each report up on the city's Open311 server, which "
                "returns the exact location, the address and the photos: the grid or k-anonymity generalisation is "
                "undone and the reporter's home can be found. Publish real ids only if the Open311 server is not "
                "public."
            ),
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        return answer == QMessageBox.Yes

    def _confirm_real_ids(self, checked: bool) -> None:
        if checked and not self.ask_real_ids():
            self.real_ids.setChecked(False)

    def _ward_items(self) -> list[tuple[str, str]]:
        try:
            store = self.store_factory()
        except Exception:  # noqa: BLE001 - no store: no ward to pick, "all" still works
            return []
        try:
            rows = store.fetch("wards", columns=["ward_id", "name"], order_by="name")
        finally:
            store.close()
        return [(str(r["name"] or r["ward_id"]), str(r["ward_id"])) for r in rows]

    # -- requests -----------------------------------------------------------------------------------------------
    def selection(self, limit: Optional[int] = None) -> Selection:
        tables = [
            self.tables.item(i).data(Qt.UserRole)
            for i in range(self.tables.count())
            if self.tables.item(i).checkState() == Qt.Checked
        ]
        dated = self.use_dates.isChecked()
        return Selection(
            tables=tables,
            ward_ids=self.wards.codes(),
            service_codes=self.categories.codes(),
            statuses=self.statuses.codes(),
            start=self.start.date().toString("yyyy-MM-dd") if dated else None,
            end=self.end.date().toString("yyyy-MM-dd") if dated else None,
            limit=limit,
        )

    def policy(self) -> Policy:
        default = Policy()
        schema = load_schema()
        rules: dict[str, dict[str, str]] = {}
        for row in range(self.rules.rowCount()):
            table, column = self.rules.item(row, 0).data(Qt.UserRole), self.rules.item(row, 1).text()
            action = self.rules.cellWidget(row, 2).currentData()
            if action != default.action(table, column, schema.table(table).column(column).type):
                rules.setdefault(table, {})[column] = action
        return Policy(
            rules,
            LocationRule(self.location.currentData(), self.cell.value(), self.k.value()),
            id_mode="real" if self.real_ids.isChecked() else "pseudonym",
            real_ids_confirmed=self.real_ids.isChecked(),  # only checked after the warning was accepted
        )

    def info(self) -> DatasetInfo:
        return DatasetInfo(
            name=self.name.text().strip(),
            title=self.title.text().strip(),
            description=self.description.text(),
            licence=self.licence.currentText(),
            contact_email=self.contact.text().strip(),
            keywords=[k.strip() for k in self.keywords.text().split(",") if k.strip()],
        )

    # -- preview ------------------------------------------------------------------------------------------------
    def show_preview(self, limit: int = 200) -> Optional[QgsTask]:
        """Read and anonymise in a task (seconds on a big store); the table fills when it is done."""
        if self.preview_task is not None:
            return self.preview_task
        selection, policy = self.selection(), self.policy()
        factory, id_authcfg = self.store_factory, self.id_authcfg.text().strip()

        def work(task: QgsTask) -> tuple[list, list[str], list[list[Any]]]:
            policy.id_secret = id_secret_from(id_authcfg)
            store = factory()
            try:
                tables = read_selection(store, selection, policy, lambda m: task.setProgress(50))
            finally:
                store.close()
            header, rows = preview_rows(tables[0], limit)
            return tables, header, rows

        self.preview_task = FunctionTask(tr("Export preview"), work, self._preview_done, self._preview_failed)
        self.preview_task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        self.preview_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy: reading and scrubbing has no meaningful percentage
        self.status.setText(tr("Reading and anonymising the preview…"))
        return run_task(self.preview_task)

    def _preview_finish(self) -> None:
        self.preview_task = None
        self.preview_button.setEnabled(True)
        self.progress.setRange(0, 100)

    def _preview_failed(self, message: str) -> None:
        self._preview_finish()
        self.status.setText(message)

    def _preview_done(self, result: tuple[list, list[str], list[list[Any]]]) -> None:
        self._preview_finish()
        tables, header, rows = result
        first = tables[0]
        self.preview.clear()
        self.preview.setColumnCount(len(header))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(header)
        marked = 0
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                text = "" if v is None else str(v)
                item = QTableWidgetItem(text)
                if isinstance(v, str) and TOKEN_RE.search(v):
                    item.setBackground(_HIGHLIGHT)
                    kinds = sorted({k for _, _, k in removed_spans(v)})
                    item.setToolTip(tr("Removed: {}").format(", ".join(kinds)))
                    marked += 1
                self.preview.setItem(r, c, item)
        counts = ", ".join(f"{t.name}: {len(t)}" for t in tables)
        self.status.setText(
            tr("Will publish {} rows ({}). Preview of {}: first {} rows.").format(
                sum(len(t) for t in tables), counts, first.name, len(rows)
            )
            + " "
            + tr("{} cells with removed personal data are highlighted.").format(marked)
        )
        self.tabs.setCurrentWidget(self.preview_page)

    def _show_cell(self, row: int, column: int, *_: int) -> None:
        item = self.preview.item(row, column) if row >= 0 and column >= 0 else None
        self.preview_detail.setHtml(highlighted_html(item.text()) if item is not None else "")

    # -- publish ------------------------------------------------------------------------------------------------
    def publish(self) -> Optional[QgsTask]:
        target = self.target.currentData()
        selection, policy, info = self.selection(), self.policy(), self.info()
        out_dir = Path(self.out_dir.text())
        opts: dict[str, Any] = {}
        authcfg = self.authcfg.text().strip()
        id_authcfg = self.id_authcfg.text().strip()
        if target == "ckan":
            opts = {"url": self.ckan_url.text().strip(), "owner_org": self.ckan_org.text().strip() or None}
        elif target == "ogcapi":
            opts = {"data_dir": self.ogc_data.text(), "config": self.ogc_config.text(), "url": self.ogc_url.text()}
        factory = self.store_factory

        def work(task: QgsTask) -> ExportResult:
            if target == "ckan":
                opts["token"] = token_from_authcfg(authcfg)  # resolved here, never kept on the dialog
            policy.id_secret = id_secret_from(id_authcfg)
            store = factory()
            try:
                return run_export(
                    store,
                    selection,
                    policy,
                    info,
                    out_dir,
                    target,
                    opts,
                    progress=lambda p, m: task.setProgress(p),
                    is_cancelled=task.isCanceled,
                )
            finally:
                store.close()

        self.task = FunctionTask(tr("Publishing {}").format(info.name), work, self._done, self._failed)
        self.task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        self.publish_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(tr("Publishing…"))
        return run_task(self.task)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText(tr("Cancelling… files already sent stay on the portal; a new run resumes."))

    def _finish(self) -> None:
        self.publish_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.task = None

    def _done(self, result: ExportResult) -> None:
        self.result_ = result
        self.progress.setValue(100)
        self.status.setText(tr("Published: {}").format(result.message))
        self._finish()

    def _failed(self, message: str) -> None:
        self.status.setText(tr("Not published: {}").format(message))
        self._finish()


class ExportController(QObject):
    """Owns the "Export open data…" action and its dialog; the plugin adds actions() to its menu."""

    def __init__(self, iface: Any, store_factory: Callable[[], Any], parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.store_factory = store_factory
        self.dialog: Optional[ExportDialog] = None
        self.action = QAction(tr("Export open data…"), self)
        self.action.triggered.connect(self.open_dialog)

    def actions(self) -> list[QAction]:
        return [self.action]

    def open_dialog(self) -> ExportDialog:
        if self.dialog is None:
            parent = self.iface.mainWindow() if self.iface is not None else None
            self.dialog = ExportDialog(self.store_factory, parent)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def unload(self) -> None:
        if self.dialog is not None:
            for task in (self.dialog.task, self.dialog.preview_task):
                if task is not None:
                    task.cancel()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.action.triggered.disconnect(self.open_dialog)
        self.action.deleteLater()
