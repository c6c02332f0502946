"""Local OGC SensorThings API v1.1 server (the subset the plugin uses), seeded from a demo-city GeoPackage.

    python -m ioc_qgis_plugin.devservers.sensorthings_server --gpkg build/demo/ioc.gpkg --port 8090

Prints `READY http://127.0.0.1:PORT/v1.1/` when listening. Each street light is a Thing (properties light_id, ward,
cabinet, circuit, rated power) with one Location and nine Datastreams named after TALQ attributes; history comes
from light_readings and the current state from street_lights. `--live` shifts all times so the newest reading is
a minute old (the demo city ends at a fixed midnight).

Supported: collections; entity by id `Things(1)`; navigation `Things(1)/Datastreams`, `Datastreams(5)/Observations`;
`$top` `$skip` `$count` `$select` `$orderby` `$expand` (nested, with options) `$filter` (eq ne gt ge lt le, and or
not, parentheses; strings, numbers, ISO times; paths like properties/cabinet_id); `@iot.nextLink` paging; a small
Tasking subset (POST /Tasks on a light's TaskingCapability: {"command": "dim"|"switch", "level": 0..100}).

A real open-source server (FROST-Server) needs Java + Tomcat + PostgreSQL/PostGIS and its war file from Maven
Central, which is not reachable here; this server follows the same URL conventions and JSON shapes instead.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from ..connectors.sensorthings import FIELD_NAMES, TALQ_FIELDS, iso_z, obs_time
from .lifecycle import stop_on_sigterm

HOST = "127.0.0.1"
OBS_STRIDE = 1_000_000  # Observation id = Datastream id * OBS_STRIDE + sequence number

UNITS: dict[str, dict[str, str]] = {
    "percent": {"name": "percent", "symbol": "%", "definition": "http://unitsofmeasure.org/ucum.html#para-29"},
    "power": {"name": "watt", "symbol": "W", "definition": "http://unitsofmeasure.org/ucum.html#para-30"},
    "energy": {"name": "kilowatt hour", "symbol": "kW.h", "definition": "http://unitsofmeasure.org/ucum.html"},
    "hours": {"name": "hour", "symbol": "h", "definition": "http://unitsofmeasure.org/ucum.html#para-31"},
    "bool": {"name": "boolean", "symbol": "", "definition": ""},
}
TALQ_DEF = "https://www.talq-consortium.org/def/"


class QueryError(ValueError):
    """Bad request (HTTP 400)."""


class NotFound(LookupError):
    """No such entity (HTTP 404)."""


# ---- data model ----------------------------------------------------------------------------------------------
@dataclass
class Datastream:
    id: int
    thing: int  # Thing index
    talq: str
    name: str
    unit: dict
    times: np.ndarray  # sorted ascending
    results: np.ndarray  # float64 (truth values 0/1)
    seq: np.ndarray  # int64 sequence number per position (stable Observation ids)

    _pos: Optional[np.ndarray] = None  # sequence number → position, rebuilt after a change

    def add(self, t: float, value: float) -> int:
        pos = int(np.searchsorted(self.times, t, side="right"))
        s = int(self.seq.max()) + 1 if len(self.seq) else 0
        self.times = np.insert(self.times, pos, t)
        self.results = np.insert(self.results, pos, value)
        self.seq = np.insert(self.seq, pos, s)
        self._pos = None
        return self.id * OBS_STRIDE + s

    def positions(self, seqs: np.ndarray) -> np.ndarray:
        if self._pos is None:
            self._pos = np.zeros(int(self.seq.max()) + 1 if len(self.seq) else 0, dtype=np.int64)
            self._pos[self.seq] = np.arange(len(self.seq))
        return self._pos[seqs]


@dataclass
class Model:
    """All entities in memory; observations as numpy arrays per Datastream."""

    things: list[dict] = field(default_factory=list)  # name, description, properties, lon, lat
    datastreams: list[Datastream] = field(default_factory=list)
    thing_ds: list[list[int]] = field(default_factory=list)  # Thing index → Datastream ids
    tasks: list[dict] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def observed_properties(self) -> list[str]:
        return list(FIELD_NAMES)

    def add_thing(self, name: str, lon: float, lat: float, properties: Optional[dict] = None) -> int:
        self.things.append(
            {
                "name": name,
                "description": f"Street light {name}",
                "properties": properties or {},
                "lon": lon,
                "lat": lat,
            }
        )
        self.thing_ds.append([])
        return len(self.things) - 1

    def add_datastream(
        self,
        thing: int,
        talq: str,
        times: Optional[np.ndarray] = None,
        results: Optional[np.ndarray] = None,
        unit: Optional[dict] = None,
        name: Optional[str] = None,
    ) -> Datastream:
        times = np.asarray(times if times is not None else [], dtype=np.float64)
        results = np.asarray(results if results is not None else [], dtype=np.float64)
        order = np.argsort(times, kind="stable")
        ds = Datastream(
            id=len(self.datastreams) + 1,
            thing=thing,
            talq=talq,
            name=name or f"{self.things[thing]['name']}:{talq}",
            unit=dict(unit if unit is not None else UNITS[TALQ_FIELDS[talq][1]] if talq in TALQ_FIELDS else {}),
            times=times[order],
            results=results[order],
            seq=np.arange(len(times), dtype=np.int64),
        )
        self.datastreams.append(ds)
        self.thing_ds[thing].append(ds.id)
        return ds

    def datastream(self, ds_id: int) -> Datastream:
        if not 1 <= ds_id <= len(self.datastreams):
            raise NotFound(f"no Datastream {ds_id}")
        return self.datastreams[ds_id - 1]

    def find_datastream(self, thing_name: str, talq: str) -> Datastream:
        for i, t in enumerate(self.things):
            if t["name"] == thing_name:
                for d in self.thing_ds[i]:
                    if self.datastreams[d - 1].talq == talq:
                        return self.datastreams[d - 1]
        raise NotFound(f"no {talq} Datastream on {thing_name}")

    def remove_datastream(self, thing_name: str, talq: str) -> None:
        """Detach a Datastream from its Thing (tests: 'missing datastream')."""
        ds = self.find_datastream(thing_name, talq)
        self.thing_ds[ds.thing].remove(ds.id)
        ds.thing = -1

    def shift_times(self, seconds: float) -> None:
        for ds in self.datastreams:
            ds.times = ds.times + seconds

    def newest_time(self) -> float:
        return max((float(ds.times[-1]) for ds in self.datastreams if len(ds.times)), default=time.time())


def model_from_gpkg(path: str | Path, history: bool = True) -> Model:
    """Things from street_lights; Observations from light_readings plus the current state in street_lights."""
    from ..store.gpkg import GeoPackageStore

    store = GeoPackageStore.open(path, read_only=True)
    try:
        lights = store.fetch("street_lights", geometry=True, order_by="fid")
        cols = ["light_id", "at", *(TALQ_FIELDS[f][0] for f in FIELD_NAMES)]
        readings = store.columns("light_readings", cols) if history else {c: np.array([]) for c in cols}
    finally:
        store.close()
    model = Model()
    index = {}
    for r in lights:
        g = r.get("geom")
        props = {
            k: r.get(k)
            for k in ("light_id", "ward_id", "cabinet_id", "circuit_id", "lamp_type", "rated_power_w")
            if r.get(k) is not None
        }
        index[r["light_id"]] = model.add_thing(r["light_id"], g.x if g else None, g.y if g else None, props)
    # readings grouped by light: one sort, then slices
    rid = np.asarray(readings["light_id"], dtype=object)
    from ..core.timeutil import iso_to_epoch_array

    at = iso_to_epoch_array(readings["at"]) if len(rid) else np.array([])
    codes = np.array([index.get(x, -1) for x in rid], dtype=np.int64)
    order = np.lexsort((at, codes))
    codes, at = codes[order], at[order]
    vals = {f: np.asarray(readings[TALQ_FIELDS[f][0]], dtype=np.float64)[order] for f in FIELD_NAMES}
    starts = np.searchsorted(codes, np.arange(len(model.things) + 1))
    for i, r in enumerate(lights):
        a, b = starts[i], starts[i + 1]
        cur_t = obs_time(r.get("last_report"))
        current = {
            "actualLightState": r.get("light_level"),
            "activePower": r.get("active_power_w"),
            "lampFailure": r.get("fault") == "lampFailure",
            "dimmingFailure": r.get("fault") == "dimmingFailure",
            "relayFailure": r.get("fault") == "relayFailure",
            "supplyLoss": r.get("fault") == "supplyLoss",
            "cabinetDoorOpen": r.get("fault") == "cabinetDoorOpen",
        }
        # a light without a current level is stale: its history simply ends
        live = r.get("light_level") is not None and not np.isnan(cur_t)
        for f in FIELD_NAMES:
            t, v = at[a:b], vals[f][a:b]
            if live and current.get(f) is not None:
                t, v = np.append(t, cur_t), np.append(v, float(current[f]))
            elif live and f in ("activeEnergy", "operatingHours") and len(v):
                t, v = np.append(t, cur_t), np.append(v, v[-1])
            keep = ~np.isnan(v)
            model.add_datastream(i, f, t[keep], v[keep])
    return model


# ---- $filter ---------------------------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<time>\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?)"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<lp>\()|(?P<rp>\))|(?P<word>[@A-Za-z_][\w@./]*))"
)
_CMP = {"eq", "ne", "gt", "ge", "lt", "le"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(f"cannot parse $filter near: {text[pos : pos + 20]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


@lru_cache(maxsize=256)
def parse_filter(text: str) -> Any:
    """→ nested tuples: ('and'|'or', a, b) · ('not', a) · (op, ('path', p), ('lit', v))."""
    toks = _tokens(text)
    pos = 0

    def peek() -> Optional[tuple[str, str]]:
        return toks[pos] if pos < len(toks) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(toks):
            raise QueryError("unexpected end of $filter")
        pos += 1
        return toks[pos - 1]

    def operand() -> Any:
        kind, val = take()
        if kind == "str":
            return ("lit", val[1:-1].replace("''", "'"))
        if kind == "time":
            return ("lit", obs_time(val))
        if kind == "num":
            return ("lit", float(val))
        if kind == "word":
            low = val.lower()
            if low in ("true", "false"):
                return ("lit", low == "true")
            if low == "null":
                return ("lit", None)
            return ("path", val)
        raise QueryError(f"unexpected {val!r} in $filter")

    def primary() -> Any:
        tok = peek()
        if tok and tok[0] == "lp":
            take()
            e = expr()
            if take()[0] != "rp":
                raise QueryError("missing ) in $filter")
            return e
        if tok and tok[0] == "word" and tok[1].lower() == "not":
            take()
            return ("not", primary())
        left = operand()
        tok = peek()
        if tok and tok[0] == "word" and tok[1].lower() in _CMP:
            op = take()[1].lower()
            return (op, left, operand())
        raise QueryError("expected a comparison (eq ne gt ge lt le) in $filter")

    def conj() -> Any:
        e = primary()
        while (tok := peek()) and tok[0] == "word" and tok[1].lower() == "and":
            take()
            e = ("and", e, primary())
        return e

    def expr() -> Any:
        e = conj()
        while (tok := peek()) and tok[0] == "word" and tok[1].lower() == "or":
            take()
            e = ("or", e, conj())
        return e

    tree = expr()
    if pos != len(toks):
        raise QueryError(f"unexpected {toks[pos][1]!r} in $filter")
    return tree


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


@lru_cache(maxsize=256)
def parse_expand(text: str) -> list[tuple[list[str], dict[str, str]]]:
    """`Locations,Datastreams($top=1;$expand=X)` → [(['Locations'], {}), (['Datastreams'], {'$top': '1', ...})]."""
    out = []
    for item in _split_top(text, ","):
        m = re.match(r"^([\w/]+)\s*(?:\((.*)\))?$", item, re.S)
        if not m:
            raise QueryError(f"cannot parse $expand item {item!r}")
        opts = {}
        for opt in _split_top(m.group(2) or "", ";"):
            k, _, v = opt.partition("=")
            opts[k.strip()] = v.strip()
        out.append((m.group(1).split("/"), opts))
    return out


# ---- entity sets ---------------------------------------------------------------------------------------------
ONE = {"Thing": "Things", "Datastream": "Datastreams", "ObservedProperty": "ObservedProperties", "Sensor": "Sensors"}
ONE.update({"TaskingCapability": "TaskingCapabilities"})
NAV = {
    "Things": ("Locations", "Datastreams", "TaskingCapabilities"),
    "Locations": ("Things",),
    "Datastreams": ("Thing", "Sensor", "ObservedProperty", "Observations"),
    "Observations": ("Datastream",),
    "ObservedProperties": ("Datastreams",),
    "Sensors": ("Datastreams",),
    "TaskingCapabilities": ("Thing", "Tasks"),
    "Tasks": ("TaskingCapability",),
}


class Engine:
    """Evaluates SensorThings requests on a Model; keys are int ids (Observations: encoded ids)."""

    def __init__(self, model: Model, base: str, max_top: int = 1000, default_top: int = 100) -> None:
        self.m = model
        self.base = base.rstrip("/")
        self.max_top, self.default_top = max_top, default_top

    # keys
    def all_keys(self, kind: str) -> np.ndarray:
        m = self.m
        if kind in ("Things", "Locations", "TaskingCapabilities"):
            return np.arange(1, len(m.things) + 1)
        if kind == "Datastreams":
            return np.array([d.id for d in m.datastreams if d.thing >= 0], dtype=np.int64)
        if kind == "ObservedProperties":
            return np.arange(1, len(FIELD_NAMES) + 1)
        if kind == "Sensors":
            return np.array([1])
        if kind == "Tasks":
            return np.arange(1, len(m.tasks) + 1)
        if kind == "Observations":
            parts = [d.id * OBS_STRIDE + d.seq for d in m.datastreams if d.thing >= 0]
            return np.concatenate(parts) if parts else np.array([], dtype=np.int64)
        raise NotFound(f"unknown collection {kind}")

    def exists(self, kind: str, key: int) -> bool:
        if kind == "Observations":
            d = self.m.datastream(int(key) // OBS_STRIDE)
            return bool((d.seq == int(key) % OBS_STRIDE).any())
        return bool((self.all_keys(kind) == key).any())

    def related(self, kind: str, key: int, nav: str) -> tuple[str, np.ndarray, bool]:
        """(kind, keys, single) reached from one entity by a navigation property."""
        m = self.m
        if nav not in NAV.get(kind, ()):
            raise NotFound(f"{kind} has no navigation property {nav}")
        target = ONE.get(nav, nav)
        single = nav in ONE
        if kind == "Things":
            if nav == "Datastreams":
                return target, np.array(m.thing_ds[key - 1], dtype=np.int64), False
            return target, np.array([key]), False
        if kind in ("Locations", "TaskingCapabilities") and nav in ("Things", "Thing"):
            return target, np.array([key]), single
        if kind == "TaskingCapabilities" and nav == "Tasks":
            return target, np.array([i + 1 for i, t in enumerate(m.tasks) if t["capability"] == key]), False
        if kind == "Tasks":
            return target, np.array([m.tasks[key - 1]["capability"]]), True
        if kind == "Datastreams":
            d = m.datastream(key)
            if nav == "Thing":
                return target, np.array([d.thing + 1]), True
            if nav == "Sensor":
                return target, np.array([1]), True
            if nav == "ObservedProperty":
                return target, np.array([FIELD_NAMES.index(d.talq) + 1 if d.talq in FIELD_NAMES else 0]), True
            return target, d.id * OBS_STRIDE + d.seq, False
        if kind == "Observations":
            return target, np.array([key // OBS_STRIDE]), True
        if kind == "ObservedProperties":
            talq = FIELD_NAMES[key - 1]
            return target, np.array([d.id for d in m.datastreams if d.talq == talq and d.thing >= 0]), False
        if kind == "Sensors":
            return target, self.all_keys("Datastreams"), False
        raise NotFound(f"{kind}/{nav}")

    def _obs_arrays(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(times, results) of encoded Observation ids, vectorised per Datastream."""
        keys = np.asarray(keys, dtype=np.int64)
        ds_of = keys // OBS_STRIDE
        if len(keys) and ds_of[0] == ds_of[-1] and (len(keys) < 3 or (ds_of == ds_of[0]).all()):
            d = self.m.datastream(int(ds_of[0]))  # the usual case: one Datastream's Observations
            pos = d.positions(keys - d.id * OBS_STRIDE)
            return d.times[pos], d.results[pos]
        t, v = np.full(len(keys), np.nan), np.full(len(keys), np.nan)
        for d_id in np.unique(ds_of):
            d = self.m.datastream(int(d_id))
            sel = np.flatnonzero(ds_of == d_id)
            pos = d.positions(keys[sel] % OBS_STRIDE)
            t[sel], v[sel] = d.times[pos], d.results[pos]
        return t, v

    def prop(self, kind: str, keys: np.ndarray, path: str) -> np.ndarray:
        """One property for many entities (vectorised where it matters: Observations)."""
        if path in ("@iot.id", "id"):
            return np.asarray(keys, dtype=np.float64)
        if kind == "Observations":
            if path in ("phenomenonTime", "resultTime"):
                return self._obs_arrays(keys)[0]
            if path == "result":
                return self._obs_arrays(keys)[1]
            if path in ("Datastream/@iot.id", "Datastream/id"):
                return (np.asarray(keys) // OBS_STRIDE).astype(np.float64)
        first, _, rest = path.partition("/")
        out = []
        for k in keys:
            ent = self.entity_dict(kind, int(k), full=True)
            if first in ONE and first in NAV.get(kind, ()):
                tk, tkeys, _ = self.related(kind, int(k), first)
                out.append(self.prop(tk, tkeys[:1], rest)[0] if len(tkeys) else None)
                continue
            v: Any = ent.get(first)
            if rest:
                for part in rest.split("/"):
                    v = v.get(part) if isinstance(v, dict) else None
            out.append(v)
        return np.array(out, dtype=object)

    def entity_dict(self, kind: str, key: int, full: bool = False, wanted: Optional[frozenset] = None) -> dict:
        """One entity as JSON; with `wanted` ($select) only those properties are built (refresh pages are big)."""
        m = self.m
        self_link = f"{self.base}/{kind}({key})"
        e: dict[str, Any] = {"@iot.id": int(key), "@iot.selfLink": self_link}
        if wanted is not None and kind == "Observations":
            t, v = self._obs_arrays(np.array([key]))
            d = m.datastream(key // OBS_STRIDE)
            if "phenomenonTime" in wanted or "resultTime" in wanted:
                e["phenomenonTime"] = e["resultTime"] = iso_z(t[0])
            if "result" in wanted:
                e["result"] = bool(v[0]) if TALQ_FIELDS.get(d.talq, ("", ""))[1] == "bool" else float(v[0])
            return e
        if wanted is not None and kind == "Datastreams":
            d = m.datastream(key)
            e.update(name=d.name, unitOfMeasurement=d.unit)
            return e
        if kind == "Things":
            t = m.things[key - 1]
            e.update(name=t["name"], description=t["description"], properties=t["properties"])
        elif kind == "Locations":
            t = m.things[key - 1]
            e.update(
                name=f"Location of {t['name']}",
                description="pole position",
                encodingType="application/geo+json",
                location={"type": "Point", "coordinates": [t["lon"], t["lat"]]},
            )
        elif kind == "Datastreams":
            d = m.datastream(key)
            e.update(
                name=d.name,
                description=f"{d.talq} of {m.things[d.thing]['name'] if d.thing >= 0 else '?'}",
                observationType="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                unitOfMeasurement=d.unit,
            )
            if len(d.times) and (full or wanted is None):
                e["phenomenonTime"] = f"{iso_z(d.times[0])}/{iso_z(d.times[-1])}"
        elif kind == "ObservedProperties":
            talq = FIELD_NAMES[key - 1]
            e.update(name=talq, definition=TALQ_DEF + talq, description=f"TALQ {talq}")
        elif kind == "Sensors":
            e.update(name="Lamp controller", description="demo luminaire controller", encodingType="text/plain")
            e["metadata"] = "demo"
        elif kind == "Observations":
            t, v = self._obs_arrays(np.array([key]))
            d = m.datastream(key // OBS_STRIDE)
            res: Any = bool(v[0]) if TALQ_FIELDS.get(d.talq, ("", ""))[1] == "bool" else float(v[0])
            e.update(phenomenonTime=iso_z(t[0]), resultTime=iso_z(t[0]), result=res)
        elif kind == "TaskingCapabilities":
            e.update(
                name=f"Control {m.things[key - 1]['name']}",
                description="dim or switch the lamp",
                taskingParameters={
                    "type": "DataRecord",
                    "field": [
                        {"name": "command", "definition": "dim|switch", "constraint": {"value": ["dim", "switch"]}},
                        {"name": "level", "definition": "percent 0..100"},
                    ],
                },
            )
        elif kind == "Tasks":
            task = m.tasks[key - 1]
            e.update(creationTime=task["creationTime"], taskingParameters=task["taskingParameters"])
        for nav in NAV.get(kind, ()):
            e[f"{nav}@iot.navigationLink"] = f"{self_link}/{nav}"
        return e

    # query pipeline
    def query(self, kind: str, keys: np.ndarray, opts: dict[str, str], top_level: bool, url: str = "") -> dict:
        keys = np.asarray(keys, dtype=np.int64)
        if "$filter" in opts and len(keys):
            mask = self._eval(kind, keys, parse_filter(opts["$filter"]))
            keys = keys[np.asarray(mask, dtype=bool)]
        keys = self._order(kind, keys, opts.get("$orderby", ""))
        count = len(keys)
        try:
            skip = int(opts.get("$skip", 0))
            top = min(int(opts.get("$top", self.default_top)), self.max_top)
        except ValueError as exc:
            raise QueryError(f"bad $top/$skip: {exc}") from exc
        if skip < 0 or top < 0:
            raise QueryError("$top and $skip must be ≥ 0")
        page = keys[skip : skip + top]
        out: dict[str, Any] = {}
        if opts.get("$count", "").lower() == "true":
            out["@iot.count"] = count
        if top_level and skip + top < count:
            out["@iot.nextLink"] = url + "?" + urlencode({**opts, "$skip": str(skip + top)}, safe="$(),;/:'")
        out["value"] = [self.render(kind, int(k), opts) for k in page]
        return out

    def render(self, kind: str, key: int, opts: dict[str, str]) -> dict:
        if opts.get("$select"):
            wanted = _select(opts["$select"])
            e = self.entity_dict(kind, key, wanted=wanted)
            e = {k: v for k, v in e.items() if k in wanted}
        else:
            e = self.entity_dict(kind, key)
        if opts.get("$expand"):
            for path, sub in parse_expand(opts["$expand"]):
                self._expand(e, kind, key, path, sub)
        return e

    def _expand(self, e: dict, kind: str, key: int, path: list[str], sub: dict[str, str]) -> None:
        nav = path[0]
        target, keys, single = self.related(kind, key, nav)
        opts = sub if len(path) == 1 else {"$expand": "/".join(path[1:]) + _opts_text(sub)}
        if single:
            e[nav] = self.render(target, int(keys[0]), opts) if len(keys) else None
        else:
            res = self.query(target, keys, opts, top_level=False)
            e[nav] = res["value"]
            if "@iot.count" in res:
                e[f"{nav}@iot.count"] = res["@iot.count"]
        e.pop(f"{nav}@iot.navigationLink", None)

    def _eval(self, kind: str, keys: np.ndarray, node: Any) -> np.ndarray:
        op = node[0]
        if op == "and":
            return self._eval(kind, keys, node[1]) & self._eval(kind, keys, node[2])
        if op == "or":
            return self._eval(kind, keys, node[1]) | self._eval(kind, keys, node[2])
        if op == "not":
            return ~self._eval(kind, keys, node[1])
        a, b = node[1], node[2]
        if a[0] == "lit" and b[0] == "path":  # 5 lt x  →  x gt 5
            a, b, op = b, a, {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le"}.get(op, op)
        left = self.prop(kind, keys, a[1]) if a[0] == "path" else np.full(len(keys), a[1], dtype=object)
        lit = b[1] if b[0] == "lit" else None
        if isinstance(lit, str) and left.dtype == np.float64:  # a time given as quoted text
            lit = obs_time(lit)
        fn: dict[str, Callable[[Any, Any], bool]] = {
            "eq": lambda x, y: x == y,
            "ne": lambda x, y: x != y,
            "gt": lambda x, y: x is not None and x > y,
            "ge": lambda x, y: x is not None and x >= y,
            "lt": lambda x, y: x is not None and x < y,
            "le": lambda x, y: x is not None and x <= y,
        }
        if left.dtype == np.float64 and isinstance(lit, (int, float)) and not isinstance(lit, bool):
            return np.asarray(fn[op](left, lit), dtype=bool)
        try:
            return np.array([bool(fn[op](x, lit)) for x in left], dtype=bool)
        except TypeError as exc:
            raise QueryError(f"cannot compare {a[1]} with {lit!r}") from exc

    def _order(self, kind: str, keys: np.ndarray, orderby: str) -> np.ndarray:
        """Stable multi-key sort; default order is by id (keys arrive sorted from all_keys/related)."""
        if not orderby or len(keys) < 2:
            return keys
        if kind == "Observations" and orderby.split()[0] == "phenomenonTime" and "," not in orderby:
            t = self._obs_arrays(keys)[0]
            if (t[1:] >= t[:-1]).all():  # one Datastream's Observations are kept in time order
                return keys[::-1] if orderby.strip().lower().endswith("desc") else keys
        for item in reversed([s.strip() for s in orderby.split(",") if s.strip()]):
            path, _, direction = item.partition(" ")
            vals = self.prop(kind, keys, path)
            order = np.argsort(vals, kind="stable")
            if direction.strip().lower() == "desc":
                # descending while keeping equal values in ascending key order
                order = np.argsort(-vals, kind="stable") if vals.dtype == np.float64 else order[::-1]
            keys = keys[order]
        return keys

    # resources
    def get(self, path: str, query: dict[str, str], url: str) -> dict:
        segs = [s for s in path.strip("/").split("/") if s]
        if not segs:
            return {
                "value": [
                    {"name": k, "url": f"{self.base}/{k}"}
                    for k in ("Things", "Locations", "Datastreams", "Sensors", "ObservedProperties", "Observations")
                ],
                "serverSettings": {"conformance": ["http://www.opengis.net/spec/iot_sensing/1.1/req/core"]},
            }
        kind, key, single = None, None, False
        for i, seg in enumerate(segs):
            m = re.match(r"^(\w+)(?:\((\d+)\))?$", seg)
            if not m:
                raise QueryError(f"cannot parse path segment {seg!r}")
            name, ident = m.group(1), m.group(2)
            if i == 0:
                kind = name
                keys = self.all_keys(kind)
            else:
                if key is None:
                    raise QueryError("navigate from a single entity, e.g. Things(1)/Datastreams")
                kind, keys, single = self.related(kind, key, name)
                key = int(keys[0]) if single and len(keys) else None
                if single and key is None:
                    raise NotFound(f"{name} not found")
            if ident is not None:
                key = int(ident)
                if key not in set(keys.tolist()) and not (kind == "Observations" and self.exists(kind, key)):
                    raise NotFound(f"{kind}({key}) not found")
                single = True
            elif i > 0 and not single:
                key = None
        if single and key is not None:
            return self.render(kind, key, query)
        return self.query(kind, keys, query, top_level=True, url=url)


@lru_cache(maxsize=256)
def _select(text: str) -> frozenset:
    return frozenset("@iot.id" if s.strip() == "id" else s.strip() for s in text.split(","))


def _opts_text(sub: dict[str, str]) -> str:
    return "(" + ";".join(f"{k}={v}" for k, v in sub.items()) + ")" if sub else ""


# ---- HTTP ------------------------------------------------------------------------------------------------------
class SensorThingsServer:
    """`with SensorThingsServer(model) as srv: srv.url` — threaded HTTP server on 127.0.0.1 (port 0 = free)."""

    def __init__(self, model: Model, port: int = 0, max_top: int = 1000, delay_s: float = 0.0) -> None:
        self.model = model
        self.delay_s = delay_s  # tests: a slow server
        self.fail_status: Optional[int] = None  # tests: answer every request with this HTTP status
        self.requests = 0
        self.max_top = max_top
        self._connections: set = set()  # open keep-alive sockets, closed on stop() like a real outage
        self.httpd = ThreadingHTTPServer((HOST, port), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://{HOST}:{self.port}/v1.1/"
        self.engine = Engine(model, self.url, max_top=max_top)
        self.thread: Optional[threading.Thread] = None

    def _handler(self) -> type:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: Any) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                server._connections.add(self.connection)

            def finish(self) -> None:
                server._connections.discard(self.connection)
                super().finish()

            def _send(self, status: int, body: dict, extra: Optional[dict] = None) -> None:
                data = json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _route(self) -> Optional[str]:
                server.requests += 1
                if server.delay_s:
                    time.sleep(server.delay_s)
                if server.fail_status:
                    self._send(server.fail_status, {"code": server.fail_status, "message": "test failure"})
                    return None
                parts = urlsplit(self.path)
                if not parts.path.startswith("/v1.1"):
                    self._send(404, {"code": 404, "message": "SensorThings lives under /v1.1/"})
                    return None
                return parts.path[len("/v1.1") :]

            def do_GET(self) -> None:
                path = self._route()
                if path is None:
                    return
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                try:
                    with server.model.lock:
                        body = server.engine.get(path, query, server.url.rstrip("/") + path)
                    self._send(200, body)
                except NotFound as exc:
                    self._send(404, {"code": 404, "message": str(exc)})
                except (QueryError, ValueError) as exc:
                    self._send(400, {"code": 400, "message": str(exc)})

            def do_POST(self) -> None:
                path = self._route()
                if path is None:
                    return
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                    body = json.loads(self.rfile.read(n) or b"{}")
                    if path.strip("/") != "Tasks":
                        raise QueryError("only POST /v1.1/Tasks is supported")
                    with server.model.lock:
                        task_id = server.apply_task(body)
                    link = f"{server.url}Tasks({task_id})"
                    self._send(201, server.engine.entity_dict("Tasks", task_id), {"Location": link})
                except NotFound as exc:
                    self._send(404, {"code": 404, "message": str(exc)})
                except (QueryError, ValueError, KeyError, TypeError) as exc:
                    self._send(400, {"code": 400, "message": f"bad task: {exc}"})

        return Handler

    def apply_task(self, body: dict) -> int:
        """dim: set level (and power ∝ rated); switch: level 0 or 100. Writes new Observations at now."""
        cap = int((body.get("TaskingCapability") or {}).get("@iot.id"))
        if not 1 <= cap <= len(self.model.things):
            raise NotFound(f"no TaskingCapability {cap}")
        params = body.get("taskingParameters") or {}
        command = params.get("command")
        if command == "switch":
            on = params.get("on", params.get("level", 100))
            level = 100.0 if on in (True, "on", "true") or (isinstance(on, (int, float)) and on > 0) else 0.0
        elif command == "dim":
            level = float(params["level"])
            if not 0 <= level <= 100:
                raise QueryError("level must be 0..100")
        else:
            raise QueryError(f"unknown command {command!r} (dim or switch)")
        thing = self.model.things[cap - 1]
        now = time.time()
        rated = float(thing["properties"].get("rated_power_w") or 100.0)
        for d_id in self.model.thing_ds[cap - 1]:
            d = self.model.datastream(d_id)
            if d.talq == "actualLightState":
                d.add(now, level)
            elif d.talq == "activePower":
                d.add(now, round(rated * level / 100.0, 1))
        self.model.tasks.append({"capability": cap, "taskingParameters": params, "creationTime": iso_z(now)})
        return len(self.model.tasks)

    def start(self) -> SensorThingsServer:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sensorthings", daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        for conn in list(self._connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> SensorThingsServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description="Local SensorThings API server seeded from a demo-city GeoPackage.")
    p.add_argument("--gpkg", required=True, type=Path)
    p.add_argument("--port", type=int, default=8090, help="0 = any free port (printed in the READY line)")
    p.add_argument("--max-top", type=int, default=1000)
    p.add_argument("--live", action="store_true", help="shift times so the newest observation is a minute old")
    a = p.parse_args(argv)
    if not a.gpkg.is_file():
        print(f"error: {a.gpkg} does not exist (make demo-data)", file=sys.stderr)
        return 2
    model = model_from_gpkg(a.gpkg)
    if a.live:
        model.shift_times(time.time() - 60 - model.newest_time())
    srv = SensorThingsServer(model, a.port, max_top=a.max_top)
    stop_on_sigterm(srv.httpd)  # before the ready line: a launcher may stop us right after it
    print(f"READY {srv.url}", flush=True)
    try:
        srv.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
