"""A deliberately misbehaving HTTP server for Open311 and SensorThings clients (tests and `make fuzz`).

Every answer is scripted per path: status, headers, raw body bytes (anything: truncated JSON, HTML, 1,000-deep XML,
bad bytes), optional drip (one piece every `drip_s`), redirects. It records what it received — paths and headers —
so a test can prove that credentials never reached a second origin. Pure standard library; binds 127.0.0.1 on a
free port.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Union
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: Optional[str] = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drip_s: float = 0.0  # > 0: send the body `drip_bytes` at a time with this pause in between
    drip_bytes: int = 1
    content_length: bool = True


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Route = Union[Reply, Callable[[Seen], Reply]]


class HostileServer:
    """`srv = HostileServer().start(); srv.route("/x.json", Reply(body=b"[")); ...; srv.stop()`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def route(self, path: str, reply: Route) -> None:
        self.routes[path] = reply

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def start(self) -> HostileServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                seen = Seen(self.command, parts.path, parse_qs(parts.query), {k: v for k, v in self.headers.items()})
                with server._lock:
                    server.seen.append(seen)
                route = server.routes.get(parts.path)
                reply = Reply(404, b'{"message": "not found"}') if route is None else route
                if callable(reply):
                    reply = reply(seen)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (that is what limits are for)

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if reply.content_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if reply.drip_s <= 0:
                    self.wfile.write(reply.body)
                    return
                for i in range(0, len(reply.body), reply.drip_bytes):
                    self.wfile.write(reply.body[i : i + reply.drip_bytes])
                    self.wfile.flush()
                    time.sleep(reply.drip_s)

            do_GET = do_POST = _serve  # noqa: N815

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="hostile-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- Open311 -------------------------------------------------------------------------------------------------------
def good_request(n: int, requested: str = "2024-05-01T08:00:00+07:00", **over: Any) -> dict[str, Any]:
    """A well-formed GeoReport v2 request (Đà Nẵng coordinates)."""
    rec = {
        "service_request_id": f"H-{n:05d}",
        "status": "open",
        "service_code": "001",
        "service_name": "Ổ gà",
        "description": f"Ổ gà số {n}",
        "requested_datetime": requested,
        "updated_datetime": requested,
        "address": "Đường Bạch Đằng",
        "lat": 16.06 + n * 1e-5,
        "long": 108.22 + n * 1e-5,
    }
    rec.update(over)
    return rec


def hostile_requests() -> list[tuple[str, dict[str, Any]]]:
    """(what, request) pairs every one of which once stopped a sync or stored garbage."""
    return [
        ("year 9999", good_request(1, requested="9999-12-31T23:59:59Z")),
        ("year 1 with offset", good_request(2, requested="0001-01-01T00:00:00+01:00")),
        ("lone surrogate", good_request(3, description="\ud800 vỡ")),
        ("surrogate in id", good_request(4, service_request_id="H-\udc00")),
        ("true id", good_request(5, service_request_id=True)),
        ("object lat", good_request(6, lat={"x": 1})),
        ("list status", good_request(7, status=["open"])),
        ("number description", good_request(8, description=12.5)),
        ("infinite long", good_request(9, long=float("inf"))),
        ("huge description", good_request(10, description="x" * 200_000)),
        ("control chars", good_request(11, address="a\x00b\x1bc")),
        ("bool timestamp", good_request(12, requested_datetime=True)),
        ("float id", good_request(13, service_request_id=1.5)),
        ("service_code object", good_request(14, service_code={"a": 1})),
    ]


def json_body(records: Any) -> bytes:
    """JSON exactly as given (surrogates as \\u escapes, non-finite numbers as Infinity), like a careless server."""
    return json.dumps(records, ensure_ascii=True, allow_nan=True).encode("ascii")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0 at all


def xml_body(records: list[dict[str, Any]]) -> bytes:
    from xml.sax.saxutils import escape

    out = ['<?xml version="1.0" encoding="utf-8"?>', "<service_requests>"]
    for r in records:
        out.append("<request>")
        for k, v in r.items():
            text = escape(_XML_INVALID.sub("", str(v).encode("utf-8", "replace").decode("utf-8")))
            out.append(f"<{k}>{text}</{k}>")
        out.append("</request>")
    out.append("</service_requests>")
    return "\n".join(out).encode("utf-8")


