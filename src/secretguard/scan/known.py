"""Values secretguard knows are secret, kept only as keyed hashes, so an exact value is redacted from
what the model sees even where no rule would recognise it.

Sources: values `exec` handed to a child (from Vault), values in credential files found outside
the workspace when a sealed session starts. Each is stored as an HMAC-SHA256 under the user's own
key (in the state dir, never in a workspace) with an expiry; no plaintext value is ever written.
Output is searched by hashing its candidate substrings (whitespace- and quote-delimited runs) and
looking them up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time

from secretguard.paths import ensure_private_dir, state_dir, user_key

MIN_LENGTH = 8           # shorter values would match ordinary words
MAX_LENGTH = 512
MAX_ENTRIES = 20000
DEFAULT_TTL = 24 * 3600
# Candidates: runs without whitespace or quotes, and the same trimmed of punctuation around them.
_CANDIDATE = re.compile(r"[^\s\"'`]{%d,%d}" % (MIN_LENGTH, MAX_LENGTH))
_TRIM = "()[]{}<>,;:=.!?"


def _path() -> str:
    return os.path.join(str(state_dir()), "known-values.json")


def _digest(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:40]


class KnownValues:
    def __init__(self, key: bytes, entries: dict[str, float]) -> None:
        self.key, self.entries = key, entries

    @classmethod
    def load(cls) -> KnownValues | None:
        """The index, or None when there is none (nothing is known yet)."""
        try:
            with open(_path(), encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            return None
        now = time.time()
        entries = {k: v for k, v in (doc.get("entries") or {}).items() if isinstance(v, (int, float)) and v > now}
        return cls(user_key(), entries) if entries else None

    @staticmethod
    def add(values: list[str], ttl: float = DEFAULT_TTL) -> int:
        """Remember `values` (only those long enough) for `ttl` seconds. Returns how many."""
        key = user_key()
        wanted = {v.strip() for v in values if isinstance(v, str) and MIN_LENGTH <= len(v.strip()) <= MAX_LENGTH}
        if not wanted:
            return 0
        path = _path()
        ensure_private_dir(state_dir())
        import fcntl

        with open(path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with open(path, encoding="utf-8") as fh:
                    entries = json.load(fh).get("entries") or {}
            except (OSError, ValueError):
                entries = {}
            now = time.time()
            entries = {k: v for k, v in entries.items() if isinstance(v, (int, float)) and v > now}
            for value in wanted:
                entries[_digest(key, value)] = now + ttl
            if len(entries) > MAX_ENTRIES:  # keep the ones that live longest
                entries = dict(sorted(entries.items(), key=lambda kv: -kv[1])[:MAX_ENTRIES])
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
                json.dump({"version": 1, "entries": entries}, fh)
            os.replace(tmp, path)
        return len(wanted)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where a known value occurs in `text`."""
        out = []
        for m in _CANDIDATE.finditer(text):
            start, end = m.span()
            seen = set()
            for s, e in ((start, end), *_trimmed(text, start, end)):
                if (s, e) in seen or e - s < MIN_LENGTH:
                    continue
                seen.add((s, e))
                if _digest(self.key, text[s:e]) in self.entries:
                    out.append((s, e))
                    break
        return out


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The run without punctuation around it, and its parts after `=` or `:` (KEY=value, user:pass)."""
    s, e = start, end
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    out = [(s, e)]
    for sep in "=:":
        cut = text.find(sep, s, e)
        if cut != -1:
            out.append((cut + 1, e))
            out.append((s, cut))
    return out


def values_in_credential_file(path: str, limit: int = 256 * 1024) -> list[str]:
    """What in a credential file looks like a value: right-hand sides of `key = value` and
    `key: value`, and whole lines that are one long token."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError:
        return []
    if b"\0" in data[:4096]:
        return []
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[", "-----")):
            continue
        m = re.match(r"^[\"']?[\w.\-]+[\"']?\s*[:=]\s*(.+)$", line)
        value = m.group(1) if m else line
        value = value.strip().strip(",").strip("\"'")
        if MIN_LENGTH <= len(value) <= MAX_LENGTH and " " not in value:
            out.append(value)
    return out
