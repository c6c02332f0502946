"""Tolerant parsing of Open311 GeoReport v2 payloads (JSON and XML) into field_reports rows.

Real servers send what the spec's own examples send: numbers with leading zeros in JSON (`"service_code":006`),
timestamps without an offset, odd offsets (`+0700`, `+07`), swapped or missing coordinates, duplicate ids.
One bad request must never sink a batch: each request becomes a row (possibly with fields dropped) plus a list of
`Problem`s naming the request, and only a request without any id is skipped.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional, Sequence

try:  # Debian: python3-defusedxml; the standard parser (expat ≥ 2.4 limits entity expansion) otherwise
    from defusedxml import ElementTree as _etree  # noqa: N813
    from defusedxml.common import DefusedXmlException as _XmlRefused
except ImportError:  # pragma: no cover - depends on the machine
    import xml.etree.ElementTree as _etree  # noqa: N813

    class _XmlRefused(Exception):  # type: ignore[no-redef]
        pass


from xml.etree.ElementTree import Element, ParseError

from ..core import statuses
from ..core.timeutil import CITY_TZ

# (min_lat, max_lat, min_lon, max_lon) — mainland Vietnam and its islands, generous margins.
VIETNAM_BOUNDS = (8.0, 24.0, 102.0, 110.0)

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


class Open311FormatError(ValueError):
    """The payload is not the JSON/XML an Open311 server must send."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one request; `fixed` says whether the row was repaired or a field dropped."""

    request_id: str
    field: str
    message: str
    severity: str = "warning"  # "warning": kept (maybe repaired); "error": field dropped or request skipped

    def __str__(self) -> str:
        return f"Open311 request {self.request_id or '?'}: {self.field}: {self.message}"


@dataclass(frozen=True)
class ServiceError:
    """One entry of an Open311 error list."""

    code: str
    description: str

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"


# -- payload decoding -----------------------------------------------------------------------------------------
_LEADING_ZERO_NUMBER = re.compile(r"(?<=[:\[,])(\s*)(-?0\d+(?:\.\d+)?)(?=\s*[,}\]])")


MAX_DEPTH = 64  # nesting deeper than any Open311 document; deeper input is refused, never recursed into


def decode_body(body: str | bytes, charset: Optional[str] = None) -> str:
    """Bytes → text with the declared charset or UTF-8 (never guessed); a clear error for bytes that do not fit."""
    if isinstance(body, str):
        return body
    name = (charset or "utf-8").strip().strip('"').lower() or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError as exc:
        raise Open311FormatError(f"unknown character set {charset!r} declared by the server") from exc
    if name.replace("_", "-") in ("utf-8", "utf8"):
        name = "utf-8-sig"
    try:
        return body.decode(name)
    except UnicodeDecodeError as exc:
        raise Open311FormatError(
            f"the answer is not valid {charset or 'UTF-8'} (byte 0x{body[exc.start]:02x} at offset {exc.start})"
        ) from exc


