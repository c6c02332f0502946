"""ONVIF discovery against a minimal local SOAP responder that follows the ONVIF device/media WSDL (ver10).

No ONVIF simulator installs from PyPI into this environment without a WSDL engine stack, so the responder here
answers GetCapabilities, GetProfiles, GetStreamUri and GetSnapshotUri and checks the WS-Security digest.
"""

from __future__ import annotations

import base64
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ioc_qgis_plugin.connectors.onvif import NS, OnvifClient, OnvifError, camera_urls, password_digest

USER, PASSWORD = "admin", "onvif-pw"
PROFILES = [("prof_sub", "Sub", 640, 360, "cam01_sub"), ("prof_main", "Main", 1920, 1080, "cam01")]


def envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0"?><env:Envelope xmlns:env="{NS["s"]}" xmlns:tds="{NS["tds"]}" '
        f'xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}"><env:Body>{body}</env:Body></env:Envelope>'
    ).encode()


def fault(subcode: str, text: str) -> bytes:
    return envelope(
        f"<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:{subcode}</env:Value>"
        f'</env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">{text}</env:Text></env:Reason></env:Fault>'
    )


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: ANN002
        pass

    def _authorized(self, root: ET.Element) -> bool:
        token = root.find(".//wsse:UsernameToken", NS)
        if token is None:
            return False
        nonce = base64.b64decode(token.findtext("wsse:Nonce", "", NS))
        created = token.findtext("wsu:Created", "", NS)
        return token.findtext("wsse:Username", "", NS) == USER and token.findtext(
            "wsse:Password", "", NS
        ) == password_digest(nonce, created, PASSWORD)

    def do_POST(self) -> None:
        root = ET.fromstring(self.rfile.read(int(self.headers["Content-Length"])))
        op = root.find("s:Body", NS)[0]
        name = op.tag.split("}")[1]
        host = f"127.0.0.1:{self.server.server_address[1]}"
        if not self._authorized(root):
            code, data = 400, fault("NotAuthorized", "Sender not authorized")
        elif self.path == "/onvif/device_service" and name == "GetCapabilities":
            media = f"<tt:Media><tt:XAddr>http://{host}/onvif/media_service</tt:XAddr></tt:Media>"
            code, data = (
                200,
                envelope(
                    f"<tds:GetCapabilitiesResponse><tds:Capabilities>{media}</tds:Capabilities>"
                    "</tds:GetCapabilitiesResponse>"
                ),
            )
        elif self.path == "/onvif/media_service" and name == "GetProfiles":
            profiles = "".join(
                f'<trt:Profiles token="{t}" fixed="true"><tt:Name>{n}</tt:Name><tt:VideoEncoderConfiguration>'
                f"<tt:Name>enc</tt:Name><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>{w}</tt:Width>"
                f"<tt:Height>{h}</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration></trt:Profiles>"
                for t, n, w, h, _ in PROFILES
            )
            code, data = 200, envelope(f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>")
        elif self.path == "/onvif/media_service" and name in ("GetStreamUri", "GetSnapshotUri"):
            token = op.findtext("trt:ProfileToken", "", NS)
            mount = next(m for t, *_, m in PROFILES if t == token)
            uri = f"rtsp://{host}/{mount}" if name == "GetStreamUri" else f"http://{host}/snap/{mount}.jpg"
            code, data = (
                200,
                envelope(
                    f"<trt:{name}Response><trt:MediaUri><tt:Uri>{uri}</tt:Uri><tt:InvalidAfterConnect>false"
                    f"</tt:InvalidAfterConnect><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:{name}Response>"
                ),
            )
        else:
            code, data = 400, fault("ActionNotSupported", f"{name} not supported")
        self.send_response(code)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def device():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/onvif/device_service"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_discover_profiles_and_uris(device):
    with OnvifClient(device, USER, PASSWORD, timeout=2) as client:
        profiles = client.discover()
    assert [p.token for p in profiles] == ["prof_main", "prof_sub"]
    assert profiles[0].width == 1920 and profiles[0].encoding == "H264"
    urls = camera_urls(profiles)
    assert urls["stream_url"].endswith("/cam01") and urls["substream_url"].endswith("/cam01_sub")
    assert urls["snapshot_url"].startswith("http://127.0.0.1")


def test_wrong_password_is_reported_without_it(device):
    client = OnvifClient(device.replace("http://", "http://admin:nope@"), USER, "nope", timeout=2)
    with client, pytest.raises(OnvifError, match="unauthorized") as err:
        client.profiles()
    assert "nope" not in str(err.value)
    assert "nope" not in client.device_url


def test_unreachable_device():
    client = OnvifClient("http://127.0.0.1:9/onvif/device_service", timeout=1)
    with client, pytest.raises(OnvifError, match="unreachable"):
        client.discover()
