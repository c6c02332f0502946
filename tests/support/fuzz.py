"""Fuzzing harness shared by the bounded hypothesis tests (tests/unit/test_fuzz_*.py) and the deep `make fuzz`.

Every case goes through the real pipeline into a real GeoPackage store and is classified:
  ok        read and stored, and what was stored passes the invariants below
  refused   a clear, expected error (Open311FormatError/Open311Error, SensorThings ok=False, CadastreError)
  uncaught  any other exception — a bug
  garbage   something stored breaks an invariant (bad id, surrogate, implausible date/place/value, leaked credential)
  hang      the case took more than HANG_S seconds (interrupted at CUT_S)
Mutations are seeded (random.Random(seed)): a failing case is reproduced by its connector, seed and index.
"""

from __future__ import annotations

import json
import logging
import math
import random
import signal
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

HANG_S = 5.0
CUT_S = 30.0

HOSTILE_STRINGS = [
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "\x00",
    "\x1b[31m",
    "x" * 20_000,
    "True",
    "null",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+01:00",
    "2024-02-30T10:00:00Z",
    "2024-05-01T10:00:00+99:99",
    "2024-05-01T10:00:00",
    "1e400",
    "-0",
    "NaN",
    "Infinity",
    "107.2,10.9",
    "<b>x</b>",
    "&amp;",
    "Đường Hùng Vương",
    "\ufffd",
    "0" * 25,
    "12345678901234567890",
]
HOSTILE_NUMBERS = [0, -1, 1, 2**63, -(2**63), 10**30, 1e308, -1e308, 1e-320, 0.5, float("inf"), float("-inf")]
HOSTILE_NUMBERS.append(float("nan"))


def hostile_value(rng: random.Random, depth: int = 0) -> Any:
    k = rng.random()
    if k < 0.35:
        return rng.choice(HOSTILE_STRINGS)
    if k < 0.6:
        return rng.choice(HOSTILE_NUMBERS)
    if k < 0.7:
        return rng.choice([None, True, False])
    if k < 0.8 and depth < 3:
        return [hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if k < 0.9 and depth < 3:
        return {rng.choice(["a", "value", "code", "description"]): hostile_value(rng, depth + 1)}
    return rng.uniform(-500, 500)


def mutate_tree(value: Any, rng: random.Random, n: int) -> Any:
    """n random edits inside a JSON-like value: replace, delete, duplicate, retype."""
    for _ in range(n):
        paths = list(_paths(value))
        if not paths:
            return hostile_value(rng)
        path = rng.choice(paths)
        parent, key = _resolve(value, path)
        if parent is None:
            value = hostile_value(rng)
            continue
        op = rng.random()
        if op < 0.6:
            parent[key] = hostile_value(rng)
        elif op < 0.75 and isinstance(parent, dict):
            parent.pop(key, None)
        elif op < 0.85 and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key], allow_nan=True)))
        else:
            parent[key] = [parent[key]] if rng.random() < 0.5 else str(parent[key])
    return value


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _resolve(value: Any, path: tuple) -> tuple[Any, Any]:
    if not path:
        return None, None
    cur = value
    for p in path[:-1]:
        cur = cur[p]
    return cur, path[-1]


def mutate_bytes(body: bytes, rng: random.Random) -> bytes:
    op = rng.random()
    b = bytearray(body)
    if op < 0.2 and b:
        return bytes(b[: rng.randrange(len(b))])  # truncated
    if op < 0.4 and b:
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if op < 0.55:
        pos = rng.randrange(len(b) + 1)
        return bytes(b[:pos]) + rng.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xa0"]) + bytes(b[pos:])
    if op < 0.65:
        return rng.choice([b"[" * 100_000, b"{" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000])
    if op < 0.75:
        return b"\xef\xbb\xbf" + bytes(b)
    return bytes(b)


