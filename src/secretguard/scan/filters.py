"""False-positive filters: cheap heuristics run on regex hits only.

Each filter takes a Candidate and returns True when the hit is NOT a secret. Rules name the
filters they want (`filters = [...]` in the TOML, default `["default"]`); a bundle name such as
"default" or "generic" stands for several filters and `is_false_positive` reports which one fired.

The detect-secrets heuristics (`detect_secrets.filters.heuristic`) are reproduced here with their
own names and semantics: importing that module pulls in all of detect_secrets (~150 ms, measured
with `python -X importtime`), far over what the Claude hook path can pay. tests/test_filters.py
checks that these copies agree with the originals.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import operator
import os
import re
import string
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Sequence

from secretguard.scan.lazyre import lazy

# How much of the line around a secret the context checks read. A minified bundle puts megabytes
# on one line and hundreds of hits on it: a check that reads the whole line for each hit makes
# the scan quadratic (tests/scan/test_rule_speed.py), so each reads only this much either side.
CONTEXT = 300


@dataclass(frozen=True)
class Candidate:
    secret: str        # the secret group's text
    match: str         # the whole regex match
    line: str          # the full line the secret starts on
    path: str          # relative path, '/' separators

    @cached_property
    def index(self) -> int:
        """Where the secret starts on its line (-1 if it does not), found once per candidate."""
        return self.line.find(self.secret)

    @cached_property
    def before(self) -> str:
        """Up to CONTEXT characters of the line before the secret ('' if it is not on the line)."""
        return self.line[max(0, self.index - CONTEXT):self.index] if self.index >= 0 else ""

    @cached_property
    def near(self) -> str:
        """The secret with up to CONTEXT characters either side (the line, when it is short)."""
        if len(self.line) <= 2 * CONTEXT + len(self.secret) or self.index < 0:
            return self.line
        return self.line[max(0, self.index - CONTEXT):self.index + len(self.secret) + CONTEXT]


def shannon_entropy(value: str) -> float:
    """Bits per character over the string's own characters (detect-secrets' formula)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# -- detect-secrets heuristics (same semantics as detect_secrets.filters.heuristic) ----------

_SEQUENCES = (
    string.ascii_uppercase + string.ascii_uppercase + string.digits + "+/",
    string.digits + string.ascii_uppercase + string.ascii_uppercase + "+/",
    (string.digits + string.ascii_uppercase) * 2,
    string.digits * 2,
    string.hexdigits.upper() + string.hexdigits.upper(),
    string.ascii_uppercase + "=/",
)
_UUID = lazy(r"[a-f0-9]{8}\-[a-f0-9]{4}\-[a-f0-9]{4}\-[a-f0-9]{4}\-[a-f0-9]{12}", re.IGNORECASE)
_ID_BEFORE = lazy(r"(^(id|myid|userid)|_id)s?[^a-z0-9]", re.IGNORECASE)
_INDIRECT = lazy(r"([^\v=!:]*)\s*(:=?|[!=]{1,3})\s*([\w.-]+[\[\(][^\v]*[\]\)])")
LOCK_FILES = frozenset({
    "Brewfile.lock.json", "Cartfile.resolved", "composer.lock", "Gemfile.lock", "Package.resolved",
    "package-lock.json", "Podfile.lock", "yarn.lock", "Pipfile.lock", "poetry.lock", "Cargo.lock",
    "packages.lock.json",
})


def is_sequential_string(secret: str) -> bool:
    upper = secret.upper()
    return any(upper in seq for seq in _SEQUENCES)


def is_potential_uuid(secret: str) -> bool:
    return bool(_UUID.search(secret))


def is_likely_id_string(secret: str, line: str) -> bool:
    index = line.find(secret)
    return index >= 0 and bool(_ID_BEFORE.search(line, 0, index))


def is_templated_secret(secret: str) -> bool:
    try:  # detect-secrets: an IndexError (a one-character value) counts as templated
        return (secret[0] == "{" and secret[-1] == "}") or (secret[0] == "<" and secret[-1] == ">") \
            or (secret[0] == "$" and secret[1] == "{" and secret[-1] == "}")
    except IndexError:
        return True


def is_prefixed_with_dollar_sign(secret: str) -> bool:
    return bool(secret) and secret[0] == "$"


def is_indirect_reference(line: str) -> bool:
    return len(line) <= 1000 and bool(_INDIRECT.search(line))


def is_lock_file(filename: str) -> bool:
    return os.path.basename(filename) in LOCK_FILES


def is_not_alphanumeric_string(secret: str) -> bool:
    return not set(string.ascii_letters) & set(secret)


def is_swagger_file(filename: str) -> bool:
    return "swagger" in filename


# -- default bundle: safe for every rule, specific token formats included ---------------------

