"""The detection engine: one pass per file.

A keyword automaton (Aho-Corasick) runs once over the lower-cased text; only rules whose keywords
occurred run their regex (gitleaks' prefilter). Findings carry a redacted excerpt and a keyed fingerprint,
never the secret itself, so they can go to reports, caches and baselines as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Protocol

from secretguard.scan.confidence import MEDIUM, RANK, content_tier, file_tier
from secretguard.scan.filters import Candidate, is_false_positive
from secretguard.scan.rules import ContentRule, FileRule, RuleSet
from secretguard.scan.validators import VALIDATORS

HEAD_BYTES = 64 * 1024        # what file rules look at
BINARY_SNIFF = 8 * 1024       # a NUL byte in here means binary
CHUNK = 4 * 1024 * 1024       # large files are scanned in chunks this size ...
OVERLAP = 64 * 1024           # ... overlapping by this much, so no secret is cut in two
ALLOW_MARKERS = ("secretguard:allow", "pragma: allowlist secret", "gitleaks:allow")
ALLOW_NEXT_MARKERS = ("pragma: allowlist nextline secret", "secretguard:allow-next-line")


@dataclass(frozen=True)
class Finding:
    rule: str
    description: str
    path: str
    line: int | None          # None: the finding is about the whole file
    excerpt: str              # redacted: safe to print, log and store
    fingerprint: str          # keyed hash of rule, path and secret; never a bare hash
    baselined: bool = False   # accepted by the baseline: counted, not reported
    file_rule: str | None = None  # the secret is inside a credential file (this file rule): never baselined
    confidence: str = MEDIUM  # high, medium or low (scan/confidence.py)

    def to_dict(self) -> dict:
        doc = {"rule": self.rule, "description": self.description, "path": self.path,
               "line": self.line, "confidence": self.confidence, "excerpt": self.excerpt,
               "fingerprint": self.fingerprint}
        if self.baselined:
            doc["baselined"] = True
        if self.file_rule:
            doc["file_rule"] = self.file_rule
        return doc

    @property
    def credential_file(self) -> bool:
        """Refused by its path: a whole-file finding, or a secret inside a credential file."""
        return self.line is None or self.file_rule is not None


class Suppressor(Protocol):
    """Decides, while the secret is still in hand, whether a baseline already accepts it."""

    def suppresses(self, rule: str, path: str, secret: str, fingerprint: str) -> bool: ...


def redact(secret: str) -> str:
    secret = secret.strip()
    shown = 4 if len(secret) >= 16 else 2 if len(secret) >= 10 else 0
    return secret[:shown].split("\n")[0] + "*****"


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text: NULs are expected
    return b"\0" in head[:BINARY_SNIFF]


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def has_allow_marker(line: str) -> bool:
    low = line.lower()
    return any(m in low for m in ALLOW_MARKERS)


def has_allow_next_marker(line: str) -> bool:
    low = line.lower()
    return any(m in low for m in ALLOW_NEXT_MARKERS)


class Detector:
    """Runs a RuleSet over text; holds the keyword automaton and the fingerprint key."""

    def __init__(self, ruleset: RuleSet, key: bytes, suppressor: Suppressor | None = None) -> None:
        self.ruleset = ruleset
        self._key = key
        self._suppressor = suppressor
        by_keyword: dict[str, list[int]] = {}
        for index, rule in enumerate(ruleset.content_rules):
            for kw in rule.keywords:
                by_keyword.setdefault(kw, []).append(index)
        self._keywords = sorted(by_keyword)
        self._keyword_rules = [tuple(by_keyword[kw]) for kw in self._keywords]
        self._ascii_keywords = all(kw.isascii() and "?" not in kw for kw in self._keywords)
        self._automata: tuple | None = None  # built on first use: a warm scan never needs them
        self._path_specs: dict[str, object] = {}
        self._file_names: tuple[bool, re.Pattern[str] | None] | None = None

    def _automaton(self, ascii_text: bool):
        """ahocorasick_rs (Rust's aho-corasick): over ASCII(-mapped) text the bytes automaton runs
        at hundreds of MB/s and returns every hit in one call; other text takes the str one."""
        if self._automata is None:
            import ahocorasick_rs

            self._automata = (ahocorasick_rs.BytesAhoCorasick([kw.encode("utf-8") for kw in self._keywords]),
                              ahocorasick_rs.AhoCorasick(self._keywords))
        return self._automata[0 if ascii_text else 1]

    def _keyword_hits(self, low: str) -> dict[int, list[int]]:
        """rule index -> offsets of the last character of each keyword hit in `low`, ascending."""
        if not self._keywords:
            return {}
        if low.isascii():
            found = self._automaton(True).find_matches_as_indexes(low.encode("ascii"), overlapping=True)
        elif self._ascii_keywords:
            # One byte per character ('?' for anything else), so byte offsets are text offsets; no
            # keyword holds a '?' or a non-ASCII character, so the hits are the same.
            found = self._automaton(True).find_matches_as_indexes(low.encode("ascii", "replace"), overlapping=True)
        else:
            found = self._automaton(False).find_matches_as_indexes(low, overlapping=True)
        if not found:
            return {}
        by_keyword: dict[int, list[int]] = {}
        for kw, _start, end in found:
            ends = by_keyword.get(kw)
            if ends is None:
                by_keyword[kw] = [end - 1]
            else:
                ends.append(end - 1)
        hits: dict[int, list[int]] = {}
        several: set[int] = set()
        for kw, ends in by_keyword.items():
            for index in self._keyword_rules[kw]:
                if index in hits:
                    hits[index] = hits[index] + ends
                    several.add(index)
                else:
                    hits[index] = ends
        for index in several:
            hits[index].sort()
        return hits

    # -- fingerprints -----------------------------------------------------------------------
    def fingerprint(self, rule: str, path: str, secret: str) -> str:
        msg = "\0".join((rule, path, secret)).encode("utf-8", "surrogateescape")
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:32]

    # -- file rules -------------------------------------------------------------------------
    def file_findings(self, relpath: str, head: bytes) -> list[Finding]:
        """The whole-file finding, if any: the first file rule that matches names the file."""
        if not self._any_file_rule(relpath):
            return []  # most files are named like no credential file: one regex says so
        for rule in self.ruleset.file_rules:
            if (rule.any_name or rule.matches_name(relpath)) and _file_content_ok(rule, relpath, head):
                # A credential file is refused by its path whatever a baseline says: no baseline.
                fp = self.fingerprint(rule.id, relpath, "")
                return [Finding(rule.id, rule.description, relpath, None, "(whole file)", fp,
                                confidence=file_tier(rule, relpath))]
        return []

    def _any_file_rule(self, relpath: str) -> bool:
        """Could any file rule name `relpath`? (every rule's include patterns folded into one regex)"""
        if self._file_names is None:
            from secretguard.scan.rules import fold_globs

            rules = self.ruleset.file_rules
            names = tuple(n for r in rules for n in r.names)
            self._file_names = (any(r.any_name for r in rules), fold_globs(names))
        any_name, folded = self._file_names
        return any_name or bool(folded and folded.match(relpath))

    # -- content rules ----------------------------------------------------------------------
    def scan_text(self, text: str, relpath: str, first_line: int = 1, limit: int | None = None) -> list[Finding]:
        """Content findings in `text`, whose first line is line `first_line` of the file.

        Secrets starting at or after offset `limit` are left for the next window of a large file.
        """
        return self._keep(self._candidates(text, relpath, limit), text, relpath, first_line)

    def secret_spans(self, text: str, relpath: str = "") -> list[tuple[int, int, ContentRule, re.Match]]:
        """Every secret in `text` as (start, end, rule, match), for redacting output: no allow markers
        and no baseline apply, since output is not a reviewed file."""
        raw = self._candidates(text, relpath, None)
        raw.sort(key=lambda r: (r[0], _generic_last(r[4]), r[2]))
        out: list[tuple[int, int, ContentRule, re.Match]] = []
        lines = _LineIndex(text)
        taken_end = -1  # sorted by start: overlap means starting before the furthest end taken
        for start, end, _index, secret, rule, m in raw:
            if start < taken_end:
                continue
            if self._accept(rule, secret, m, lines.text_at(start), relpath):
                out.append((start, end, rule, m))
                taken_end = max(taken_end, end)
        return out

    def _candidates(self, text: str, relpath: str, limit: int | None) -> list:
        rules = self.ruleset.content_rules
        if not rules:
            return []
        low = text.lower()
        hits = self._keyword_hits(low)
        if not hits:
            return []
        # Lower-casing can change the length of some non-ASCII text: then offsets do not line
        # up and every hit rule runs over the whole text.
        aligned = len(low) == len(text)
        raw: list[tuple] = []  # (start, end, rule index, secret, rule, match)
        windows: dict[int, list[tuple[int, int]]] = {}  # rules sharing a keyword share its hit list
        for index in sorted(hits):
            rule = rules[index]
            if rule.paths and not self._path_matches(rule, relpath):
                continue
            group = rule.group
            ends = hits[index]
            if not aligned:
                spans = [(0, len(text))]
            elif rule.multiline:  # from the line before the first hit to the end
                spans = [(_line_start(text, _line_start(text, ends[0]) - 1), len(text))]
            else:
                spans = windows.get(id(ends))
                if spans is None:
                    spans = windows[id(ends)] = _windows(text, ends)
            seen: set[tuple[int, int]] = set()
            finditer = rule.pattern.finditer
            for start, end in spans:
                for m in finditer(text, start, end):
                    secret = m.group(group)
                    if not secret or limit is not None and m.start(group) >= limit or m.span() in seen:
                        continue
                    seen.add(m.span())
                    raw.append((m.start(group), m.end(group), index, secret, rule, m))
        return raw

    def _keep(self, raw: list, text: str, relpath: str, first_line: int) -> list[Finding]:
        if not raw:
            return []
        raw.sort(key=lambda r: (r[0], _generic_last(r[4]), r[2]))
        findings: list[Finding] = []
        # Spans come sorted by start, so a span overlaps a claimed one exactly when it starts
        # before the furthest end claimed so far (a list scan was quadratic on a minified line).
        taken_end = -1
        lines = _LineIndex(text)
        verdicts: dict[tuple, bool] = {}  # a value repeated on identical lines is judged once
        allowed: dict[int, bool] = {}     # allow markers, looked up once per line
        for start, end, _index, secret, rule, m in raw:
            if start < taken_end:
                continue  # the same secret already reported by a more specific rule
            line_no = lines.line_of(start)
            line_text = lines.text_at(start)
            key = (rule.id, secret, m.group(0), line_text)
            accepted = verdicts.get(key)
            if accepted is None:
                accepted = verdicts[key] = self._accept(rule, secret, m, line_text, relpath)
            if not accepted:
                continue
            # From here on the secret is claimed: an allowed or baselined secret must not be
            # reported again by a less specific rule that matched the same span.
            taken_end = max(taken_end, end)
            if line_no not in allowed:
                allowed[line_no] = has_allow_marker(line_text) or \
                    (line_no > 0 and has_allow_next_marker(lines.text_before(start)))
            if allowed[line_no] or has_allow_marker(lines.text_of_end(m.end())):
                continue
            fp = self.fingerprint(rule.id, relpath, secret)
            accepted = bool(self._suppressor and self._suppressor.suppresses(rule.id, relpath, secret, fp))
            excerpt = _excerpt(text, m, rule.group)
            tier = content_tier(rule, secret, relpath, text, m.start())
            findings.append(Finding(rule.id, rule.description, relpath, first_line + line_no, excerpt, fp,
                                    baselined=accepted, confidence=tier))
        return findings

    def _accept(self, rule: ContentRule, secret: str, m: re.Match, line: str, relpath: str) -> bool:
        low = secret.lower()
        if any(w in low for w in rule.stopwords):
            return False
        if rule.allow_patterns:
            target = {"secret": secret, "match": m.group(0), "line": line}[rule.allow_target]
            if any(p.search(target) for p in rule.allow_patterns):
                return False
        if rule.entropy is not None and shannon_entropy(secret) < rule.entropy:
            return False
        if rule.validator and not VALIDATORS[rule.validator](secret):
            return False
        cand = Candidate(secret=secret, match=m.group(0), line=line, path=relpath)
        return is_false_positive(rule.filters, cand) is None

    def _path_matches(self, rule: ContentRule, relpath: str) -> bool:
        spec = self._path_specs.get(rule.id)
        if spec is None:
            import pathspec

            spec = self._path_specs[rule.id] = pathspec.GitIgnoreSpec.from_lines(rule.paths)
        return spec.match_file(relpath)

    # -- whole files and blobs --------------------------------------------------------------
    def scan_bytes(self, data: bytes, relpath: str) -> tuple[list[Finding], bool]:
        """Scan an in-memory blob (a staged file, an example). Returns (findings, is_binary)."""
        findings = self.file_findings(relpath, data[:HEAD_BYTES])
        if is_binary(data):
            return findings, True
        return _one_per_secret(findings, self.scan_text(decode(data), relpath)), False

    def scan_stream(self, read: Callable[[int], bytes], relpath: str,
                    size: int | None = None) -> tuple[list[Finding], bool]:
        """Scan a file through `read`, holding at most two chunks at a time.

        Each window reports the secrets that start before its cut (a line break near its end);
        the next window starts at that cut, so a secret shorter than OVERLAP is never split.
        `size` (the file's size when it was opened) sizes the first read: a small file is not read
        into a CHUNK-sized buffer.
        """
        head = read(CHUNK if size is None else min(CHUNK, size + 1))
        file_findings = self.file_findings(relpath, head[:HEAD_BYTES])
        if is_binary(head):
            return file_findings, True
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 cannot be cut anywhere: read whole
            return _one_per_secret(file_findings, self.scan_text(decode(head + _read_all(read)), relpath)), False
        findings: list[Finding] = []
        data, first_line = head, 1
        while more := read(CHUNK):
            data += more
            if len(data) <= CHUNK + OVERLAP:
                continue
            cut = data.rfind(b"\n", 0, len(data) - OVERLAP) + 1 or len(data) - OVERLAP
            limit = len(decode(data[:cut]))
            findings += self.scan_text(decode(data), relpath, first_line, limit)
            first_line += data.count(b"\n", 0, cut)
            data = data[cut:]
        findings += self.scan_text(decode(data), relpath, first_line)
        return _one_per_secret(file_findings, findings), False


def _one_per_secret(file_findings: list[Finding], content: list[Finding]) -> list[Finding]:
    """A credential file with secrets in it: one finding per secret, each marked as being in a
    credential file (refused by path, never baselined); without any, the whole-file finding."""
    if not file_findings:
        return content
    if not content:
        return file_findings
    whole = file_findings[0]
    return [replace(f, file_rule=whole.rule, baselined=False,
                    confidence=max(f.confidence, whole.confidence, key=RANK.__getitem__)) for f in content]


def _line_start(text: str, offset: int) -> int:
    return 0 if offset <= 0 else text.rfind("\n", 0, offset) + 1


def _windows(text: str, ends: list[int]) -> list[tuple[int, int]]:
    """Where a single-line rule can match: the line of each keyword hit and one line either side.

    Running a rule's regex only there, instead of over the whole text, is what makes rules with
    common keywords ("key", "token") cheap: Python's re tries a pattern at every position.
    """
    spans: list[tuple[int, int]] = []
    cur_start = cur_end = -1
    for end in ends:
        if end < cur_end:
            continue  # this hit's line is already inside the current window
        line_start = text.rfind("\n", 0, end) + 1
        start = text.rfind("\n", 0, line_start - 1) + 1 if line_start > 1 else 0
        stop = text.find("\n", end)
        stop = len(text) if stop < 0 else text.find("\n", stop + 1)
        stop = len(text) if stop < 0 else stop
        if start <= cur_end:
            cur_end = stop
        else:
            if cur_end >= 0:
                spans.append((cur_start, cur_end))
            cur_start, cur_end = start, stop
    if cur_end >= 0:
        spans.append((cur_start, cur_end))
    return spans


def _read_all(read: Callable[[int], bytes]) -> bytes:
    parts = []
    while chunk := read(CHUNK):
        parts.append(chunk)
    return b"".join(parts)


def _generic_last(rule: ContentRule) -> int:
    return 1 if rule.id.startswith("generic") else 0


_KEY_HEADER = re.compile(r"-----BEGIN [A-Z0-9 ]{1,40}-----|PuTTY-User-Key-File-\d: [\w-]{1,40}")


def _excerpt(text: str, m: re.Match, group: int) -> str:
    """The context before the secret and a short prefix of it; nothing after the value starts.
    For a key block (whose group is its BEGIN line) only that line, which names the key type."""
    secret = m.group(group)
    header = _KEY_HEADER.fullmatch(secret.strip())
    if header:
        return header.group(0)
    before = text[m.start(0):m.start(group)].split("\n")[-1][-40:]
    return (before + redact(secret)).strip()[:100]


class _LineIndex:
    """Line numbers and line texts from offsets, computed on demand: counting newlines up to each
    candidate (in increasing order, each count continues the last) costs far less than indexing
    every line of a large file that holds a few candidates."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._at, self._line = 0, 0   # the last offset counted to, and its line number
        self._line_text: tuple[int, str] | None = None

    def line_of(self, offset: int) -> int:
        if offset >= self._at:
            self._line += self.text.count("\n", self._at, offset)
        else:
            self._line -= self.text.count("\n", offset, self._at)
        self._at = offset
        return self._line

    def text_at(self, offset: int) -> str:
        """The line holding `offset` (the last one asked for is kept: candidates come in order, and a
        minified line holds hundreds of them)."""
        start = self.text.rfind("\n", 0, offset) + 1
        if self._line_text is not None and self._line_text[0] == start:
            return self._line_text[1]
        end = self.text.find("\n", offset)
        line = self.text[start:end if end >= 0 else len(self.text)]
        self._line_text = (start, line)
        return line

    def text_before(self, offset: int) -> str:
        """The line before the one holding `offset` ("" on the first line)."""
        start = self.text.rfind("\n", 0, offset)
        return "" if start < 0 else self.text_at(start)

    def text_of_end(self, offset: int) -> str:
        return self.text_at(max(0, offset - 1))


# -- content checks of file rules -----------------------------------------------------------
ASSIGNMENT = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*[=:][ \t]*(.*?)[ \t]*$", re.MULTILINE)
SECRET_NAME = re.compile(r"pass|secret|token|key|credential|auth|private|pwd|dsn|api", re.IGNORECASE)


def _file_content_ok(rule: FileRule, relpath: str, head: bytes) -> bool:
    if rule.magic and not head.startswith(rule.magic):
        return False
    pattern = rule.content_pattern
    if pattern is not None and not pattern.search(head):
        return False
    if rule.require_real_value and not _has_real_value(head, relpath):
        return False
    return True


def _has_real_value(head: bytes, relpath: str) -> bool:
    """True when some secret-named assignment holds something other than a placeholder."""
    text = decode(head)
    for m in ASSIGNMENT.finditer(text):
        name, value = m.group(1), m.group(2).strip().strip("'\"")
        if not value or not SECRET_NAME.search(name) or value.startswith("#"):
            continue
        cand = Candidate(secret=value, match=m.group(0), line=m.group(0), path=relpath)
        if is_false_positive(("default",), cand) is None and _looks_random(value):
            return True
    return False


def _looks_random(value: str) -> bool:
    """Credential-like: long enough, varied, and mixing letters with digits (REPLACE_ME is not)."""
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return len(value) >= 8 and shannon_entropy(value) >= 3.0 and has_digit and has_alpha


def iter_findings_sorted(findings: list[Finding]) -> Iterator[Finding]:
    yield from sorted(findings, key=lambda f: (f.path, f.line or 0, f.rule))


def file_rule_for_name(relpath: str, ruleset: RuleSet) -> FileRule | None:
    """The credential-file rule whose name patterns match `relpath` (content not consulted)."""
    for rule in ruleset.file_rules:
        if not rule.any_name and rule.matches_name(relpath):
            return rule
    return None
