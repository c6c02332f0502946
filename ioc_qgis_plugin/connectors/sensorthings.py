"""OGC SensorThings API v1.1 client for smart street lights, mapped to TALQ-style fields.

Pure Python + requests (no qgis). The caller passes ready auth headers (the GUI resolves a QGIS authcfg into a
Basic or Bearer header); nothing here reads or stores credentials.

Mapping: a Datastream becomes a TALQ field by its ObservedProperty name/definition or the tail of its own name
(`actualLightState`, `activePower`, ...). Values are converted only from units we recognise; any other unit is
flagged on the light and the value dropped — a power in "kVAr" must not be silently read as watts.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Optional, Sequence
from urllib.parse import urljoin, urlsplit

import numpy as np
import requests

from ..core.talq import FIELD_NAMES, TALQ_FIELDS
from ..core.timeutil import parse_iso
from .bounded_read import body_pieces, megabytes

FAULT_FIELDS: tuple[str, ...] = ("lampFailure", "dimmingFailure", "relayFailure", "supplyLoss", "cabinetDoorOpen")

# Other names seen in the wild for the same quantities (FIWARE Streetlight, vendor exports); compared normalised.
_ALIASES = {
    "actualLightState": ("lightlevel", "dimminglevel", "dimlevel", "illuminancelevel", "lightstate"),
    "activePower": ("power", "powerconsumption", "activepowerw"),
    "activeEnergy": ("energy", "energyconsumption", "activeenergykwh"),
    "operatingHours": ("burninghours", "burnhours", "runninghours"),
    "lampFailure": ("lampfault", "defectivelamp"),
    "relayFailure": ("relayfault",),
    "dimmingFailure": ("dimmingfault",),
    "supplyLoss": ("powersupplyloss", "mainsfailure"),
    "cabinetDoorOpen": ("dooropen", "cabinetdoor"),
}
_LOOKUP = {}
for _talq, _more in _ALIASES.items():
    for _n in (_talq.lower(), *_more):
        _LOOKUP[_n] = _talq

# Unit symbol/name (normalised) → factor to the store unit, per kind. Anything else is "unknown unit".
_UNITS: dict[str, dict[str, float]] = {
    "percent": {"%": 1.0, "percent": 1.0, "pct": 1.0, "ucum.html#para-29": 1.0},
    "power": {"w": 1.0, "watt": 1.0, "kw": 1000.0, "kilowatt": 1000.0, "mw": 1e6, "megawatt": 1e6},
    "energy": {
        "kwh": 1.0,
        "kw.h": 1.0,
        "kw·h": 1.0,
        "kilowatthour": 1.0,
        "wh": 1e-3,
        "w.h": 1e-3,
        "watthour": 1e-3,
        "mwh": 1e3,
        "megawatthour": 1e3,
        "j": 1 / 3.6e6,
        "joule": 1 / 3.6e6,
    },
    "hours": {"h": 1.0, "hour": 1.0, "hours": 1.0, "min": 1 / 60, "minute": 1 / 60, "s": 1 / 3600, "second": 1 / 3600},
    "bool": {"": 1.0, "boolean": 1.0, "bool": 1.0, "1": 1.0, "dimensionless": 1.0, "truth": 1.0, "flag": 1.0},
}


class SensorThingsError(RuntimeError):
    """The server could not be reached or answered with an error; message is safe to show and log."""


def _norm(text: Any) -> str:
    return re.sub(r"[\s_\-/]+", "", str(text or "")).lower()


def match_field(datastream: dict) -> Optional[str]:
    """TALQ field of a Datastream, from its ObservedProperty (name, definition tail) or its own name's tail."""
    op = _obj(datastream.get("ObservedProperty"))
    candidates = [op.get("name"), str(op.get("definition") or "").rstrip("/").rsplit("/", 1)[-1].split("#")[-1]]
    name = str(datastream.get("name") or "")
    candidates += [name, re.split(r"[\s:/.]+", name.strip())[-1] if name.strip() else ""]
    for c in candidates:
        hit = _LOOKUP.get(_norm(c))
        if hit:
            return hit
    return None


