"""PostGIS connection settings: host/port/database/schema and a QGIS auth configuration (Basic or PKI certificate).

'Test connection' runs off the GUI thread (a server that does not answer takes up to the connect timeout) and
says in plain words what is wrong: wrong password or expired account, missing rights, unreachable server.
The password never passes through this dialog: only the authcfg id is stored (IocSettings.pg_authcfg).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Optional

from qgis.gui import QgsAuthConfigSelect
from qgis.PyQt.QtCore import QCoreApplication, QObject, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..store.errors import StoreError
from .settings import IocSettings


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def _headline(kind: str) -> str:
    return {
        "ok": tr("Connection OK"),
        "auth": tr("Login refused: wrong password or expired account"),
        "rights": tr("Connected, but this account lacks the rights for the IOC database"),
        "unreachable": tr("The database server cannot be reached"),
        "schema": tr("This database is not an IOC city database (or another version)"),
    }.get(kind, tr("Connection failed"))


class _Checker(QObject):
    """Carries the result of the background check back to the GUI thread (queued signal)."""

    finished = pyqtSignal(bool, str, str)


def check_settings(settings: IocSettings) -> tuple[bool, str, str]:
    """(ok, kind, message) for these settings; QGIS-free apart from resolving the auth configuration."""
    from ..store.postgis_admin import check_connection
    from .store_opener import postgis_dsn

    try:
        dsn = postgis_dsn(settings)
    except StoreError as exc:
        return False, "auth", str(exc)
    result = check_connection(dsn, settings.pg_schema)
    return result.ok, result.kind, result.message


class PostgisSettingsDialog(QDialog):
    def __init__(self, settings: Optional[IocSettings] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("IOC — PostGIS city database"))
        self.settings = settings or IocSettings.load()
        s = self.settings
        self.host = QLineEdit(s.pg_host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(s.pg_port))
        self.dbname = QLineEdit(s.pg_dbname)
        self.schema = QLineEdit(s.pg_schema)
        self.auth = QgsAuthConfigSelect(self, "postgres")  # Basic (user/password) or PKI certificate
        self.auth.setConfigId(s.pg_authcfg)
        self.test_button = QPushButton(tr("Test connection"))
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(self.result.textInteractionFlags() | 1)  # selectable for support
        form = QFormLayout()
        form.addRow(tr("Host"), self.host)
        form.addRow(tr("Port"), self.port)
        form.addRow(tr("Database"), self.dbname)
        form.addRow(tr("Schema"), self.schema)
        form.addRow(tr("Authentication"), self.auth)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.test_button)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self._checker = _Checker()
        self._checker.finished.connect(self._show_result)
        self.test_button.clicked.connect(self.test_connection)
        self._thread: Optional[threading.Thread] = None

    def values(self) -> IocSettings:
        return replace(
            self.settings,
            pg_host=self.host.text().strip(),
            pg_port=int(self.port.value()),
            pg_dbname=self.dbname.text().strip(),
            pg_schema=self.schema.text().strip() or "ioc",
            pg_authcfg=self.auth.configId(),
        )

    def test_connection(self) -> None:
        """Start the check in a worker thread; the result arrives through `_checker.finished`."""
        if self._thread is not None and self._thread.is_alive():
            return
        settings = self.values()
        self.test_button.setEnabled(False)
        self.result.setText(tr("Connecting…"))
        checker = self._checker

        def run() -> None:
            try:
                ok, kind, message = check_settings(settings)
            except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback in the GUI
                ok, kind, message = False, "error", str(exc)
            checker.finished.emit(ok, kind, message)

        self._thread = threading.Thread(target=run, name="ioc-pg-check", daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 30.0) -> None:
        """For tests and unload: join the check thread."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _show_result(self, ok: bool, kind: str, message: str) -> None:
        self.test_button.setEnabled(True)
        colour = "#1a7f37" if ok else "#b42318"
        self.result.setText(f"<b style='color:{colour}'>{_headline(kind)}</b><br>{_escape(message)}")
        self.last_result = (ok, kind, message)

    def accept(self) -> None:
        self.settings = self.values()
        self.settings.store_kind = "postgis"
        self.settings.save()
        super().accept()

    def done(self, result: int) -> None:
        self.wait(0.1)
        super().done(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
