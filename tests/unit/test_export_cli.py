"""The scheduled-publishing CLI: token from the environment only, never printed; re-run uploads nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ioc_qgis_plugin.devservers.ckan_server import CkanServer

TOKEN = "cli-token-" + "x9" * 10


ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ioc_qgis_plugin.export", *args],
        env={**os.environ, "IOC_EXPORT_ID_SECRET": "cli-test-city-secret-0001", "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_publishes_to_ckan_idempotently(demo_copy: Path, tmp_path: Path) -> None:
    with CkanServer(tokens={TOKEN}) as srv:
        args = ["--gpkg", str(demo_copy), "--target", "ckan", "--ckan-url", srv.url, "--name", "phan-anh"]
        args += ["--title", "Phản ánh", "--out", str(tmp_path / "out"), "--start", "2026-06-01"]
        first = _run(args, {"CKAN_API_TOKEN": TOKEN})
        assert first.returncode == 0, first.stderr
        assert "uploaded" in first.stdout and TOKEN not in first.stdout + first.stderr
        uploads = srv.state.uploads
        second = _run(args, {"CKAN_API_TOKEN": TOKEN})
        assert second.returncode == 0 and srv.state.uploads == uploads and "0 files uploaded" in second.stdout
        missing = _run(args, {"CKAN_API_TOKEN": ""})
        assert missing.returncode == 2 and "CKAN_API_TOKEN" in missing.stderr
        # unchanged data needs no write, so a wrong token only shows on a dataset that must be created
        wrong = _run([*args, "--name", "other"], {"CKAN_API_TOKEN": "wrong-token"})
        assert wrong.returncode == 1 and "403" in wrong.stderr and "wrong-token" not in wrong.stderr


def test_cli_file_target_and_bad_policy(demo_copy: Path, tmp_path: Path) -> None:
    ok = _run(["--gpkg", str(demo_copy), "--name", "ds", "--title", "T", "--out", str(tmp_path / "o")], {})
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "o" / "ds.gpkg").is_file()
    rules = tmp_path / "rules.json"
    rules.write_text('{"field_reports": {"reporter_phone": "keep"}}')
    bad = _run(
        [
            "--gpkg",
            str(demo_copy),
            "--name",
            "ds",
            "--title",
            "T",
            "--rules",
            str(rules),
            "--out",
            str(tmp_path / "o2"),
        ],
        {},
    )
    assert bad.returncode == 2 and "personal" in bad.stderr


def test_cli_writes_nothing_where_it_runs_unless_asked(demo_copy: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    no_out = _run(["--gpkg", str(demo_copy), "--name", "ds", "--title", "T"], {}, cwd=work)
    assert no_out.returncode == 2 and "--out" in no_out.stderr
    with CkanServer(tokens={TOKEN}) as srv:
        args = ["--gpkg", str(demo_copy), "--target", "ckan", "--ckan-url", srv.url, "--name", "ds", "--title", "T"]
        placeholder = _run(args, {"CKAN_API_TOKEN": "…"}, cwd=work)  # the README's placeholder pasted as is
        assert placeholder.returncode == 2 and "CKAN_API_TOKEN" in placeholder.stderr, placeholder.stderr
        assert "Traceback" not in placeholder.stderr
        published = _run([*args, "--start", "2026-06-01"], {"CKAN_API_TOKEN": TOKEN}, cwd=work)
        assert published.returncode == 0 and "uploaded" in published.stdout, published.stderr
    assert not list(work.iterdir())  # the package went to a temporary folder, removed after the upload
