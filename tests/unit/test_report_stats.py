"""Monthly report statistics: hand-checked counts, the balance identity, CSV, and the store path."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from ioc_qgis_plugin.core.report_stats import COUNT_FIELDS, from_store, report_statistics
from ioc_qgis_plugin.core.sla import SlaRules
from tests.support.open311_data import demo_rows

# Months are the city's (+07:00): 2024-02-01T00:30+07:00 is 2024-01-31T17:30Z in UTC but counts for February.
ROWS = [
    # ward, code, status, requested, resolved, due
    ("W01", "traffic", "closed", "2024-01-10T09:00:00+07:00", "2024-01-10T12:00:00+07:00", "2024-01-10T17:00:00+07:00"),
    ("W01", "traffic", "closed", "2024-01-20T09:00:00+07:00", "2024-02-02T09:00:00+07:00", "2024-01-20T17:00:00+07:00"),
    ("W01", "traffic", "in_progress", "2024-01-31T23:30:00+07:00", None, "2024-02-01T07:30:00+07:00"),
    ("W01", "traffic", "received", "2024-02-01T00:30:00+07:00", None, "2024-02-01T08:30:00+07:00"),
    ("W02", "environment", "rejected", "2024-01-05T09:00:00+07:00", None, "2024-01-06T09:00:00+07:00"),
    ("W02", "environment", "resolved", "2024-02-05T09:00:00+07:00", "2024-02-05T10:00:00+07:00", None),
]


def cols(rows=ROWS) -> dict:
    from ioc_qgis_plugin.core.timeutil import to_utc_iso

    out = {k: [] for k in ("ward_id", "service_code", "status", "requested_at", "resolved_at", "due_at", "updated_at")}
    for ward, code, status, req, res, due in rows:
        out["ward_id"].append(ward)
        out["service_code"].append(code)
        out["status"].append(status)
        out["requested_at"].append(to_utc_iso(req))
        out["resolved_at"].append(to_utc_iso(res))
        out["due_at"].append(to_utc_iso(due))
        # the rejection happened on Jan 7 (no resolved_at: updated_at stands in)
        out["updated_at"].append(
            to_utc_iso("2024-01-07T09:00:00+07:00") if status == "rejected" else to_utc_iso(res or req)
        )
    return {k: np.array(v, dtype=object) for k, v in out.items()}


def table(stats) -> dict:
    return {(r["month"], r["ward_id"], r["service_code"]): r for r in stats.rows()}


def test_hand_checked_counts() -> None:
    t = table(report_statistics(cols(), "2024-01", "2024-02"))
    jan, feb = t[("2024-01", "W01", "traffic")], t[("2024-02", "W01", "traffic")]
    assert {k: jan[k] for k in COUNT_FIELDS} == dict(
        received=3, carried_over=0, resolved_on_time=1, resolved_late=0, returned=0, unresolved=2
    )
    assert {k: feb[k] for k in COUNT_FIELDS} == dict(
        received=1, carried_over=2, resolved_on_time=0, resolved_late=1, returned=0, unresolved=2
    )
    assert jan["on_time_rate"] == 1.0 and feb["on_time_rate"] == 0.0
    w2jan, w2feb = t[("2024-01", "W02", "environment")], t[("2024-02", "W02", "environment")]
    assert w2jan["returned"] == 1 and w2jan["unresolved"] == 0
    # missing due_at → default rules: environment 24 h; resolved after 1 h → on time
    assert w2feb["received"] == 1 and w2feb["resolved_on_time"] == 1


def test_rules_file_recomputes_due_times() -> None:
    strict = SlaRules(rules={("*", "*"): 0.5}, default_hours=0.5)
    t = table(report_statistics(cols(), "2024-01", "2024-01", rules=strict))
    assert t[("2024-01", "W01", "traffic")]["resolved_late"] == 1  # 3 h > 30 min


def test_balance_on_the_demo_city() -> None:
    rows = demo_rows(2000)
    data = {k: np.array([r.get(k) for r in rows], dtype=object) for k in rows[0]}
    stats = report_statistics(data)
    c = stats.counts
    assert np.array_equal(
        c["received"] + c["carried_over"], c["resolved_on_time"] + c["resolved_late"] + c["returned"] + c["unresolved"]
    )
    assert c["received"].sum() == len(rows)
    assert len(stats.totals()) >= 24  # two years of months


def test_csv_and_store(tmp_path, empty_store) -> None:
    rows = demo_rows(300)
    empty_store.insert("field_reports", rows, empty_store.point_geometries(rows))
    stats = from_store(empty_store)
    path = stats.to_csv(tmp_path / "stats.csv")
    with open(path, encoding="utf-8-sig") as fh:
        read = list(csv.DictReader(fh))
    assert len(read) == len(stats) and set(COUNT_FIELDS) <= set(read[0])
    assert sum(int(r["received"]) for r in read) == 300


def test_empty_input() -> None:
    stats = report_statistics({"requested_at": np.array([], dtype=object)})
    assert len(stats) == 0 and stats.rows() == []


@pytest.mark.parametrize("n", [200_000])
def test_vectorised_speed(n: int) -> None:
    import time

    rng = np.random.default_rng(1)
    req = 1.7e9 + rng.uniform(0, 2 * 365 * 86400, n)
    data = {
        "ward_id": np.array([f"W{i:02d}" for i in rng.integers(1, 11, n)], dtype=object),
        "service_code": np.array(["traffic", "environment"], dtype=object)[rng.integers(0, 2, n)],
        "status": np.array(["closed", "received", "rejected"], dtype=object)[rng.integers(0, 3, n)],
        "requested_at": req,
        "resolved_at": req + rng.uniform(0, 86400 * 3, n),
        "updated_at": req + 100,
        "due_at": req + 86400,
    }
    t0 = time.perf_counter()
    stats = report_statistics(data)
    assert time.perf_counter() - t0 < 5 and stats.counts["received"].sum() == n
