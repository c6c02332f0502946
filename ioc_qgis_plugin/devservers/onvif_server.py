"""A local ONVIF Profile S camera for tests and the demo: device + media services over SOAP 1.2 and a WS-Discovery
responder, on 127.0.0.1, answering what the IOC uses (ONVIF Core / Media ver10 WSDLs, WS-Discovery 2005/04).

    with OnvifDevice(auth="both", rtsp_base="rtsp://127.0.0.1:8554") as dev:
        dev.device_url        # http://127.0.0.1:PORT/onvif/device_service
        dev.discovery_port    # UDP port answering WS-Discovery Probe messages (unicast, as a device on 3702 would)

Authentication as devices do it: `auth="wsse"` checks the WS-Security UsernameToken (PasswordDigest =
Base64(SHA-1(nonce + created + password)), Created within 5 minutes, a nonce used once), answering a SOAP fault
ter:NotAuthorized (HTTP 400) otherwise; `auth="digest"` demands HTTP Digest (RFC 7616, MD5, qop=auth, 401 with a
challenge); `auth="both"` demands both; `auth="none"` neither. GetSystemDateAndTime is always allowed (the spec
requires it before authentication, for clock sync).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import threading
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

HOST = "127.0.0.1"
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    "dn": "http://www.onvif.org/ver10/network/wsdl",
}
REALM = "ioc-onvif"


def _sha1_digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()  # noqa: S324


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - HTTP Digest as ONVIF devices implement it


def envelope(body: str, header: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{NS["s"]}" xmlns:tds="{NS["tds"]}" '
        f'xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}" xmlns:ter="http://www.onvif.org/ver10/error">'
        f"{header}<env:Body>{body}</env:Body></env:Envelope>"
    ).encode()


def fault(subcode: str, text: str) -> bytes:
    return envelope(
        f"<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:{subcode}</env:Value>"
        f'</env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">{text}</env:Text></env:Reason></env:Fault>'
    )


class OnvifDevice:
    def __init__(
        self,
        *,
        user: str = "admin",
        password: str = "onvif-pw",
        auth: str = "wsse",
        name: str = "IOC-Test-Camera",
        rtsp_base: str = "",
        mount: str = "cam01",
        profiles: Optional[list[tuple[str, str, int, int, str]]] = None,
    ) -> None:
        if auth not in ("none", "wsse", "digest", "both"):
            raise ValueError("auth must be none, wsse, digest or both")
        self.user, self.password, self.auth, self.name = user, password, auth, name
        self.rtsp_base = rtsp_base.rstrip("/")
        self.profiles = profiles or [
            ("prof_main", "MainStream", 1280, 720, mount),
            ("prof_sub", "SubStream", 640, 360, f"{mount}_sub"),
        ]
        self.uuid = str(uuid.uuid4())
        self.calls: list[str] = []  # operation names served, in order (tests)
        self._nonces: set[str] = set()
        self._digest_nonces: set[str] = set()
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._threads: list[threading.Thread] = []
        self._udp: Optional[socket.socket] = None
        self._stop = threading.Event()
        self.port = 0
        self.discovery_port = 0

    # -- addresses -------------------------------------------------------------------------------------------
    @property
    def device_url(self) -> str:
        return f"http://{HOST}:{self.port}/onvif/device_service"

    @property
    def media_url(self) -> str:
        return f"http://{HOST}:{self.port}/onvif/media_service"

    # -- authentication --------------------------------------------------------------------------------------
    def _wsse_ok(self, root: ET.Element) -> bool:
        token = root.find(".//wsse:UsernameToken", NS)
        if token is None:
            return False
        nonce_b64 = token.findtext("wsse:Nonce", "", NS)
        created = token.findtext("wsu:Created", "", NS)
        try:
            when = datetime.fromisoformat(created.replace("Z", "+00:00"))
            nonce = base64.b64decode(nonce_b64)
        except ValueError:
            return False
        if abs(datetime.now(timezone.utc) - when) > timedelta(minutes=5) or nonce_b64 in self._nonces:
            return False  # stale or replayed
        ok = token.findtext("wsse:Username", "", NS) == self.user and token.findtext(
            "wsse:Password", "", NS
        ) == _sha1_digest(nonce, created, self.password)
        if ok:
            self._nonces.add(nonce_b64)
        return ok

    def _digest_ok(self, header: str, method: str) -> bool:
        if not header.lower().startswith("digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        if fields.get("username") != self.user or fields.get("nonce") not in self._digest_nonces:
            return False
        ha1 = _md5(f"{self.user}:{REALM}:{self.password}")
        ha2 = _md5(f"{method}:{fields.get('uri', '')}")
        if fields.get("qop") == "auth":
            expected = _md5(f"{ha1}:{fields['nonce']}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{fields['nonce']}:{ha2}")
        return fields.get("response") == expected

    def _new_digest_nonce(self) -> str:
        nonce = os.urandom(16).hex()
        self._digest_nonces.add(nonce)
        return nonce

    # -- SOAP ------------------------------------------------------------------------------------------------
    def answer(self, path: str, op: ET.Element) -> tuple[int, bytes]:
        name = op.tag.split("}")[1]
        self.calls.append(name)
        host = f"{HOST}:{self.port}"
        if name == "GetSystemDateAndTime":
            now = datetime.now(timezone.utc)
            return 200, envelope(
                "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
                f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
                f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
                f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
                "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
            )
        if path.endswith("/device_service") and name == "GetCapabilities":
            return 200, envelope(
                f"<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>http://{host}/onvif/"
                f"device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>http://{host}/onvif/media_service"
                "</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>"
            )
        if path.endswith("/device_service") and name == "GetDeviceInformation":
            return 200, envelope(
                "<tds:GetDeviceInformationResponse><tds:Manufacturer>IOC</tds:Manufacturer>"
                f"<tds:Model>{self.name}</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
                f"<tds:SerialNumber>{self.uuid[:8]}</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId>"
                "</tds:GetDeviceInformationResponse>"
            )
        if path.endswith("/media_service") and name == "GetProfiles":
            profiles = "".join(
                f'<trt:Profiles token="{t}" fixed="true"><tt:Name>{n}</tt:Name><tt:VideoEncoderConfiguration '
                f'token="enc_{t}"><tt:Name>enc</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264'
                f"</tt:Encoding><tt:Resolution><tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution>"
                "</tt:VideoEncoderConfiguration></trt:Profiles>"
                for t, n, w, h, _ in self.profiles
            )
            return 200, envelope(f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>")
        if path.endswith("/media_service") and name in ("GetStreamUri", "GetSnapshotUri"):
            token = op.findtext("trt:ProfileToken", "", NS)
            mount = next((m for t, *_, m in self.profiles if t == token), None)
            if mount is None:
                return 400, fault("InvalidArgVal", "no such profile")
            base = self.rtsp_base or f"rtsp://{host}"
            uri = f"{base}/{mount}" if name == "GetStreamUri" else f"http://{host}/snapshot/{mount}.jpg"
            return 200, envelope(
                f"<trt:{name}Response><trt:MediaUri><tt:Uri>{uri}</tt:Uri><tt:InvalidAfterConnect>false"
                f"</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
                f"<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:{name}Response>"
            )
        return 400, fault("ActionNotSupported", f"{name} not supported")

    def _handler(self):  # noqa: ANN202
        device = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002 - keep test output clean
                pass

            def _send(self, code: int, data: bytes, extra: Optional[dict] = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                try:
                    root = ET.fromstring(body)
                    op = root.find("s:Body", NS)[0]
                except (ET.ParseError, TypeError, IndexError):
                    self._send(400, fault("WellFormed", "not a SOAP 1.2 envelope"))
                    return
                public = op.tag.endswith("}GetSystemDateAndTime")
                authorization = self.headers.get("Authorization", "")
                if not public and device.auth in ("digest", "both") and not device._digest_ok(authorization, "POST"):
                    challenge = f'Digest realm="{REALM}", qop="auth", nonce="{device._new_digest_nonce()}"'
                    self._send(401, b"", {"WWW-Authenticate": challenge})
                    return
                if not public and device.auth in ("wsse", "both") and not device._wsse_ok(root):
                    self._send(400, fault("NotAuthorized", "Sender not authorized"))
                    return
                code, data = device.answer(self.path, op)
                self._send(code, data)

        return Handler

    # -- WS-Discovery ----------------------------------------------------------------------------------------
    def _discovery_loop(self) -> None:
        sock = self._udp
        while not self._stop.is_set():
            try:
                data, peer = sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                root = ET.fromstring(data)
            except ET.ParseError:
                continue
            probe = root.find(".//d:Probe", NS)
            message_id = root.findtext(".//wsa:MessageID", "", NS)
            if probe is None or not message_id:
                continue
            types = probe.findtext("d:Types", "", NS)
            if types and "NetworkVideoTransmitter" not in types:
                continue  # asked for another kind of device
            sock.sendto(self._probe_match(message_id), peer)

    def _probe_match(self, relates_to: str) -> bytes:
        scopes = " ".join(
            [
                "onvif://www.onvif.org/type/video_encoder",
                "onvif://www.onvif.org/Profile/Streaming",
                f"onvif://www.onvif.org/name/{self.name}",
                "onvif://www.onvif.org/hardware/IOC-TEST",
            ]
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["wsa"]}" '
            f'xmlns:d="{NS["d"]}" xmlns:dn="{NS["dn"]}"><s:Header>'
            f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID><a:RelatesTo>{relates_to}</a:RelatesTo>"
            "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
            "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>"
            "<s:Body><d:ProbeMatches><d:ProbeMatch>"
            f"<a:EndpointReference><a:Address>urn:uuid:{self.uuid}</a:Address></a:EndpointReference>"
            f"<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>{scopes}</d:Scopes>"
            f"<d:XAddrs>{self.device_url}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
            "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"
        ).encode()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> OnvifDevice:
        self._stop.clear()
        self._httpd = ThreadingHTTPServer((HOST, 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind((HOST, 0))
        self._udp.settimeout(0.2)
        self.discovery_port = self._udp.getsockname()[1]
        self._threads = [
            threading.Thread(target=self._httpd.serve_forever, name="ioc-onvif-http", daemon=True),
            threading.Thread(target=self._discovery_loop, name="ioc-onvif-discovery", daemon=True),
        ]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        for t in self._threads:
            t.join(5)
        self._threads = []
        if self._udp is not None:
            self._udp.close()
            self._udp = None

    def __enter__(self) -> OnvifDevice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
