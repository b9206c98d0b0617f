"""A streaming masker: replaces secret values, and the usual encodings of them, in a byte stream.

Each value is masked raw and as base64 (standard and URL-safe, with and without padding), URL-encoded
and JSON-escaped. A value split across reads is still masked: the masker holds back the longest tail
of what it has seen that could begin a pattern, and releases it once the next read settles it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = b"*****"
MIN_LENGTH = 4  # shorter values would mask ordinary text everywhere; no real secret is that short


def encodings(value: str) -> set[bytes]:
    """The byte forms of one value that are worth masking."""
    raw = value.encode("utf-8")
    forms = {raw}
    for enc in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        forms.add(enc)
        forms.add(enc.rstrip(b"="))
    forms.add(quote(value, safe="").encode("ascii"))
    forms.add(quote(value).encode("ascii"))
    forms.add(quote_plus(value).encode("ascii"))
    forms.add(json.dumps(value)[1:-1].encode("ascii"))
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1].encode("utf-8"))
    return {f for f in forms if len(f) >= MIN_LENGTH}


class Masker:
    """Feed bytes in, get masked bytes out; call `flush()` at end of stream."""

    def __init__(self, values: Iterable[str]) -> None:
        patterns: set[bytes] = set()
        for value in values:
            if len(value) >= MIN_LENGTH:
                patterns |= encodings(value)
        # Longest first, so that at one position the longest form wins.
        self._patterns = sorted(patterns, key=lambda p: (-len(p), p))
        self._regex = re.compile(b"|".join(re.escape(p) for p in self._patterns)) if patterns else None
        self._tail = b""

    def _held(self, buf: bytes) -> int:
        """Length of the longest suffix of `buf` that is a proper prefix of some pattern."""
        best = 0
        for p in self._patterns:
            for k in range(min(len(p) - 1, len(buf)), best, -1):
                if buf.endswith(p[:k]):
                    best = k
                    break
        return best

    def _mask(self, buf: bytes, limit: int) -> tuple[bytes, int]:
        """Masked output for matches starting before `limit`; returns it and where it stopped."""
        assert self._regex is not None
        out: list[bytes] = []
        pos = 0
        for m in self._regex.finditer(buf):
            if m.start() >= limit:
                break
            out.append(buf[pos:m.start()])
            out.append(MASK)
            pos = m.end()
        end = max(pos, limit)
        out.append(buf[pos:end])
        return b"".join(out), end

    def feed(self, data: bytes) -> bytes:
        if self._regex is None:
            return data
        buf = self._tail + data
        out, end = self._mask(buf, len(buf) - self._held(buf))
        self._tail = buf[end:]
        return out

    def flush(self) -> bytes:
        if self._regex is None or not self._tail:
            return b""
        out, _ = self._mask(self._tail, len(self._tail))
        self._tail = b""
        return out