def _depth_ok(value: Any) -> bool:
    """Nesting of a decoded JSON value at most MAX_DEPTH, checked iteratively (later code may recurse into it)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if d > MAX_DEPTH:
            return False
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values() if isinstance(x, (dict, list)))
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v if isinstance(x, (dict, list)))
    return True


def loads_json(text: str | bytes, charset: Optional[str] = None) -> Any:
    """json.loads that also accepts numbers with leading zeros (as in the spec's own examples) as strings."""
    text = decode_body(text, charset)
    try:
        data = _loads(text)
    except RecursionError as exc:  # "[" * 100000: the C parser stops at the recursion limit
        raise Open311FormatError("JSON nested too deeply; refused") from exc
    if not _depth_ok(data):
        raise Open311FormatError(f"JSON nested deeper than {MAX_DEPTH} levels; refused")
    return data


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        repaired = _LEADING_ZERO_NUMBER.sub(lambda m: f'{m.group(1)}"{m.group(2)}"', text)
        if repaired != text:
            try:
                return json.loads(repaired)
            except json.JSONDecodeError:
                pass
        snippet = text[max(0, first.pos - 30) : first.pos + 30].replace("\n", " ")
        raise Open311FormatError(f"malformed JSON at line {first.lineno} col {first.colno}: …{snippet!r}…") from first


def loads_xml(text: str | bytes) -> Element:
    try:
        root = _etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except ParseError as exc:
        raise Open311FormatError(f"malformed XML: {exc}") from exc
    except _XmlRefused as exc:
        raise Open311FormatError(f"XML refused (entities/DTD are not allowed): {exc}") from exc
    except (LookupError, ValueError, RecursionError) as exc:  # unknown encoding="…", bad bytes, absurd nesting
        raise Open311FormatError(f"unreadable XML: {type(exc).__name__}: {str(exc)[:120]}") from exc
    if _xml_depth(root) > MAX_DEPTH:
        raise Open311FormatError(f"XML nested deeper than {MAX_DEPTH} levels; refused")
    return root


def _xml_depth(root: Element) -> int:
    """Depth of the tree, iteratively (a 1,000-deep document must not hit the recursion limit)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((c, d + 1) for c in el)
    return deepest


def _xml_value(el: Element) -> Any:
    """Leaf → text; element with children → dict (a tag repeated among siblings → list)."""
    children = list(el)
    if not children:
        return (el.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        value = _xml_value(child)
        if child.tag not in out:
            out[child.tag] = value
        elif isinstance(out[child.tag], _Repeated):
            out[child.tag].append(value)
        else:
            out[child.tag] = _Repeated([out[child.tag], value])
    return {k: list(v) if isinstance(v, _Repeated) else v for k, v in out.items()}


class _Repeated(list):
    """Marks a list built from repeated XML tags (a leaf value can never be one)."""


def xml_records(root: Element, item_tag: str) -> list[dict[str, Any]]:
    """Every `item_tag` child of the root (e.g. <service_requests><request>…) as a dict of texts."""
    return [v if isinstance(v, dict) else {} for v in (_xml_value(el) for el in root.iter(item_tag))]


def error_list(data: Any) -> list[ServiceError]:
    """The Open311 error list in a decoded JSON value or XML root, or [] if it is not one."""
    if isinstance(data, Element):
        if data.tag != "errors":
            return []
        return [
            ServiceError(str(e.findtext("code") or ""), str(e.findtext("description") or ""))
            for e in data.iter("error")
        ]
    if isinstance(data, dict) and ("errors" in data or {"code", "description"} <= set(data)):
        data = data.get("errors", [data])
    if (
        isinstance(data, list)
        and data
        and all(isinstance(d, dict) and "description" in d and set(d) <= {"code", "description"} for d in data)
    ):
        return [ServiceError(str(d.get("code", "")), str(d.get("description", ""))) for d in data]
    return []


_REQUEST_ROOTS = ("service_requests", "requests", "request", "service_request")


def request_records(payload: str | bytes, fmt: str, charset: Optional[str] = None) -> list[dict[str, Any]]:
    """Requests list (GET requests, GET request, POST answers, tokens) as raw dicts.

    Anything that is not a requests document (an `<error>`/HTML/namespaced root, a JSON scalar) is an error, never
    "0 requests": reading it as empty would move the sync cursor past requests that were never seen.
    """
    if fmt == "xml":
        root = loads_xml(payload)
        if root.tag in ("errors", "error"):
            listed = error_list(root) or [ServiceError("", " ".join(root.itertext()).strip()[:200])]
            raise Open311FormatError("the server answered with an error list: " + "; ".join(map(str, listed)))
        if root.tag not in _REQUEST_ROOTS:
            raise Open311FormatError(f"expected <service_requests>, got <{str(root.tag)[:80]}>")
        if root.tag in ("request", "service_request"):
            value = _xml_value(root)
            return [value if isinstance(value, dict) else {}]
        return xml_records(root, "request")
    data = loads_json(payload, charset)
    if isinstance(data, dict):  # some servers wrap the list: {"service_requests": [...]} or {"requests": [...]}
        for key in _REQUEST_ROOTS:
            if key in data:
                data = data[key]
                break
        else:
            if error_list(data):
                raise Open311FormatError(
                    "the server answered with an error list: " + "; ".join(map(str, error_list(data)))
                )
            data = [data]
    if not isinstance(data, list):
        raise Open311FormatError(f"expected a list of requests, got {type(data).__name__}")
    if error_list(data):
        raise Open311FormatError("the server answered with an error list: " + "; ".join(map(str, error_list(data))))
    return [d if isinstance(d, dict) else {"_invalid": d} for d in data]


def service_records(payload: str | bytes, fmt: str) -> list[dict[str, Any]]:
    if fmt == "xml":
        return [_text_values(r) for r in xml_records(loads_xml(payload), "service")]
    data = loads_json(payload)
    if isinstance(data, dict):
        data = data.get("services", [data])
    if not isinstance(data, list):
        raise Open311FormatError(f"expected a list of services, got {type(data).__name__}")
    return [_text_values(d) for d in data if isinstance(d, dict)]


def service_definition(payload: str | bytes, fmt: str) -> dict[str, Any]:
    """{'service_code': ..., 'attributes': [{code, datatype, required, values: [{key, name}], ...}]}."""
    if fmt == "xml":
        root = loads_xml(payload)
        code = (root.findtext("service_code") or "").strip()
        attrs = []
        for a in root.iter("attribute"):
            item = {c.tag: (c.text or "").strip() for c in a if c.tag != "values"}
            item["values"] = [
                {"key": (v.findtext("key") or "").strip(), "name": (v.findtext("name") or "").strip()}
                for v in a.iter("value")
            ]
            attrs.append(item)
    else:
        data = loads_json(payload)
        if not isinstance(data, dict):
            raise Open311FormatError("a service definition must be an object")
        code = str(data.get("service_code", ""))
        attrs = [dict(a) for a in data.get("attributes", []) if isinstance(a, dict)]
    for a in attrs:
        for key in ("variable", "required"):
            if key in a:
                a[key] = _truthy(a[key])
        if "order" in a:
            try:
                a["order"] = int(a["order"])
            except (TypeError, ValueError):
                a["order"] = 0
        a["values"] = [{"key": str(v.get("key", "")), "name": str(v.get("name", ""))} for v in a.get("values", [])]
    return {"service_code": code, "attributes": sorted(attrs, key=lambda a: a.get("order", 0))}


def discovery(payload: str | bytes, fmt: str) -> dict[str, Any]:
    if fmt == "xml":
        root = loads_xml(payload)
        out: dict[str, Any] = {c.tag: (c.text or "").strip() for c in root if c.tag != "endpoints"}
        endpoints = []
        for ep in root.iter("endpoint"):
            item: dict[str, Any] = {c.tag: (c.text or "").strip() for c in ep if c.tag not in ("formats", "extensions")}
            item["formats"] = [(f.text or "").strip() for f in ep.iter("format")]
            item["extensions"] = [(x.text or "").strip() for x in ep.iter("extension")]
            endpoints.append(item)
        out["endpoints"] = endpoints
        return out
    data = loads_json(payload)
    if not isinstance(data, dict):
        raise Open311FormatError("a discovery document must be an object")
    return data


def _truthy(v: Any) -> bool:
    return v is True or str(v).strip().lower() in ("true", "1", "yes")


def _text_values(d: dict) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if k == "metadata":
            out[k] = _truthy(v)
        else:
            out[k] = "" if v is None else (v if isinstance(v, (list, dict)) else str(v))
    return out


# -- timestamps -----------------------------------------------------------------------------------------------
MIN_YEAR, MAX_YEAR = 1970, 2100
_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$"
)


def parse_timestamp(value: Any) -> tuple[Optional[str], Optional[str]]:
    """ISO 8601 variants → ('YYYY-MM-DDTHH:MM:SS.000Z' UTC, None) or (value or None, what was wrong).

    Without an offset the city's zone (Asia/Ho_Chi_Minh, +07:00) is assumed and said so.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, f"not a timestamp ({type(value).__name__})"
    text = str(value)
    if len(text) > 64:
        return None, f"unreadable timestamp {text[:40]!r}…"
    m = _ISO.match(text)
    if not m:
        try:  # epoch seconds, as a few servers send
            seconds = float(text)
        except (ValueError, OverflowError):
            return None, f"unreadable timestamp {text!r}"
        if not (0 < seconds < 4102444800):
            return None, f"unreadable timestamp {text!r}"
        dt = datetime.fromtimestamp(seconds, timezone.utc)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z"), None
    y, mo, d, hh, mi, ss, _frac, tz = m.groups()
    if not (MIN_YEAR <= int(y) <= MAX_YEAR):  # 9999-12-31 + an SLA overflows; 0001-01-01+01:00 underflows
        return None, f"implausible date {text[:40]!r} (years {MIN_YEAR}–{MAX_YEAR} only)"
    try:
        naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError:
        return None, f"impossible date {text[:40]!r}"
    note = None
    if tz is None:
        tzinfo: timezone = CITY_TZ
        note = f"no UTC offset in {text!r}; read as Asia/Ho_Chi_Minh (+07:00)"
    elif tz in ("Z", "z", "UTC", "GMT"):
        tzinfo = timezone.utc
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 14 or minutes >= 60:
            return None, f"impossible UTC offset in {text!r}"
        tzinfo = timezone(sign * timedelta(hours=hours, minutes=minutes))
    utc = naive.replace(tzinfo=tzinfo).astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.000Z"), note


# -- one request → one row ------------------------------------------------------------------------------------
MAX_ID_CHARS = 128
MAX_TEXT_CHARS = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text(v: Any) -> Optional[str]:
    """A plain text value, or None (missing, or a value no text field can hold: object, list, truth value)."""
    if v is None or isinstance(v, (dict, list, bool)):
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    s = str(v).strip()
    return s or None


def clean_text(v: Any, limit: int = MAX_TEXT_CHARS) -> tuple[Optional[str], Optional[str]]:
    """(text fit for the store, or None; what was wrong). Lone surrogates, wrong types → dropped; control
    characters removed; over-long texts cut at `limit`."""
    if v is not None and not isinstance(v, (str, int, float)) or isinstance(v, bool):
        return None, f"a {type(v).__name__}, not a text; dropped"
    s = _text(v)
    if s is None:
        return None, None
    if _SURROGATE.search(s):
        return None, "contains a lone UTF-16 surrogate (invalid Unicode); dropped"
    note = None
    if _CONTROL.search(s):
        s, note = _CONTROL.sub("", s).strip(), "control characters removed"
    if len(s) > limit:
        s, note = s[:limit], f"longer than {limit} characters; cut"
    return (s or None), note


def clean_id(v: Any) -> tuple[Optional[str], Optional[str]]:
    """An identifier: a string or an integer (not a truth value, not a float), printable, ≤ MAX_ID_CHARS."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None, None
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        return None, f"a {type(v).__name__} ({str(v)[:20]!r}) is not an id"
    s = str(v).strip()
    if len(s) > MAX_ID_CHARS or _SURROGATE.search(s) or _CONTROL.search(s) or any(c.isspace() for c in s):
        return None, f"unusable id {s[:30]!r} (too long, blanks, control or invalid characters)"
    return s, None


def _number(v: Any) -> Optional[float]:
    if v is None or isinstance(v, bool) or (isinstance(v, str) and not v.strip()):
        return None
    if not isinstance(v, (str, int, float)):
        return None
    try:
        f = float(str(v).strip().replace(",", ".")) if not isinstance(v, (int, float)) else float(v)
    except (ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _inside(lat: float, lon: float, bounds: Optional[Sequence[float]]) -> bool:
    if bounds is None:
        return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)
    lat0, lat1, lon0, lon1 = bounds
    return lat0 <= lat <= lat1 and lon0 <= lon <= lon1


def normalise_request(
    raw: dict[str, Any], source: str = "open311", bounds: Optional[Sequence[float]] = VIETNAM_BOUNDS
) -> tuple[Optional[dict[str, Any]], list[Problem]]:
    """One Open311 request → (field_reports row or None, problems). Only a request with no id is skipped."""
    problems: list[Problem] = []
    rid, why = clean_id(raw.get("service_request_id"))
    if rid is None:
        token, _ = clean_id(raw.get("token"))
        what = why or (f"token {token}" if token else "no id, no token")
        shown = str(raw.get("service_request_id"))[:30] if why else ""
        return None, [
            Problem(
                shown.encode("utf-8", "replace").decode(), "service_request_id", f"{what}; request skipped", "error"
            )
        ]

    def problem(field: str, message: str, severity: str = "warning") -> None:
        problems.append(Problem(rid, field, message, severity))

    row: dict[str, Any] = {"report_id": rid, "source": source}

    code, why = clean_id(raw.get("service_code"))
    if why:
        problem("service_code", why, "error")
    if code is None:
        problem("service_code", "missing; stored as 'unknown'")
        code = "unknown"
    row["service_code"] = code
    row["service_name"] = _field(raw, "service_name", problem, 500)

    # A richer workflow status (our server's `detailed_status`, or a server that sends it in `status`) wins.
    raw_status = _text(raw.get("status"))
    detailed = _text(raw.get("detailed_status"))
    rich = None
    for candidate in (detailed, raw_status):
        if candidate:
            try:
                rich = statuses.ReportStatus(candidate.lower().replace(" ", "_"))
                break
            except ValueError:
                continue
    if rich is not None:
        row["status"] = rich.value
        row["_status_detailed"] = True
    else:
        if raw_status is None:
            problem("status", "missing; read as 'open'")
        elif raw_status.lower() not in ("open", "closed"):
            problem("status", f"unknown status {raw_status[:40]!r}; read as 'open'")
        row["status"] = statuses.from_open311(raw_status if raw_status and raw_status.lower() == "closed" else "open")
        row["status"] = row["status"].value
        row["_status_detailed"] = False

    for src, dst in (
        ("status_notes", "status_notes"),
        ("description", "description"),
        ("address", "address"),
        ("agency_responsible", "agency_responsible"),
        ("media_url", "media_url"),
    ):
        row[dst] = _field(raw, src, problem)

    for src, dst in (
        ("requested_datetime", "requested_at"),
        ("updated_datetime", "updated_at"),
        ("expected_datetime", "expected_at"),
    ):
        value, note = parse_timestamp(raw.get(src))
        if note:
            problem(src, note, "warning" if value else "error")
        row[dst] = value
    if row["requested_at"] is None:
        problem("requested_datetime", "missing; using updated_datetime" if row["updated_at"] else "missing")
        row["requested_at"] = row["updated_at"]
    if row["updated_at"] is None:
        row["updated_at"] = row["requested_at"]

    lat, lon = _number(raw.get("lat")), _number(raw.get("long", raw.get("lon")))
    if lat is None or lon is None:
        if _text(raw.get("lat")) or _text(raw.get("long")):
            problem(
                "lat/long",
                f"unreadable ({str(raw.get('lat'))[:30]!r}, {str(raw.get('long'))[:30]!r}); stored without location",
                "error",
            )
        elif not row["address"]:
            problem("lat/long", "no location and no address")
        lat = lon = None
    elif not _inside(lat, lon, bounds):
        if _inside(lon, lat, bounds):
            problem("lat/long", f"swapped (lat={lat}, long={lon}); corrected")
            lat, lon = lon, lat
        else:
            problem("lat/long", f"out of range (lat={lat}, long={lon}); stored without location", "error")
            lat = lon = None
    row["lat"], row["lon"] = lat, lon
    version = raw.get("version")
    if isinstance(version, (int, str)) and not isinstance(version, bool) and str(version).isdigit():
        row["_version"] = int(str(version)[:18])
    return row, problems


def _field(raw: dict[str, Any], key: str, problem: Any, limit: int = MAX_TEXT_CHARS) -> Optional[str]:
    value, why = clean_text(raw.get(key), limit)
    if why:
        problem(key, why, "warning" if value is not None else "error")
    return value


def _version(raw: dict[str, Any]) -> int:
    v = raw.get("_version")
    return v if isinstance(v, int) else 0


def normalise_batch(
    raws: Iterable[dict[str, Any]], source: str = "open311", bounds: Optional[Sequence[float]] = VIETNAM_BOUNDS
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Rows for `store.upsert_reports` (one per id: the most recently updated wins) and every problem found."""
    by_id: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for raw in raws:
        if "_invalid" in raw:
            problems.append(Problem("", "request", f"not an object: {str(raw['_invalid'])[:60]!r}; skipped", "error"))
            continue
        try:
            row, found = normalise_request(raw, source, bounds)
        except Exception as exc:  # noqa: BLE001 - per-record isolation: one unforeseen shape must not sink a window
            rid, _ = clean_id(raw.get("service_request_id"))
            problems.append(Problem(rid or "", "request", f"unreadable ({type(exc).__name__}); skipped", "error"))
            continue
        problems.extend(found)
        if row is None:
            continue
        prev = by_id.get(row["report_id"])
        if prev is not None:
            keep_new = (row["updated_at"] or "", _version(row)) >= (prev["updated_at"] or "", _version(prev))
            problems.append(
                Problem(
                    row["report_id"],
                    "service_request_id",
                    "duplicate in one answer; kept the one updated " + str((row if keep_new else prev)["updated_at"]),
                )
            )
            if not keep_new:
                continue
        by_id[row["report_id"]] = row
    return list(by_id.values()), problems


def strip_private(row: dict[str, Any]) -> dict[str, Any]:
    """Drop parse-only keys (leading underscore) before handing a row to the store."""
    return {k: v for k, v in row.items() if not k.startswith("_")}
