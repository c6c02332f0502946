"""A local Open311 GeoReport v2 server (127.0.0.1) for the demo and the tests — standard library only.

Spec: discovery, services, services/{code}, requests (GET with service_request_id / service_code / start_date /
end_date / status, default last 90 days, span ≤ 90 days, at most `limit` (1000) newest first; POST create with
api_key), requests/{id}, tokens/{token}; `.json` and `.xml`; errors as a list of {code, description}.
Extensions (declared in discovery under "extensions"): "updated_window" (updated_after / updated_before filters on
updated_datetime) and "request_update" (POST requests/{id} with status / detailed_status / status_notes /
agency_responsible; an Idempotency-Key header or change_id is applied once, repeats get the same answer).
Every request also carries `detailed_status` (our workflow status) besides the spec's open/closed.

    python -m ioc_qgis_plugin.devservers.open311_server --gpkg build/demo/ioc.gpkg --port 8311
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from ..core import statuses
from ..core.categories import CATEGORIES
from ..core.timeutil import CITY_TZ, parse_iso
from .lifecycle import stop_on_sigterm

FIELDS = (
    "service_request_id",
    "status",
    "detailed_status",
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
MAX_SPAN = timedelta(days=90)


def city_iso(value: Any) -> str:
    """Stored UTC text → ISO with the city's +07:00 offset, as a Vietnamese server would send it."""
    dt = parse_iso(value) if value else None
    return dt.astimezone(CITY_TZ).isoformat(timespec="seconds") if dt else ""


def _epoch(text: str) -> float:
    dt = parse_iso(text) if text else None
    return dt.timestamp() if dt else float("nan")


def record_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """A field_reports row (store or demo city) → an Open311 request record."""
    status = statuses.ReportStatus(row.get("status") or "received")
    return {
        "service_request_id": str(row["report_id"]),
        "status": status.open311,
        "detailed_status": status.value,
        "status_notes": row.get("status_notes") or "",
        "service_name": row.get("service_name") or "",
        "service_code": row.get("service_code") or "",
        "description": row.get("description") or "",
        "agency_responsible": row.get("agency_responsible") or "",
        "service_notice": "",
        "requested_datetime": city_iso(row.get("requested_at")),
        "updated_datetime": city_iso(row.get("updated_at") or row.get("requested_at")),
        "expected_datetime": city_iso(row.get("expected_at") or row.get("due_at")),
        "address": row.get("address") or "",
        "address_id": "",
        "zipcode": "",
        "lat": row.get("lat"),
        "long": row.get("lon"),
        "media_url": row.get("media_url") or "",
    }


@dataclass
class Fault:
    """An injected failure for the next `count` calls whose path starts with `path`."""

    kind: str  # "500", "503", "timeout", "malformed", "html", "drop"
    count: int = 1
    path: str = "/"
    delay: float = 2.0