_PLACEHOLDER = lazy(
    r"(?i)x{5,}|\*{3,}|•{2,}|\.{3}|…|<[^>]*>|\{\{[^}]*\}\}|\$\{|#\{|%\(\w*\)s|%s\b"
    r"|change[-_ ]?me|replace[-_ ]?me|placeholder|dummy|redacted|example|sample|your|insert"
    r"|fake|not[-_]?a[-_]?real|do[-_]?not[-_]?use|goes[-_]here|(?:^|[^a-z])here(?:$|[^a-z])"
    r"|^(?:todo|tbd|fixme|none|null|nil|undefined|true|false|secret|password|token|test)$")
_REPEATED = lazy(r"([0-9a-zB-Z*•#])\1{5,}")
# A secret *value* that is really a pointer to one stored elsewhere.
_REFERENCE = lazy(
    r"^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|os\.Getenv|getenv|System\.getenv"
    r"|ENV\[|ENV\.fetch|env\(|Deno\.env|secrets\.|vars\.|vault:|ref\+|op://|awssm:|sm://"
    r"|arn:aws:|projects/[^/]+/secrets/|\$\(|`)")
KNOWN_EXAMPLES = frozenset({
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "ASIAIOSFODNN7EXAMPLE",
    # jwt.io's sample token
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    # PyJWT's README token
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg",
    # Stripe's documentation test key
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
})
_DATA_URI = lazy(r"data:[\w.+-]+/[\w.+-]+;base64,|\"image/[\w.+-]+\"\s*:")


# Each ASCII character mapped to the one after it (a->b, 0->1), or to a character no text holds:
# `low[:-1].translate(_NEXT)` lined up against `low[1:]` marks the ascending steps at C speed.
_NEXT = str.maketrans({chr(i): chr(i + 1) if chr(i) in "abcdefghijklmnopqrstuvwxy012345678" else "\uffff"
                       for i in range(128)})
_RUN3 = lazy(rb"\x01{2,}")


def _steps(low: str) -> bytes:
    """For ASCII text: byte i is 1 when character i+1 follows character i (ab, 78), else 0."""
    return bytes(map(operator.eq, low[:-1].translate(_NEXT), low[1:]))


def _ascending_run(secret: str, length: int = 6) -> bool:
    """abcdef, 123456, 456789: a run of `length` consecutive characters in code order."""
    low = secret.lower()
    if secret.isascii():
        return b"\x01" * (length - 1) in _steps(low)
    run = 1
    for a, b in zip(low, low[1:]):
        run = run + 1 if ord(b) - ord(a) == 1 and a.isalnum() and b.isalnum() else 1
        if run >= length:
            return True
    return False


def placeholder(c: Candidate) -> bool:
    return bool(_PLACEHOLDER.search(c.secret))


def template(c: Candidate) -> bool:
    return is_templated_secret(c.secret)


def reference(c: Candidate) -> bool:
    return bool(_REFERENCE.match(c.secret))


def known_example(c: Candidate) -> bool:
    return c.secret in KNOWN_EXAMPLES or "EXAMPLE" in c.secret


def _run_coverage(s: str) -> float:
    """Share of `s` inside ascending runs of 3+ (abc, 123, 4567)."""
    if not s:
        return 0.0
    low = s.lower()
    if s.isascii():
        return sum(m.end() - m.start() + 1 for m in _RUN3.finditer(_steps(low))) / len(s)
    covered, run = 0, 1
    for a, b in zip(low, low[1:] + "\0"):
        if ord(b) - ord(a) == 1 and a.isalnum() and b.isalnum():
            run += 1
        else:
            covered += run if run >= 3 else 0
            run = 1
    return covered / len(s)


def sequential(c: Candidate) -> bool:
    """ABCDEF…, 123456…, abcd1234efgh5678, A1b2c3d4, a123b45c6d78e9f0…: typed, not generated
    (judged on the first 256 characters: these checks walk the value in Python)."""
    s = c.secret[:256]
    if is_sequential_string(s) or _ascending_run(s) or (len(s) >= 8 and _run_coverage(s) >= 0.5):
        return True
    if s.isascii():
        letters, digits = re.sub(r"[^A-Za-z]+", "", s), re.sub(r"[^0-9]+", "", s)
    else:
        letters = "".join(ch for ch in s if ch.isalpha())
        digits = "".join(ch for ch in s if ch.isdigit())
    return len(letters) >= 3 and len(digits) >= 3 and _run_coverage(letters) >= 0.5 \
        and _run_coverage(digits) >= 0.5


def repeated(c: Candidate) -> bool:
    """0000000000000000, XXXXXX…, or a value of three or four distinct characters."""
    s = c.secret
    return bool(_REPEATED.search(s)) or (len(s) >= 8 and len(set(s)) <= 4)


def uuid_value(c: Candidate) -> bool:
    """The whole value is a UUID (an identifier, not a credential)."""
    return bool(re.fullmatch(r"[{(]?" + _UUID.pattern + r"[})]?", c.secret, re.IGNORECASE))


_DATA_URI_END = lazy(r"data:[\w.+-]+/[\w.+-]+;$")
_IMAGE_KEY = lazy(r"\"image/[\w.+-]+\"\s*:")