HOSTILE_BODIES: dict[str, tuple[str, bytes, str]] = {
    # name: (format, body, content type) — each must give a clear error and never "0 requests"
    "deep json": ("json", b"[" * 100_000, "application/json"),
    "deep xml": ("xml", b"<service_requests>" + b"<a>" * 1000 + b"</a>" * 1000 + b"</service_requests>", "text/xml"),
    "unknown xml encoding": ("xml", b'<?xml version="1.0" encoding="x-klingon"?><service_requests/>', "text/xml"),
    "error root": ("xml", b"<error><code>500</code><description>DB down</description></error>", "text/xml"),
    "errors root": (
        "xml",
        b"<errors><error><code>403</code><description>key</description></error></errors>",
        "text/xml",
    ),
    "html as xml": ("xml", b"<html><body><h1>Maintenance</h1></body></html>", "text/xml"),
    "namespaced xml": (
        "xml",
        b'<ns:service_requests xmlns:ns="urn:x"><ns:request><ns:service_request_id>1</ns:service_request_id>'
        b"</ns:request></ns:service_requests>",
        "application/xml",
    ),
    "html page": ("json", b"<!DOCTYPE html><html><body>Login</body></html>", "text/html"),
    "json scalar": ("json", b"42", "application/json"),
    "json error object": ("json", b'{"code": 500, "description": "DB down"}', "application/json"),
    "bad utf-8": ("json", b'[{"service_request_id": "1", "description": "\xff\xfe"}]', "application/json"),
    "unknown charset": ("json", b"[]", "application/json; charset=x-klingon"),
}


def windowed(records: list[dict[str, Any]], fmt: str = "json") -> Callable[[Seen], Reply]:
    """A GET requests route that honours start_date/end_date (on requested_datetime) like a real server."""

    def parse(text: str) -> float:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()

    def reply(seen: Seen) -> Reply:
        a = parse(seen.query["start_date"][0]) if "start_date" in seen.query else float("-inf")
        b = parse(seen.query["end_date"][0]) if "end_date" in seen.query else float("inf")
        picked = []
        for r in records:
            try:
                t = parse(str(r.get("requested_datetime")))
            except (ValueError, OverflowError):
                t = a  # unreadable dates are served in every window, as a broken server would
            if a <= t <= b:
                picked.append(r)
        if fmt == "xml":
            return Reply(body=xml_body(picked), content_type="text/xml; charset=utf-8")
        return Reply(body=json_body(picked))

    return reply


# -- SensorThings --------------------------------------------------------------------------------------------------
def thing(n: int, light_id: Optional[Any] = None, coords: Any = None, power: Any = 80.0, level: Any = 100) -> dict:
    """One Thing as `latest_by_thing` asks for it (Locations + Datastreams with their newest Observation)."""
    return {
        "@iot.id": n,
        "name": f"Light {n}",
        "properties": {"light_id": f"L{n:05d}" if light_id is None else light_id},
        "Locations": [{"location": {"type": "Point", "coordinates": [108.2, 16.05] if coords is None else coords}}],
        "Datastreams": [
            {
                "@iot.id": n * 10 + 1,
                "name": "actualLightState",
                "unitOfMeasurement": {"symbol": "%"},
                "ObservedProperty": {"name": "actualLightState"},
                "Observations": [{"phenomenonTime": "2024-05-01T12:00:00Z", "result": level}],
            },
            {
                "@iot.id": n * 10 + 2,
                "name": "activePower",
                "unitOfMeasurement": {"symbol": "W"},
                "ObservedProperty": {"name": "activePower"},
                "Observations": [{"phenomenonTime": "2024-05-01T12:00:00Z", "result": power}],
            },
        ],
    }


def page(values: Any, next_link: Optional[str] = None) -> bytes:
    body: dict[str, Any] = {"value": values}
    if next_link is not None:
        body["@iot.nextLink"] = next_link
    return json_body(body)
