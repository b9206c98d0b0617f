"""Scan results cache: a repeated scan of an unchanged tree only stats files.

Keyed per root on each file's identity (device, inode, size, mtime_ns, ctime_ns) and on a digest
of everything the results depend on (rules, settings, baseline, secretguard's version). It holds
findings exactly as reported (redacted excerpts, keyed fingerprints): never a secret value.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from secretguard.paths import cache_dir, ensure_private_dir

CacheEntry = list  # [key list, binary flag, [finding dicts]]


class ScanCache:
    def __init__(self, root: Path, digest: str) -> None:
        name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:24]
        self.path = cache_dir() / f"scan-{name}.json"
        self.digest = digest
        self.entries: dict[str, CacheEntry] = {}
        self.fresh: dict[str, CacheEntry] = {}
        try:
            doc = json.loads(self.path.read_bytes())
            if doc.get("digest") == digest and isinstance(doc.get("files"), dict):
                self.entries = doc["files"]
        except (OSError, ValueError, AttributeError):
            pass  # no cache, or a damaged one: scan everything

    def get(self, rel: str, key: tuple[int, ...]) -> CacheEntry | None:
        entry = self.entries.get(rel)
        if entry is not None and tuple(entry[0]) == key:
            self.fresh[rel] = entry
            return entry
        return None

    def put(self, rel: str, key: tuple[int, ...], binary: bool, findings: list[dict]) -> None:
        self.fresh[rel] = [list(key), binary, findings]

    def save(self) -> None:
        """Keep only what this scan saw, so deleted files leave the cache."""
        if self.fresh == self.entries:
            return  # nothing changed: a warm scan only stats
        try:
            ensure_private_dir(self.path.parent)
            tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
                fh.write(json.dumps({"digest": self.digest, "files": self.fresh}, separators=(",", ":")))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written costs speed, not safety
