"""How sure a finding is: `high`, `medium` or `low`.

- high: a credential file outside test, example, fixture and documentation locations; a token whose
  checksum verifies (the rule names a validator); a PEM or OpenSSH private key whose body parses as
  a key of plausible size.
- low: anything in a test, example, fixture or documentation location; a value published as an
  example (`known_examples.toml`); a `generic-*` keyword/value pair whose value is weak; a private key
  block whose body does not parse (a truncated docstring example); a JWT or an Azure SAS token that
  has expired, or a JWT that names no issuer, subject, audience or lifetime.
- medium: everything else.

A rule's own `confidence` (when the rule schema has one) replaces the computed tier, except that a
published example value stays low. The session gate blocks on high and medium by default (settings
key `gate`); `secretguard scan --min-confidence` hides what is below a tier.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

HIGH, MEDIUM, LOW = "high", "medium", "low"
LEVELS = (LOW, MEDIUM, HIGH)
RANK = {LOW: 0, MEDIUM: 1, HIGH: 2}
# settings key `gate`: the lowest confidence that blocks an agent session
GATES = {"all": LOW, "medium": MEDIUM, "high": HIGH}
DEFAULT_GATE = "medium"

KNOWN_EXAMPLES_FILE = Path(__file__).with_name("known_examples.toml")


def at_least(confidence: str, minimum: str) -> bool:
    return RANK.get(confidence, RANK[MEDIUM]) >= RANK[minimum]


def blocks(confidence: str, gate: str = DEFAULT_GATE) -> bool:
    """Whether a finding of this confidence blocks an agent session under the `gate` setting."""
    return at_least(confidence, GATES.get(gate, MEDIUM))


# -- test, example, fixture and documentation locations ---------------------------------------
# A directory segment (case-insensitive): tests/, testing/, testdata/, test_utils/, t/ (celery, Perl),
# dummyserver/, fakes/, mocks/, spec/, docs/, docs_src/, documentation/, examples/, example-app/,
# samples/, fixtures/, demo/. Not: latest/, contest/, docker/ (a prefix must end the word or meet a
# separator, except for test/dummy/fake/mock).
_TEST_DIR = re.compile(r"t|specs?|__tests__|__fixtures__|__mocks__|documentation"
                       r"|(?:test|dummy|fake|mock)[\w.\-]*"
                       r"|(?:docs?|examples?|samples?|fixtures?|demos?)(?:[_.\-][\w.\-]*)?", re.IGNORECASE)
_TEST_FILE = re.compile(r"(?:test_[^/]*\.[^/]+|[^/]+_test\.[^/]+|[^/]+\.(?:spec|test)\.[^/]+|[^/]+_spec\.[^/]+"
                        r"|conftest\.py|(?:examples?|samples?)[-_.][^/]*)$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def test_location(relpath: str) -> bool:
    """tests/…, docs/…, examples/…, fixtures/… at any depth; test_x.py, x_test.go, x.spec.ts, x.test.js."""
    parts = relpath.split("/")
    return any(_TEST_DIR.fullmatch(p) for p in parts[:-1]) or bool(_TEST_FILE.fullmatch(parts[-1]))


# -- published example values -------------------------------------------------------------------
@lru_cache(maxsize=1)
def _examples() -> tuple[frozenset[str], tuple[str, ...]]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    doc = tomllib.loads(KNOWN_EXAMPLES_FILE.read_text(encoding="utf-8"))
    values = [e["value"] for e in doc.get("example", [])]
    return frozenset(values), tuple(v for v in values if len(v) >= 16)


def examples_digest() -> str:
    """What the known-example list contributes to the results (part of the cache key)."""
    return hashlib.sha256(KNOWN_EXAMPLES_FILE.read_bytes()).hexdigest()


def known_example(secret: str) -> bool:
    exact, long = _examples()
    value = secret.strip().strip("\"'")
    return value in exact or any(v in value for v in long)


# -- generic keyword/value pairs ------------------------------------------------------------------
def weak_value(secret: str) -> bool:
    """A value that passed the generic filters but does not look generated: short, few character
    classes or little spread. A typed password or a label, rather than an issued credential."""
    s = secret.strip()
    n = len(s)
    if n < 12:
        return True
    classes = sum((any(c.islower() for c in s), any(c.isupper() for c in s), any(c.isdigit() for c in s),
                   any(not c.isalnum() for c in s)))
    counts = Counter(s)
    entropy = -sum(k / n * math.log2(k / n) for k in counts.values())
    if re.fullmatch(r"[0-9a-fA-F]+", s):
        return n < 32 or entropy < 3.3
    return classes < 3 and n < 20 or entropy < min(3.5, 0.8 * math.log2(n))


# -- the tier of a finding ------------------------------------------------------------------------
def file_tier(rule, relpath: str) -> str:
    """A credential file: high, unless it sits in a test, example, fixture or documentation location."""
    if test_location(relpath):  # a fixture stays a fixture, whatever the rule says of its kind
        return LOW
    explicit = getattr(rule, "confidence", None)
    return explicit if explicit in RANK else HIGH


# Reserved documentation names (RFC 2606 / 6761) next to a value: a docstring or README example.
_DOC_NAME = re.compile(r"(?i)[@/.]example\.(?:com|org|net)\b|\b(?:alice|bob)@|\bexample\s*:")


def _documented(text: str, start: int, radius: int = 300) -> bool:
    """Near the match, on its line: a reserved example domain or a textbook user."""
    line_start = max(text.rfind("\n", max(0, start - radius), start) + 1, start - radius)
    line_end = text.find("\n", start, start + radius)
    return bool(_DOC_NAME.search(text, line_start, line_end if line_end != -1 else min(len(text), start + radius)))


def content_tier(rule, secret: str, relpath: str, text: str = "", start: int = 0) -> str:
    """A content finding: `secret` is the matched value, `start` where the match begins in `text`."""
    if known_example(secret):
        return LOW
    if test_location(relpath):  # a fixture stays a fixture, whatever the rule says of its kind
        return LOW
    if text and _documented(text, start):
        return LOW
    explicit = getattr(rule, "confidence", None)
    if explicit in RANK:
        return explicit
    pem = pem_tier(text, start) if "PRIVATE KEY-----" in secret or "PRIVATE KEY-----" in text[start:start + 200] \
        else None
    if pem is not None:
        return pem
    if getattr(rule, "validator", None):
        return HIGH
    if secret.startswith("eyJ") and jwt_not_live(secret):
        return LOW
    if text and expired_sas(text, start):
        return LOW
    if rule.id.startswith("generic-") and weak_value(secret):
        return LOW
    return MEDIUM


# An issued token names at least one of these: who issued it, for whom, or how long it lives.
_JWT_CLAIMS = ("exp", "iat", "nbf", "iss", "sub", "aud", "jti")


def jwt_not_live(token: str) -> bool:
    """A JWT that cannot be a live credential: it expired (`exp` in the past), or its claims name no
    issuer, subject, audience or lifetime ({'a': 'b'}, {'key': 'value'}: a library's demo token)."""
    import json
    import time

    parts = token.split(".")
    if len(parts) < 3:
        return False
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return False
    if not isinstance(claims, dict):
        return False
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp < time.time():
        return True
    return not any(name in claims for name in _JWT_CLAIMS)


_SAS_EXPIRY = re.compile(r"[?&;]se=(\d{4})-(\d\d)-(\d\d)(?:T(\d\d)(?::|%3A)(\d\d))?", re.IGNORECASE)


def expired_sas(text: str, start: int) -> bool:
    """An Azure shared access signature whose signed expiry (`se=`) on the same line has passed."""
    if "sig=" not in text[start:start + 2000].lower():
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[max(line_start, start - 2000):line_end if line_end >= 0 else len(text)][:4000]
    m = _SAS_EXPIRY.search(line)
    if not m:
        return False
    import datetime

    try:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hour, minute = int(m.group(4) or 23), int(m.group(5) or 59)
        expiry = datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.timezone.utc)
    except ValueError:
        return False
    return expiry < datetime.datetime.now(datetime.timezone.utc)


