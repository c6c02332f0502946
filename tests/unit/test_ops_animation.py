"""Replay frame plan and video encoding."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from ioc_qgis_plugin.core.timeutil import CITY_TZ
from ioc_qgis_plugin.ops.animation import encode_video, frame_plan


def ts(*a: int) -> float:
    return datetime(*a, tzinfo=CITY_TZ).timestamp()


def test_daily_frames_cover_the_period_with_city_dates():
    frames = frame_plan(ts(2026, 11, 1), ts(2026, 11, 8), 86400)
    assert len(frames) == 7
    assert frames[0].label == "01/11/2026" and frames[-1].label == "07/11/2026"
    assert frames[-1].end == ts(2026, 11, 8)
    assert frames[3].file_name() == "frame_00003.png"


def test_partial_last_frame_cumulative_and_bad_input():
    frames = frame_plan(ts(2026, 11, 1, 6), ts(2026, 11, 1, 13), 3 * 3600, cumulative=True)
    assert len(frames) == 3 and all(f.start == ts(2026, 11, 1, 6) for f in frames)
    assert frames[-1].end == ts(2026, 11, 1, 13)
    with pytest.raises(ValueError, match="empty"):
        frame_plan(10, 10, 1)
    with pytest.raises(ValueError, match="too many"):
        frame_plan(0, 10_000_000, 1)


def test_encode_video_from_png_frames(tmp_path):
    cv2 = pytest.importorskip("cv2")
    for i in range(6):
        img = np.full((120, 160, 3), 40 * i, dtype=np.uint8)
        cv2.imwrite(str(tmp_path / f"frame_{i:05d}.png"), img)
    path, how = encode_video(tmp_path, tmp_path / "replay", fps=3)
    assert path is not None and path.stat().st_size > 0, how
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == 6
    assert encode_video(tmp_path / "none", tmp_path / "x")[0] is None
