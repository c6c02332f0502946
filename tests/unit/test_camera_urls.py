"""Credentials go into stream URLs only at connect time and are masked everywhere else; RTSP probing."""

from __future__ import annotations

import pytest

from ioc_qgis_plugin.connectors.cameras import has_credentials, mask_text, mask_url, strip_credentials, with_credentials
from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.video.devhttp import SilentServer
from ioc_qgis_plugin.video.probe import probe, probe_first


def test_insert_credentials_encodes_and_replaces():
    url = with_credentials("rtsp://old:pw@10.0.0.5:554/Streaming/101?x=1", "admin", "p@ss:w/rd")
    assert url == "rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/101?x=1"
    assert with_credentials("rtsp://h/a", "", "x") == "rtsp://h/a"
    assert with_credentials("rtsp://[::1]:8554/a", "u", "p") == "rtsp://u:p@[::1]:8554/a"
    assert strip_credentials(url) == "rtsp://10.0.0.5:554/Streaming/101?x=1"
    assert has_credentials(url) and not has_credentials(strip_credentials(url))


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("rtsp://admin:secret@10.0.0.5/live", "rtsp://***:***@10.0.0.5/live"),
        ("rtsp://token@cam/live", "rtsp://***@cam/live"),
        ("http://cam/snap.jpg?user=admin&pwd=secret&ch=1", "http://cam/snap.jpg?user=***&pwd=***&ch=1"),
        ("rtsp://cam:554/live", "rtsp://cam:554/live"),
        ("", ""),
    ],
)
def test_mask_url(url, masked):
    assert mask_url(url) == masked


def test_mask_text_in_error_messages():
    text = "open failed for rtsp://a:b%40c@1.2.3.4/x and http://u:v@h/y"
    assert mask_text(text) == "open failed for rtsp://***:***@1.2.3.4/x and http://***:***@h/y"


def test_probe_rtsp_with_auth():
    # The first DESCRIBE to a freshly started server can take seconds on a loaded machine; what is tested here is
    # the answer, not the product's 2 s default, so every probe gets a generous timeout.
    slow = 20.0
    with RtspServerProcess(count=1, size=(256, 144), sub_size=(256, 144), user="op", password="pw") as srv:
        good = srv.url("cam01").replace("rtsp://", "rtsp://op:pw@")
        assert probe(good, timeout=slow)[0]
        ok, reason = probe(srv.url("cam01").replace("rtsp://", "rtsp://op:bad@"), timeout=slow)
        assert not ok and "wrong" in reason and "bad" not in reason
        assert probe(srv.url("cam01"), timeout=slow)[1] == "unauthorized: credentials needed"
        assert "404" in probe(good.replace("cam01", "cam77"), timeout=slow)[1]
        bad = srv.url("cam01").replace("rtsp://", "rtsp://op:bad@")
        assert probe_first(["", bad, good], timeout=slow)[2] == good


def test_probe_unreachable_and_silent():
    assert probe("rtsp://127.0.0.1:9/x", timeout=1)[0] is False
    with SilentServer() as silent:
        ok, reason = probe(f"rtsp://127.0.0.1:{silent.port}/x", timeout=0.5)
        assert not ok and reason == "no answer"
