"""Documentation test: every shell block in the README runs as written, against the demo data.

The blocks run with bash in a scratch folder laid out like the checkout after `make demo` (the package,
`.venv`, `build/demo/ioc.gpkg`, the demo QGIS profile), with the services `make demo` starts running on ports of
this test's own. Only what differs between this machine and the README is replaced, and each replacement is
listed here: the demo services' fixed ports become the test's ports, `/tmp/` becomes the test's own folder, and
libpq's PGHOST/PGPORT/PGUSER/PGPASSWORD (which the README asks the reader to set) point at a throwaway cluster.
A block that cannot run here says why in a `<!-- doc-test: skip — reason -->` line right above it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from ioc_qgis_plugin.store.gpkg import GeoPackageStore

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SKIP = re.compile(r"<!--\s*doc-test:\s*skip\s*[—:-]\s*(?P<why>.+?)\s*-->")
# what of the checkout a reader's working folder holds after `make demo` (symlinked into the scratch folder)
CHECKOUT = ("ioc_qgis_plugin", "processing_scripts", "layers", "tools", "Makefile", "metadata.txt", ".venv")
DEMO_CKAN_TOKEN = "demo-ckan-token"  # tools/run_demo.py starts the demo portal with it


@dataclass
class Block:
    line: int
    text: str
    skip_reason: str


def shell_blocks(markdown: str) -> list[Block]:
    blocks, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() in ("```sh", "```bash", "```shell"):
            start, body = i, []
            i += 1
            while lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            above = lines[start - 1] if start else ""
            match = SKIP.search(above)
            blocks.append(Block(start + 1, "\n".join(body), match.group("why") if match else ""))
        i += 1
    return blocks


BLOCKS = shell_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_commands_and_every_skip_says_why() -> None:
    assert len([b for b in BLOCKS if not b.skip_reason]) >= 4
    for block in BLOCKS:
        assert "…" not in block.text, f"README line {block.line}: a '…' placeholder cannot be pasted as is"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, demo_gpkg: Path) -> Path:  # noqa: ANN001
    root = tmp_path_factory.mktemp("reader")
    work = root / "checkout"
    (work / "build" / "demo").mkdir(parents=True)
    for name in CHECKOUT:
        # `.venv` is the virtualenv running these tests (the checkout's own, or /opt/venv in the QGIS 3.40 root)
        (work / name).symlink_to(Path(sys.prefix) if name == ".venv" else ROOT / name)
    GeoPackageStore.copy_file(demo_gpkg, work / "build" / "demo" / "ioc.gpkg")
    (work / "build" / "demo" / "export-id-secret").write_text(os.urandom(32).hex() + "\n")  # as make demo-data
    stage = root / "stage"
    subprocess.run(["make", "-s", "-C", str(ROOT), "stage", f"BUILD={stage}"], check=True, capture_output=True)
    from tools.qgis_profile import make_profile

    make_profile(work / "build" / "demo" / "qgis-profile", stage / "ioc_qgis_plugin")
    (root / "tmp").mkdir()
    return work


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, str]]:
    """The demo's services on this test's ports: {what the README says: what to use here}."""
    from ioc_qgis_plugin.devservers.ckan_server import CkanServer

    with CkanServer(tokens={DEMO_CKAN_TOKEN}) as ckan:
        yield {"http://127.0.0.1:8800": ckan.url}


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    from tests.support.pgcluster import PgCluster

    with PgCluster() as cluster:
        yield {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(cluster.port),
            "PGUSER": cluster.superuser,
            "PGPASSWORD": cluster.password,
        }


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b.skip_reason], ids=lambda b: f"README-line-{b.line}")
def test_readme_block_runs_as_written(block: Block, scratch: Path, services: dict, request) -> None:  # noqa: ANN001
    tmp = scratch.parent / "tmp"
    script = block.text.replace("/tmp/", f"{tmp}/")
    for demo_address, here in services.items():
        script = script.replace(demo_address, here)
    # a reader's shell has none of the test runner's PYTHONPATH / PROJ_DATA / PG* settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k not in ("PYTHONPATH", "PROJ_DATA")}
    if "postgis_admin" in script:
        env.update(request.getfixturevalue("postgres"))
    before = _entries(scratch)
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    shown = (
        f"README line {block.line}:\n{block.text}\n--- stdout\n{run.stdout[-3000:]}\n--- stderr\n{run.stderr[-3000:]}"
    )
    assert run.returncode == 0, shown
    assert "Traceback" not in run.stderr, shown
    assert "PROJ data directory not found" not in run.stdout + run.stderr, shown
    for written in re.findall(r"(?<![\w/])/tmp/[\w./-]+", block.text):
        assert (tmp / written[len("/tmp/") :]).exists(), f"{written} was not written\n{shown}"
    assert _entries(scratch) == before, f"the commands wrote into the working folder\n{shown}"


def test_the_demo_store_is_left_closed(scratch: Path) -> None:
    """Run last in this module: after the README's tools ran, no -wal/-shm of theirs is left beside the store."""
    leftovers = sorted(p.name for p in (scratch / "build" / "demo").glob("ioc.gpkg-*"))
    assert not leftovers, leftovers
