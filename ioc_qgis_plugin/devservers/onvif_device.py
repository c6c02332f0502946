"""Local ONVIF cameras for the demo and the tests: one SOAP device service per camera on 127.0.0.1, plus a
WS-Discovery responder — standard library only (OpenCV, if present, draws the snapshot JPEG).

    IOC_ONVIF_PASSWORD=secret python -m ioc_qgis_plugin.devservers.onvif_device --count 2 --user admin \
        --rtsp rtsp://127.0.0.1:8554/ [--auth both|digest|wsse|none] [--discovery-port 0|3702 --multicast]

Follows the ONVIF Device (ver10/device/wsdl) and Media (ver10/media/wsdl) service shapes: GetSystemDateAndTime,
GetCapabilities, GetServices, GetDeviceInformation on /onvif/device_service; GetProfiles (a main and a sub profile),
GetStreamUri, GetSnapshotUri on /onvif/media_service; the snapshot itself on /onvif/snapshot/<token>.jpg.
Stream URIs point at the RTSP devserver's mounts (`camNN`, `camNN_sub`) under `--rtsp`.

Authentication as ONVIF Core §5.9.1 describes a device: PRE_AUTH calls (GetSystemDateAndTime, GetCapabilities,
GetServices, …) need none; `digest` answers every other call without valid HTTP Digest credentials (RFC 7616,
MD5 or SHA-256, qop=auth) with 401 and a challenge; `wsse` (a legacy device) only checks the WS-Security
UsernameToken (PasswordDigest or PasswordText, Created within 5 minutes of the device clock, nonces not replayed)
and answers HTTP 400 + `ter:NotAuthorized`; `both` accepts either and challenges a request that carries none.

The WS-Discovery responder answers Probe messages (SOAP-over-UDP, WS-Discovery 2005/04) whose Types/Scopes match
with one ProbeMatches per camera (XAddrs = its device service), sent back to the prober's address and port. It
listens on 127.0.0.1:<port> for tests, or joins 239.255.255.250:3702 with `--multicast` for a real segment.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import quote, urlsplit, urlunsplit
from xml.sax.saxutils import escape

HOST = "127.0.0.1"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TRT = "http://www.onvif.org/ver10/media/wsdl"
TT = "http://www.onvif.org/ver10/schema"
TER = "http://www.onvif.org/ver10/error"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
MULTICAST_GROUP, DISCOVERY_PORT = "239.255.255.250", 3702
PRE_AUTH = {
    "GetSystemDateAndTime",
    "GetCapabilities",
    "GetServices",
    "GetServiceCapabilities",
    "GetWsdlUrl",
    "GetHostname",
    "GetEndpointReference",
}
AUTH_MODES = ("both", "digest", "wsse", "none")
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _envelope(body: str, header: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP}" xmlns:tds="{TDS}" '
        f'xmlns:trt="{TRT}" xmlns:tt="{TT}" xmlns:ter="{TER}">{header}<env:Body>{body}</env:Body></env:Envelope>'
    ).encode()


def _fault(code: str, subcode: str, text: str) -> bytes:
    return _envelope(
        f"<env:Fault><env:Code><env:Value>env:{code}</env:Value><env:Subcode><env:Value>ter:{subcode}</env:Value>"
        f'</env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">{escape(text)}</env:Text></env:Reason>'
        "</env:Fault>"
    )


def _with_credentials(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass
class SimCamera:
    """One simulated device: its mount on the RTSP devserver and its two profiles."""

    number: int
    main_size: tuple[int, int] = (1280, 720)
    sub_size: tuple[int, int] = (640, 360)
    endpoint: str = field(default_factory=lambda: f"urn:uuid:{uuid.uuid4()}")
    port: int = 0  # of its device service, once started

    @property
    def mount(self) -> str:
        return f"cam{self.number:02d}"

    @property
    def name(self) -> str:
        return f"IOC-SIM {self.mount}"

    @property
    def device_url(self) -> str:
        return f"http://{HOST}:{self.port}/onvif/device_service"

    def profiles(self) -> list[tuple[str, str, tuple[int, int], str]]:
        """(token, name, size, mount)"""
        return [
            ("profile_main", "MainStream", self.main_size, self.mount),
            ("profile_sub", "SubStream", self.sub_size, self.mount + "_sub"),
        ]


class _DigestChecker:
    """RFC 7616 server side, qop=auth: nonces are HMAC-signed timestamps, so any thread can check them."""

    def __init__(self, realm: str, algorithm: str, lifetime_s: float = 300.0) -> None:
        self.realm, self.algorithm, self.lifetime_s = realm, algorithm, lifetime_s
        self._key = os.urandom(16)
        self.opaque = base64.b64encode(os.urandom(12)).decode()

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._key, stamp.encode(), hashlib.sha256).hexdigest()[:24]

    def challenge(self, stale: bool = False) -> str:
        stamp = f"{time.time():.3f}"
        nonce = base64.b64encode(f"{stamp}:{self._sign(stamp)}".encode()).decode()
        return (
            f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", opaque="{self.opaque}", '
            f"algorithm={self.algorithm}, stale={'true' if stale else 'false'}"
        )

    def _nonce_ok(self, nonce: str) -> tuple[bool, bool]:
        """(genuine, fresh)"""
        try:
            stamp, sig = base64.b64decode(nonce).decode().split(":")
        except (ValueError, UnicodeDecodeError):
            return False, False
        if not hmac.compare_digest(sig, self._sign(stamp)):
            return False, False
        return True, time.time() - float(stamp) < self.lifetime_s

    def check(self, header: str, method: str, path: str, user: str, password: str) -> tuple[bool, bool]:
        """(authorised, stale nonce)"""
        if not header.lower().startswith("digest "):
            return False, False
        params = {
            m.group(1).lower(): m.group(3) if m.group(3) is not None else m.group(4)
            for m in _PARAM.finditer(header[7:])
        }
        algorithm = params.get("algorithm", "MD5").upper()
        h = _HASHES.get(algorithm)
        if h is None or algorithm != self.algorithm or params.get("realm") != self.realm:
            return False, False
        if params.get("uri") != path or params.get("qop") != "auth":
            return False, False
        genuine, fresh = self._nonce_ok(params.get("nonce", ""))
        if not genuine:
            return False, False

        def hx(text: str) -> str:
            return h(text.encode()).hexdigest()

        ha1 = hx(f"{user}:{self.realm}:{password}")
        ha2 = hx(f"{method}:{path}")
        expected = hx(f"{ha1}:{params['nonce']}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
        ok = params.get("username") == user and hmac.compare_digest(expected, params.get("response", ""))
        return ok and fresh, ok and not fresh


_PARAM = re.compile(r'(\w+)\s*=\s*("([^"]*)"|([^,\s]+))')


class OnvifDeviceSimulator:
    """`with OnvifDeviceSimulator(count=2, user="admin", password="pw", rtsp_base="rtsp://…/") as sim:`
    `sim.device_urls`, `sim.discovery_address` (host, port) when `discovery_port` is not None."""

    def __init__(
        self,
        count: int = 2,
        user: str = "",
        password: str = "",
        auth: str = "both",
        rtsp_base: str = "",
        digest_algorithm: str = "MD5",
        clock_skew_s: float = 0.0,
        uri_credentials: bool = False,
        discovery_port: Optional[int] = None,
        multicast: bool = False,
        first_port: int = 0,
        get_capabilities: bool = True,
    ) -> None:
        if auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}")
        if digest_algorithm not in _HASHES:
            raise ValueError(f"digest_algorithm must be one of {tuple(_HASHES)}")
        self.cameras = [SimCamera(i) for i in range(1, count + 1)]
        self.user, self.password, self.auth = user, password, auth if user else "none"
        self.rtsp_base = (rtsp_base or f"rtsp://{HOST}:554/").rstrip("/") + "/"
        self.clock_skew = timedelta(seconds=clock_skew_s)
        self.uri_credentials = uri_credentials
        self.digest = _DigestChecker("IOC ONVIF simulator", digest_algorithm)
        self.discovery_port, self.multicast, self.first_port = discovery_port, multicast, first_port
        self.get_capabilities = get_capabilities  # False: a newer device that only has GetServices
        self.requests: list[tuple[str, str, str]] = []  # (camera mount, operation, auth used) for tests
        self._seen_nonces: set[str] = set()
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._udp: Optional[socket.socket] = None
        self._stop = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> OnvifDeviceSimulator:
        if self._servers:  # already running (`with sim.start()` or `with sim` after start())
            return self
        self._stop.clear()
        for i, cam in enumerate(self.cameras):
            port = self.first_port + i if self.first_port else 0
            server = ThreadingHTTPServer((HOST, port), self._handler(cam))
            server.daemon_threads = True
            cam.port = server.server_address[1]
            self._servers.append(server)
            self._spawn(server.serve_forever, f"onvif-sim-{cam.mount}")
        if self.discovery_port is not None or self.multicast:
            self._udp = self._discovery_socket()
            self._spawn(self._discovery_loop, "onvif-sim-discovery")
        return self

    def _spawn(self, target, name: str) -> None:  # noqa: ANN001
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        if self._udp is not None:
            self._udp.close()
        for thread in self._threads:
            thread.join(5)
        self._servers, self._threads, self._udp = [], [], None

    def __enter__(self) -> OnvifDeviceSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def device_urls(self) -> list[str]:
        return [cam.device_url for cam in self.cameras]

    @property
    def discovery_address(self) -> tuple[str, int]:
        if self._udp is None:
            raise RuntimeError("the discovery responder is not running")
        return self._udp.getsockname()[:2]

    # -- SOAP ------------------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return datetime.now(timezone.utc) + self.clock_skew

    def _wsse_user(self, root: ET.Element) -> Optional[bool]:
        """None: no UsernameToken; True/False: it is valid / not."""
        token = root.find(f".//{{{WSSE}}}UsernameToken")
        if token is None:
            return None
        user = token.findtext(f"{{{WSSE}}}Username", "")
        password_el = token.find(f"{{{WSSE}}}Password")
        if password_el is None or user != self.user:
            return False
        given = password_el.text or ""
        if password_el.get("Type", "").endswith("#PasswordText"):
            return hmac.compare_digest(given, self.password)
        nonce_text = token.findtext(f"{{{WSSE}}}Nonce", "")
        created = token.findtext(f"{{{WSU}}}Created", "")
        try:
            nonce = base64.b64decode(nonce_text, validate=True)
            when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return False
        if when.tzinfo is None or abs(self._now() - when) > timedelta(minutes=5):
            return False
        expected = base64.b64encode(
            hashlib.sha1(nonce + created.encode() + self.password.encode()).digest()  # noqa: S324 - WS-Security
        ).decode()
        if not hmac.compare_digest(given, expected):
            return False
        with self._lock:
            if nonce_text in self._seen_nonces:
                return False  # a replayed token
            self._seen_nonces.add(nonce_text)
        return True

    def _authorise(self, handler: BaseHTTPRequestHandler, root: Optional[ET.Element]) -> tuple[int, str, str]:
        """(0, scheme, "") when allowed, else (HTTP status, "", WWW-Authenticate challenge or "")."""
        if self.auth == "none":
            return 0, "none", ""
        header = handler.headers.get("Authorization", "")
        if self.auth in ("digest", "both") and header:
            ok, stale = self.digest.check(header, handler.command, handler.path, self.user, self.password)
            if not ok:
                return 401, "", self.digest.challenge(stale)
            if root is not None and self.auth == "both" and self._wsse_user(root) is False:
                return 400, "", ""  # credentials on both levels: the WS level is checked too
            return 0, "digest", ""
        wsse = self._wsse_user(root) if root is not None and self.auth in ("wsse", "both") else None
        if wsse:
            return 0, "wsse", ""
        if wsse is None and self.auth in ("digest", "both"):
            return 401, "", self.digest.challenge()
        return 400, "", ""

    def _answer(self, cam: SimCamera, path: str, name: str, op: ET.Element) -> tuple[int, bytes]:
        device, media = cam.device_url, cam.device_url.replace("device_service", "media_service")
        if path == "/onvif/device_service":
            if name == "GetSystemDateAndTime":
                now = self._now()
                return 200, _envelope(
                    "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
                    "<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime>"
                    f"<tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
                    f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
                    f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
                    "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
                )
            if name == "GetCapabilities" and self.get_capabilities:
                return 200, _envelope(
                    "<tds:GetCapabilitiesResponse><tds:Capabilities>"
                    f"<tt:Device><tt:XAddr>{device}</tt:XAddr></tt:Device>"
                    f"<tt:Media><tt:XAddr>{media}</tt:XAddr><tt:StreamingCapabilities>"
                    "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
                    "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
                    "</tds:Capabilities></tds:GetCapabilitiesResponse>"
                )
            if name == "GetServices":
                services = "".join(
                    f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{addr}</tds:XAddr>"
                    "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
                    for ns, addr in ((TDS, device), (TRT, media))
                )
                return 200, _envelope(f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>")
            if name == "GetDeviceInformation":
                return 200, _envelope(
                    "<tds:GetDeviceInformationResponse><tds:Manufacturer>IOC</tds:Manufacturer>"
                    f"<tds:Model>Simulated camera</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
                    f"<tds:SerialNumber>SIM-{cam.mount.upper()}</tds:SerialNumber>"
                    f"<tds:HardwareId>{cam.mount}</tds:HardwareId></tds:GetDeviceInformationResponse>"
                )
        if path == "/onvif/media_service":
            profiles = {t: (n, size, mount) for t, n, size, mount in cam.profiles()}
            if name == "GetProfiles":
                body = "".join(
                    f'<trt:Profiles token="{t}" fixed="true"><tt:Name>{n}</tt:Name>'
                    f'<tt:VideoEncoderConfiguration token="enc_{t}"><tt:Name>{n}</tt:Name>'
                    "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution>"
                    f"<tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>"
                    "</tt:VideoEncoderConfiguration></trt:Profiles>"
                    for t, (n, (w, h), _m) in profiles.items()
                )
                return 200, _envelope(f"<trt:GetProfilesResponse>{body}</trt:GetProfilesResponse>")
            if name in ("GetStreamUri", "GetSnapshotUri"):
                token = op.findtext(f"{{{TRT}}}ProfileToken", "")
                if token not in profiles:
                    return 400, _fault("Sender", "NoProfile", f"no profile {token}")
                if name == "GetStreamUri":
                    uri = self.rtsp_base + profiles[token][2]
                else:
                    uri = f"http://{HOST}:{cam.port}/onvif/snapshot/{token}.jpg"
                if self.uri_credentials and self.user:
                    uri = _with_credentials(uri, self.user, self.password)
                return 200, _envelope(
                    f"<trt:{name}Response><trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri>"
                    "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false"
                    f"</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:{name}Response>"
                )
        return 400, _fault("Receiver", "ActionNotSupported", f"{name} is not supported on {path}")

    def _snapshot(self, cam: SimCamera, token: str) -> Optional[bytes]:
        size = next((s for t, _n, s, _m in cam.profiles() if t == token), None)
        if size is None:
            return None
        try:
            import cv2

            from .rtsp_server import PatternSource
        except ImportError:
            return None
        ok, data = cv2.imencode(".jpg", PatternSource(cam.mount, size[0], size[1], 25, cam.number).next_frame())
        return data.tobytes() if ok else None

    def _handler(self, cam: SimCamera) -> type[BaseHTTPRequestHandler]:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

            def _send(self, code: int, data: bytes, ctype: str, challenge: str = "") -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                if challenge:
                    self.send_header("WWW-Authenticate", challenge)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                soap = "application/soap+xml; charset=utf-8"
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    root = ET.fromstring(self.rfile.read(length))
                    op = root.find(f"{{{SOAP}}}Body")[0]
                except (ET.ParseError, TypeError, IndexError):
                    self._send(400, _fault("Sender", "WellFormed", "not a SOAP 1.2 envelope"), soap)
                    return
                name = op.tag.rsplit("}", 1)[-1]
                scheme = "none"
                if name not in PRE_AUTH:
                    status, scheme, challenge = sim._authorise(self, root)
                    if status:
                        sim.requests.append((cam.mount, name, "refused"))
                        self._send(status, _fault("Sender", "NotAuthorized", "Sender not Authorized"), soap, challenge)
                        return
                sim.requests.append((cam.mount, name, scheme))
                code, data = sim._answer(cam, self.path, name, op)
                self._send(code, data, soap)

            def do_GET(self) -> None:
                match = re.fullmatch(r"/onvif/snapshot/([\w-]+)\.jpg", self.path)
                if match is None:
                    self._send(404, b"<html><body>not found</body></html>", "text/html")
                    return
                if sim.auth in ("digest", "both"):
                    status, _scheme, challenge = sim._authorise(self, None)
                    if status:
                        self._send(401, b"unauthorized", "text/plain", challenge)
                        return
                data = sim._snapshot(cam, match.group(1))
                if data is None:
                    self._send(404, b"no such snapshot", "text/plain")
                else:
                    self._send(200, data, "image/jpeg")

        return Handler

    # -- WS-Discovery ----------------------------------------------------------------------------------------
    def _discovery_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.multicast:
            sock.bind(("", self.discovery_port or DISCOVERY_PORT))
            membership = struct.pack("4s4s", socket.inet_aton(MULTICAST_GROUP), socket.inet_aton("0.0.0.0"))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        else:
            sock.bind((HOST, self.discovery_port or 0))
        sock.settimeout(0.2)
        return sock

    def _discovery_loop(self) -> None:
        sock = self._udp
        while not self._stop.is_set() and sock is not None:
            try:
                data, sender = sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            for reply in self.probe_matches(data):
                try:
                    sock.sendto(reply, sender)
                except OSError:
                    pass

    def probe_matches(self, data: bytes) -> list[bytes]:
        """The ProbeMatches messages (one per camera) for a Probe datagram; [] if it is not a matching Probe."""
        try:
            prefixes: dict[str, str] = {}
            root = None
            for event, item in ET.iterparse(io.BytesIO(data), events=("start-ns", "start")):
                if event == "start-ns":
                    prefixes.setdefault(item[0], item[1])
                elif root is None:
                    root = item
        except ET.ParseError:
            return []
        if root is None or root.tag != f"{{{SOAP}}}Envelope":
            return []
        action = (root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}Action", "") or "").strip()
        probe = root.find(f"{{{SOAP}}}Body/{{{WSD}}}Probe")
        if action != f"{WSD}/Probe" or probe is None:
            return []
        message_id = (root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}MessageID", "") or "").strip()
        wanted_types = set()
        for qname in (probe.findtext(f"{{{WSD}}}Types", "") or "").split():
            prefix, _, local = qname.rpartition(":")
            wanted_types.add((prefixes.get(prefix, ""), local))
        if wanted_types - {(DN, "NetworkVideoTransmitter"), (TDS, "Device")}:
            return []  # a Probe for something else: a device stays silent
        scopes = (probe.findtext(f"{{{WSD}}}Scopes", "") or "").split()
        replies = []
        for cam in self.cameras:
            own = self._scopes(cam)
            if any(not any(s == w or s.startswith(w.rstrip("/") + "/") for s in own) for w in scopes):
                continue
            replies.append(self._probe_match(cam, message_id, own))
        return replies

    @staticmethod
    def _scopes(cam: SimCamera) -> list[str]:
        return [
            "onvif://www.onvif.org/type/video_encoder",
            "onvif://www.onvif.org/Profile/Streaming",
            f"onvif://www.onvif.org/name/{quote(cam.name)}",
            "onvif://www.onvif.org/hardware/IOC-SIM",
            "onvif://www.onvif.org/location/city/IOC",
        ]

    def _probe_match(self, cam: SimCamera, relates_to: str, scopes: list[str]) -> bytes:
        header = (
            f"<env:Header><wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID>"
            f"<wsa:RelatesTo>{escape(relates_to)}</wsa:RelatesTo>"
            "<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>"
            f"<wsa:Action>{WSD}/ProbeMatches</wsa:Action>"
            f'<wsd:AppSequence InstanceId="1" MessageNumber="{cam.number}"/></env:Header>'
        )
        body = (
            "<wsd:ProbeMatches><wsd:ProbeMatch>"
            f"<wsa:EndpointReference><wsa:Address>{cam.endpoint}</wsa:Address></wsa:EndpointReference>"
            "<wsd:Types>dn:NetworkVideoTransmitter tds:Device</wsd:Types>"
            f"<wsd:Scopes>{' '.join(scopes)}</wsd:Scopes><wsd:XAddrs>{cam.device_url}</wsd:XAddrs>"
            "<wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:ProbeMatch></wsd:ProbeMatches>"
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP}" xmlns:wsa="{WSA}" '
            f'xmlns:wsd="{WSD}" xmlns:dn="{DN}" xmlns:tds="{TDS}">{header}<env:Body>{body}</env:Body></env:Envelope>'
        ).encode()


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=2)
    p.add_argument("--port", type=int, default=0, help="port of the first camera's device service (0 = any)")
    p.add_argument("--rtsp", default="", help="base URL of the RTSP devserver, e.g. rtsp://127.0.0.1:8554/")
    p.add_argument("--auth", choices=AUTH_MODES, default="both")
    p.add_argument("--user", default="")
    p.add_argument("--discovery-port", type=int, default=None, help="answer WS-Discovery probes on this UDP port")
    p.add_argument("--multicast", action="store_true", help="join 239.255.255.250 (the real discovery group)")
    a = p.parse_args(argv)
    sim = OnvifDeviceSimulator(
        a.count,
        a.user,
        os.environ.get("IOC_ONVIF_PASSWORD", ""),  # never on the command line, where `ps` would show it
        a.auth,
        a.rtsp,
        discovery_port=a.discovery_port,
        multicast=a.multicast,
        first_port=a.port,
    ).start()
    extra = f" discovery={sim.discovery_address[0]}:{sim.discovery_address[1]}" if sim._udp is not None else ""
    print("READY " + " ".join(sim.device_urls) + extra, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    sim.stop()
    print("STOPPED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