@dataclass
class Open311State:
    """The server's data; thread-safe through one lock (requests are small and quick)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_keys: set[str] = field(default_factory=lambda: {"demo-key"})
    limit: int = 1000
    now: Optional[Callable[[], datetime]] = None
    applied_updates: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key → answer
    update_count: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    faults: deque = field(default_factory=deque)
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 900000
    extensions: tuple[str, ...] = ("updated_window", "request_update")
    detailed_status: bool = True  # False: answer like a plain GeoReport v2 server (open/closed only)

    def current_time(self) -> datetime:
        return self.now() if self.now else datetime.now(timezone.utc)

    def load(self, rows: Iterable[dict[str, Any]]) -> int:
        with self.lock:
            n = 0
            for row in rows:
                rec = record_from_row(row)
                rec["_req"] = _epoch(rec["requested_datetime"])
                rec["_upd"] = _epoch(rec["updated_datetime"])
                self.records[rec["service_request_id"]] = rec
                n += 1
            return n

    def put_raw(self, rec: dict[str, Any], updated: datetime) -> None:
        """Store a record exactly as given (tests: bad coordinates, odd timestamps, missing fields)."""
        with self.lock:
            rec = dict(rec)
            rec["_req"] = rec["_upd"] = updated.timestamp()
            self.records[str(rec.get("service_request_id") or f"raw-{len(self.records)}")] = rec

    def touch(self, ids: Iterable[str], status: Optional[str] = None, notes: str = "", at: Optional[datetime] = None):
        """Change requests as a city operator would (bench and tests): new updated_datetime, maybe a status."""
        at = at or self.current_time()
        with self.lock:
            for rid in ids:
                rec = self.records[rid]
                if status:
                    s = statuses.ReportStatus(status)
                    rec["status"], rec["detailed_status"] = s.open311, s.value
                if notes:
                    rec["status_notes"] = notes
                rec["updated_datetime"] = at.astimezone(CITY_TZ).isoformat(timespec="seconds")
                rec["_upd"] = at.timestamp()

    def take_fault(self, path: str) -> Optional[Fault]:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


_PATH = re.compile(r"^/(?P<res>discovery|services|requests|tokens)(?:/(?P<id>[^/]+?))?\.(?P<fmt>json|xml)$")


def _parse_time(value: str, name: str) -> datetime:
    try:
        dt = parse_iso(value)
    except ValueError as exc:
        raise ApiError(400, f"{name} is not an ISO 8601 date/time: {value}") from exc
    if dt is None:
        raise ApiError(400, f"{name} is empty")
    return dt


class Open311Handler(BaseHTTPRequestHandler):
    server_version = "IOC-Open311/2"
    state: Open311State  # set on the server subclass
    base_path = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- dispatch -----------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path[len(self.base_path) :] if url.path.startswith(self.base_path) else url.path
        state = self.server.state  # type: ignore[attr-defined]
        state.calls.append(f"{method} {self.path}")
        m = _PATH.match(path)
        fmt = m.group("fmt") if m else "json"
        fault = state.take_fault(path)
        if fault is not None and self._fault(fault, fmt):
            return
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            params.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
        try:
            if not m:
                raise ApiError(404, f"no such resource: {path}")
            res, rid = m.group("res"), m.group("id")
            if res == "discovery" and method == "GET":
                self._send(200, fmt, self._discovery(), "discovery")
            elif res == "services" and method == "GET":
                if rid:
                    self._send(200, fmt, self._definition(rid), "service_definition")
                else:
                    self._send(200, fmt, self._services(), "services")
            elif res == "requests" and method == "GET":
                if rid:
                    self._send(200, fmt, [self._public(self._get(state, rid))], "requests")
                else:
                    self._send(200, fmt, self._list(state, params), "requests")
            elif res == "requests" and method == "POST":
                self._check_key(state, params)
                if rid:
                    if "request_update" not in state.extensions:
                        raise ApiError(405, "updating a request is not supported")
                    key = self.headers.get("Idempotency-Key") or params.get("change_id") or ""
                    self._send(200, fmt, [self._update(state, rid, params, key)], "requests")
                else:
                    self._send(201, fmt, [self._create(state, params)], "requests")
            elif res == "tokens" and method == "GET" and rid:
                with state.lock:
                    found = state.tokens.get(rid)
                if found is None:
                    raise ApiError(404, f"token {rid} not found")
                self._send(200, fmt, [{"service_request_id": found, "token": rid}], "requests")
            else:
                raise ApiError(405, f"{method} not allowed on {path}")
        except ApiError as exc:
            self._send(exc.status, fmt, [{"code": exc.status, "description": exc.description}], "errors")

    def _fault(self, fault: Fault, fmt: str) -> bool:
        """Apply an injected fault; True when the response is complete."""
        if fault.kind == "timeout":
            time.sleep(fault.delay)
            return False  # answer late (the client has given up by then)
        if fault.kind == "drop":
            self.close_connection = True
            return True
        body, ctype, status = b"", "text/plain", 200
        if fault.kind in ("500", "503"):
            status = int(fault.kind)
            body = b"<html><body>Internal Server Error</body></html>"
            ctype = "text/html"
        elif fault.kind == "malformed":
            body = b'[{"service_request_id": "1", "status": ' if fmt == "json" else b"<service_requests><request>"
            ctype = "application/json" if fmt == "json" else "text/xml"
        elif fault.kind == "html":
            body, ctype = b"<html><body>Please log in</body></html>", "text/html"
        self.send_response(status)
        self.send_header("Content-Type", ctype + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    # -- resources ----------------------------------------------------------------------------------------
    def _discovery(self) -> dict[str, Any]:
        host, port = self.server.server_address[:2]  # type: ignore[attr-defined]
        return {
            "changeset": "2024-01-01T00:00:00Z",
            "contact": "IOC demo server (local, for tests)",
            "key_service": "api_key: demo-key",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": f"http://{host}:{port}{self.base_path}",
                    "changeset": "2024-01-01T00:00:00Z",
                    "type": "test",
                    "formats": ["application/json", "text/xml"],
                    "extensions": list(self.server.state.extensions),  # type: ignore[attr-defined]
                }
            ],
        }

    def _services(self) -> list[dict[str, Any]]:
        return [
            {
                "service_code": c.code,
                "service_name": c.vi,
                "description": c.en,
                "metadata": c.code == "infrastructure",
                "type": "realtime",
                "keywords": c.en.lower(),
                "group": "IOC",
            }
            for c in CATEGORIES
        ]

    def _definition(self, code: str) -> dict[str, Any]:
        if code not in {c.code for c in CATEGORIES}:
            raise ApiError(404, f"service_code {code} not found")
        return {
            "service_code": code,
            "attributes": [
                {
                    "variable": True,
                    "code": "LIGHT_ID",
                    "datatype": "string",
                    "required": False,
                    "datatype_description": "Mã cột đèn (nếu có)",
                    "order": 1,
                    "description": "Street light id",
                    "values": [],
                },
                {
                    "variable": True,
                    "code": "SEVERITY",
                    "datatype": "singlevaluelist",
                    "required": True,
                    "datatype_description": "",
                    "order": 2,
                    "description": "How serious is it?",
                    "values": [{"key": "low", "name": "Thấp"}, {"key": "high", "name": "Cao"}],
                },
            ],
        }

    def _public(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = {k: rec.get(k) for k in FIELDS}
        if rec.get("token"):
            out["token"] = rec["token"]
        if not self.server.state.detailed_status:  # type: ignore[attr-defined]
            out.pop("detailed_status")
        return out

    @staticmethod
    def _get(state: Open311State, rid: str) -> dict[str, Any]:
        with state.lock:
            rec = state.records.get(rid)
        if rec is None:
            raise ApiError(404, f"service_request_id {rid} not found")
        return rec

    def _list(self, state: Open311State, params: dict[str, str]) -> list[dict[str, Any]]:
        with state.lock:
            records = list(state.records.values())
        if params.get("service_request_id"):  # ids make every other filter ignored (spec)
            wanted = {s.strip() for s in params["service_request_id"].split(",")}
            return [self._public(r) for r in records if r.get("service_request_id") in wanted]
        by_updated = "updated_window" in state.extensions and ("updated_after" in params or "updated_before" in params)
        lo_key, hi_key, col = (
            ("updated_after", "updated_before", "_upd") if by_updated else ("start_date", "end_date", "_req")
        )
        now = state.current_time()
        hi = _parse_time(params[hi_key], hi_key) if params.get(hi_key) else None
        lo = _parse_time(params[lo_key], lo_key) if params.get(lo_key) else None
        if lo is None and hi is None:
            hi, lo = now, now - MAX_SPAN
        elif lo is None:
            lo = hi - MAX_SPAN
        elif hi is None:
            hi = min(now, lo + MAX_SPAN) if lo < now else lo + MAX_SPAN
        if hi < lo:
            raise ApiError(400, f"{hi_key} is before {lo_key}")
        if hi - lo > MAX_SPAN:
            raise ApiError(400, f"{lo_key}/{hi_key} span more than 90 days")
        a, b = lo.timestamp(), hi.timestamp()
        picked = [r for r in records if a <= r[col] <= b]
        if params.get("service_code"):
            codes = {s.strip() for s in params["service_code"].split(",")}
            picked = [r for r in picked if r.get("service_code") in codes]
        if params.get("status"):
            wanted = {s.strip().lower() for s in params["status"].split(",")}
            picked = [r for r in picked if r.get("status") in wanted]
        picked.sort(key=lambda r: r[col], reverse=True)
        return [self._public(r) for r in picked[: state.limit]]

    @staticmethod
    def _check_key(state: Open311State, params: dict[str, str]) -> None:
        key = params.get("api_key", "")
        if key not in state.api_keys:
            raise ApiError(403, "Invalid api_key received -- can't proceed with the request.")

    def _create(self, state: Open311State, params: dict[str, str]) -> dict[str, Any]:
        code = params.get("service_code", "")
        if code not in {c.code for c in CATEGORIES}:
            raise ApiError(400, f"service_code {code or '(missing)'} not found")
        has_point = params.get("lat") and params.get("long")
        if not has_point and not params.get("address_string") and not params.get("address_id"):
            raise ApiError(400, "a location is required: lat and long, address_string or address_id")
        now = state.current_time()
        with state.lock:
            state.next_id += 1
            rid = f"OP-{state.next_id}"
            label = {c.code: c.vi for c in CATEGORIES}[code]
            rec = {
                "service_request_id": rid,
                "status": "open",
                "detailed_status": "submitted",
                "status_notes": "",
                "service_name": label,
                "service_code": code,
                "description": params.get("description", ""),
                "agency_responsible": "",
                "service_notice": "Phản ánh đã được ghi nhận",
                "requested_datetime": now.astimezone(CITY_TZ).isoformat(timespec="seconds"),
                "updated_datetime": now.astimezone(CITY_TZ).isoformat(timespec="seconds"),
                "expected_datetime": "",
                "address": params.get("address_string", ""),
                "address_id": params.get("address_id", ""),
                "zipcode": "",
                "lat": float(params["lat"]) if has_point else None,
                "long": float(params["long"]) if has_point else None,
                "media_url": params.get("media_url", ""),
                "_req": now.timestamp(),
                "_upd": now.timestamp(),
            }
            state.records[rid] = rec
            state.tokens[f"T{state.next_id}"] = rid
        return {"service_request_id": rid, "service_notice": rec["service_notice"], "account_id": ""}

    def _update(self, state: Open311State, rid: str, params: dict[str, str], key: str) -> dict[str, Any]:
        if not key:
            raise ApiError(400, "an Idempotency-Key header (or change_id) is required")
        with state.lock:
            if key in state.applied_updates:  # a retry of a change already applied: same answer, no second apply
                return state.applied_updates[key]
            rec = state.records.get(rid)
            if rec is None:
                raise ApiError(404, f"service_request_id {rid} not found")
            if params.get("detailed_status"):
                try:
                    s = statuses.ReportStatus(params["detailed_status"])
                except ValueError as exc:
                    raise ApiError(400, f"unknown detailed_status {params['detailed_status']}") from exc
                rec["status"], rec["detailed_status"] = s.open311, s.value
            elif params.get("status"):
                if params["status"] not in ("open", "closed"):
                    raise ApiError(400, "status must be open or closed")
                rec["status"] = params["status"]
                rec["detailed_status"] = "closed" if params["status"] == "closed" else "received"
            for name in ("status_notes", "agency_responsible"):
                if name in params:
                    rec[name] = params[name]
            now = state.current_time()
            rec["updated_datetime"] = now.astimezone(CITY_TZ).isoformat(timespec="seconds")
            rec["_upd"] = now.timestamp()
            answer = self._public(rec)
            state.applied_updates[key] = answer
            state.update_count += 1
            return answer

    # -- output -------------------------------------------------------------------------------------------
    def _send(self, status: int, fmt: str, payload: Any, kind: str) -> None:
        if fmt == "xml":
            body = to_xml(payload, kind).encode("utf-8")
            ctype = "text/xml; charset=utf-8"
        else:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            ctype = "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _xml_leaf(tag: str, value: Any) -> str:
    if value is None:
        return f"<{tag}/>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def to_xml(payload: Any, kind: str) -> str:
    """The spec's XML shapes for the few documents this server sends."""
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    if kind == "requests":
        out.append("<service_requests>")
        for rec in payload:
            out.append("<request>" + "".join(_xml_leaf(k, v) for k, v in rec.items()) + "</request>")
        out.append("</service_requests>")
    elif kind == "errors":
        out.append("<errors>")
        for e in payload:
            out.append(f"<error>{_xml_leaf('code', e['code'])}{_xml_leaf('description', e['description'])}</error>")
        out.append("</errors>")
    elif kind == "services":
        out.append("<services>")
        for s in payload:
            out.append("<service>" + "".join(_xml_leaf(k, v) for k, v in s.items()) + "</service>")
        out.append("</services>")
    elif kind == "service_definition":
        out.append(f"<service_definition>{_xml_leaf('service_code', payload['service_code'])}<attributes>")
        for a in payload["attributes"]:
            inner = "".join(_xml_leaf(k, v) for k, v in a.items() if k != "values")
            values = "".join(
                f"<value>{_xml_leaf('key', v['key'])}{_xml_leaf('name', v['name'])}</value>" for v in a["values"]
            )
            out.append(f"<attribute>{inner}<values>{values}</values></attribute>")
        out.append("</attributes></service_definition>")
    elif kind == "discovery":
        head = "".join(_xml_leaf(k, v) for k, v in payload.items() if k != "endpoints")
        eps = []
        for ep in payload["endpoints"]:
            inner = "".join(_xml_leaf(k, v) for k, v in ep.items() if k not in ("formats", "extensions"))
            inner += "<formats>" + "".join(_xml_leaf("format", f) for f in ep["formats"]) + "</formats>"
            inner += "<extensions>" + "".join(_xml_leaf("extension", x) for x in ep["extensions"]) + "</extensions>"
            eps.append(f"<endpoint>{inner}</endpoint>")
        out.append(f"<discovery>{head}<endpoints>{''.join(eps)}</endpoints></discovery>")
    return "".join(out)


