"""Issue 14: edits acknowledged per second while QGIS, briefing, export, sync and lights share the GeoPackage.

Reference: the same holder + desk processes alone on the file, measured in the same run. Lost edits and
integrity failures are counts that must be 0.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.unit.test_store_concurrency import stress

SECONDS = float(os.environ.get("IOC_BENCH_STRESS_SECONDS", "60"))


def test_bench_store_concurrency(tmp_path: Path, bench_record) -> None:  # noqa: ANN001
    alone = stress(tmp_path / "alone", SECONDS / 3, roles=("holder", "desk"))
    busy = stress(tmp_path / "busy", SECONDS)
    note = "holder (QGIS-like) + desk edit loops; busy adds briefing, export, sync, lights processes"
    bench_record(
        "store_concurrent_edits_lost",
        len(busy.missing) + len(alone.missing),
        "edits",
        target="0",
        note=f"{len(busy.acks)} acknowledged edits checked after {SECONDS:.0f} s",
    )
    bench_record(
        "store_concurrent_integrity_failures",
        int(busy.integrity != "ok") + int(alone.integrity != "ok"),
        "count",
        target="0",
        note=f"PRAGMA integrity_check after the run; errors seen by processes: {sum(map(len, busy.errors.values()))}",
    )
    rate, ref = len(busy.acks) / SECONDS, len(alone.acks) / (SECONDS / 3)
    bench_record(
        "store_concurrent_edits_per_s",
        rate,
        "edits/s",
        reference=ref,
        reference_name="the same edit loops without the other processes",
        note=note,
    )
