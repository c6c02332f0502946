"""Export CLI against a PostGIS city (issue 15, items 7 and 9): every publication is logged in the database by the
exporting account (or does not happen), no password in the process arguments, a failed connection is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ioc_qgis_plugin.devservers.ckan_server import CkanServer
from ioc_qgis_plugin.export.cli import main
from ioc_qgis_plugin.store.postgis import PostgisStore
from ioc_qgis_plugin.store.postgis_admin import add_user, create_city
from tests.support.pgcluster import free_port

DB = "city_export"
TOKEN = "tok-" + "export" * 4
USERS = {"officer1": ("data_officer", []), "planner1": ("planner", []), "desk_a": ("desk", ["W01"])}


@pytest.fixture(autouse=True)
def city_secret(monkeypatch):  # noqa: ANN001 - published report ids are keyed pseudonyms (issue 16)
    monkeypatch.setenv("IOC_EXPORT_ID_SECRET", "postgis-cli-test-city-secret")


@pytest.fixture(scope="module")
def city(pg_cluster):
    dsn = create_city(pg_cluster.dsn(), DB, analysis_srid=5899)
    for name, (role, wards) in USERS.items():
        add_user(dsn, name, role, f"pw-{name}", wards=wards)
    owner = PostgisStore(dsn)
    owner.upsert_reports(
        [
            {
                "report_id": f"E{i}",
                "service_code": "traffic",
                "status": "received",
                "ward_id": "W01" if i % 2 else "W02",
                "lon": 107.24 + i * 1e-3,
                "lat": 10.94,
                "requested_at": "2026-01-01T08:00:00+07:00",
                "source": "open311",
            }
            for i in range(12)
        ]
    )
    owner.close()
    yield pg_cluster, dsn


def _args(cluster, user: str, out: Path, *extra: str) -> list[str]:
    dsn = f"host=127.0.0.1 port={cluster.port} dbname={DB} user={user}"  # no password: from PGPASSWORD
    return ["--postgis", dsn, "--out", str(out), "--name", "phan-anh", "--title", "Phản ánh", *extra]


def _publish_log(city) -> list[tuple]:
    owner = PostgisStore(city[1])
    try:
        return owner._query("SELECT db_user, entry->>'result', entry->>'target' FROM ioc.publish_log ORDER BY fid")
    finally:
        owner.close()


@pytest.mark.parametrize("user", ["officer1", "planner1"])
def test_export_to_the_portal_is_logged_by_the_exporting_account(city, user, tmp_path, monkeypatch, capsys):
    cluster, _ = city
    monkeypatch.setenv("PGPASSWORD", f"pw-{user}")
    monkeypatch.setenv("CKAN_API_TOKEN", TOKEN)
    before = len(_publish_log(city))
    with CkanServer(tokens={TOKEN}) as server:
        code = main(_args(cluster, user, tmp_path / "out", "--target", "ckan", "--ckan-url", server.url))
        assert code == 0, capsys.readouterr().err
        assert server.state.uploads > 0
    rows = _publish_log(city)[before:]
    assert rows == [(user, "started", "ckan"), (user, "ok", "ckan")]


def test_an_account_that_cannot_log_does_not_publish(city, tmp_path, monkeypatch, capsys):
    cluster, _ = city
    monkeypatch.setenv("PGPASSWORD", "pw-desk_a")
    monkeypatch.setenv("CKAN_API_TOKEN", TOKEN)
    before = _publish_log(city)
    log_file = tmp_path / "log.jsonl"
    with CkanServer(tokens={TOKEN}) as server:
        code = main(
            _args(cluster, "desk_a", tmp_path / "out", "--target", "ckan", "--ckan-url", server.url)
            + ["--log-file", str(log_file)]
        )
        assert server.state.uploads == 0  # nothing left the building
    err = capsys.readouterr().err
    assert code == 1 and "may not do this" in err and "Traceback" not in err
    assert _publish_log(city) == before
    assert '"result": "started"' in log_file.read_text(encoding="utf-8")  # the attempt is in the scheduler's log


@pytest.mark.parametrize(
    "dsn",
    [
        "host=127.0.0.1 dbname=x user=officer1 password=hunter2-secret",
        "postgresql://officer1:hunter2-secret@127.0.0.1/x",
        "postgresql://officer1@127.0.0.1/x?password=hunter2-secret",
    ],
)
def test_password_in_the_arguments_is_refused(dsn, tmp_path, capsys):
    code = main(["--postgis", dsn, "--out", str(tmp_path), "--name", "x", "--title", "x"])
    err = capsys.readouterr().err
    assert code == 2 and "must not contain a password" in err and "PGPASSWORD" in err
    assert "hunter2" not in err
    assert not any(tmp_path.iterdir())  # nothing exported


def test_unreadable_connection_string_is_refused_without_echo(tmp_path, capsys):
    code = main(["--postgis", "junk = = hunter2", "--out", str(tmp_path), "--name", "x", "--title", "x"])
    err = capsys.readouterr().err
    assert code == 2 and "not a valid connection string" in err and "hunter2" not in err


def test_failed_connection_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PGPASSWORD", "whatever")
    port = free_port()  # nothing listens there
    code = main(
        ["--postgis", f"host=127.0.0.1 port={port} dbname=x user=u", "--out", str(tmp_path)]
        + ["--name", "x", "--title", "x"]
    )
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert (
        err.startswith("error: cannot open the store: cannot connect to PostGIS at 127.0.0.1:") and "unreachable" in err
    )


def test_wrong_password_is_one_clear_line(city, tmp_path, monkeypatch, capsys):
    cluster, _ = city
    monkeypatch.setenv("PGPASSWORD", "wrong")
    code = main(_args(cluster, "officer1", tmp_path / "out"))
    err = capsys.readouterr().err
    assert code == 3 and "password authentication failed for 'officer1'" in err and "Traceback" not in err