def data_uri(c: Candidate) -> bool:
    """A hit inside inline base64 data (images, fonts, notebook outputs) is chance, not a key:
    a data: URI or a notebook's "image/png": starts somewhere before it on the line. Found by
    looking back for the markers (fast), not by searching the line with a regex for each hit."""
    if c.index <= 0:
        return False
    for marker, is_uri in (("base64,", lambda k: _DATA_URI_END.search(c.line, max(0, k - 200), k)),
                           ('"image/', lambda k: _IMAGE_KEY.match(c.line, k, k + 200))):
        end = c.index
        for _ in range(4):  # the nearest few markers: a long line can hold thousands
            k = c.line.rfind(marker, 0, end)
            if k < 0:
                break
            if is_uri(k):
                return True
            end = k
    return False


def publishable(c: Candidate) -> bool:
    """Keys that are public by design: Stripe publishable keys, Mapbox public tokens, PostHog
    project keys (phc_, sent from every browser; the personal phx_ key is the secret one)."""
    return c.secret.startswith(("pk_live_", "pk_test_", "pk.eyJ", "phc_"))


# -- generic bundle: for keyword-anchored rules whose value can be anything -------------------

# Name parts that make a secret-sounding key hold something else (a hash, a name, a path...).
_NOT_SECRET_KEY = lazy(
    r"(?i)(?:hash|digest|checksum|sha\d*|md5|fingerprint|thumbprint|_?ids?|uuid|name|names|file|"
    r"filename|path|dir|url|uri|endpoint|host|type|length|len|size|min|max|count|ttl|expiry|expires?|"
    r"expiration|lifetime|header|field|env|var|ref|arn|version|format|policy|prefix|suffix|label|"
    r"placeholder|regex|pattern|enabled|mode|provider|location|hint|template|param|alias|kind|source|"
    r"store|backend|rotation|timeout|at|date|time|timestamp|description|question|cmd|command|script|"
    r"class|method|spec|verifier|used|"
    r"required|strength|reset|confirm|confirmation|forgot|prompt|message|title|text|help|error|"
    r"tokenizer|tokens|index|position|schema|key_?name|usage|limit|bucket|region|secret_?ref|"
    r"secretref|secret_?key_?ref|keyref|algorithm|alg|encoding|cipher|curve|bits|scope|scopes|"
    r"audience|issuer|grant_?type|response_?type)$")
_NOT_SECRET_KEY_START = lazy(
    r"(?i)^(?:public|publishable|pub|is|has|use|enable|disable|require|show|hide|allow|validate|"
    r"verify|check|generate|gen|get|set|fetch|load|read|with|no|skip|max|min|num|next|page|"
    r"pagination|continuation|cursor|csrf|xsrf|sort|partition|primary|foreign|cache|idempotency|"
    r"i18n|translation|row|hash|hashed|lookup|public_?key)([_.\-]|(?=[A-Za-z]))")