def unit_factor(talq: str, uom: Optional[dict]) -> Optional[float]:
    """Factor converting a Datastream's unitOfMeasurement to the store unit, or None when the unit is unknown."""
    kind = TALQ_FIELDS[talq][1]
    table = _UNITS[kind]
    uom = _obj(uom)
    keys = [uom.get("symbol"), uom.get("name"), str(uom.get("definition") or "").rsplit("/", 1)[-1]]
    if kind == "bool" and not any(k for k in keys):
        return 1.0  # truth values legitimately carry no unit
    for k in keys:
        if k is None or k == "":
            continue
        nk = str(k).strip().lower().replace(" ", "")
        if nk in table:
            return table[nk]
    return None


def result_value(result: Any) -> float:
    """Observation result → float (truth values → 1/0); NaN when not a number."""
    if isinstance(result, bool):
        return 1.0 if result else 0.0
    if isinstance(result, (int, float)):
        return float(result)
    if isinstance(result, str):
        t = result.strip().lower()
        if t in ("true", "yes", "on"):
            return 1.0
        if t in ("false", "no", "off"):
            return 0.0
        try:
            return float(t)
        except ValueError:
            return float("nan")
    if isinstance(result, dict) and "value" in result and not isinstance(result["value"], dict):
        return result_value(result["value"])
    return float("nan")


# Plausible ranges per unit kind, in store units: anything outside is a broken device or a hostile server.
VALUE_RANGES: dict[str, tuple[float, float]] = {
    "percent": (0.0, 100.0),
    "power": (0.0, 100_000.0),  # W; a single luminaire/cabinet never draws 100 kW
    "energy": (0.0, 1e9),  # kWh
    "hours": (0.0, 1e6),
    "bool": (0.0, 1.0),
}


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list:
    return value if isinstance(value, list) else []


def read_location(loc: Any) -> tuple[Optional[tuple[float, float]], Optional[str]]:
    """(lon, lat) from a Location entity (GeoJSON geometry or Feature), or (None, what was wrong)."""
    location = _obj(_obj(loc).get("location"))
    coords = (_obj(location.get("geometry")) or location).get("coordinates")
    if coords is None:
        return None, None
    if not isinstance(coords, list) or len(coords) < 2:
        return None, f"unreadable coordinates {str(coords)[:30]!r}"
    x, y = coords[0], coords[1]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y)):
        return None, f"coordinates are not numbers {str(coords)[:30]!r}"
    x, y = float(x), float(y)
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        return None, f"location out of range (lon {x:.6g}, lat {y:.6g})"
    return (x, y), None


MAX_ID_CHARS = 128


def light_id_of(thing: dict) -> Optional[str]:
    """The light's id (properties.light_id, else name, else @iot.id) if it is a usable identifier."""
    p = _obj(thing.get("properties"))
    for v in (p.get("light_id"), thing.get("name"), thing.get("@iot.id")):
        if v is None or v == "" or isinstance(v, (bool, dict, list, float)):
            continue
        text = str(v).strip()
        if text and len(text) <= MAX_ID_CHARS and text.isprintable() and not re.search(r"[\ud800-\udfff]", text):
            return text
        return None
    return None


def obs_time(value: Any) -> float:
    """phenomenonTime (instant or 'start/end' interval → end) as epoch seconds; NaN when missing/unreadable."""
    if not value or not isinstance(value, str):
        return float("nan")
    text = value
    if "/" in text:
        text = text.split("/")[-1]
    if text.endswith("Z") and len(text) >= 20 and text[10] == "T":  # fast path for the usual UTC form
        try:
            base = (datetime.fromisoformat(text[:19]) - _EPOCH).total_seconds()
            frac = text[19:-1]
            return base + (float(frac) if frac.startswith(".") and len(frac) > 1 else 0.0)
        except ValueError:
            pass
    try:
        dt = parse_iso(text[:64], timezone.utc)
        return dt.timestamp() if dt else float("nan")
    except (ValueError, TypeError, OverflowError):
        return float("nan")


_EPOCH = datetime(1970, 1, 1)


def iso_z(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(round(epoch % 1 * 1000)) % 1000:03d}Z"


def time_filter(start: Optional[float] = None, end: Optional[float] = None, prop: str = "phenomenonTime") -> str:
    parts = []
    if start is not None:
        parts.append(f"{prop} ge {iso_z(start)}")
    if end is not None:
        parts.append(f"{prop} le {iso_z(end)}")
    return " and ".join(parts)


