"""Benchmarks write one object per figure to bench/results.json (name, value, unit, reference, ratio, target).

They are measurements, not pass/fail tests: a slow figure is recorded, never turned into a failure.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Optional

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results.json"


def record(
    name: str,
    value: float,
    unit: str,
    *,
    reference: Optional[float] = None,
    reference_name: str = "",
    target: str = "",
    note: str = "",
) -> dict:
    entry = {"name": name, "value": round(float(value), 6), "unit": unit}
    if reference is not None:
        entry["reference"] = round(float(reference), 6)
        entry["reference_name"] = reference_name
        entry["ratio"] = round(float(reference) / float(value), 3) if value else None
    if target:
        entry["target"] = target
    if note:
        entry["note"] = note
    entry["machine"] = f"{platform.machine()} {os.cpu_count()} cpu"
    entry["at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    data = [d for d in data if d["name"] != name] + [entry]
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"BENCH {name}: {entry['value']} {unit}" + (f" (ref {entry['reference']})" if reference else ""))
    return entry


@pytest.fixture
def bench_record():
    return record


from tests.qgis.conftest import plugin  # noqa: E402,F401 - the real plugin fixture for GUI benchmarks