# -- private keys ---------------------------------------------------------------------------------
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY)-----")
_B64_RUN = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")
_HEADER_LINE = re.compile(r"^[\s\"'`+,]*[A-Za-z][\w-]*: ")
PEM_SEARCH = 64 * 1024   # a key block ends within this many characters of its BEGIN line


def pem_tier(text: str, start: int = 0) -> str | None:
    """The tier of the private key block whose BEGIN line is at or after `start`: HIGH when its body
    parses as a key of plausible size, LOW when it does not (a truncated or made-up example), None
    when it cannot be told (no block there, or a legacy encrypted body)."""
    m = _PEM_BEGIN.search(text, start, start + 4096)
    if m is None:
        return None
    label = m.group(1)
    end = text.find("-----END", m.end(), m.end() + PEM_SEARCH)
    if end < 0:
        return LOW  # no END line: cut short
    body = text[m.end():end].replace("\\r", "\n").replace("\\n", "\n")
    runs = []
    for line in body.split("\n"):
        if _HEADER_LINE.match(line):
            if "ENCRYPTED" in line and "Proc-Type" in line:
                return None  # legacy encrypted PEM: the body is ciphertext
            continue
        best = max(_B64_RUN.findall(line), key=len, default="")
        if best:
            runs.append(best)
    data = _b64(("".join(runs)))
    if data is None:
        return LOW
    if label == "OPENSSH PRIVATE KEY":
        return HIGH if openssh_key_ok(data) else LOW
    return HIGH if der_private_key_ok(label, data) else LOW


