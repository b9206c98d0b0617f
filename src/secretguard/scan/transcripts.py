"""Agents' stored sessions (transcripts): find the secrets in them, and scrub them in place.

Claude Code keeps every session as JSON lines under ~/.claude/projects/, kept for weeks, replayed
on --resume and attached to feedback. A scrub rewrites a file atomically, every line still valid
JSON, each secret replaced inside its strings by the scan's redaction; it refuses a file that a
running process holds open (a live session would append to the old file and lose lines).
"""

from __future__ import annotations

import glob
import json
import os
from collections import Counter

# agent -> glob patterns under HOME of its stored sessions
STORES: dict[str, tuple[str, ...]] = {
    "claude": (".claude/projects/**/*.jsonl",),
    "codex": (".codex/sessions/**/*.jsonl",),
    "gemini": (".gemini/tmp/**/*.json", ".gemini/tmp/**/*.jsonl"),
    "copilot": (".copilot/session-state/**/*.jsonl", ".copilot/history-session-state/**/*.json"),
}


class TranscriptError(Exception):
    """A transcript cannot be scrubbed safely (it is in use, or unreadable)."""


def find(agents: tuple[str, ...], home: str | None = None) -> list[str]:
    home = home or os.path.expanduser("~")
    out: list[str] = []
    for agent in agents:
        for pattern in STORES[agent]:
            out += glob.glob(os.path.join(home, pattern), recursive=True)
    return sorted({p for p in out if os.path.isfile(p)})


class Hit:
    __slots__ = ("path", "line", "rule", "excerpt")

    def __init__(self, path: str, line: int, rule: str, excerpt: str) -> None:
        self.path, self.line, self.rule, self.excerpt = path, line, rule, excerpt


def _redact_line(line: str, redactor) -> tuple[str, Counter]:
    """One JSON line with its strings redacted (a line that is not JSON is redacted as text)."""
    try:
        doc = json.loads(line)
    except ValueError:
        return redactor.redact(line)
    from secretguard.scan.redact import redact_structure

    new, counts = redact_structure(doc, redactor)
    return (json.dumps(new, ensure_ascii=False, separators=(",", ":")) if counts else line), counts


def scan_file(path: str, redactor) -> list[Hit]:
    hits: list[Hit] = []
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for number, line in enumerate(fh, 1):
            new, counts = _redact_line(line.rstrip("\n"), redactor)
            for rule, n in counts.items():
                hits += [Hit(path, number, rule, _excerpt(new))] * n
    return hits


def _excerpt(redacted_line: str) -> str:
    at = redacted_line.find("*****")
    return redacted_line[max(0, at - 30):at + 5] if at != -1 else ""


def scrub_file(path: str, redactor, check_live: bool = True) -> int:
    """Rewrite `path` with every secret redacted; return how many were replaced. `check_live`
    refuses a file a running process holds open (off for the agent's own hook at Stop)."""
    if check_live and in_use(path):
        raise TranscriptError(f"{path} is open in a running process (a live session): stop it first")
    total = 0
    out: list[str] = []
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            new, counts = _redact_line(line.rstrip("\n"), redactor)
            total += sum(counts.values())
            out.append(new)
    if total:
        st = os.stat(path)
        tmp = f"{path}.secretguard.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape",
                  opener=lambda p, f: os.open(p, f, st.st_mode & 0o777)) as fh:
            fh.write("\n".join(out) + "\n")
        os.replace(tmp, path)
    return total


def in_use(path: str) -> bool:
    """Does any process of ours hold `path` open (a live session appends to it)?"""
    real = os.path.realpath(path)
    me = os.getpid()
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not pid.isdigit() or int(pid) == me:
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == real:
                    return True
            except OSError:
                continue
    return False


def _pending_dir() -> str:
    from secretguard.paths import state_dir

    return os.path.join(str(state_dir()), "scrub-pending")


def mark_pending(session: str, transcript: str) -> None:
    """A refused prompt was written to this session's transcript: scrub it when the session stops."""
    import hashlib
    from pathlib import Path

    from secretguard.paths import ensure_private_dir

    ensure_private_dir(Path(_pending_dir()))
    name = hashlib.sha256(session.encode()).hexdigest()[:24]
    with open(os.path.join(_pending_dir(), name), "w", encoding="utf-8") as fh:
        fh.write(transcript)


def take_pending(session: str) -> str | None:
    import hashlib

    path = os.path.join(_pending_dir(), hashlib.sha256(session.encode()).hexdigest()[:24])
    try:
        with open(path, encoding="utf-8") as fh:
            transcript = fh.read().strip()
        os.unlink(path)
    except OSError:
        return None
    return transcript if os.path.isfile(transcript) else None
