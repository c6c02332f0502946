"""`make test-stress`: the whole test suite, again and again, with two busy processes beside it.

A test that depends on wall-clock luck fails here sooner or later. The run stops at the first failure (its
output is kept in build/test-stress/) or after ``--runs`` consecutive green runs, and prints each run's time.
The busy processes are this tool's own children and are stopped by PID when it ends, however it ends.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from processes import stop  # noqa: E402

BUSY = "while True: pass"


def start_busy(n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(n)]


SUMMARY = re.compile(r"^=*\s*\d+ (passed|failed|errors?)\b.* in [\d.]+s")


def closing_lines(log: str) -> str:
    """pytest's closing line of each suite in the run (unit, QGIS)."""
    lines = [ln.strip("= ") for ln in log.splitlines() if SUMMARY.match(ln)]
    return "; ".join(lines) or "no pytest summary"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="consecutive green runs wanted")
    ap.add_argument("--busy", type=int, default=2, help="busy processes beside the suite")
    ap.add_argument("--targets", default="test-unit test-qgis", help="make targets of one run")
    args = ap.parse_args(argv)
    out = ROOT / "build" / "test-stress"
    out.mkdir(parents=True, exist_ok=True)
    busy = start_busy(args.busy)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through `finally`: the busy processes stop too
    started = time.monotonic()
    try:
        for run in range(1, args.runs + 1):
            t0 = time.monotonic()
            log_path = out / f"run{run}.log"
            with log_path.open("w", encoding="utf-8") as log:
                rc = subprocess.call(
                    ["make", "-s", "-C", str(ROOT), *args.targets.split()],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "IOC_TEST_STRESS_RUN": str(run)},
                )
            summary = closing_lines(log_path.read_text(encoding="utf-8", errors="replace"))
            print(
                f"run {run}/{args.runs}: {'green' if rc == 0 else 'FAILED'} in {time.monotonic() - t0:.0f} s "
                f"({summary}; log {log_path.relative_to(ROOT)})",
                flush=True,
            )
            if rc != 0:
                print(f"test-stress: run {run} failed under load; see {log_path}", file=sys.stderr)
                return 1
    finally:
        stop(busy)
    print(
        f"test-stress: {args.runs} consecutive green runs with {args.busy} busy processes, "
        f"{time.monotonic() - started:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