# Newest observation per datastream, plus what is needed to map and place the light: one request per page of Things.
LATEST_EXPAND = (
    "Locations($select=location),"
    "Datastreams($select=id,name,unitOfMeasurement;"
    "$expand=ObservedProperty($select=name,definition),"
    "Observations($select=phenomenonTime,resultTime,result;$orderby=phenomenonTime desc;$top=1))"
)


@dataclass
class SensorThingsClient:
    """Minimal, robust SensorThings v1.1 reader: retries with backoff, pages by @iot.nextLink, readable errors."""

    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: tuple[float, float] = (3.0, 15.0)  # (connect, read) seconds
    retries: int = 2
    backoff_s: float = 0.3
    page_size: int = 1000
    max_pages: int = 10_000
    session: Optional[requests.Session] = None
    sleep: Callable[[float], None] = time.sleep
    # Credentials go to the configured origin only. A nextLink/redirect elsewhere is refused, or — when the user
    # allows it — followed WITHOUT any credential header.
    follow_foreign_links: bool = False
    max_bytes: int = 64 * 1024 * 1024  # per page
    deadline_s: float = 60.0  # per page, body included
    max_redirects: int = 5
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/") + "/"
        if self.session is None:
            self.session = requests.Session()
        self.requests_made = 0

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url, path.lstrip("/"))

    def _headers_for(self, url: str) -> dict[str, str]:
        """Our headers for the configured origin; for another origin none (if allowed) or a refusal."""
        if same_origin(url, self.base_url):
            return dict(self.headers)
        if not self.follow_foreign_links:
            raise SensorThingsError(
                f"the server pointed to another address ({_origin(url)}, not {_origin(self.base_url)}); not followed "
                "so the credentials are not sent there"
            )
        return {k: v for k, v in self.headers.items() if k.lower() not in _CREDENTIAL_HEADERS}

    def get(self, path: str, params: Optional[dict[str, Any]] = None) -> Any:
        url = self._url(path)
        last: Optional[str] = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff_s * (2 ** (attempt - 1)))
            try:
                r, body = self._fetch(url, params)
            except requests.RequestException as exc:
                last = f"{type(exc).__name__}: cannot reach {_safe(url)}"
                continue
            if r.status_code in (429, 502, 503, 504) or r.status_code >= 500:
                last = f"HTTP {r.status_code} from {_safe(url)}"
                continue
            if r.status_code in (401, 403):
                raise SensorThingsError(f"HTTP {r.status_code}: not allowed to read {_safe(url)} (check credentials)")
            if r.status_code >= 400:
                raise SensorThingsError(f"HTTP {r.status_code} from {_safe(url)}: {_error_text(r, body)}")
            if 300 <= r.status_code < 400:
                raise SensorThingsError(f"HTTP {r.status_code} from {_safe(url)} without a usable Location")
            return decode_json(body, r.headers.get("Content-Type", ""), _safe(url))
        raise SensorThingsError(last or f"no answer from {_safe(url)}")

    def _fetch(self, url: str, params: Optional[dict[str, Any]]) -> tuple[requests.Response, bytes]:
        """One GET with redirects followed by hand (origin checked at every hop), body size and time bounded."""
        for _hop in range(self.max_redirects + 1):
            headers = {**self._headers_for(url), "Accept-Encoding": "identity"}  # sizes limited as sent
            self.requests_made += 1
            r = self.session.get(
                url, params=params, headers=headers, timeout=self.timeout, allow_redirects=False, stream=True
            )
            location = r.headers.get("Location")
            if r.is_redirect and location:
                r.close()
                url, params = urljoin(r.url, location), None
                continue
            return r, self._read(r, url)
        raise SensorThingsError(f"more than {self.max_redirects} redirects from {_safe(url)}; stopped")

    def _read(self, r: requests.Response, url: str) -> bytes:
        started = self.clock()
        buf = bytearray()
        try:
            for chunk in body_pieces(r):
                buf += chunk
                if len(buf) > self.max_bytes:
                    raise SensorThingsError(f"{_safe(url)} sent more than {megabytes(self.max_bytes)}; stopped")
                if self.clock() - started > self.deadline_s:
                    raise SensorThingsError(f"{_safe(url)} was still sending after {self.deadline_s:.0f} s; gave up")
        finally:
            r.close()
        return bytes(buf)

    def _follow(self, first: Any, where: str) -> Iterator[Any]:
        """Entities of a page and of every page its @iot.nextLink chain leads to: bounded and loop-free."""
        page, seen, url = first, set(), where
        for _ in range(self.max_pages):
            if not isinstance(page, dict):
                raise SensorThingsError(f"{_safe(url)}: a page must be a JSON object, got {type(page).__name__}")
            values = page.get("value", [])
            if not isinstance(values, list):
                raise SensorThingsError(f"{_safe(url)}: 'value' must be a list, got {type(values).__name__}")
            yield from values
            nxt = page.get("@iot.nextLink")
            if not nxt:
                return
            if not isinstance(nxt, str) or len(nxt) > 8192:
                raise SensorThingsError(f"{_safe(url)}: unusable @iot.nextLink")
            url = urljoin(url, nxt)
            if url in seen:
                raise SensorThingsError(f"{_safe(url)}: @iot.nextLink leads back to a page already read; stopped")
            seen.add(url)
            page = self.get(url)
        raise SensorThingsError(f"more than {self.max_pages} pages from {_safe(where)}; stopped")

    def iter_collection(self, path: str, params: Optional[dict[str, Any]] = None) -> Iterator[dict]:
        """Every entity of a collection, following @iot.nextLink (the server's paging, absolute or relative)."""
        yield from self._follow(self.get(path, params), self._url(path))

    def collection(self, path: str, **options: Any) -> list[dict]:
        """`client.collection("Things", top=100, filter="name eq 'X'", expand="Locations")` → all entities."""
        params = {f"${k}": v for k, v in options.items() if v is not None and v != ""}
        return list(self.iter_collection(path, params))

    def entity(self, path: str, **options: Any) -> dict:
        return self.get(path, {f"${k}": v for k, v in options.items() if v is not None and v != ""})

    # -- street lights ------------------------------------------------------------------------------------
    def latest_by_thing(self, thing_filter: str = "", with_locations: bool = True) -> list[dict]:
        """Things with their Datastreams and each one's newest Observation, in ⌈n / page_size⌉ requests."""
        expand = LATEST_EXPAND if with_locations else LATEST_EXPAND.split(",", 1)[1]
        things = self.collection(
            "Things",
            select="id,name,properties",
            expand=expand,
            top=self.page_size,
            filter=thing_filter or None,
            orderby="id",
        )
        for t in things:  # expanded Datastreams may be paged too (large Things): same limits, same origin rule
            if not isinstance(t, dict):
                continue
            nxt = t.get("Datastreams@iot.nextLink")
            if not nxt:
                continue
            if not isinstance(nxt, str) or not isinstance(t.get("Datastreams", []), list):
                raise SensorThingsError(f"Thing {str(t.get('@iot.id'))[:40]}: unusable Datastreams@iot.nextLink")
            first_url = urljoin(self.base_url, nxt)
            more = list(self._follow(self.get(first_url), first_url))
            t["Datastreams"] = list(t.get("Datastreams") or []) + more
        return things

    def history(
        self, datastream_id: Any, start: Optional[float] = None, end: Optional[float] = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(epoch times, values) of one Datastream's Observations in [start, end], oldest first."""
        obs = self.collection(
            f"Datastreams({_id_literal(datastream_id)})/Observations",
            select="phenomenonTime,result",
            filter=time_filter(start, end) or None,
            orderby="phenomenonTime asc",
            top=self.page_size,
        )
        t = np.array([obs_time(o.get("phenomenonTime")) for o in obs], dtype=np.float64)
        v = np.array([result_value(o.get("result")) for o in obs], dtype=np.float64)
        return t, v

    def send_task(self, capability_id: Any, parameters: dict[str, Any]) -> dict:
        """Tasking: POST a Task for a TaskingCapability (dim/switch); returns the created Task."""
        url = self._url("Tasks")
        body = {"taskingParameters": parameters, "TaskingCapability": {"@iot.id": capability_id}}
        try:
            r = self.session.post(url, json=body, headers=self.headers, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise SensorThingsError(f"{type(exc).__name__}: cannot reach {_safe(url)}") from exc
        if r.status_code >= 400:
            raise SensorThingsError(f"HTTP {r.status_code} from {_safe(url)}: {_error_text(r)}")
        try:
            return r.json()
        except ValueError:
            return {"@iot.selfLink": r.headers.get("Location", "")}


def _id_literal(value: Any) -> str:
    return str(value) if isinstance(value, int) or str(value).isdigit() else "'" + str(value).replace("'", "''") + "'"


def _safe(url: str) -> str:
    """URL without user:password@ and without the query (which may be long)."""
    return re.sub(r"//[^/@]+@", "//", url.split("?", 1)[0])


_CREDENTIAL_HEADERS = {"authorization", "x-api-key", "proxy-authorization", "cookie", "api-key", "apikey"}


def _origin(url: str) -> str:
    u = urlsplit(url)
    port = u.port or {"http": 80, "https": 443}.get(u.scheme.lower())
    return f"{u.scheme.lower()}://{(u.hostname or '').lower()}:{port}"


def same_origin(a: str, b: str) -> bool:
    """Same scheme, host and port (RFC 6454) — the only place credential headers may go."""
    try:
        return _origin(a) == _origin(b)
    except ValueError:  # an unparsable port
        return False


def decode_json(body: bytes, content_type: str, where: str) -> Any:
    """Bytes → JSON with the declared charset or UTF-8; never guessed (guessing took 10–18 s on a bad byte)."""
    m = re.search(r"charset=\s*\"?([A-Za-z0-9._:-]+)", content_type or "")
    charset = m.group(1) if m else "utf-8"
    try:
        text = body.decode("utf-8-sig" if charset.lower().replace("_", "-") in ("utf-8", "utf8") else charset)
    except LookupError as exc:
        raise SensorThingsError(f"{where} declared an unknown character set {charset[:30]!r}") from exc
    except UnicodeDecodeError as exc:
        raise SensorThingsError(
            f"{where} did not answer valid {charset} (byte 0x{body[exc.start]:02x} at offset {exc.start})"
        ) from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SensorThingsError(f"{where} did not answer JSON") from exc
    except RecursionError as exc:
        raise SensorThingsError(f"{where} answered JSON nested too deeply") from exc


def _error_text(r: requests.Response, body: bytes = b"") -> str:
    try:
        data = json.loads(body.decode("utf-8", "replace"))
        return (
            str(data.get("message") or data.get("error") or data)[:200] if isinstance(data, dict) else str(data)[:200]
        )
    except (ValueError, RecursionError):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", body[:2000].decode("utf-8", "replace"))).strip()[:200]


# ---- per-light latest values -------------------------------------------------------------------------------------
@dataclass
class LatestValues:
    """Newest value per light and TALQ field, as arrays (n lights × n fields); NaN where missing."""

    light_ids: list[str]
    thing_ids: list[Any]
    lon: np.ndarray
    lat: np.ndarray
    values: np.ndarray  # float64 (n, F), store units
    times: np.ndarray  # float64 (n, F), epoch seconds (clamped when in the future)
    skew_s: np.ndarray  # float64 (n,), largest amount an observation was ahead of `now` (0 when none)
    issues: list[list[str]]  # per light: unknown units, missing datastreams, clock skew, unreadable values
    properties: list[dict] = field(default_factory=list)
    datastream_ids: list[dict[str, Any]] = field(default_factory=list)  # per light: TALQ field → Datastream id
    problems: list[str] = field(default_factory=list)  # Things skipped (no usable id, duplicate light_id, …)

    def column(self, talq: str) -> np.ndarray:
        return self.values[:, FIELD_NAMES.index(talq)]

    def time_of(self, talq: str) -> np.ndarray:
        return self.times[:, FIELD_NAMES.index(talq)]


def latest_values(
    things: Sequence[dict],
    now: Optional[float] = None,
    max_skew_s: float = 300.0,
    expected: Sequence[str] = ("actualLightState", "activePower"),
) -> LatestValues:
    """Map Things (from `latest_by_thing`) to arrays of the newest value per TALQ field.

    An observation more than `max_skew_s` in the future (device clock ahead) keeps its value but is dated `now`
    and flagged, so it neither looks fresh forever nor hides later readings' times.
    """
    now = time.time() if now is None else now
    n, nf = len(things), len(FIELD_NAMES)
    values = np.full((n, nf), np.nan)
    times = np.full((n, nf), np.nan)
    skew = np.zeros(n)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    ids, tids, issues, props, ds_ids = [], [], [], [], []
    problems: list[str] = []
    seen: dict[str, Any] = {}
    keep: list[bool] = []
    for i, t in enumerate(things):
        lid = light_id_of(t) if isinstance(t, dict) else None
        if lid is None or lid in seen:
            what = "not an object" if not isinstance(t, dict) else "no usable light id" if lid is None else None
            tid = str(t.get("@iot.id"))[:40] if isinstance(t, dict) else "?"
            if what is None:
                what = f"light_id {lid} is already used by Thing {str(seen[lid])[:40]}"
            problems.append(f"Thing {tid}: {what}; skipped")
            keep.append(False)
            ids.append("")
            tids.append(None)
            props.append({})
            issues.append([])
            ds_ids.append({})
            continue
        keep.append(True)
        seen[lid] = t.get("@iot.id")
        p = _obj(t.get("properties"))
        ids.append(lid)
        tid = t.get("@iot.id")
        tids.append(tid if isinstance(tid, (int, str)) and not isinstance(tid, bool) else None)
        props.append(p)
        mine: list[str] = []
        ds_map: dict[str, Any] = {}
        for loc in _items(t.get("Locations")):
            xy, why = read_location(loc)
            if why:
                mine.append(why)
            if xy is not None:
                lon[i], lat[i] = xy
                break
        for ds in _items(t.get("Datastreams")):
            if not isinstance(ds, dict):
                continue
            talq = match_field(ds)
            if talq is None:
                continue
            j = FIELD_NAMES.index(talq)
            ds_id = ds.get("@iot.id")
            ds_map[talq] = ds_id if isinstance(ds_id, (int, str)) and not isinstance(ds_id, bool) else None
            factor = unit_factor(talq, ds.get("unitOfMeasurement"))
            if factor is None:
                uom = _obj(ds.get("unitOfMeasurement"))
                mine.append(f"unknown unit '{str(uom.get('symbol') or uom.get('name') or '?')[:20]}' for {talq}")
                continue
            obs = _items(ds.get("Observations"))
            if not obs or not isinstance(obs[0], dict):
                continue
            o = obs[0]
            ot = obs_time(o.get("phenomenonTime"))
            if np.isnan(ot):
                mine.append(f"unreadable time for {talq}")
                continue
            v = result_value(o.get("result"))
            if np.isnan(v):
                mine.append(f"unreadable value for {talq}: {str(o.get('result'))[:20]}")
                continue
            lo, hi = VALUE_RANGES[TALQ_FIELDS[talq][1]]
            if not (math.isfinite(v * factor) and lo <= v * factor <= hi):
                mine.append(f"implausible value for {talq}: {str(o.get('result'))[:20]}; ignored")
                continue
            if ot > now + max_skew_s:
                skew[i] = max(skew[i], ot - now)
                rt = obs_time(o.get("resultTime"))
                ot = rt if not np.isnan(rt) and rt <= now + max_skew_s else now
            if np.isnan(times[i, j]) or ot > times[i, j]:
                values[i, j], times[i, j] = v * factor, ot
        missing = [f for f in expected if f not in ds_map]
        if missing:
            mine.append("missing datastream " + ", ".join(missing))
        if skew[i] > 0:
            mine.append(f"clock ahead by {_duration(skew[i])}")
        issues.append(mine)
        ds_ids.append(ds_map)
    if not all(keep):
        k = np.array(keep, dtype=bool)
        pick = np.flatnonzero(k).tolist()
        return LatestValues(
            [ids[i] for i in pick],
            [tids[i] for i in pick],
            lon[k],
            lat[k],
            values[k],
            times[k],
            skew[k],
            [issues[i] for i in pick],
            [props[i] for i in pick],
            [ds_ids[i] for i in pick],
            problems,
        )
    return LatestValues(ids, tids, lon, lat, values, times, skew, issues, props, ds_ids, problems)


def _duration(seconds: float) -> str:
    s = abs(float(seconds))
    if s >= 86400:
        return f"{s / 86400:.1f} d"
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    return f"{s / 60:.0f} min"
