"""Energy per ward and month from cumulative TALQ activeEnergy readings, vectorised (10 M readings in seconds).

Consumption between two readings of a lamp = difference of its meter; it counts in the (city-local) month of
the later reading — with readings every few hours the error at month ends is negligible. A meter that goes
backwards (replaced controller, reset) contributes nothing for that step and is counted in `resets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..core.timeutil import iso_to_epoch_array

CITY_OFFSET_S = 7 * 3600  # Vietnam, UTC+7, no daylight saving


def month_index(epoch: np.ndarray, tz_offset_s: int = CITY_OFFSET_S) -> np.ndarray:
    """Months since 1970-01 in local time (int64), from epoch seconds."""
    days = np.floor((np.asarray(epoch, dtype=np.float64) + tz_offset_s) / 86400.0).astype("int64")
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_label(index: int) -> str:
    return str(np.datetime64(int(index), "M"))


@dataclass
class EnergyTable:
    kwh: np.ndarray  # (n_wards, n_months)
    first_month: int  # month index of column 0
    resets: int
    per_light_kwh: np.ndarray  # (n_lights,)

    @property
    def months(self) -> list[str]:
        return [month_label(self.first_month + i) for i in range(self.kwh.shape[1])]


def energy_by_ward_month(
    light: np.ndarray,
    t: np.ndarray,
    energy_kwh: np.ndarray,
    light_ward: np.ndarray,
    n_wards: Optional[int] = None,
    tz_offset_s: int = CITY_OFFSET_S,
) -> EnergyTable:
    """light: int code per reading (0..n_lights-1); t: epoch s; energy_kwh: cumulative meter; light_ward: ward code
    per light (-1 = none). Readings may come in any order; already sorted (light, time) input skips the sort."""
    light = np.asarray(light, dtype=np.int64)
    t = np.asarray(t)
    e = np.asarray(energy_kwh, dtype=np.float64)
    light_ward = np.asarray(light_ward, dtype=np.int64)
    n_wards = int(light_ward.max()) + 1 if n_wards is None and len(light_ward) else int(n_wards or 0)
    n_lights = len(light_ward)
    if len(light) < 2:
        return EnergyTable(np.zeros((n_wards, 0)), 0, 0, np.zeros(n_lights))
    dl = np.diff(light)
    if not ((dl > 0) | ((dl == 0) & (np.diff(t) >= 0))).all():
        order = np.lexsort((t, light))
        light, t, e = light[order], t[order], e[order]
    d = np.diff(e)
    same = light[1:] == light[:-1]
    with np.errstate(invalid="ignore"):
        valid = same & (d >= 0)  # NaN compares False: missing meter values drop out
        resets = int(np.count_nonzero(same & (d < 0)))
    later = light[1:]
    per_light = np.bincount(later[valid], weights=d[valid], minlength=n_lights)
    ward = light_ward[later]
    valid &= ward >= 0
    months = month_index(t[1:], tz_offset_s)
    if not valid.any():
        return EnergyTable(np.zeros((n_wards, 0)), 0, resets, per_light)
    mv = months[valid]
    m0 = int(mv.min())
    nm = int(mv.max()) - m0 + 1
    key = ward[valid] * nm + (mv - m0)
    kwh = np.bincount(key, weights=d[valid], minlength=n_wards * nm).reshape(n_wards, nm)
    return EnergyTable(kwh, m0, resets, per_light)


def encode(values: np.ndarray, vocabulary: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
    """Text ids → (int codes, vocabulary); ids missing from a given vocabulary get -1."""
    values = np.asarray(values, dtype=object).astype(str)
    if vocabulary is None:
        vocabulary, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int64), vocabulary
    vocabulary = np.asarray(vocabulary, dtype=object).astype(str)
    order = np.argsort(vocabulary)
    pos = np.searchsorted(vocabulary[order], values)
    pos = np.clip(pos, 0, max(len(vocabulary) - 1, 0))
    codes = order[pos] if len(vocabulary) else np.full(len(values), -1)
    hit = vocabulary[codes] == values if len(vocabulary) else np.zeros(len(values), dtype=bool)
    return np.where(hit, codes, -1).astype(np.int64), vocabulary


def energy_from_store(store, tz_offset_s: int = CITY_OFFSET_S) -> tuple[EnergyTable, list[str], list[str]]:  # noqa: ANN001
    """(table, ward ids, light ids) from street_lights + light_readings of an IOC store."""
    lights = store.columns("street_lights", ["light_id", "ward_id"])
    light_ids = np.asarray(lights["light_id"], dtype=object).astype(str)
    ward_codes, wards = encode(np.where(lights["ward_id"] == None, "", lights["ward_id"]))  # noqa: E711
    ward_codes = np.where(wards[ward_codes] == "", -1, ward_codes) if len(wards) else ward_codes
    r = store.columns("light_readings", ["light_id", "at", "active_energy_kwh"])
    codes, _ = encode(r["light_id"], light_ids)
    keep = codes >= 0
    table = energy_by_ward_month(
        codes[keep],
        iso_to_epoch_array(r["at"][keep]),
        r["active_energy_kwh"][keep],
        ward_codes,
        n_wards=len(wards),
        tz_offset_s=tz_offset_s,
    )
    return table, [str(w) for w in wards], light_ids.tolist()
