"""PostGIS settings dialog in real QGIS: credentials from the auth manager, clear test-connection messages."""

from __future__ import annotations

import time

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication

from ioc_qgis_plugin.gui.postgis_settings import PostgisSettingsDialog
from ioc_qgis_plugin.gui.settings import IocSettings
from ioc_qgis_plugin.store.postgis_admin import add_user, create_city
from tests.qgis.conftest import basic_authcfg as _authcfg
from tests.support.pgcluster import PgCluster, free_port


@pytest.fixture(scope="module")
def city(qgis_app):  # noqa: ANN001
    cluster = PgCluster().start()
    try:
        dsn = create_city(cluster.dsn(), "city_gui", analysis_srid=5899)
        add_user(dsn, "desk_gui", "desk", "pw-right", wards=["W01"])
        add_user(dsn, "desk_expired", "desk", "pw-right", wards=["W01"], valid_until="2001-01-01")
        yield cluster
    finally:
        cluster.stop()


def _check(dialog: PostgisSettingsDialog) -> tuple[bool, str, str]:
    dialog.last_result = None
    dialog.test_connection()
    end = time.time() + 30
    while dialog.last_result is None and time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    return dialog.last_result


@pytest.mark.parametrize(
    "user, password, port_ok, kind, words",
    [
        ("desk_gui", "pw-right", True, "ok", "role desk"),
        ("desk_gui", "pw-typo-123", True, "auth", "password is wrong or the account has expired"),
        ("desk_expired", "pw-right", True, "auth", "VALID UNTIL"),
        ("desk_gui", "pw-right", False, "unreachable", "unreachable"),
    ],
)
def test_connection_messages(city, user, password, port_ok, kind, words):
    settings = IocSettings(pg_host="127.0.0.1", pg_port=city.port if port_ok else free_port(), pg_dbname="city_gui")
    settings.pg_authcfg = _authcfg(user, password)
    dialog = PostgisSettingsDialog(settings)
    try:
        ok, got_kind, message = _check(dialog)
        assert (ok, got_kind) == (kind == "ok", kind), message
        assert words in message
        assert password not in dialog.result.text()  # the secret never reaches the screen
    finally:
        dialog.close()


def test_accept_stores_authcfg_id_not_password(city):
    QgsSettings().remove("ioc")
    cfg = _authcfg("desk_gui", "pw-right")
    dialog = PostgisSettingsDialog(IocSettings(pg_port=city.port, pg_dbname="city_gui"))
    dialog.auth.setConfigId(cfg)
    dialog.accept()
    loaded = IocSettings.load()
    assert (loaded.store_kind, loaded.pg_authcfg, loaded.pg_port) == ("postgis", cfg, city.port)
    assert all("pw-right" not in str(QgsSettings().value(k)) for k in QgsSettings().allKeys() if k.startswith("ioc"))
    QgsSettings().remove("ioc")
