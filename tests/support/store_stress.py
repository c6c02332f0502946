"""Worker processes that share one IOC GeoPackage the way a city's desk does (issue 14).

    python -m tests.support.store_stress ROLE --gpkg F --out DIR --seconds S [--open311 URL] [--sta URL]

Roles: `holder` (QGIS: plugin store kept open + QgsVectorLayers of the OGR provider, panel reloads, card edits),
`desk` (edit loop), `briefing`, `export`, `sync` (pull + outbox push), `lights` (SensorThings refresh).
Every role loops until the deadline, opening and closing its store the way the real tool does, and writes
DIR/ROLE.json: iterations and every error it saw (type and message). Edit loops append each *acknowledged* edit
(update_report returned) to DIR/ROLE.acks, one `token<TAB>report_id` per line, flushed before the next edit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import traceback
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Run:
    def __init__(self, role: str, out: Path, seconds: float) -> None:
        self.role, self.out = role, out
        self.deadline = time.monotonic() + seconds
        self.iterations = 0
        self.errors: list[dict] = []
        self.conflicts = 0
        self.acks = (
            open(out / f"{role}.acks", "a", encoding="utf-8")  # noqa: SIM115 - kept open for the whole run
            if role in ("holder", "desk")
            else None
        )

    def alive(self) -> bool:
        return time.monotonic() < self.deadline

    def guard(self, what: str, fn: Callable[[], object]) -> object:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - every error is a finding of the stress test
            self.errors.append(
                {
                    "what": what,
                    "type": type(exc).__name__,
                    "message": str(exc)[:300],
                    "tb": traceback.format_exc()[-800:],
                }
            )
            return None

    def ack(self, token: str, report_id: str) -> None:
        assert self.acks is not None
        self.acks.write(f"{token}\t{report_id}\n")
        self.acks.flush()
        os.fsync(self.acks.fileno())

    def finish(self) -> None:
        if self.acks is not None:
            self.acks.close()
        (self.out / f"{self.role}.json").write_text(
            json.dumps(
                {"role": self.role, "iterations": self.iterations, "conflicts": self.conflicts, "errors": self.errors}
            ),
            encoding="utf-8",
        )


def desk_edit(run: Run, store, rng: random.Random, report_ids: list[str], tag: str) -> None:  # noqa: ANN001
    """One note on a random report, as the card does; a version conflict is reloaded and retried."""
    from ioc_qgis_plugin.store.errors import ConflictError

    rid = rng.choice(report_ids)
    token = f"{tag}-{run.iterations}-{rng.randrange(10**9)}"
    for _ in range(20):
        version = store.get_report(rid)["version"]
        try:
            store.update_report(rid, {}, actor=tag, note=token, expected_version=int(version))
        except ConflictError:
            run.conflicts += 1
            continue
        run.ack(token, rid)
        return
    raise RuntimeError(f"report {rid}: 20 conflicts in a row")


def report_ids(gpkg: str) -> list[str]:
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    s = GeoPackageStore.open(gpkg, read_only=True)
    try:
        return [r["report_id"] for r in s.fetch("field_reports", columns=["report_id"], order_by="report_id")]
    finally:
        s.close()


def pause(rng: random.Random) -> None:
    """Scheduled tools come and go: the gaps are when one of them may believe it is alone with the file."""
    time.sleep(rng.uniform(0.05, 0.5))


# -- roles ------------------------------------------------------------------------------------------------------
def role_holder(run: Run, a: argparse.Namespace) -> None:
    """QGIS itself: the plugin's store stays open, the IOC layers are QgsVectorLayers of QGIS's OGR provider on
    the same file (read, reloaded, recreated), the panel reloads on its own read-only connection, and the card
    saves edits through the plugin's store."""
    from qgis.core import QgsApplication, QgsVectorLayer

    from ioc_qgis_plugin.core.sla import SlaRules
    from ioc_qgis_plugin.gui.panel import load_panel_data
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    app = QgsApplication([], False)
    app.initQgis()
    rng = random.Random(a.seed)
    ids = report_ids(a.gpkg)
    store = GeoPackageStore.open(a.gpkg)
    layers: list = []

    def read_layers() -> None:
        for layer in layers:
            layer.reload()
            n = sum(1 for _ in layer.getFeatures())
            if n == 0 and layer.name() != "street_lights":
                raise RuntimeError(f"layer {layer.name()} is empty")

    def open_layers() -> list:
        out = []
        for name in ("field_reports", "street_lights", "wards"):
            uri, provider = store.layer_uri(name)
            layer = QgsVectorLayer(uri, name, provider)
            if not layer.isValid():
                raise RuntimeError(f"QGIS could not open layer {name}")
            out.append(layer)
        return out

    def panel_reload() -> None:
        s = GeoPackageStore.open(a.gpkg, read_only=True)
        try:
            load_panel_data(s, time.time(), SlaRules.default())
        finally:
            s.close()

    def reopen() -> None:  # the user opens the store again (IOC ▸ Open data store…)
        nonlocal store
        store.close()
        store = GeoPackageStore.open(a.gpkg)

    while run.alive():
        run.iterations += 1
        run.guard("card edit", lambda: desk_edit(run, store, rng, ids, "holder"))
        if run.iterations % 5 == 1:
            layers = []
            layers = run.guard("QGIS layers", open_layers) or []
        run.guard("layer reload", read_layers)
        run.guard("panel reload", panel_reload)
        if run.iterations % 10 == 0:
            run.guard("reopen store", reopen)
        time.sleep(rng.uniform(0.0, 0.05))
    layers = []
    store.close()


