"""ONVIF against the local ONVIF device (devservers.onvif_server, written from the ONVIF Core/Media ver10 specs and
WS-Discovery 2005/04): discovery, profiles → stream/snapshot URIs, WS-Security UsernameToken and HTTP Digest."""

from __future__ import annotations

import pytest

from ioc_qgis_plugin.connectors.onvif import OnvifClient, OnvifError, camera_urls, ws_discovery
from ioc_qgis_plugin.devservers.onvif_server import OnvifDevice

USER, PASSWORD = "admin", "onvif-pw"


@pytest.fixture(params=["wsse", "digest", "both"])
def device(request):
    with OnvifDevice(user=USER, password=PASSWORD, auth=request.param, rtsp_base="rtsp://127.0.0.1:8554") as dev:
        yield dev


def test_discover_profiles_and_uris(device):
    with OnvifClient(device.device_url, USER, PASSWORD, timeout=2) as client:
        profiles = client.discover()
    assert [p.token for p in profiles] == ["prof_main", "prof_sub"]
    assert profiles[0].width == 1280 and profiles[0].encoding == "H264"
    urls = camera_urls(profiles)
    assert urls["stream_url"] == "rtsp://127.0.0.1:8554/cam01"
    assert urls["substream_url"] == "rtsp://127.0.0.1:8554/cam01_sub"
    assert urls["snapshot_url"].startswith(f"http://127.0.0.1:{device.port}/snapshot/")
    assert {"GetCapabilities", "GetProfiles", "GetStreamUri", "GetSnapshotUri"} <= set(device.calls)


def test_wrong_password_is_reported_without_it(device):
    client = OnvifClient(device.device_url.replace("http://", "http://admin:nope@"), USER, "nope", timeout=2)
    with client, pytest.raises(OnvifError, match="unauthorized") as err:
        client.profiles()
    assert "nope" not in str(err.value)
    assert "nope" not in client.device_url


def test_no_credentials_is_unauthorized(device):
    with OnvifClient(device.device_url, timeout=2) as client, pytest.raises(OnvifError, match="unauthorized"):
        client.profiles()


def test_digest_device_needs_digest():
    """A device that only speaks HTTP Digest: the client answers the 401 challenge (and keeps answering it)."""
    with (
        OnvifDevice(user=USER, password=PASSWORD, auth="digest") as dev,
        OnvifClient(dev.device_url, USER, PASSWORD, timeout=2) as client,
    ):
        assert len(client.profiles()) == 2
        assert client.stream_uri("prof_sub").endswith("/cam01_sub")


def test_ws_discovery_unicast_probe():
    with OnvifDevice(name="Nga-tu-Le-Loi") as dev:
        found = ws_discovery("127.0.0.1", port=dev.discovery_port, timeout=1.5)
    assert len(found) == 1
    assert found[0].device_url == dev.device_url
    assert found[0].name == "Nga-tu-Le-Loi" and found[0].address == f"urn:uuid:{dev.uuid}"


def test_ws_discovery_nobody_answers():
    with OnvifDevice() as dev:
        port = dev.discovery_port
    assert ws_discovery("127.0.0.1", port=port, timeout=0.5) == []


def test_unreachable_device():
    client = OnvifClient("http://127.0.0.1:9/onvif/device_service", timeout=1)
    with client, pytest.raises(OnvifError, match="unreachable"):
        client.discover()