@dataclass
class Tally:
    connector: str
    cases: int = 0
    ok: int = 0
    refused: int = 0
    uncaught: int = 0
    garbage: int = 0
    hangs: int = 0
    slowest_s: float = 0.0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, outcome: str, seconds: float, detail: str = "") -> None:
        self.cases += 1
        self.slowest_s = max(self.slowest_s, seconds)
        if seconds > HANG_S:
            self.hangs += 1
            self.examples.setdefault("hang", []).append(f"case {self.cases - 1}: {seconds:.1f} s {detail}"[:300])
        setattr(self, outcome, getattr(self, outcome) + 1)
        if outcome in ("uncaught", "garbage") and len(self.examples.setdefault(outcome, [])) < 10:
            self.examples[outcome].append(f"case {self.cases - 1}: {detail}"[:300])

    def line(self) -> str:
        return (
            f"{self.connector:14s} cases {self.cases:6d}  uncaught {self.uncaught:4d}  hangs>5s {self.hangs:3d}  "
            f"garbage stored {self.garbage:4d}  (ok {self.ok}, refused {self.refused}, slowest {self.slowest_s:.2f} s)"
        )


class _Cut(Exception):
    pass


@contextmanager
def cut_after(seconds: float) -> Iterator[None]:
    """Interrupt a runaway case (main thread only): it is then counted as a hang, not waited for."""

    def _raise(*_: Any) -> None:
        raise _Cut()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _has_surrogate(s: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in s)


def text_ok(v: Any, limit: int = 10_000) -> bool:
    return v is None or (isinstance(v, str) and not _has_surrogate(v) and "\x00" not in v and len(v) <= limit)


# -- Open311 ---------------------------------------------------------------------------------------------------------
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def open311_seed_records(rng: random.Random, n: int = 6) -> list[dict[str, Any]]:
    from ioc_qgis_plugin.devservers.hostile_server import good_request

    out = []
    for _ in range(n):
        day = 1 + rng.randrange(28)
        out.append(
            good_request(rng.randrange(100_000), requested=f"2024-05-{day:02d}T0{rng.randrange(10)}:00:00+07:00")
        )
    return out


def open311_case(rng: random.Random, fmt: str) -> bytes:
    from ioc_qgis_plugin.devservers.hostile_server import HOSTILE_BODIES, json_body, xml_body

    records: Any = open311_seed_records(rng)
    records = mutate_tree(records, rng, rng.randint(1, 6))
    if fmt == "json":
        body = json_body(records)
    else:
        body = xml_body([r for r in records if isinstance(r, dict)] if isinstance(records, list) else [])
        if rng.random() < 0.3:
            body = _xml_trick(body, rng)
    if rng.random() < 0.35:
        body = mutate_bytes(body, rng)
    if rng.random() < 0.05:
        body = rng.choice([b for f, b, _ in HOSTILE_BODIES.values() if f == fmt])
    return body


