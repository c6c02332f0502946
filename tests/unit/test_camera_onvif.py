"""ONVIF client against the project's ONVIF device simulator (devservers/onvif_device.py) on 127.0.0.1.

The simulator follows the ONVIF device/media WSDL (ver10) and Core §5.9.1 authentication: HTTP Digest (RFC 7616),
WS-Security UsernameToken, or both. No ONVIF simulator installs from PyPI into this environment without a WSDL
engine stack, hence our own; the client and the simulator share no code.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from requests.auth import HTTPDigestAuth

from ioc_qgis_plugin.connectors.onvif import (
    OnvifAuthError,
    OnvifClient,
    OnvifError,
    OnvifNotDeviceError,
    OnvifTimeoutError,
    camera_urls,
    normalise_device_url,
)
from ioc_qgis_plugin.devservers.onvif_device import OnvifDeviceSimulator

USER, PASSWORD = "admin", "p@ss w/rd:1"  # characters that break naive URL masking
RTSP = "rtsp://127.0.0.1:8554/"


@pytest.fixture(params=["digest", "wsse", "both"])
def device(request):
    with OnvifDeviceSimulator(count=1, user=USER, password=PASSWORD, auth=request.param, rtsp_base=RTSP) as sim:
        yield sim


def test_profiles_and_uris_with_each_auth_scheme(device):
    with OnvifClient(device.device_urls[0], USER, PASSWORD, timeout=3) as client:
        profiles = client.discover()
        info = client.device_info()
    assert [p.token for p in profiles] == ["profile_main", "profile_sub"]
    assert (profiles[0].width, profiles[0].height, profiles[0].encoding) == (1280, 720, "H264")
    urls = camera_urls(profiles)
    assert urls["stream_url"] == RTSP + "cam01" and urls["substream_url"] == RTSP + "cam01_sub"
    assert urls["snapshot_url"].startswith("http://127.0.0.1:") and urls["snapshot_url"].endswith(".jpg")
    assert info["SerialNumber"] == "SIM-CAM01"
    # Core §5.9.1: Digest where the device asks for it, the UsernameToken only for a UsernameToken-only device
    expected = "wsse" if device.auth == "wsse" else "digest"
    assert client.used_auth == expected
    # the first GetProfiles goes out without credentials (a Digest challenge or a NotAuthorized fault answers it)
    answered = {scheme for _cam, op, scheme in device.requests if op == "GetProfiles" and scheme != "refused"}
    assert answered == {expected}
    # and only that first call was refused: the Digest nonce / the WS-Security choice is reused afterwards
    assert [op for _cam, op, scheme in device.requests if scheme == "refused"] == ["GetProfiles"]


def test_digest_sha256():
    sim = OnvifDeviceSimulator(1, USER, PASSWORD, auth="digest", digest_algorithm="SHA-256", rtsp_base=RTSP)
    with sim, OnvifClient(sim.start().device_urls[0], USER, PASSWORD, timeout=3) as client:
        assert camera_urls(client.discover())["stream_url"] == RTSP + "cam01"


def test_device_without_get_capabilities_is_read_through_get_services():
    sim = OnvifDeviceSimulator(1, USER, PASSWORD, rtsp_base=RTSP, get_capabilities=False)
    with sim, OnvifClient(sim.start().device_urls[0], USER, PASSWORD, timeout=3) as client:
        assert camera_urls(client.discover())["stream_url"] == RTSP + "cam01"
        assert client.media_url.endswith("/onvif/media_service")
    assert [op for _c, op, _s in sim.requests][:2] == ["GetCapabilities", "GetServices"]


@pytest.mark.parametrize("mode", ["auto", "wsse"])
def test_username_token_with_device_clock_off_by_an_hour(mode):
    sim = OnvifDeviceSimulator(1, USER, PASSWORD, auth="wsse", clock_skew_s=3600, rtsp_base=RTSP)
    with sim, OnvifClient(sim.start().device_urls[0], USER, PASSWORD, timeout=3, auth=mode) as client:
        assert client.profiles()
        assert abs(client.clock_offset.total_seconds() - 3600) < 5


@pytest.mark.parametrize("mode", ["digest", "wsse", "both"])
def test_wrong_password_is_reported_without_it(mode, caplog):
    caplog.set_level(logging.DEBUG)
    with OnvifDeviceSimulator(1, USER, PASSWORD, auth=mode) as sim:
        url = sim.device_urls[0].replace("http://", "http://admin:nope-secret@")
        with OnvifClient(url, USER, "nope-secret", timeout=3) as client, pytest.raises(OnvifAuthError) as err:
            client.discover()
    assert "unauthorized" in str(err.value)
    assert "nope-secret" not in str(err.value) and "nope-secret" not in client.device_url
    assert "nope-secret" not in caplog.text


def test_no_credentials_on_a_protected_device():
    sim = OnvifDeviceSimulator(1, USER, PASSWORD, auth="digest")
    with sim, OnvifClient(sim.start().device_urls[0], timeout=3) as client, pytest.raises(OnvifAuthError) as err:
        client.profiles()
    assert "needs a login" in str(err.value)


def test_credentials_the_device_puts_into_uris_are_stripped():
    sim = OnvifDeviceSimulator(1, USER, PASSWORD, rtsp_base=RTSP, uri_credentials=True)
    with sim, OnvifClient(sim.start().device_urls[0], USER, PASSWORD, timeout=3) as client:
        profiles = client.discover()
    for p in profiles:
        assert "@" not in p.stream_uri and "@" not in p.snapshot_uri
    assert profiles[0].stream_uri == RTSP + "cam01"


def test_simulator_digest_is_real():
    """The simulator's Digest check rejects a wrong password and serves the snapshot with the right one."""
    with OnvifDeviceSimulator(1, USER, PASSWORD, auth="digest") as sim:
        with OnvifClient(sim.device_urls[0], USER, PASSWORD, timeout=3) as client:
            snap = client.snapshot_uri("profile_main")
        assert requests.get(snap, timeout=3).status_code == 401
        assert requests.get(snap, auth=HTTPDigestAuth(USER, "wrong"), timeout=3).status_code == 401
        answer = requests.get(snap, auth=HTTPDigestAuth(USER, PASSWORD), timeout=5)
        if answer.status_code == 404:
            pytest.skip("OpenCV not available to draw the snapshot")
        assert answer.status_code == 200 and answer.content[:2] == b"\xff\xd8"


