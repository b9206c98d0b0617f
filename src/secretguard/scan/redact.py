"""Redacting text an agent is about to read: a command's output, a tool's result, a transcript.

The content rules find the secrets (the same rules and filters as the scan, without allow markers or
a baseline: output is not a reviewed file) and each is replaced by the scan's own redaction, a short
prefix and `*****`. A private key is replaced from its BEGIN line to its END line, whatever the
rule's match covered. Values known to be secret (handed out by `exec`, read from credential files)
are replaced too, when a known-values index is given, even where no rule would see them.
"""

from __future__ import annotations

import re
from collections import Counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from secretguard.scan.detect import Detector

_KEY_HEADER = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----")
_KEY_END = re.compile(r"-----END [A-Z0-9 ]{1,40}-----")
_BASE64_TAIL = re.compile(r"(?:[A-Za-z0-9+/=]|\\[rn]|\s){0,65536}")
KNOWN_RULE = "known-secret-value"


class Redactor:
    """Redacts text with a Detector (and, optionally, a known-values index with `spans(text)`)."""

    def __init__(self, detector: Detector, known=None) -> None:
        self.detector = detector
        self.known = known

    def redact(self, text: str) -> tuple[str, Counter]:
        """(redacted text, count of redactions by rule id)."""
        from secretguard.scan.detect import redact

        spans: list[tuple[int, int, str, str]] = []  # start, end, replacement, rule id
        for start, end, rule, m in self.detector.secret_spans(text):
            header = _KEY_HEADER.fullmatch(m.group(rule.group).strip())
            if header:
                start, end = m.start(0), _key_end(text, m.end(0))
                spans.append((start, end, f"-----BEGIN {header.group(1)}----- *****", rule.id))
            else:
                spans.append((start, end, redact(text[start:end]), rule.id))
        if self.known is not None:
            spans += [(s, e, "*****", KNOWN_RULE) for s, e in self.known.spans(text)]
        if not spans:
            return text, Counter()
        spans.sort(key=lambda s: (s[0], -s[1]))
        out: list[str] = []
        counts: Counter = Counter()
        pos = 0
        for start, end, replacement, rule in spans:
            if end <= pos:
                continue  # inside a span already replaced
            if start < pos:
                start = pos
            out.append(text[pos:start])
            out.append(replacement)
            counts[rule] += 1
            pos = end
        out.append(text[pos:])
        return "".join(out), counts


def redact_structure(value: object, redactor: Redactor, max_strings: int = 100000) -> tuple[object, Counter]:
    """A copy of a JSON-like value with every string inside it redacted, and the counts by rule.
    The shape stays exactly the same: agents ignore a replacement of any other shape."""
    counts: Counter = Counter()
    budget = [max_strings]

    def walk(item: object) -> object:
        if isinstance(item, str):
            budget[0] -= 1
            if budget[0] < 0:
                raise ValueError("the value has too many parts to check")
            new, found = redactor.redact(item)
            counts.update(found)
            return new
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        return item

    return walk(value), counts


def _key_end(text: str, after: int) -> int:
    """Where a key block that starts before `after` ends: its END line, or the end of its body."""
    end = _KEY_END.search(text, after, after + 65536)
    if end:
        return end.end()
    return _BASE64_TAIL.match(text, after).end()


def detector_for(root) -> "Detector":
    """A Detector with the project's rules (its settings' extra and disabled rules). Built without
    the scan engine (walk, cache, baseline): a hook redacting one output should not import them."""
    from pathlib import Path

    from secretguard.paths import user_key
    from secretguard.scan.detect import Detector
    from secretguard.scan.rules import load_ruleset
    from secretguard.settings import load_settings

    settings = load_settings(Path(root))
    return Detector(load_ruleset(settings.rule_files, settings.disable_rules), user_key())


class LazyRedactor:
    """A Redactor built on first use (loading the rules costs ~0.1 s: a command with no output
    should not pay it). Thread-safe: stdout and stderr pumps share one."""

    def __init__(self, root, known_factory=None) -> None:
        import threading

        self.root, self.known_factory = root, known_factory
        self._redactor: Redactor | None = None
        self._lock = threading.Lock()

    def redact(self, text: str) -> tuple[str, Counter]:
        with self._lock:
            if self._redactor is None:
                known = self.known_factory() if self.known_factory else None
                self._redactor = Redactor(detector_for(self.root), known)
        return self._redactor.redact(text)


class StreamRedactor:
    """Redacts a byte stream line by line (a secret never spans a read boundary unseen): complete
    lines go out redacted; a key block is held until its END line (or 256 KiB)."""

    HOLD_LIMIT = 256 * 1024

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.buffer = b""
        self.counts: Counter = Counter()

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        cut = self.buffer.rfind(b"\n") + 1
        if not cut and len(self.buffer) < self.HOLD_LIMIT:
            return b""
        ready = self.buffer[:cut] if cut else self.buffer
        if ready.rfind(b"-----BEGIN") > ready.rfind(b"-----END") and len(self.buffer) < self.HOLD_LIMIT:
            return b""  # an open key block: wait for the rest of it
        self.buffer = self.buffer[len(ready):]
        return self._redact(ready)

    def flush(self) -> bytes:
        ready, self.buffer = self.buffer, b""
        return self._redact(ready) if ready else b""

    def _redact(self, data: bytes) -> bytes:
        text = data.decode("utf-8", "surrogateescape")
        out, counts = self.redactor.redact(text)
        self.counts += counts
        return out.encode("utf-8", "surrogateescape")
