"""Energy per ward/month vs a brute-force reference, NOAA sunrise/sunset for Long Khánh, outage analytics."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from ioc_qgis_plugin.lights.energy import encode, energy_by_ward_month, month_index, month_label
from ioc_qgis_plugin.lights.outages import (
    dark_near_reports,
    day_night_problems,
    local_xy,
    open_report_mask,
    outage_clusters,
)
from ioc_qgis_plugin.lights.solar import daylight, sun_times

LAT, LON = 10.94, 107.24  # Long Khánh
VN = timezone(timedelta(hours=7))


def test_energy_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    n_lights, n = 40, 6000
    light_ward = rng.integers(-1, 5, n_lights)  # -1: a light without a ward
    light = rng.integers(0, n_lights, n)
    t = rng.uniform(1.70e9, 1.70e9 + 120 * 86400, n).round()
    order = np.lexsort((t, light))
    meter = np.empty(n)
    for lid in range(n_lights):  # cumulative meters, with one reset and a missing value
        sel = order[light[order] == lid]
        meter[sel] = np.cumsum(rng.uniform(0, 2, len(sel)))
    meter[order[100]] = 0.0
    meter[order[200]] = np.nan
    shuffle = rng.permutation(n)
    table = energy_by_ward_month(light[shuffle], t[shuffle], meter[shuffle], light_ward, n_wards=5)
    expected: dict[tuple[int, str], float] = {}
    resets = 0
    rows = sorted(zip(light, t, meter), key=lambda r: (r[0], r[1]))
    for (l0, _, e0), (l1, t1, e1) in zip(rows, rows[1:]):
        if l0 != l1 or math.isnan(e0) or math.isnan(e1):
            continue
        if e1 < e0:
            resets += 1
            continue
        w = light_ward[l1]
        if w < 0:
            continue
        month = datetime.fromtimestamp(t1, VN).strftime("%Y-%m")
        expected[(w, month)] = expected.get((w, month), 0.0) + (e1 - e0)
    got = {(w, m): table.kwh[w, j] for w in range(5) for j, m in enumerate(table.months) if table.kwh[w, j] != 0}
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, rel=1e-9)
    assert table.resets == resets >= 1
    assert table.per_light_kwh.sum() == pytest.approx(sum(expected.values()) + _no_ward(rows, light_ward))


def _no_ward(rows, light_ward) -> float:  # noqa: ANN001
    s = 0.0
    for (l0, _, e0), (l1, _, e1) in zip(rows, rows[1:]):
        if l0 == l1 and light_ward[l1] < 0 and e1 >= e0:
            s += e1 - e0
    return s


def test_month_index_uses_city_time_and_encode() -> None:
    t = datetime(2024, 1, 31, 18, 0, tzinfo=timezone.utc).timestamp()  # 01:00 on 1 Feb in Vietnam
    assert month_label(int(month_index(np.array([t]))[0])) == "2024-02"
    codes, vocab = encode(np.array(["b", "a", "b"], dtype=object))
    assert vocab.tolist() == ["a", "b"] and codes.tolist() == [1, 0, 1]
    codes, _ = encode(np.array(["a", "z"], dtype=object), vocab)
    assert codes.tolist() == [0, -1]


def _usno_sun(date: datetime, lat: float, lon: float, rising: bool) -> float:
    """Independent reference: the US Naval Observatory 'Almanac for Computers' algorithm → hours UTC."""
    n = date.timetuple().tm_yday
    lng_hour = lon / 15
    t = n + ((6 if rising else 18) - lng_hour) / 24
    m = 0.9856 * t - 3.289
    lam = (m + 1.916 * math.sin(math.radians(m)) + 0.020 * math.sin(math.radians(2 * m)) + 282.634) % 360
    ra = math.degrees(math.atan(0.91764 * math.tan(math.radians(lam)))) % 360
    ra = (ra + (math.floor(lam / 90) * 90 - math.floor(ra / 90) * 90)) / 15
    sin_dec = 0.39782 * math.sin(math.radians(lam))
    cos_dec = math.cos(math.asin(sin_dec))
    cos_h = (math.cos(math.radians(90.833)) - sin_dec * math.sin(math.radians(lat))) / (
        cos_dec * math.cos(math.radians(lat))
    )
    h = (360 - math.degrees(math.acos(cos_h))) if rising else math.degrees(math.acos(cos_h))
    local_t = h / 15 + ra - 0.06571 * t - 6.622
    return (local_t - lng_hour) % 24


@pytest.mark.parametrize("day", ["2024-03-20", "2024-06-21", "2024-09-22", "2024-12-21", "2025-02-10"])
def test_sunrise_sunset_long_khanh(day: str) -> None:
    date = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    d = date.timestamp() // 86400
    rise, sset = sun_times(np.array([d]), LAT, LON)
    for value, rising in ((rise[0], True), (sset[0], False)):
        ref_h = _usno_sun(date, LAT, LON, rising)
        got_h = (value / 3600) % 24
        assert abs(((got_h - ref_h + 12) % 24) - 12) * 60 < 2.0, (day, rising, got_h, ref_h)
    local_rise = datetime.fromtimestamp(rise[0], VN)
    local_set = datetime.fromtimestamp(sset[0], VN)
    assert local_rise.date() == local_set.date() == date.date()
    # at ~11° N in UTC+7 sunrise stays within 05:25–06:20 and sunset within 17:25–18:20 all year
    assert "05:25" <= local_rise.strftime("%H:%M") <= "06:20" and "17:25" <= local_set.strftime("%H:%M") <= "18:20"


def test_sun_times_known_solstices() -> None:
    june = datetime(2024, 6, 21, tzinfo=timezone.utc).timestamp() // 86400
    dec = datetime(2024, 12, 21, tzinfo=timezone.utc).timestamp() // 86400
    (r6,), (s6,) = sun_times(np.array([june]), LAT, LON)
    (r12,), (s12,) = sun_times(np.array([dec]), LAT, LON)
    # by hand: noon 11:52:50 (107.24° E, equation of time −1.8 min), half-arc 95.7° (6 h 23 min) → 05:30 / 18:16
    assert datetime.fromtimestamp(r6, VN).strftime("%H:%M") in {"05:29", "05:30", "05:31"}
    assert datetime.fromtimestamp(s6, VN).strftime("%H:%M") in {"18:14", "18:15", "18:16"}
    assert (s6 - r6) / 3600 == pytest.approx(12.76, abs=0.05) and (s12 - r12) / 3600 == pytest.approx(11.48, abs=0.05)


def test_daylight_and_day_night_problems() -> None:
    noon = datetime(2024, 6, 21, 12, 0, tzinfo=VN).timestamp()
    midnight = datetime(2024, 6, 21, 23, 0, tzinfo=VN).timestamp()
    dusk = datetime(2024, 6, 21, 18, 12, tzinfo=VN).timestamp()
    is_day, is_night = daylight(np.array([noon, midnight, dusk]), LAT, LON, margin_s=1200)
    assert is_day.tolist() == [True, False, False] and is_night.tolist() == [False, True, False]
    state = np.array(["on", "off", "fault", "dimmed", "off", "on"], dtype=object)
    level = np.array([100, 0, 0, 50, 0, 100.0])
    fault = np.array(["", "", "lampFailure", "", "", ""], dtype=object)
    at = np.array([noon, midnight, midnight, noon, noon, midnight])
    out = day_night_problems(state, level, fault, at, LAT, LON)
    assert out.tolist() == ["lit_in_daytime", "dark_at_night", "dark_at_night", "lit_in_daytime", "", ""]


def test_outages_supply_vs_single_lamp() -> None:
    cab = np.array(["A"] * 8 + ["B"] * 8 + ["C"] * 4, dtype=object)
    circ = np.array([f"{c}-L{1 + i % 2}" for i, c in enumerate(cab)], dtype=object)
    state = np.full(20, "on", dtype=object)
    level = np.full(20, 100.0)
    fault = np.full(20, "", dtype=object)
    state[:8], level[:8], fault[:8] = "fault", 0.0, "supplyLoss"  # cabinet A lost supply
    b1 = np.flatnonzero(circ == "B-L1")
    state[b1[:3]], level[b1[:3]] = "off", 0.0  # 3 of 4 lamps of circuit B-L1 dark at night
    state[16], level[16], fault[16] = "fault", 0.0, "lampFailure"  # one lamp in C
    state[17], fault[17] = "fault", "dimmingFailure"  # faulty but lit: not an outage
    res = outage_clusters(cab, circ, state, level, fault, night=True)
    assert set(res.light_class[:8]) == {"cabinet_supply"}
    assert set(res.light_class[b1[:3]]) == {"circuit_supply"} and res.light_class[b1[3]] == ""
    assert res.light_class[16] == "single_lamp" and res.light_class[17] == ""
    by = {c["circuit_id"]: c for c in res.circuits}
    assert by["B-L1"]["dark"] == 3 and by["B-L1"]["dark_share"] == 0.75 and by["C-L1"]["outage_class"] == "single_lamp"
    day = outage_clusters(cab, circ, state, level, fault, night=False)  # off by day is normal
    assert day.light_class[b1[0]] == ""


def test_dark_lights_near_open_reports() -> None:
    lon = np.array([107.24, 107.241, 107.25, 107.26])
    lat = np.array([10.94, 10.94, 10.95, 10.96])
    xy = local_xy(lon, lat, LON, LAT)
    codes = np.array(["security", "traffic", "security", "environment"], dtype=object)
    status = np.array(["received", "in_progress", "closed", "received"], dtype=object)
    keep = open_report_mask(codes, status)
    assert keep.tolist() == [True, True, False, False]
    rep_xy = local_xy(np.array([107.2402, 107.2601]), np.array([10.9401, 10.9601]), LON, LAT)
    dark = np.array([True, True, True, False])
    res = dark_near_reports(xy, dark, rep_xy, 150.0)
    assert res.reports_within.tolist() == [1, 1, 0, 0]
    assert res.nearest_report.tolist() == [0, 0, -1, -1]
    assert 20 < res.nearest_m[0] < 30 and np.isnan(res.nearest_m[3])
