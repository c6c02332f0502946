"""CKAN target against the local CKAN action API server: idempotent, resumable, clear errors, no token leaks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import requests

from ioc_qgis_plugin.devservers.ckan_server import CkanServer
from ioc_qgis_plugin.export.ckan import (
    CkanAuthError,
    CkanClient,
    CkanServerError,
    CkanTooLarge,
    CkanUnavailable,
    DatasetChanged,
    PublishIncomplete,
    publish_package,
)
from ioc_qgis_plugin.export.package import DatasetInfo, Distribution, sha256_file

TOKEN = "tok-" + "s3cr3t" * 4


@pytest.fixture
def server():
    with CkanServer(tokens={TOKEN}) as srv:
        yield srv


def _files(tmp_path: Path, version: str = "1", sizes: tuple[int, ...] = (2000, 3000, 500)) -> list[Distribution]:
    out = []
    for i, size in enumerate(sizes):
        p = tmp_path / f"ds-{i}.csv"
        p.write_bytes((f"v{version},{i}\n" * size).encode())
        out.append(Distribution(p, f"file {i}", "text/csv", "CSV", sha256_file(p), p.stat().st_size))
    meta = tmp_path / "ds.metadata.json"
    meta.write_text(
        '{"temporal": {"startDate": "2026-01-01", "endDate": "2026-02-01"}, "spatial": {"bbox": [1,2,3,4]}}'
    )
    out.append(Distribution(meta, "meta", "application/ld+json", "JSON-LD", sha256_file(meta), meta.stat().st_size))
    return out


INFO = DatasetInfo(name="phan-anh", title="Phản ánh", keywords=["ioc"], description="d")


def test_create_then_repeat_is_idempotent(server: CkanServer, tmp_path: Path) -> None:
    client = CkanClient(server.url, TOKEN)
    dists = _files(tmp_path)
    first = publish_package(client, INFO, dists)
    assert first.created and len(first.uploaded) == 4 and server.state.uploads == 4
    pkg = client.package_show("phan-anh")
    assert pkg["state"] == "active" and len(pkg["resources"]) == 4
    assert {t["name"] for t in pkg["tags"]} == {"ioc"}
    # download what was published: the exact bytes
    res = next(r for r in pkg["resources"] if r["name"] == "ds-0.csv")
    assert hashlib.sha256(requests.get(res["url"], timeout=5).content).hexdigest() == dists[0].sha256
    modified = pkg["metadata_modified"]
    again = publish_package(client, INFO, dists)
    assert not again.uploaded and len(again.skipped) == 4 and server.state.uploads == 4
    assert client.package_show("phan-anh")["metadata_modified"] == modified  # nothing written at all
    # one file changes → only that file is re-uploaded, into the same resource (no duplicate)
    (tmp_path / "ds-1.csv").write_bytes(b"changed\n")
    dists[1] = Distribution(dists[1].path, "file 1", "text/csv", "CSV", sha256_file(dists[1].path), 8)
    third = publish_package(client, INFO, dists)
    assert third.uploaded == ["ds-1.csv"] and len(client.package_show("phan-anh")["resources"]) == 4


def test_interrupted_upload_resumes(server: CkanServer, tmp_path: Path) -> None:
    client = CkanClient(server.url, TOKEN, retries=0)
    dists = _files(tmp_path)
    server.state.faults.fail = [["resource_create", 0], ["resource_create", 0], ["resource_create", 500]]  # 3rd fails
    with pytest.raises(PublishIncomplete) as info:
        publish_package(client, INFO, dists)
    err = info.value
    assert "2 of 4" in str(err) and "draft" in str(err) and "again" in str(err)
    assert err.remaining == ["ds-2.csv", "ds.metadata.json"]
    assert client.package_show("phan-anh")["state"] == "draft"
    before = server.state.uploads
    resumed = publish_package(client, INFO, dists)
    assert resumed.skipped == ["ds-0.csv", "ds-1.csv"] and resumed.uploaded == ["ds-2.csv", "ds.metadata.json"]
    assert server.state.uploads == before + 2
    assert client.package_show("phan-anh")["state"] == "active"


@pytest.mark.parametrize(
    "status, exc, words",
    [
        (401, CkanAuthError, "401"),
        (403, CkanAuthError, "403"),
        (500, CkanServerError, "500"),
    ],
)
def test_errors_are_clear_and_never_show_the_token(
    server: CkanServer, tmp_path: Path, status: int, exc: type, words: str
) -> None:
    client = CkanClient(server.url, TOKEN, retries=0)
    server.state.faults.fail = [["package_create", status]]
    with pytest.raises(exc) as info:
        publish_package(client, INFO, _files(tmp_path))
    assert words in str(info.value) and TOKEN not in str(info.value) and TOKEN not in repr(client)
    assert client.package_show("phan-anh") is None


def test_wrong_token_is_403(server: CkanServer, tmp_path: Path) -> None:
    with pytest.raises(CkanAuthError, match="token"):
        publish_package(CkanClient(server.url, "wrong"), INFO, _files(tmp_path))


def test_too_large_upload_is_413(server: CkanServer, tmp_path: Path) -> None:
    server.state.faults.max_upload_bytes = 40_000
    with pytest.raises(PublishIncomplete) as info:
        publish_package(CkanClient(server.url, TOKEN), INFO, _files(tmp_path, sizes=(100, 20000, 10)))
    assert isinstance(info.value.cause, CkanTooLarge) and "upload limit" in str(info.value)


def test_timeout_is_reported(server: CkanServer, tmp_path: Path) -> None:
    server.state.faults.delay_s = 1.0
    client = CkanClient(server.url, TOKEN, timeout=(1.0, 0.3), retries=0)
    with pytest.raises(CkanUnavailable, match="did not answer"):
        publish_package(client, INFO, _files(tmp_path))


def test_dataset_changed_on_portal_meanwhile(server: CkanServer, tmp_path: Path) -> None:
    client = CkanClient(server.url, TOKEN)
    dists = _files(tmp_path)
    publish_package(client, INFO, dists)
    (tmp_path / "ds-0.csv").write_bytes(b"new\n")
    (tmp_path / "ds-1.csv").write_bytes(b"new too\n")
    for i in (0, 1):
        dists[i] = Distribution(dists[i].path, "f", "text/csv", "CSV", sha256_file(dists[i].path), 4)
    # another user edits between our first upload and the second
    server.state.faults.edit_after = ("package_show", 3)
    with pytest.raises(PublishIncomplete) as info:
        publish_package(client, INFO, dists)
    assert isinstance(info.value.cause, DatasetChanged) and "someone else" in str(info.value)
    assert info.value.remaining[0] == "ds-1.csv"
    # edited before anything was sent: plain DatasetChanged, no upload
    uploads = server.state.uploads
    server.state.faults.edit_after = ("package_show", 1)
    with pytest.raises(DatasetChanged):
        publish_package(client, INFO, dists)
    assert server.state.uploads == uploads