class _HtmlHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: ANN002
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body><h1>Router login</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_not_an_onvif_device():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/onvif/device_service"
        with OnvifClient(url, USER, PASSWORD, timeout=3) as client, pytest.raises(OnvifNotDeviceError) as err:
            client.discover()
        assert "not an ONVIF device" in str(err.value) and "text/html" in str(err.value)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_timeout_when_the_device_never_answers():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (kernel backlog), never reads or answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/onvif/device_service"
        started = time.monotonic()
        with OnvifClient(url, USER, PASSWORD, timeout=0.5) as client, pytest.raises(OnvifTimeoutError) as err:
            client.discover()
        assert time.monotonic() - started < 10
        assert "did not answer within 0.5 s" in str(err.value)
    finally:
        silent.close()


def test_unreachable_device():
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    client = OnvifClient(f"http://127.0.0.1:{port}/onvif/device_service", timeout=1)
    with client, pytest.raises(OnvifError, match="unreachable"):
        client.discover()


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("10.0.0.5", "http://10.0.0.5/onvif/device_service"),
        ("cam.local:8080", "http://cam.local:8080/onvif/device_service"),
        ("http://admin:pw@10.0.0.5/onvif/device_service", "http://10.0.0.5/onvif/device_service"),
        ("https://10.0.0.5:8443/onvif/dev", "https://10.0.0.5:8443/onvif/dev"),
    ],
)
def test_normalise_device_url(typed, url):
    assert normalise_device_url(typed) == url


@pytest.mark.parametrize("typed", ["", "rtsp://10.0.0.5/", "10.0.0.5:99999"])
def test_normalise_device_url_rejects(typed):
    with pytest.raises(ValueError):
        normalise_device_url(typed)


def test_health_probe_answers_a_digest_only_snapshot_url():
    """An ONVIF snapshot URI that takes only HTTP Digest is online for the health check with the right password
    (the probe sent Basic only and called it "unauthorized") and still unauthorized with a wrong one."""
    from urllib.parse import quote, urlsplit, urlunsplit

    from ioc_qgis_plugin.video.probe import probe

    with OnvifDeviceSimulator(1, USER, PASSWORD, auth="digest") as sim:
        with OnvifClient(sim.device_urls[0], USER, PASSWORD, timeout=3) as client:
            snap = client.snapshot_uri("profile_main")
        if requests.get(snap, auth=HTTPDigestAuth(USER, PASSWORD), timeout=5).status_code == 404:
            pytest.skip("OpenCV not available to draw the snapshot")
        parts = urlsplit(snap)

        def with_password(password: str) -> str:
            netloc = f"{quote(USER, safe='')}:{quote(password, safe='')}@{parts.netloc}"
            return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

        ok, reason = probe(with_password(PASSWORD), timeout=10)
        assert ok, reason
        assert probe(with_password("wrong"), timeout=10) == (False, "unauthorized")
        assert probe(snap, timeout=10) == (False, "unauthorized")  # no credentials at all
