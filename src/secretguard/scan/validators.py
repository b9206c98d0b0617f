"""Checksum validators for token formats that carry one.

GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) tokens are a 4-character prefix, 30 random
base62 characters and a 6-character checksum: the CRC32 of the 30 random characters, in base62
(0-9A-Za-z), left-padded with zeros. A token whose checksum does not verify was mangled or made
up; the rules report those separately (github-token-unverified, npm-token-unverified).

Some tokens are base64 of a structure: a Grafana API key is `{"k":…,"n":…,"id":…}`, an Amazon
Bedrock long-term key is `ABSK` + base64 of `BedrockAPIKey-…-at-ACCOUNT:SECRET`, a short-term one
`bedrock-api-key-` + base64 of a presigned bedrock.amazonaws.com URL. Decoding checks the shape,
which random base64 that merely starts the same way does not have.
"""

from __future__ import annotations

import base64
import binascii
import json
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


def _b64(value: str) -> bytes | None:
    value = value.rstrip("=")
    value += "=" * (-len(value) % 4)
    try:
        return base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


def _grafana_api_key(token: str) -> bool:
    """eyJrIjoi…: base64 of a JSON object whose `k` is the key and `n` its name."""
    raw = _b64(token)
    try:
        obj = json.loads(raw) if raw else None
    except ValueError:
        return False
    return isinstance(obj, dict) and isinstance(obj.get("k"), str) and len(obj["k"]) >= 16 and "n" in obj


_BEDROCK_LONG = re.compile(rb"BedrockAPIKey-[\w\-]{1,64}:[A-Za-z0-9+/=_\-]{20,}")


def _bedrock_api_key(token: str) -> bool:
    """ABSK + base64(BedrockAPIKey-…:SECRET), or bedrock-api-key- + base64 of a presigned URL."""
    if token.startswith("ABSK"):
        raw = _b64(token[4:])
        return bool(raw and _BEDROCK_LONG.match(raw))
    if token.startswith("bedrock-api-key-"):
        body = token[len("bedrock-api-key-"):]
        raw = _b64(body[:len(body) // 4 * 4])
        return bool(raw and raw.startswith(b"bedrock.amazonaws.com") and b"X-Amz-" in raw)
    return False


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "github_crc32": _crc32_suffix,
    "npm_crc32": _crc32_suffix,
    "grafana_api_key": _grafana_api_key,
    "bedrock_api_key": _bedrock_api_key,
}
