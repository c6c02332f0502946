"""Reading an HTTP body piece by piece as it arrives, so size limits and overall deadlines can be enforced."""

from __future__ import annotations

from typing import Iterator

import requests


def body_pieces(resp: requests.Response, size: int = 64 * 1024) -> Iterator[bytes]:
    """Body pieces as they arrive: one socket read each (http.client's read1), so a server dripping a byte at a
    time still returns control between bytes and a deadline can be checked. A compressed body falls back to
    iter_content (its pieces are then limited after decompression, which is what counts for memory)."""
    fp = getattr(resp.raw, "_fp", None)
    if fp is not None and hasattr(fp, "read1") and resp.headers.get("Content-Encoding", "identity") == "identity":
        while True:
            piece = fp.read1(size)
            if not piece:
                return
            yield piece
    yield from resp.iter_content(chunk_size=size)


def megabytes(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e7 else f"{n / 1e6:.2g} MB"