def _b64(value: str) -> bytes | None:
    if not value or len(value) % 4 == 1:
        return None
    value = value.rstrip("=")
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _tlv(data: bytes, pos: int, limit: int) -> tuple[int, int, int] | None:
    """(tag, content start, content end) of the DER element at `pos`, or None if it does not fit."""
    if pos + 2 > limit:
        return None
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F or first == 0x80:
        return None  # high tag numbers and indefinite lengths are not in key structures
    if first < 0x80:
        start, length = pos + 2, first
    else:
        k = first & 0x7F
        if k > 4 or pos + 2 + k > limit:
            return None
        start, length = pos + 2 + k, int.from_bytes(data[pos + 2:pos + 2 + k], "big")
    end = start + length
    return (tag, start, end) if end <= limit else None


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]] | None:
    """The elements inside a constructed element; None unless they tile it exactly."""
    out, pos = [], start
    while pos < end:
        item = _tlv(data, pos, end)
        if item is None:
            return None
        out.append(item)
        pos = item[2]
    return out


INTEGER, OCTET_STRING, SEQUENCE = 0x02, 0x04, 0x30


def der_private_key_ok(label: str, der: bytes) -> bool:
    """The DER of a PEM private key: one SEQUENCE spanning the whole body, with the fields its label
    promises and key material of plausible size (a length header that disagrees with the body, as in
    a truncated example, fails)."""
    top = _tlv(der, 0, len(der))
    if top is None or top[0] != SEQUENCE or top[2] != len(der):
        return False
    kids = _children(der, top[1], top[2])
    if not kids:
        return False
    tags = [k[0] for k in kids]
    size = [k[2] - k[1] for k in kids]
    if label == "RSA PRIVATE KEY":  # version, n, e, d, p, q, dp, dq, qinv
        return len(kids) >= 9 and all(t == INTEGER for t in tags) and size[1] >= 64
    if label == "DSA PRIVATE KEY":  # version, p, q, g, y, x
        return len(kids) == 6 and all(t == INTEGER for t in tags) and size[1] >= 64
    if label == "EC PRIVATE KEY":  # version 1, privateKey, [0] parameters, [1] publicKey
        return tags[:2] == [INTEGER, OCTET_STRING] and der[kids[0][1]:kids[0][2]] == b"\x01" and 16 <= size[1] <= 72
    if label == "PRIVATE KEY":  # PKCS#8: version, algorithm, privateKey
        return len(kids) >= 3 and tags[:3] == [INTEGER, SEQUENCE, OCTET_STRING] and size[2] >= 16
    if label == "ENCRYPTED PRIVATE KEY":  # encryptionAlgorithm, encryptedData
        return len(kids) == 2 and tags == [SEQUENCE, OCTET_STRING] and size[1] >= 16
    return False


def openssh_key_ok(data: bytes) -> bool:
    """openssh-key-v1: cipher, kdf, kdf options, key count, public keys, private section; every
    length-prefixed field inside the body and the private section ending it."""
    magic = b"openssh-key-v1\0"
    if not data.startswith(magic):
        return False
    pos = len(magic)

    def string() -> bytes | None:
        nonlocal pos
        if pos + 4 > len(data):
            return None
        n = int.from_bytes(data[pos:pos + 4], "big")
        if pos + 4 + n > len(data):
            return None
        pos += 4 + n
        return data[pos - n:pos]

    cipher, kdf, _options = string(), string(), string()
    if cipher is None or kdf is None or _options is None or not re.fullmatch(rb"[a-z0-9@.\-]{1,64}", cipher):
        return False
    if pos + 4 > len(data):
        return False
    count = int.from_bytes(data[pos:pos + 4], "big")
    pos += 4
    if not 1 <= count <= 16:
        return False
    for _ in range(count):
        public = string()
        if public is None or len(public) < 32:
            return False
    private = string()
    return private is not None and len(private) >= 8 and pos == len(data)
