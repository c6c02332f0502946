"""Replay animation without QGIS: the frame plan for a period and PNG frames → video.

Video: OpenCV's VideoWriter (Debian python3-opencv, mp4v) or else GStreamer's gst-launch-1.0 from the PNG
sequence; without either the PNG frames are the result, and the caller says so.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..core.timeutil import CITY_TZ

DEFAULT_STEP_S = {"field_reports": 86400.0, "street_lights": 3 * 3600.0, "cameras": 3600.0}
MAX_FRAMES = 2000


@dataclass(frozen=True)
class Frame:
    index: int
    start: float  # epoch seconds, inclusive
    end: float  # exclusive

    @property
    def label(self) -> str:
        """Caption burned into the frame, city time (dd/MM/yyyy HH:mm)."""
        a = datetime.fromtimestamp(self.start, CITY_TZ)
        b = datetime.fromtimestamp(self.end, CITY_TZ)
        if self.end - self.start >= 86400 and a.hour == 0 and a.minute == 0:
            return f"{a:%d/%m/%Y}" if self.end - self.start == 86400 else f"{a:%d/%m/%Y} – {b:%d/%m/%Y}"
        return f"{a:%d/%m/%Y %H:%M} – {b:%H:%M}"

    def file_name(self) -> str:
        return f"frame_{self.index:05d}.png"


def frame_plan(start: float, end: float, step_s: float, cumulative: bool = False) -> list[Frame]:
    """Frames covering [start, end) in steps; `cumulative` frames all begin at `start` (things pile up)."""
    if step_s <= 0:
        raise ValueError("the step must be positive")
    if end <= start:
        raise ValueError("the period is empty: the end must be after the start")
    n = int(-(-(end - start) // step_s))
    if n > MAX_FRAMES:
        raise ValueError(f"{n} frames is too many (at most {MAX_FRAMES}): choose a longer step or a shorter period")
    return [Frame(i, start if cumulative else start + i * step_s, min(end, start + (i + 1) * step_s)) for i in range(n)]


def encode_video(frames_dir: Path, out: Path, fps: float = 4.0) -> tuple[Optional[Path], str]:
    """(video path or None, how it was made / why not). Frames are frame_00000.png, … in `frames_dir`."""
    pngs = sorted(frames_dir.glob("frame_*.png"))
    if not pngs:
        return None, "no frames to encode"
    try:
        import cv2  # Debian python3-opencv

        first = cv2.imread(str(pngs[0]))
        h, w = first.shape[:2]
        path = out.with_suffix(".mp4")
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), (w, h))
        if writer.isOpened():
            for p in pngs:
                img = cv2.imread(str(p))
                if img.shape[:2] != (h, w):
                    img = cv2.resize(img, (w, h))
                writer.write(img)
            writer.release()
            if path.exists() and path.stat().st_size > 0:
                return path, "OpenCV (mp4v)"
    except ImportError:
        pass
    gst = shutil.which("gst-launch-1.0")
    if gst:
        path = out.with_suffix(".mkv")
        pattern = str(frames_dir / "frame_%05d.png")
        cmd = [
            gst,
            "-q",
            "multifilesrc",
            f"location={pattern}",
            "index=0",
            f"caps=image/png,framerate={int(fps)}/1",
            "!",
            "pngdec",
            "!",
            "videoconvert",
            "!",
            "vp8enc",
            "!",
            "matroskamux",
            "!",
            "filesink",
            f"location={path}",
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if res.returncode == 0 and path.exists():
            return path, "GStreamer (VP8/Matroska)"
        return None, f"gst-launch-1.0 failed: {res.stderr.strip()[:200]}"
    return None, "no video encoder (python3-opencv or gst-launch-1.0): the PNG frames are the result"
