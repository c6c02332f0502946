"""The viewer's down-scaling (video.scaling.scale_down): right size, and as clean as one INTER_AREA pass."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ioc_qgis_plugin.devservers.rtsp_server import PatternSource
from ioc_qgis_plugin.video import timecode
from ioc_qgis_plugin.video.scaling import scale_down


@pytest.mark.parametrize(
    ("src", "dst"), [((640, 360), (245, 138)), ((1280, 720), (310, 174)), ((640, 360), (500, 281))]
)
def test_scaled_picture_matches_area_averaging(src, dst):
    frame = PatternSource("cam01", *src, 25).next_frame()
    out = scale_down(frame, *dst)
    assert out.shape == (dst[1], dst[0], 3) and out.dtype == np.uint8
    reference = cv2.resize(frame, dst, interpolation=cv2.INTER_AREA).astype(float)
    assert np.abs(out.astype(float) - reference).mean() < 1.5  # grey levels; plain bilinear at 2.6× is worse
    assert timecode.decode_scaled(out, src[0]) is not None


def test_same_size_and_upscaling_are_left_to_bilinear():
    frame = np.zeros((90, 160, 3), np.uint8)
    assert scale_down(frame, 160, 90) is frame
    assert scale_down(frame, 320, 180).shape == (180, 320, 3)