def _xml_trick(body: bytes, rng: random.Random) -> bytes:
    tricks = [
        lambda b: b.replace(b"<service_requests>", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><service_requests>'),
        lambda b: b.replace(b'encoding="utf-8"', b'encoding="x-klingon"'),
        lambda b: b.replace(b"<service_requests>", b'<service_requests xmlns="urn:x">'),
        lambda b: b.replace(b"<service_requests>", b"<errors>").replace(b"</service_requests>", b"</errors>"),
        lambda b: b.replace(b"</request>", b"<x>" * 1000 + b"</x>" * 1000 + b"</request>", 1),
        lambda b: b.replace(b"<description>", b"<description><![CDATA[\xff]]>", 1),
        lambda b: b"<html><body>" + b + b"</body></html>",
    ]
    return rng.choice(tricks)(body)


def open311_garbage(store: Any, new_since_fid: int, ids: set[str], fmt: str = "json") -> Optional[str]:
    """The first stored row breaking an invariant. `ids`: the ids the answer really carried (texts and integers;
    a JSON true is not one) — a stored id from anywhere else (e.g. "True") is garbage."""
    from ioc_qgis_plugin.connectors.open311_parse import MAX_ID_CHARS, VIETNAM_BOUNDS

    rows = store.fetch("field_reports", "fid > ?", (new_since_fid,))
    for r in rows:
        if r["report_id"] not in ids:
            return f"id {str(r['report_id'])[:40]!r} is not one the server sent"
    chunk = sorted(i for i in ids if not _has_surrogate(i))[:500]
    if chunk:
        rows += store.fetch("field_reports", f"report_id IN ({', '.join('?' * len(chunk))})", chunk)
    lat0, lat1, lon0, lon1 = VIETNAM_BOUNDS
    for r in rows:
        rid = r["report_id"]
        if not isinstance(rid, str) or len(rid) > MAX_ID_CHARS:
            return f"id {str(rid)[:40]!r}"
        if _has_surrogate(rid) or not rid.isprintable():
            return f"id {rid[:40]!r}"
        for k, v in r.items():
            if isinstance(v, str) and not text_ok(v):
                return f"{k} of {rid[:30]!r}: {v[:40]!r}"
            if isinstance(v, float) and not math.isfinite(v):
                return f"{k} of {rid[:30]!r}: {v}"
        for k in ("requested_at", "updated_at", "expected_at", "due_at", "resolved_at"):
            v = r.get(k)
            if v and not ("1970" <= str(v)[:4] <= "2101"):
                return f"{k} of {rid[:30]!r}: {v!r}"
        if (r["lat"] is None) != (r["lon"] is None):
            return f"half a location for {rid[:30]!r}"
        if r["lat"] is not None and not (lat0 <= r["lat"] <= lat1 and lon0 <= r["lon"] <= lon1):
            return f"location of {rid[:30]!r}: {r['lat']}, {r['lon']}"
        if r["service_code"] in (None, ""):
            return f"service_code of {rid[:30]!r}: {r['service_code']!r}"
    return None


class Open311Fuzzer:
    """Parses a body and commits it as one sync window into a real GeoPackage (what ReportSync does per window)."""

    def __init__(self, fmt: str, workdir: Path) -> None:
        from ioc_qgis_plugin.store.gpkg import GeoPackageStore

        self.fmt = fmt
        self.store = GeoPackageStore.create(workdir / f"fuzz_open311_{fmt}.gpkg", overwrite=True)

    def close(self) -> None:
        self.store.close()

    def run(self, body: bytes) -> tuple[str, str]:
        from ioc_qgis_plugin.connectors import open311_parse as parse
        from ioc_qgis_plugin.connectors.open311 import Open311Client, Window
        from ioc_qgis_plugin.sync.open311_sync import SyncResult

        last_fid = self.store._query("SELECT COALESCE(MAX(fid), 0) FROM field_reports")[0][0]
        try:
            records = parse.request_records(body, self.fmt)
        except parse.Open311FormatError as exc:
            return "refused", str(exc)[:120]
        client = Open311Client("http://127.0.0.1:9/open311", fmt=self.fmt)  # never called: no network here
        sync = _sync_for(self.store, client)
        ids = {
            str(v).strip()
            for v in (r.get("service_request_id") for r in records if isinstance(r, dict))
            if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
        }
        window = Window(NOW - timedelta(days=90), NOW, records)
        sync._commit_window(window, "requested", set(), SyncResult(), "")
        bad = open311_garbage(self.store, last_fid, ids, self.fmt)
        return ("garbage", bad) if bad else ("ok", "")


def _sync_for(store: Any, client: Any) -> Any:
    from ioc_qgis_plugin.sync.open311_sync import ReportSync

    return ReportSync(store, client, now=lambda: NOW)


# -- SensorThings ----------------------------------------------------------------------------------------------------
SECRET = {"Authorization": "Bearer fuzz-secret", "X-API-Key": "fuzz-key"}


def sensorthings_case(rng: random.Random, base: str, other: str) -> dict[str, Any]:
    """Routes for one case: a first page (maybe more) of Things with mutated parts and links."""
    from ioc_qgis_plugin.devservers.hostile_server import thing

    things: Any = [thing(rng.randrange(1, 10_000)) for _ in range(rng.randint(1, 4))]
    things = mutate_tree(things, rng, rng.randint(0, 6))
    page: Any = {"value": things}
    if rng.random() < 0.2:
        page = mutate_tree(page, rng, 1)
    links = [
        None,
        "Things?p=2",
        base + "/v1.1/Things?p=2",
        other + "/v1.1/Things?p=2",  # another origin: must be refused, no credentials sent
        base.replace("http://", "https://") + "/v1.1/Things?p=2",
        base + "/v1.1/Things",  # itself: loop
        "Things?p=1",
        "javascript:alert(1)",
        "//" + other.split("//", 1)[1] + "/v1.1/Things",
        5,
        "x" * 10_000,
    ]
    routes: dict[str, Any] = {}
    if isinstance(page, dict) and rng.random() < 0.5:
        page["@iot.nextLink"] = rng.choice(links)
    if isinstance(things, list) and things and isinstance(things[0], dict) and rng.random() < 0.3:
        things[0]["Datastreams@iot.nextLink"] = rng.choice(links[1:])
    second: Any = {"value": [thing(20_000)], "@iot.nextLink": rng.choice(links)}
    routes["first"] = page
    routes["second"] = second
    routes["redirect"] = rng.random() < 0.1
    routes["mutate_bytes"] = rng.random() < 0.2
    routes["ctype"] = rng.choice(
        ["application/json", "application/json", "text/plain", None, "application/json; charset=latin-1"]
    )
    routes["status"] = rng.choice([200] * 12 + [500, 403, 404, 301])
    return routes


def sensorthings_garbage(store: Any, other: Any) -> Optional[str]:
    if any(k.lower() in ("authorization", "x-api-key") for s in other.seen for k in s.headers):
        return "credentials sent to another origin"
    for r in store.fetch("street_lights", geometry=True):
        lid = r["light_id"]
        if not isinstance(lid, str) or not lid.isprintable() or _has_surrogate(lid) or len(lid) > 128:
            return f"light_id {str(lid)[:40]!r}"
        g = r.get("geom")
        if g is not None and not (-180 <= g.x <= 180 and -90 <= g.y <= 90 and math.isfinite(g.x + g.y)):
            return f"location of {lid}: {g.wkt[:60]}"
        lv, pw = r.get("light_level"), r.get("active_power_w")
        if lv is not None and not (0 <= lv <= 100):
            return f"light_level of {lid}: {lv}"
        if pw is not None and not (0 <= pw <= 100_000):
            return f"active_power_w of {lid}: {pw}"
        rp = r.get("rated_power_w")
        if rp is not None and not (0 < rp <= 100_000):
            return f"rated_power_w of {lid}: {rp}"
        for k in ("ward_id", "cabinet_id", "circuit_id", "lamp_type"):
            if not text_ok(r.get(k), 200):
                return f"{k} of {lid}"
    return None


class SensorThingsFuzzer:
    """Serves each case from a hostile server (plus a second origin that must never see credentials)."""

    def __init__(self, workdir: Path) -> None:
        from ioc_qgis_plugin.devservers.hostile_server import HostileServer
        from ioc_qgis_plugin.store.gpkg import GeoPackageStore

        self.srv = HostileServer().start()
        self.other = HostileServer().start()
        self.store = GeoPackageStore.create(workdir / "fuzz_sensorthings.gpkg", overwrite=True)

    def close(self) -> None:
        self.srv.stop()
        self.other.stop()
        self.store.close()

    def run(self, case: dict[str, Any], rng: random.Random) -> tuple[str, str]:
        from ioc_qgis_plugin.connectors.sensorthings import SensorThingsClient
        from ioc_qgis_plugin.devservers.hostile_server import Reply, json_body
        from ioc_qgis_plugin.lights.refresh import refresh

        body = json_body(case["first"])
        if case["mutate_bytes"]:
            body = mutate_bytes(body, rng)
        first = Reply(case["status"], body, case["ctype"])
        if case["redirect"]:
            first = Reply(302, b"", None, {"Location": rng.choice([self.other.url, self.srv.url]) + "/v1.1/Things"})
        self.srv.routes.clear()
        self.other.seen.clear()
        with self.store.transaction():  # each case starts from an empty lights table (cases stay independent and
            for table in ("street_lights", "light_readings"):  # fast: a growing table made every refresh slower)
                self.store._execute(f"DELETE FROM {self.store._qualified(table)}")
        self.srv.route("/v1.1/Things", first)
        self.srv.route("/v1.1/Things2", Reply(body=json_body(case["second"])))
        self.other.route("/v1.1/Things", Reply(body=json_body(case["second"])))
        client = SensorThingsClient(
            self.srv.url + "/v1.1", headers=dict(SECRET), retries=0, max_pages=20, timeout=(2.0, 5.0)
        )
        result = refresh(client, self.store, now=1714566000.0)
        bad = sensorthings_garbage(self.store, self.other)
        if bad:
            return "garbage", bad
        return ("ok", "") if result.ok else ("refused", result.error[:120])


# -- Cadastre --------------------------------------------------------------------------------------------------------
class CadastreFuzzer:
    """Writes a small sheet, mutates its attributes, geometry or bytes, imports it into a real GeoPackage."""

    def __init__(self, workdir: Path) -> None:
        from ioc_qgis_plugin.store.gpkg import GeoPackageStore

        self.dir = Path(tempfile.mkdtemp(prefix="fuzz_cad_", dir=workdir))
        self.store = GeoPackageStore.create(workdir / "fuzz_cadastre.gpkg", overwrite=True)
        self.mappings: dict[str, Any] = {}  # per driver, from an unmutated file: what a user would have chosen
        from osgeo import gdal

        # The Shapefile driver looks every .prj up in the EPSG database (0.1–0.9 s a file here, most of a case).
        # Off in the fuzzer only: the importer decides the CRS from the projection parameters, not that match.
        gdal.SetConfigOption("USE_OSR_FIND_MATCHES", "NO")

    def close(self) -> None:
        self.store.close()

    def make(self, rng: random.Random, index: int) -> str:
        from shapely.geometry import Polygon

        from ioc_qgis_plugin.land.synthetic import make_sheet

        sheet = make_sheet(6, seed=rng.randrange(1000))
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(6)
            what = rng.random()
            if what < 0.25:
                sheet.parcel_no[i] = rng.choice([0, -1, 2**31 - 1, 10**9 + 1])
            elif what < 0.45:
                sheet.area_declared[i] = rng.choice([0.0, -1.0, 1e308, float("nan"), 1e-9])
            elif what < 0.65:
                sheet.land_use[i] = rng.choice(["", "ODT", "XX", "\ufffd", "odt", "ODT\x00", "Đ"])
            elif what < 0.8:
                # what a file can hold (GDAL cannot write lone surrogates); the byte mutations do the rest
                sheet.address[i] = rng.choice([t for t in HOSTILE_STRINGS if not _has_surrogate(t)])
            else:
                c = sheet.geoms[i].centroid
                pts = [(c.x + rng.uniform(-5, 5), c.y + rng.uniform(-5, 5)) for _ in range(rng.randint(3, 40))]
                sheet.geoms[i] = Polygon(pts)  # mostly self-intersecting
        from osgeo import gdal

        gdal.PushErrorHandler("CPLQuietErrorHandler")  # the writer's own complaints about hostile values
        try:
            return self._write(sheet, rng, index)
        finally:
            gdal.PopErrorHandler()

    def _write(self, sheet: Any, rng: random.Random, index: int) -> str:
        from ioc_qgis_plugin.land.synthetic import write_sheet

        sub = self.dir / f"c{index % 4}"
        sub.mkdir(exist_ok=True)
        for f in sub.glob("*"):
            f.unlink()
        driver = rng.choice(["ESRI Shapefile", "GPKG"])
        name = "t.shp" if driver == "ESRI Shapefile" else "t.gpkg"
        path = write_sheet(sheet, str(sub / name), driver=driver)
        if driver not in self.mappings:
            from ioc_qgis_plugin.land.mapping import guess_mapping
            from ioc_qgis_plugin.land.reader import read_cadastre

            self.mappings[driver] = guess_mapping(read_cadastre(path).field_names)
        self.last_driver = driver
        if rng.random() < 0.5:
            _mutate_file(sub, driver, rng)
        return path

    def run(self, path: str) -> tuple[str, str]:
        from ioc_qgis_plugin.land import importer
        from ioc_qgis_plugin.land.errors import CadastreError, ImportCancelled
        from ioc_qgis_plugin.land.quality import QualityOptions

        try:
            mapping = self.mappings[self.last_driver]
            importer.import_cadastre(
                path, self.store, mapping, mode="replace_sheets", quality_options=QualityOptions(repair_budget_s=3.0)
            )
        except (CadastreError, ImportCancelled) as exc:
            return "refused", str(exc)[:120]
        bad = cadastre_garbage(self.store)
        return ("garbage", bad) if bad else ("ok", "")


def _mutate_file(folder: Path, driver: str, rng: random.Random) -> None:
    import struct

    files = sorted(folder.glob("*"))
    target = rng.choice(files)
    raw = bytearray(target.read_bytes())
    op = rng.random()
    if target.suffix == ".shp" and op < 0.3 and len(raw) > 180:
        raw[rng.choice([156, 164, 172, 180])] = 0  # keep going below: a NaN/odd double in a vertex
        pos = rng.choice([156, 164, 172])
        raw[pos : pos + 8] = struct.pack("<d", rng.choice([float("nan"), float("inf"), 1e300, -1e300]))
    elif target.suffix == ".prj" and op < 0.5:
        pos = rng.randrange(len(raw) + 1)
        raw[pos:pos] = rng.choice([b"\xa0", b"\xff", b"\xc3", b"\x00"])
    elif op < 0.6 and raw:
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
    elif raw:
        raw = raw[: rng.randrange(len(raw))]
    target.write_bytes(bytes(raw))


def cadastre_garbage(store: Any) -> Optional[str]:
    for r in store.fetch("parcels", geometry=True):
        pid = r["parcel_id"]
        if not (isinstance(r["parcel_no"], int) and 1 <= r["parcel_no"] <= 10**9):
            return f"parcel_no of {pid}: {r['parcel_no']!r}"
        if not (isinstance(r["sheet_no"], int) and 1 <= r["sheet_no"] <= 10**9):
            return f"sheet_no of {pid}: {r['sheet_no']!r}"
        a = r["area_declared"]
        if a is not None and not (math.isfinite(a) and 0 < a <= 1e9):
            return f"area_declared of {pid}: {a!r}"
        g = r["geom"]
        if g is None or g.is_empty or not g.is_valid:
            return f"geometry of {pid}: {'none' if g is None else g.wkt[:60]}"
        x0, y0, x1, y1 = g.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            return f"geometry of {pid} outside WGS 84: {g.bounds}"
        for k in ("land_use", "address", "owner_type"):
            if not text_ok(r.get(k), 1000):
                return f"{k} of {pid}"
    return None


# -- driver -----------------------------------------------------------------------------------------------------------
def run_connector(
    connector: str, cases: int, seed: int, workdir: Path, on_case: Optional[Callable[[Tally], None]] = None
) -> Tally:
    """`cases` seeded cases of one connector; never raises for what a case does."""
    tally = Tally(connector)
    logging.getLogger("ioc").setLevel(logging.CRITICAL)  # every case logs its problems: keep the run readable
    if connector in ("open311_json", "open311_xml"):
        fuzzer: Any = Open311Fuzzer(connector.split("_")[1], workdir)
    elif connector == "sensorthings":
        fuzzer = SensorThingsFuzzer(workdir)
    elif connector == "cadastre":
        fuzzer = CadastreFuzzer(workdir)
    else:
        raise ValueError(f"unknown connector {connector!r}")
    try:
        for i in range(cases):
            rng = random.Random(f"{seed}:{connector}:{i}")
            t0 = time.perf_counter()
            try:
                with cut_after(CUT_S):
                    if connector.startswith("open311"):
                        outcome, detail = fuzzer.run(open311_case(rng, fuzzer.fmt))
                    elif connector == "sensorthings":
                        outcome, detail = fuzzer.run(sensorthings_case(rng, fuzzer.srv.url, fuzzer.other.url), rng)
                    else:
                        outcome, detail = fuzzer.run(fuzzer.make(rng, i))
            except _Cut:
                outcome, detail = "refused", f"cut after {CUT_S:.0f} s"
            except Exception as exc:  # noqa: BLE001 - counting them is the point
                outcome, detail = "uncaught", f"{type(exc).__name__}: {str(exc)[:200]}"
            tally.add(outcome, time.perf_counter() - t0, detail)
            if on_case is not None:
                on_case(tally)
    finally:
        fuzzer.close()
    return tally
