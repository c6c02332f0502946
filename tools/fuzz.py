"""Deep fuzzing of the connectors (`make fuzz`): ≥ 10,000 seeded cases each through the real pipeline into real
GeoPackages; prints per connector cases / uncaught / hangs > 5 s / garbage stored and records
bench/results.json rows fuzz_<connector>_uncaught and fuzz_<connector>_cases (plus _hangs and _garbage).

Connectors run in parallel worker processes (--jobs); a connector that does not finish within --budget seconds is
stopped at the case it reached and reported with the cases it ran. More connectors (e.g. "store") plug into
tests/support/fuzz.py:run_connector.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONNECTORS = ("open311_json", "open311_xml", "sensorthings", "cadastre")
SLOWEST_FIRST = ("cadastre", "sensorthings", "open311_json", "open311_xml")  # ~0.25 / 0.15 / 0.02 / 0.02 s a case


def _worker(connector: str, cases: int, seed: int, budget_s: float, out: str) -> None:
    from tests.support.fuzz import run_connector

    started = time.monotonic()
    status = Path(out)

    def save(tally) -> None:  # noqa: ANN001
        if tally.cases % 100 == 0 or tally.cases == cases:
            status.write_text(json.dumps({**_as_dict(tally), "seconds": time.monotonic() - started}))

    with tempfile.TemporaryDirectory(prefix=f"fuzz_{connector}_") as work:
        tally = run_connector(connector, cases, seed, Path(work), on_case=save)
    status.write_text(json.dumps({**_as_dict(tally), "seconds": time.monotonic() - started, "done": True}))


def _as_dict(tally) -> dict:  # noqa: ANN001
    return {
        k: getattr(tally, k)
        for k in ("connector", "cases", "ok", "refused", "uncaught", "garbage", "hangs", "slowest_s", "examples")
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--budget", type=float, default=3600.0, help="seconds per connector before it is stopped")
    ap.add_argument("--only", nargs="*", default=list(CONNECTORS))
    ap.add_argument("--no-record", action="store_true", help="do not write bench/results.json")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    ctx = mp.get_context("spawn")  # a fresh interpreter per connector: no shared GDAL/sqlite state
    tmp = Path(tempfile.mkdtemp(prefix="fuzz_status_"))
    pending = sorted(args.only, key=lambda c: SLOWEST_FIRST.index(c) if c in SLOWEST_FIRST else -1)
    running: dict[str, tuple[mp.Process, float, Path]] = {}
    results: dict[str, dict] = {}
    while pending or running:
        while pending and len(running) < args.jobs:
            c = pending.pop(0)
            out = tmp / f"{c}.json"
            p = ctx.Process(target=_worker, args=(c, args.cases, args.seed, args.budget, str(out)), name=f"fuzz-{c}")
            p.start()
            running[c] = (p, time.monotonic(), out)
        time.sleep(1.0)
        for c, (p, started, out) in list(running.items()):
            over = time.monotonic() - started > args.budget
            if p.is_alive() and not over:
                continue
            if p.is_alive():
                p.terminate()
                p.join(10)
            else:
                p.join()
            data = json.loads(out.read_text()) if out.exists() else {"connector": c, "cases": 0}
            data["stopped"] = over
            data.setdefault("uncaught", 0)
            if not over and not data.get("done"):
                data["uncaught"] = data.get("uncaught", 0) + 1  # the worker itself died
                data.setdefault("examples", {}).setdefault("uncaught", []).append(f"worker exit code {p.exitcode}")
            results[c] = data
            del running[c]
            print(_line(data), flush=True)
    results = {c: results[c] for c in args.only}
    total = time.monotonic() - t0
    print(f"fuzz: {sum(r.get('cases', 0) for r in results.values())} cases in {total:.0f} s (seed {args.seed})")
    for c in args.only:
        for kind, items in (results[c].get("examples") or {}).items():
            for e in items[:5]:
                print(f"  {c} {kind}: {e}")
    if not args.no_record:
        from tests.bench.conftest import record

        for c in args.only:
            r = results[c]
            note = f"seed {args.seed}; ok {r.get('ok', 0)}, refused {r.get('refused', 0)}"
            note += "; stopped at the time budget" if r.get("stopped") else ""
            record(f"fuzz_{c}_cases", r.get("cases", 0), "cases", target=">= 10000", note=note)
            record(f"fuzz_{c}_uncaught", r.get("uncaught", 0), "exceptions", target="== 0")
            record(f"fuzz_{c}_hangs", r.get("hangs", 0), "cases > 5 s", target="== 0")
            record(f"fuzz_{c}_garbage", r.get("garbage", 0), "cases", target="== 0")
    bad = any(r.get("uncaught") or r.get("garbage") or r.get("hangs") for r in results.values())
    short = any(r.get("cases", 0) < args.cases for r in results.values())
    return 1 if bad or short else 0


def _line(r: dict) -> str:
    return (
        f"{r['connector']:14s} cases {r.get('cases', 0):6d}  uncaught {r.get('uncaught', 0):4d}  "
        f"hangs>5s {r.get('hangs', 0):3d}  garbage stored {r.get('garbage', 0):4d}  "
        f"(ok {r.get('ok', 0)}, refused {r.get('refused', 0)}, slowest {r.get('slowest_s', 0):.2f} s, "
        f"{r.get('seconds', 0):.0f} s{', STOPPED at the budget' if r.get('stopped') else ''})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