class Open311Server:
    """`with Open311Server(rows) as srv: Open311Client(srv.url)` — a server thread on a free port of 127.0.0.1."""

    def __init__(self, rows: Iterable[dict[str, Any]] = (), host: str = "127.0.0.1", port: int = 0, **state: Any):
        self.state = Open311State(**state)
        self.state.load(rows)
        handler = type("Handler", (Open311Handler,), {})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state  # type: ignore[attr-defined]
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, kind: str, count: int = 1, path: str = "/", delay: float = 2.0) -> None:
        self.state.faults.append(Fault(kind, count, path, delay))

    def start(self) -> Open311Server:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="open311-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> Open311Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rows_from_gpkg(path: str) -> list[dict[str, Any]]:
    from ..store.gpkg import GeoPackageStore

    store = GeoPackageStore.open(path, read_only=True)
    try:
        return store.fetch("field_reports")
    finally:
        store.close()


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gpkg", help="seed from the field_reports of this IOC GeoPackage (e.g. the demo city)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8311)
    ap.add_argument("--api-key", default="demo-key")
    args = ap.parse_args(argv)
    rows = rows_from_gpkg(args.gpkg) if args.gpkg else []
    server = Open311Server(rows, args.host, args.port, api_keys={args.api_key})
    stop_on_sigterm(server.httpd)  # before the ready line: a launcher may stop us right after it
    # The one line the demo launcher and tests wait for.
    print(f"Open311 server ready at {server.url} ({len(server.state.records)} requests)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
