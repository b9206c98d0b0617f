"""Baselines: accepted findings that a scan no longer reports.

Our format (`.secretguard-baseline.json`) keys each accepted finding by a fingerprint: an HMAC of
rule, path and secret under a random salt stored in the file. It survives lines moving and is not
a bare hash of the secret. Sorted, stable, no timestamps, so it diffs well in review.

detect-secrets' `.secrets.baseline` is read too: results audited `is_secret: false` stay
suppressed (matched by file name and the SHA-1 that detect-secrets records).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from secretguard.scan.detect import Finding
from secretguard.errors import ConfigError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    salt: bytes
    fingerprints: frozenset[str]
    entries: tuple[dict, ...]
    digest: str
    ds_false_positives: frozenset[tuple[str, str]] = frozenset()  # (filename, sha1 of secret)

    def suppresses(self, rule: str, path: str, secret: str, fingerprint: str) -> bool:
        if fingerprint in self.fingerprints:
            return True
        if self.ds_false_positives and secret:
            sha1 = hashlib.sha1(secret.encode("utf-8", "surrogateescape")).hexdigest()
            return (path, sha1) in self.ds_false_positives
        return False


def new_salt() -> bytes:
    return secrets.token_bytes(16)


def load(path: Path) -> Baseline:
    try:
        raw = path.read_bytes()
        doc = json.loads(raw)
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: baseline is not valid JSON: {exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if isinstance(doc, dict) and "results" in doc and "plugins_used" in doc:
        return _from_detect_secrets(doc, path, digest)
    if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION or not isinstance(doc.get("findings"), list):
        raise ConfigError(f"{path}: not a secretguard baseline (version {FORMAT_VERSION}) "
                          "nor a detect-secrets .secrets.baseline")
    try:
        salt = bytes.fromhex(doc["salt"])
        entries = tuple(doc["findings"])
        prints = frozenset(e["fingerprint"] for e in entries)
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"{path}: malformed baseline entry (needs salt and findings[].fingerprint)") from None
    return Baseline(salt, prints, entries, digest)


def _from_detect_secrets(doc: dict, path: Path, digest: str) -> Baseline:
    accepted = set()
    results = doc.get("results")
    if not isinstance(results, dict):
        raise ConfigError(f"{path}: detect-secrets baseline has no 'results' object")
    for filename, items in results.items():
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("is_secret") is False and "hashed_secret" in item:
                accepted.add((filename.replace(os.sep, "/"), item["hashed_secret"]))
    return Baseline(new_salt_for(path), frozenset(), (), digest, frozenset(accepted))


def new_salt_for(path: Path) -> bytes:
    # A detect-secrets baseline has no salt of ours: derive a stable one so cache keys stay stable.
    return hashlib.sha256(b"secretguard-ds-import\0" + str(path).encode()).digest()[:16]


def render(findings: Iterable[Finding], salt: bytes) -> str:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "excerpt": f.excerpt} for f in findings),
        key=lambda e: (e["path"], e["rule"], e["fingerprint"]))
    unique = list({e["fingerprint"]: e for e in entries}.values())
    doc = {"version": FORMAT_VERSION, "generated_by": "secretguard", "salt": salt.hex(), "findings": unique}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
