"""Checksum validators for token formats that carry one. (Stub by the engine author; helper extends.)"""

from __future__ import annotations

import zlib
from typing import Callable

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def _crc32_suffix(token: str, prefix_len: int) -> bool:
    """GitHub and npm tokens end in 6 base62 chars: the CRC32 of the random part before them."""
    body, check = token[:-6], token[-6:]
    return len(token) > prefix_len + 6 and _base62(zlib.crc32(body[prefix_len:].encode()), 6) == check


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github_crc32": lambda t: _crc32_suffix(t, 4),
    "npm_crc32": lambda t: _crc32_suffix(t, 4),
}