_KEY_BEFORE = lazy(r"([A-Za-z_@$-][\w.\-:]*)[^\w]*$")
_XML_KEY = lazy(r"""key\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_SECRET_WORD = lazy(r"(?i)passw(?:or)?d|passwd|secret|token|api[_-]?key|credential|private[_-]?key")
_HASH_VALUE = lazy(
    r"^(?:\$2[abxy]?\$\d\d\$|\$argon2(?:id|i|d)\$|\$(?:1|5|6|apr1|y|gy|7|sha1|md5|scrypt)\$"
    r"|pbkdf2[_:$-]|scrypt[:$]|bcrypt[:$]|\{(?:SSHA|SHA|SMD5|MD5|CRYPT|PBKDF2)[^}]*\}"
    r"|(?:sha(?:1|224|256|384|512)|md5|h1)[-:]"
    # MySQL's PASSWORD() (*40 hex), PostgreSQL's md5 and SCRAM, Django's algorithm$… hashes
    r"|\*[0-9A-F]{40}$|md5[0-9a-f]{32}$|scram-sha-(?:1|256)\$|(?:sha1|md5|argon2|bcrypt_sha256|unsalted_md5|crypt)\$)",
    re.IGNORECASE)
_LOCKISH = lazy(
    r"(?:^|/)(?:go\.sum|go\.work\.sum|SHA\d*SUMS(?:\.txt)?|[\w.-]+\.sha\d+|[\w.-]+\.lock|[\w.-]+\.lockb"
    r"|pnpm-lock\.yaml|npm-shrinkwrap\.json|verification-metadata\.xml|gradle\.lockfile"
    r"|flake\.lock|pubspec\.lock|mix\.lock|\.terraform\.lock\.hcl"
    r"|\.secrets\.baseline|\.secretguard-baseline\.json|\.gitleaks-baseline\.json)$")
_PATHISH = lazy(
    r"^(?:[a-z][a-z0-9+.-]*://|/|\./|\.\./|~/|[A-Za-z]:[\\/]|\\\\)"
    r"|\.(?:pem|key|crt|cer|der|p12|pfx|jks|json|ya?ml|toml|ini|txt|env|cfg|conf|properties|xml|gpg|asc|pub)$",
    re.IGNORECASE)
_NUMBERISH = lazy(
    r"^(?:v?\d+(?:\.\d+)+(?:[-+][0-9a-z.\-]{1,20})?|[\d\s.,:_+-]+|0x[0-9a-f]+|\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)$",
    re.IGNORECASE)
_WORD_TOKEN = lazy(r"[A-Z]{2,}s?(?![a-z])|[A-Z]?[a-z]+\d*|\d+|[A-Z]")
_SEGMENT = lazy(r"\d+|[a-z][a-z0-9]*|[A-Z][A-Z0-9]*|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*\d{0,2}")
_DICTIONARY = lazy(
    r"^[A-Za-z][a-z]{2,}\d{0,4}[!@#$%^&*.?]?$|^[A-Za-z][a-z]{2,}(?:[^A-Za-z0-9][A-Za-z][a-z]{2,})+\d{0,4}$")
_GETTEXT = lazy(r"^\s*(?:msgid|msgstr|msgctxt)\b")


# `name: string = "…"` (TypeScript, Kotlin, Rust `&str`) and Go's `var name string = "…"`.
_TYPED = lazy(r"([A-Za-z_$][\w.\-]*)(?:\s*:\s*(?:string|String|str|&str|&'static str)|\s+string)\s*=\s*\W*$")


_REVERSED_NAME = lazy(r"[^\w]*([\w.\-:]*)")


def _last_name(prefix: str) -> re.Match | None:
    """`_TYPED.search(prefix) or _KEY_BEFORE.search(prefix)`, in time linear in the prefix: both
    regexes end in `$`, so `search` would try them from every position of a long run of name
    characters (quadratic). The last name is in the run that holds the last word character,
    found by reading the prefix backwards."""
    m = _REVERSED_NAME.match(prefix[::-1])
    if m.start(1) == len(prefix):  # no word character at all
        return _KEY_BEFORE.search(prefix)
    w = len(prefix) - 1 - m.start(1)  # the last word character
    if prefix[:w + 1].endswith(("string", "String", "str")):
        typed = _TYPED.search(prefix, max(0, w - 160))
        if typed:
            return typed
    a = len(prefix) - m.end(1)  # where the run of name characters holding it starts
    start = a - 1 if a > 0 and prefix[a - 1] in "@$" else a
    return _KEY_BEFORE.match(prefix, start) or _KEY_BEFORE.search(prefix, start)


def key_name(c: Candidate) -> str:
    """The name the value is assigned to: the last identifier before the value on its line
    (or the appSettings key=, or the env entry's name: on the line before)."""
    head = c.match[:max(c.match.find(c.secret), 0)][-CONTEXT:]  # the match before the value
    m = _XML_KEY.search(head)
    if m:
        return m.group(1)
    if "\n" in head:
        m = re.search(r"name:\s*[\"']?([\w.\-]+)", head)
        if m:
            return m.group(1)
    prefix = c.before if c.index >= 0 else head
    m = _last_name(prefix)
    return m.group(1) if m else ""


def _last_part(key: str) -> str:
    parts = [p for p in re.split(r"[_.\-:]|(?<=[a-z0-9])(?=[A-Z])", key) if p]
    return parts[-1] if parts else ""


_NOT_SECRET_TOKEN = lazy(
    r"(?i)(?:update|change|next|continuation|page|pagination|starting|resume|sync|cancel|idempotency|"
    r"request|correlation|trace|csrf|xsrf|cursor|work[_\-]?unit|grant|client|verification|"
    r"confirmation)[_.\-]?token")


def not_secret_key(c: Candidate) -> bool:
    """password_hash, token_url, secret_name, API_KEY_HEADER, public_key, NextToken, AWS::IAM::AccessKey:
    the name says the value is something else than a secret."""
    key = key_name(c)
    if not key:
        return False
    if "::" in key or key.lower().startswith("arn:") or _NOT_SECRET_TOKEN.search(key) \
            or re.search(r"(?i)public[_.\-]?key|pub[_.\-]?key|publishable|cache[_.\-]?key$|websocket[_.\-]?(?:key|accept)",
                         key):
        return True
    key = re.split(r"[.:/]", key)[-1] or key  # app.cache_key -> cache_key; Service:CACHE_KEY -> CACHE_KEY
    last = _last_part(key).lower()
    if key.lower().endswith(("secret_id", "secretid", "secret-id")):
        return False  # Vault AppRole secret_id is a credential
    m = _NOT_SECRET_KEY_START.match(key)
    # A prefix counts before a separator (is_enabled, next_token) or a camelCase hump (nextToken).
    start = bool(m) and (m.group(1) != "" or (key[:m.end()].islower() and key[m.end()].isupper()))
    return start or bool(_NOT_SECRET_KEY.fullmatch(last)) \
        or bool(re.search(r"(?i)(?:hash|digest|checksum|_sha\d*|fingerprint)(?:[_.\-]|$)", key))


def hashed_value(c: Candidate) -> bool:
    """bcrypt/argon2/pbkdf2/crypt hashes, algorithm-tagged digests (sha256:…, sha512-…) and database
    password hashes. (A bare hex value stays a candidate: `openssl rand -hex 32` makes passwords.)"""
    return bool(_HASH_VALUE.match(c.secret))


def lockfile(c: Candidate) -> bool:
    return is_lock_file(c.path) or bool(_LOCKISH.search(c.path))


def git_sha(c: Candidate) -> bool:
    """A 40-hex commit id pinned with @ (actions, pseudo-versions) or named as a commit/ref."""
    if not re.fullmatch(r"[0-9a-f]{40}", c.secret):
        return False
    before = c.before if c.index >= 0 else c.line
    return before[-1:] == "@" or bool(re.search(r"(?i)commit|\brev\b|revision|\bref\b|reference|\bsha\b", before))


def path_or_url(c: Candidate) -> bool:
    """/etc/x, ./keys/a.pem, https://…, mock_access_key/20220524/us-east-1/s3/aws4_request."""
    s = c.secret
    if _PATHISH.search(s):
        return True
    parts = s.split("/")
    return len(parts) >= 3 and all(re.fullmatch(r"[a-z0-9._\-]+", p) or identifier(Candidate(p, p, "", ""))
                                   for p in parts if p)


_BADGE_URL = lazy(r"(?i)/(?:badge|badges|shield)s?(?:\.svg|\.png|/)[^\s\"'()<>]{0,200}[?&]token=$")


def badge_token(c: Candidate) -> bool:
    """The `?token=` of a status badge's URL (codecov, coveralls): public by design, made to be
    pasted into a README."""
    before = c.before if c.index >= 0 else c.line
    return bool(_BADGE_URL.search(before[-260:]))


def numeric(c: Candidate) -> bool:
    return bool(_NUMBERISH.match(c.secret))


def identifier(c: Candidate) -> bool:
    """user.password, DB_PASSWORD, accessToken, winreg.EnumKey, bert-base-uncased, Some/Value:
    names made of words, not random values."""
    s = c.secret.strip("_$@:#%")
    if not s or not re.fullmatch(r"[A-Za-z0-9_.\-:/]+", s):
        return False
    parts = [p for p in re.split(r"[_./:\-]+", s) if p]
    if len(parts) >= 2:  # rc5_key_st, c_functools.cmp_to_key, app-tls-secret, self._value
        return all(_SEGMENT.fullmatch(p) for p in parts) and sum(ch.isdigit() for ch in s) <= 3
    if sum(ch.isdigit() for ch in s) > 1:
        return False
    tokens = [t for t in _WORD_TOKEN.findall(s) if not t.isdigit()]
    if not tokens:
        return False
    if any(t.isupper() and len(t.rstrip("s")) > 4 for t in tokens) and not s.isupper():
        return False  # a long capital run inside mixed case: random, not an acronym
    short = sum(len(t) < 3 for t in tokens)
    return _english_like(tokens) and short <= max(1, len(tokens) // 2) \
        and sum(map(len, tokens)) / len(tokens) >= 2.5


# Frequent English letter pairs: words use them, random strings mostly do not (~20% of pairs).
_BIGRAMS = frozenset(
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co "
    "me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us ac "
    "ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi "
    "ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av "
    "ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff "
    "ba ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ny "
    "ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn eo vo rv nf xp gn "
    "sm fl iz ok nl my gl aw ju oa eq sy sl ps jo lf nv je nk kn gs dy hy ze ks xt bs ik dd cy rp sk xi "
    "oe oy ws lv dl rf eu dg wr xa yp dv".split())


def _english_like(tokens: list[str]) -> bool:
    pairs = [t[i:i + 2] for t in (t.lower() for t in tokens) for i in range(len(t) - 1) if t[i:i + 2].isalpha()]
    return not pairs or sum(p in _BIGRAMS for p in pairs) >= 0.6 * len(pairs)


def dictionary_word(c: Candidate) -> bool:
    """hunter2024, Password1!, geheim$parole: a word or two and a few digits, not a random value."""
    return bool(_DICTIONARY.match(c.secret))


def _after_secret(c: Candidate) -> str:
    """Up to CONTEXT characters of the line after the secret."""
    index = c.index
    return c.line[index + len(c.secret):index + len(c.secret) + CONTEXT] if index >= 0 else ""


def _quoted(c: Candidate) -> bool:
    index = c.match.find(c.secret)
    return index > 0 and c.match[index - 1] in "\"'`"


def prose(c: Candidate) -> bool:
    """A quoted value that goes on after a space is text ('Enter your token here'), not a token."""
    return _quoted(c) and _after_secret(c)[:1] in (" ", "\t")


# a call's first two arguments, or a pair assigned to a name (auth=("user", "…")); a bare tuple in
# a list of test vectors, ("password", '5f4dcc3b…'), is data, not an assignment
_CALL_PAIR = lazy(r"""(?:[\w$\]\)]|=\s*)\(\s*\\?["'][\w.\-:]*\\?["']\s*,\s*\\?["'`]$""")
# Map.of("user", "app", "password", "…"), ImmutableMap.of(…), Map.entry(…): any pair of a map
# literal is a name and its value, not only the first.
_MAP_PAIR = lazy(
    r"""\b(?:Map|ImmutableMap|ImmutableSortedMap)\.(?:of|entry)\(\s*(?:["'][^"'\n]{0,100}["']\s*,\s*){0,40}"""
    r"""["'][\w.\-:]*["']\s*,\s*["']$""")


def comma_form(c: Candidate) -> bool:
    """'NAME', 'value' only counts as an assignment as the first two arguments of a call:
    define('X_SECRET', '…'), os.environ.setdefault("TOKEN", "…"), getenv("PASSWORD", "…")."""
    index = c.match.find(c.secret)
    head = c.match[:index]
    if not re.search(r"""["'`]\s*,\s*\\?["'`]?$""", head):
        return False
    return c.index < 0 or not (_CALL_PAIR.search(c.before) or _MAP_PAIR.search(c.before))


def unquoted_code(c: Candidate) -> bool:
    """An unquoted value holding a call or a subscript is code (get_password(), cfg['x'])."""
    return not _quoted(c) and bool(re.match(r"[A-Za-z_$][\w.$]*(?:\(|\[$)", c.secret))


_CODE_EXT = lazy(
    r"\.(?:py|pyi|pyx|js|jsx|mjs|cjs|ts|tsx|java|kt|kts|scala|go|rs|c|h|cc|cpp|cxx|hpp|cs|php|rb|"
    r"swift|m|mm|dart|lua|r|pl|pm|groovy|gradle|ex|exs|erl|hs|clj|fs|vb|sol)$", re.IGNORECASE)


def code_unquoted(c: Candidate) -> bool:
    """In source code a literal secret is a quoted string: an unquoted value is an expression,
    a type or a name (password = user_password, key: _CmpKeyT)."""
    return not _quoted(c) and bool(_CODE_EXT.search(c.path))


def wildcard(c: Candidate) -> bool:
    """Glob and ARN patterns (amazon-bedrock*, *:*:secret)."""
    s = c.secret
    return "*:" in s or ":*" in s or s.endswith("*") and "arn:" in c.near


def minified(c: Candidate) -> bool:
    """A name = value pair inside a minified bundle line is the bundler's, not a setting
    (format rules still report real keys there)."""
    return len(c.line) > 1000 and bool(re.search(r"\.(?:m?js|cjs|css|map)$", c.path))


def example_line(c: Candidate) -> bool:
    """A line that says EXAMPLE (AKIAIOSFODNN7EXAMPLE-style documentation) holds sample values
    (on a long line, near the value)."""
    return "EXAMPLE" in c.near


def dollar_reference(c: Candidate) -> bool:
    """$VAR, ${VAR}, $(cmd), repo.$name.allow: a reference or an interpolation (detect-secrets'
    is_prefixed_with_dollar_sign, narrowed so that crypt hashes starting with $ are left to
    `hashed_value`)."""
    s = c.secret
    return bool(re.match(r"\$(?:\{|\(|[A-Za-z_])", s) or re.search(r"\$\{[^}]*\}|\$\(|[./:]\$[A-Za-z_]\w+", s))


def secret_word(c: Candidate) -> bool:
    """A value that names a secret ('my-db-password', 'SECRET_TOKEN') is a label or placeholder."""
    return bool(_SECRET_WORD.search(c.secret))


def ui_string(c: Candidate) -> bool:
    """gettext entries, labels ending in ':' or '?', and any non-ASCII text (API-Schlüssel,
    Mot_de_passe_oublié): translations, not credentials, which are ASCII."""
    if any(ord(ch) > 127 for ch in c.secret):
        return True
    return bool(_GETTEXT.match(c.line)) or c.secret.endswith((":", "?")) and not any(ch.isdigit() for ch in c.secret)


def any_uuid(c: Candidate) -> bool:
    return is_potential_uuid(c.secret)


def low_randomness(c: Candidate) -> bool:
    """Too short, one character class, or too little entropy for its length to be a credential."""
    s = c.secret
    n = len(s)
    if n < 8:
        return True
    classes = sum((any(ch.islower() for ch in s), any(ch.isupper() for ch in s),
                   any(ch.isdigit() for ch in s), any(not ch.isalnum() for ch in s)))
    if classes < 2:
        return True
    if re.fullmatch(r"[0-9a-fA-F]+", s):
        # Short hex is ids, digests and fingerprints; hex keys are 32+ characters.
        return n < 24 or shannon_entropy(s) < 3.0
    if classes == 2:  # hex, lower+digits, letters only: needs more spread than a mixed value
        return shannon_entropy(s) < min(3.3, 0.9 * math.log2(n))
    return shannon_entropy(s) < min(3.0, 0.85 * math.log2(n))


def not_alphanumeric(c: Candidate) -> bool:
    return is_not_alphanumeric_string(c.secret)


# -- filters for particular encodings ---------------------------------------------------------

def _b64decode(value: str) -> bytes | None:
    v = value.strip().rstrip("=")
    v += "=" * (-len(v) % 4)
    try:
        if "-" in v or "_" in v:
            return base64.urlsafe_b64decode(v)
        return base64.b64decode(v, validate=True)
    except (binascii.Error, ValueError):
        return None


def _printable(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or sum(ch.isprintable() or ch in "\r\n\t" for ch in text) < 0.97 * len(text):
        return None
    return text


def not_userpass_b64(c: Candidate) -> bool:
    """Basic auth, docker `auth`, npm `_auth`: must decode to user:password with a real password."""
    raw = _b64decode(c.secret)
    text = _printable(raw) if raw else None
    if not text or ":" not in text:
        return True
    user, _, password = text.partition(":")
    sub = Candidate(password, password, c.line, c.path)
    return not password or len(password) < 4 or "\n" in text or placeholder(sub) or template(sub) \
        or password.lower() in _WEAK_PASSWORDS or password == user


def not_b64_text(c: Candidate) -> bool:
    """npm `_password`: base64 of a printable password that is not a placeholder."""
    raw = _b64decode(c.secret)
    text = _printable(raw) if raw else None
    return not text or placeholder(Candidate(text, text, c.line, c.path))


def not_jwt(c: Candidate) -> bool:
    """A JWT's header decodes to a JSON object naming its algorithm."""
    header = c.secret.split(".", 1)[0]
    raw = _b64decode(header.replace("+", "-").replace("/", "_"))
    try:
        obj = json.loads(raw) if raw else None
    except ValueError:
        return True
    return not isinstance(obj, dict) or "alg" not in obj


def not_discord_token(c: Candidate) -> bool:
    """A Discord bot token starts with the bot's numeric id (a snowflake) in base64."""
    raw = _b64decode(c.secret.split(".", 1)[0])
    return not raw or not raw.isdigit() or not 15 <= len(raw) <= 21


_PRIVATE_KEY_TEXT = lazy(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")


def not_b64_private_key(c: Candidate) -> bool:
    """base64 of PEM text: only private keys count (certificates and public keys are public)."""
    head = c.secret[:120]
    head = head[: len(head) // 4 * 4]
    raw = _b64decode(head)
    text = raw.decode("latin-1") if raw else ""
    return not _PRIVATE_KEY_TEXT.search(text) or "EXAMPLE" in text


def pem_placeholder(c: Candidate) -> bool:
    """A PEM header over a body such as '...', 'MIIE...' or 'XXXX': documentation, not a key."""
    body = re.sub(r"-----[A-Z0-9 ]+-----|\\[nr]|[\s\"'+,`\\]|^[\w-]+: .*$", "", c.match, flags=re.M)
    if len(body) < 40:
        return True
    return bool(re.search(r"x{6,}|\.{3}|…|<[^>]*>|your|redacted|example", body, re.IGNORECASE)) \
        or shannon_entropy(body[:400]) < 3.5


def not_aws_secret(c: Candidate) -> bool:
    """An AWS secret key is 40 base64 characters of random data: mixed case and digits."""
    s = c.secret
    return not (any(ch.islower() for ch in s) and any(ch.isupper() for ch in s)
                and any(ch.isdigit() for ch in s)) or shannon_entropy(s) < 4.0


_WEAK_PASSWORDS = frozenset({
    "password", "passwd", "pass", "pwd", "secret", "changeme", "admin", "root", "guest", "user",
    "username", "test", "testing", "postgres", "mysql", "redis", "rabbitmq", "mongo", "mongodb",
    "default", "example", "demo", "dev", "local", "letmein", "qwerty", "123456", "12345678",
    "token", "apikey", "api_key", "key", "xxx", "foo", "bar", "foobar", "pa55word", "p@ssw0rd",
    "password1", "password123", "secret123", "admin123", "sa", "none", "null", "s3cr3t", "hunter2",
})


def weak_password(c: Candidate) -> bool:
    """user:password@host, postgres:postgres@, guest:guest@, %s, {password}: not credentials."""
    s = c.secret
    if "%" in s:
        from urllib.parse import unquote

        s = unquote(s)
    low = s.lower()
    m = re.search(r"://([^:@/\s]*):", c.match)
    user = m.group(1) if m else ""
    if low in _WEAK_PASSWORDS or low == user.lower() or len(s) < 6 or "\\x" in s:
        return True
    if re.search(r"(?i)passw|secret|changeme|<|>|\{|\}|\$|%s|%\(|x{4,}|\*{3,}|your|example|redacted|dummy", s):
        return True
    return not any(ch.isdigit() or not ch.isalnum() for ch in s) and s.islower()


_SECRETISH_DECODED = lazy(
    r"PRIVATE KEY|://[^/\s:@]*:[^/\s@]+@|\"auths?\"|^(?:sk|rk|ghp|gho|ghs|ghu|ghr|github_pat|glpat|xox[abposr]"
    r"|xapp|AKIA|ASIA|AIza|SG\.|npm_|pypi-|hvs\.|hvb\.|dckr_pat|shp(?:at|ss|ca|pa)|eyJ)")
_SECRET_KEY_NAME = lazy(r"(?i)pass|pwd|secret|token|key|cred|auth|cert(?!ificate)|private|salt|seed|signing|api")


def not_secret_b64_data(c: Candidate) -> bool:
    """A base64 value under a Kubernetes Secret's data: keep it when what it encodes is secret-ish."""
    raw = _b64decode(c.secret)
    if not raw:
        return True
    text = _printable(raw)
    if text is None:
        # Binary: a random key (16+ bytes) under a secret-sounding name. Hex digests, ids and
        # documented examples also decode to binary, so the base64 itself must look random.
        v = c.secret
        return len(raw) < 16 or not _SECRET_KEY_NAME.search(c.match.split(":")[0]) \
            or not (any(ch.islower() for ch in v) and any(ch.isupper() for ch in v)
                    and any(ch.isdigit() for ch in v)) \
            or known_example(c) or not_secret_key(c) or identifier(c)
    text = text.strip()
    if "BEGIN CERTIFICATE" in text or "BEGIN PUBLIC KEY" in text:
        return True
    if _SECRETISH_DECODED.search(text):
        sub = Candidate(text, text, text, c.path)
        return publishable(sub) or placeholder(sub) or known_example(sub)
    sub = Candidate(text, text, c.line, c.path)
    return any(f(sub) for f in (placeholder, known_example, publishable, low_randomness, identifier,
                                numeric, path_or_url, uuid_value, secret_word))


# -- registry -------------------------------------------------------------------------------

_SINGLE: dict[str, Callable[[Candidate], bool]] = {
    "placeholder": placeholder, "template": template, "reference": reference,
    "known_example": known_example, "sequential": sequential, "repeated": repeated,
    "uuid": uuid_value, "data_uri": data_uri, "publishable": publishable,
    "not_secret_key": not_secret_key, "hashed_value": hashed_value, "lockfile": lockfile,
    "git_sha": git_sha, "path_or_url": path_or_url, "badge_token": badge_token, "numeric": numeric,
    "identifier": identifier,
    "unquoted_code": unquoted_code, "dictionary_word": dictionary_word, "prose": prose,
    "comma_form": comma_form, "code_unquoted": code_unquoted, "wildcard": wildcard,
    "example_line": example_line, "minified": minified, "dollar_reference": dollar_reference, "secret_word": secret_word,
    "ui_string": ui_string, "any_uuid": any_uuid, "low_randomness": low_randomness,
    "not_alphanumeric": not_alphanumeric, "not_userpass_b64": not_userpass_b64,
    "not_b64_text": not_b64_text, "not_jwt": not_jwt, "not_discord_token": not_discord_token, "not_b64_private_key": not_b64_private_key,
    "pem_placeholder": pem_placeholder, "not_aws_secret": not_aws_secret,
    "weak_password": weak_password, "not_secret_b64_data": not_secret_b64_data,
}

BUNDLES: dict[str, tuple[str, ...]] = {
    "default": ("placeholder", "template", "reference", "known_example", "sequential", "repeated",
                "uuid", "data_uri", "publishable"),
    "generic": ("placeholder", "template", "reference", "known_example", "sequential", "repeated",
                "data_uri", "publishable", "any_uuid", "not_secret_key", "hashed_value", "lockfile",
                "git_sha", "dollar_reference", "comma_form", "code_unquoted", "unquoted_code", "prose",
                "wildcard", "example_line", "minified", "path_or_url", "badge_token",
                "numeric", "identifier", "dictionary_word", "secret_word", "ui_string",
                "not_alphanumeric", "low_randomness"),
}


def _bundle(names: tuple[str, ...]) -> Callable[[Candidate], bool]:
    funcs = tuple(_SINGLE[n] for n in names)
    return lambda c: any(f(c) for f in funcs)


FILTERS: dict[str, Callable[[Candidate], bool]] = {
    **_SINGLE, **{name: _bundle(parts) for name, parts in BUNDLES.items()}}


def is_false_positive(names: Sequence[str], cand: Candidate) -> str | None:
    """The name of the first filter that rejects `cand` (a bundle's member, not the bundle), or None."""
    for name in names:
        for part in BUNDLES.get(name, (name,)):
            if _SINGLE[part](cand):
                return part
    return None