def role_desk(run: Run, a: argparse.Namespace) -> None:
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    rng = random.Random(a.seed)
    ids = report_ids(a.gpkg)
    while run.alive():
        run.iterations += 1

        def one() -> None:
            s = GeoPackageStore.open(a.gpkg)
            try:
                for _ in range(5):
                    desk_edit(run, s, rng, ids, "desk")
            finally:
                s.close()

        run.guard("desk edit", one)
        pause(rng)


def role_briefing(run: Run, a: argparse.Namespace) -> None:
    rng = random.Random(a.seed)
    from ioc_qgis_plugin.briefing.figures import compute_briefing
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    while run.alive():
        run.iterations += 1

        def one() -> None:
            s = GeoPackageStore.open(a.gpkg, read_only=True)  # as `python -m ioc_qgis_plugin.briefing` does
            try:
                b = compute_briefing(s, date.today())
                if not b.pages:
                    raise RuntimeError("briefing without pages")
            finally:
                s.close()

        run.guard("briefing", one)
        pause(rng)


def role_export(run: Run, a: argparse.Namespace) -> None:
    from ioc_qgis_plugin.export import cli

    out = run.out / "export"
    os.environ.setdefault("IOC_EXPORT_ID_SECRET", "stress-test-city-secret")  # published ids are keyed pseudonyms
    rng = random.Random(a.seed)
    while run.alive():
        run.iterations += 1
        argv = [
            "--gpkg",
            a.gpkg,
            "--target",
            "file",
            "--out",
            str(out),
            "--name",
            "stress",
            "--title",
            "Stress",
            "--who",
            f"stress-{run.iterations}",
        ]
        rc = run.guard("export", lambda argv=argv: cli.main(argv))
        if rc not in (0, None):
            run.errors.append({"what": "export", "type": "exit", "message": f"exit status {rc}"})
        pause(rng)


def role_sync(run: Run, a: argparse.Namespace) -> None:
    rng = random.Random(a.seed)
    from ioc_qgis_plugin.connectors.open311 import Open311Client
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore
    from ioc_qgis_plugin.sync.open311_sync import ReportSync
    from ioc_qgis_plugin.sync.outbox import OutboxPusher

    while run.alive():
        run.iterations += 1

        def one() -> None:
            client = Open311Client(a.open311, api_key="demo-key", sleep=lambda s: None, retries=1)
            s = GeoPackageStore.open(a.gpkg)
            try:
                res = ReportSync(s, client, initial_since=datetime.now(timezone.utc) - timedelta(days=60)).run()
                if getattr(res, "errors", None):
                    raise RuntimeError(f"sync: {res.errors}")
                push = OutboxPusher(s, client).push()
                if push.failed:
                    raise RuntimeError(f"outbox: {push.errors}")
            finally:
                s.close()

        run.guard("sync", one)
        pause(rng)


def role_lights(run: Run, a: argparse.Namespace) -> None:
    rng = random.Random(a.seed)
    from ioc_qgis_plugin.connectors.sensorthings import SensorThingsClient
    from ioc_qgis_plugin.lights.refresh import refresh
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    while run.alive():
        run.iterations += 1

        def one() -> None:
            client = SensorThingsClient(a.sta, retries=0, page_size=100)
            s = GeoPackageStore.open(a.gpkg)
            try:
                res = refresh(client, s, now=a.sta_now)
                if not res.ok:
                    raise RuntimeError(f"lights refresh: {res.error}")
            finally:
                s.close()

        run.guard("lights", one)
        pause(rng)


ROLES = {
    "holder": role_holder,
    "desk": role_desk,
    "briefing": role_briefing,
    "export": role_export,
    "sync": role_sync,
    "lights": role_lights,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=sorted(ROLES))
    ap.add_argument("--gpkg", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--open311", default="")
    ap.add_argument("--sta", default="")
    ap.add_argument("--sta-now", type=float, default=0.0)
    a = ap.parse_args(argv)
    out = Path(a.out)
    run = Run(a.role, out, a.seconds)
    try:
        run.guard(a.role, lambda: ROLES[a.role](run, a))
    finally:
        run.finish()
    if a.role == "holder":
        os._exit(0)  # QGIS 3.22 can crash in C++ destructors at exit; the results are written
    return 0


if __name__ == "__main__":
    sys.exit(main())
