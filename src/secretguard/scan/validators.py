"""Checksum validators for token formats that carry one.

GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) tokens are a 4-character prefix, 30 random
base62 characters and a 6-character checksum: the CRC32 of the 30 random characters, in base62
(0-9A-Za-z), left-padded with zeros. A token whose checksum does not verify was mangled or made
up; the rules report those separately (github-token-unverified, npm-token-unverified).
"""

from __future__ import annotations

import re
import zlib
from typing import Callable

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SHAPE = re.compile(r"[a-z]{3}_[A-Za-z0-9]{36}")


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def _crc32_suffix(token: str) -> bool:
    if not _SHAPE.fullmatch(token):
        return False
    body, check = token[4:34], token[34:]
    return _base62(zlib.crc32(body.encode()), 6) == check


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github_crc32": _crc32_suffix,
    "npm_crc32": _crc32_suffix,
}
