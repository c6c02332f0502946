"""Machine-readable timestamp burned into test frames: a row of black/white blocks at the top of the frame.

Layout (left to right, square blocks of `frame width // 64` pixels): 2 sync blocks (white, black), 48 bits of
milliseconds since the epoch (most significant first), 8 bits checksum (sum of the 6 timestamp bytes mod 256).
Blocks are large and pure black/white so the code survives H.264 compression and 4:2:0 chroma subsampling; the
decoder samples only the centre of each block.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

COLUMNS = 64
TS_BITS = 48
SUM_BITS = 8
_SYNC = (1, 0)


def block_size(width: int) -> int:
    return max(4, width // COLUMNS)


def _bits(value: int, n: int) -> list[int]:
    return [(value >> (n - 1 - i)) & 1 for i in range(n)]


def _checksum(ms: int) -> int:
    return sum(ms.to_bytes(6, "big")) & 0xFF


def encode(frame: np.ndarray, ms: int) -> None:
    """Draw the code for `ms` into the top rows of a BGR (or grey) uint8 frame, in place."""
    b = block_size(frame.shape[1])
    bits = [*_SYNC, *_bits(ms & ((1 << TS_BITS) - 1), TS_BITS), *_bits(_checksum(ms), SUM_BITS)]
    # a black band behind the code keeps the moving pattern from bleeding into block edges
    frame[: b + 2, : len(bits) * b + 2] = 0
    for i, bit in enumerate(bits):
        if bit:
            frame[1 : b + 1, 1 + i * b : 1 + (i + 1) * b] = 255


def decode(frame: np.ndarray) -> Optional[int]:
    """Milliseconds since the epoch read from a frame made by `encode`, or None when no valid code is found."""
    if frame is None or frame.ndim < 2 or frame.shape[1] < COLUMNS * 4:
        return None
    b = block_size(frame.shape[1])
    n = len(_SYNC) + TS_BITS + SUM_BITS
    q = max(1, b // 4)
    band = frame[1 + q : 1 + b - q, 1 : 1 + n * b]
    if band.ndim == 3:
        band = band.mean(axis=2)
    # mean of each block's centre: reshape the band into (rows, n, b) and average rows and inner columns
    blocks = band[:, : n * b].reshape(band.shape[0], n, b)[:, :, q : b - q].mean(axis=(0, 2))
    bits = (blocks > 127).astype(int).tolist()
    if tuple(bits[:2]) != _SYNC:
        return None
    ms = 0
    for bit in bits[2 : 2 + TS_BITS]:
        ms = (ms << 1) | bit
    check = 0
    for bit in bits[2 + TS_BITS :]:
        check = (check << 1) | bit
    return ms if check == _checksum(ms) else None


def decode_scaled(image: np.ndarray, source_width: int) -> Optional[int]:
    """Decode a code from a picture shown at another size (a grab of the screen): the top strip is resampled back
    to the source frame's width (nearest neighbour) so the blocks fall where `decode` samples them."""
    if image is None or image.ndim < 2 or image.shape[1] < 2 or source_width <= 0:
        return None
    scale = image.shape[1] / source_width
    rows = block_size(source_width) + 2
    src_rows = np.minimum((np.arange(rows) * scale).astype(int), image.shape[0] - 1)
    src_cols = np.minimum((np.arange(source_width) * scale).astype(int), image.shape[1] - 1)
    return decode(image[src_rows][:, src_cols])
