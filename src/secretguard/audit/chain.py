"""Reading and verifying the audit log: every file in order, as one hash chain.

Readers take the writers' lock only long enough to list the files, read the checkpoint and open
the current file, then read without it, so a long `verify` never stalls a hook. Rotated files
never change name, and the current file is read only up to its size at that moment.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretguard.audit import log as audit

LOOKAHEAD = 64  # how far verify looks for a record that was moved rather than deleted


@dataclass(frozen=True)
class Line:
    file: Path
    lineno: int
    raw: bytes
    record: dict[str, Any] | None  # None when the line is not a valid record
    error: str | None

    @property
    def seq(self) -> int:
        return self.record["seq"] if self.record else -1

    @property
    def prev(self) -> str:
        return self.record["prev"] if self.record else ""

    @property
    def hash(self) -> str:
        return audit.line_hash(self.raw)


@dataclass(frozen=True)
class Snapshot:
    log: Path
    files: list[tuple[Path, int]]  # (path, bytes to read), oldest first
    checkpoint: dict[str, Any] | None
    checkpoint_error: str | None
    missing: list[Path]  # gaps in the rotated numbering
    current_fd: int | None  # the current file, opened under the lock (rotation may rename it)


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    seq: int | None
    reason: str

    def __str__(self) -> str:
        seq = f"seq {self.seq}: " if self.seq is not None else ""
        return f"{self.file}:{self.line}: {seq}{self.reason}"


@dataclass
class Verdict:
    records: int = 0
    files: int = 0
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def snapshot(log: Path | None = None) -> Snapshot:
    log = log or audit.log_path()
    lock_fd = None
    try:
        lock_fd = os.open(audit.lock_path(log), os.O_RDONLY | os.O_CLOEXEC)
        fcntl.flock(lock_fd, fcntl.LOCK_SH)
    except FileNotFoundError:
        pass  # no writer has run yet
    except OSError as exc:
        raise audit.AuditError(f"cannot lock the audit log {log}: {exc.strerror or exc}") from None
    try:
        try:
            checkpoint, checkpoint_error = audit.read_head(audit.head_path(log)), None
        except ValueError as exc:
            checkpoint, checkpoint_error = None, str(exc)
        rotated = audit.rotated_files(log)
        numbers = {n for n, _ in rotated}
        missing = [log.with_name(f"{log.name}.{n}") for n in range(1, max(numbers, default=0))
                   if n not in numbers]
        files = []
        for _, path in rotated:
            files.append((path, path.stat().st_size))
        current_fd = None
        try:
            current_fd = os.open(log, os.O_RDONLY | os.O_CLOEXEC)
            files.append((log, os.fstat(current_fd).st_size))
        except FileNotFoundError:
            pass
    except OSError as exc:
        raise audit.AuditError(f"cannot read the audit log {log}: {exc.strerror or exc}") from None
    finally:
        if lock_fd is not None:
            os.close(lock_fd)
    return Snapshot(log, files, checkpoint, checkpoint_error, missing, current_fd)


def iter_lines(snap: Snapshot) -> Iterator[Line]:
    """Every line of every file, oldest first, parsed; closes the snapshot's file when done."""
    try:
        for path, size in snap.files:
            if path == snap.log and snap.current_fd is not None:
                fh = os.fdopen(snap.current_fd, "rb", closefd=False)
            else:
                try:
                    fh = open(path, "rb")
                except OSError as exc:
                    raise audit.AuditError(f"cannot read {path}: {exc.strerror or exc}") from None
            with fh:
                remaining, lineno = size, 0
                while remaining > 0:
                    raw = fh.readline(remaining)
                    if not raw:
                        break
                    remaining -= len(raw)
                    lineno += 1
                    yield _parse(path, lineno, raw)
    finally:
        if snap.current_fd is not None:
            os.close(snap.current_fd)


def _parse(path: Path, lineno: int, raw: bytes) -> Line:
    if not raw.endswith(b"\n"):
        return Line(path, lineno, raw, None, "incomplete line (an interrupted write or a cut file)")
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return Line(path, lineno, raw, None, "not valid JSON")
    if not isinstance(obj, dict):
        return Line(path, lineno, raw, None, "not a JSON object")
    if type(obj.get("seq")) is not int or not isinstance(obj.get("prev"), str):
        return Line(path, lineno, raw, None, "no seq/prev fields")
    return Line(path, lineno, raw, obj, None)


def records(log: Path | None = None) -> Iterator[Line]:
    """Lines of the log in order (for `show`); invalid ones come with `error` set."""
    return iter_lines(snapshot(log))


class _Peek:
    def __init__(self, it: Iterator[Line]) -> None:
        self._it, self._buf = it, deque()

    def next(self) -> Line | None:
        return self._buf.popleft() if self._buf else next(self._it, None)

    def peek(self, k: int) -> Line | None:
        """The k-th line ahead (0 = the next one)."""
        while len(self._buf) <= k:
            item = next(self._it, None)
            if item is None:
                return None
            self._buf.append(item)
        return self._buf[k]


def verify(log: Path | None = None) -> Verdict:
    snap = snapshot(log)
    verdict = Verdict(files=len(snap.files))
    lines = _Peek(iter_lines(snap))
    try:
        verdict.problem = _walk(snap, lines, verdict)
    finally:
        while lines.next() is not None:  # drain so the snapshot's file is closed
            pass
    if verdict.problem is not None and snap.missing:
        names = ", ".join(p.name for p in snap.missing)
        verdict.problem = Problem(verdict.problem.file, verdict.problem.line, verdict.problem.seq,
                                  f"{verdict.problem.reason}; rotated file(s) missing: {names}")
    return verdict


def _walk(snap: Snapshot, lines: _Peek, verdict: Verdict) -> Problem | None:
    ckpt = snap.checkpoint
    before: Line | None = None  # the record before `last`
    last: Line | None = None
    at_checkpoint: Line | None = None
    while (cur := lines.next()) is not None:
        if cur.record is None:
            expected = last.seq + 1 if last else 1
            return Problem(cur.file, cur.lineno, expected, f"{cur.error}: not an audit record")
        if last is None:
            if cur.seq != 1 or cur.prev != audit.GENESIS:
                return _bad_start(cur, lines)
        elif cur.seq != last.seq + 1 or cur.prev != last.hash:
            return _diagnose(before, last, cur, lines, ckpt)
        note = cur.record.get(audit.MISMATCH_FIELD)
        if note is not None:
            return Problem(cur.file, cur.lineno, cur.seq, _mismatch_reason(note))
        verdict.records += 1
        if ckpt is not None and cur.seq == ckpt["seq"]:
            at_checkpoint = cur
        before, last = last, cur
    return _check_checkpoint(snap, last, at_checkpoint, verdict)


def _bad_start(cur: Line, lines: _Peek) -> Problem:
    if cur.seq > 1 and cur.prev != audit.GENESIS:
        return Problem(cur.file, cur.lineno, 1, _missing(1, cur.seq - 1))
    nxt = lines.peek(0)
    if nxt is not None and nxt.record is not None and nxt.seq == 1 and nxt.prev == audit.GENESIS:
        return Problem(cur.file, cur.lineno, cur.seq, "record not in the chain (inserted)")
    return Problem(cur.file, cur.lineno, cur.seq, "the first record does not start the chain "
                   "(seq 1 with prev 64 zeros)")


def _diagnose(before: Line | None, last: Line, cur: Line, lines: _Peek,
              ckpt: dict[str, Any] | None) -> Problem:
    """Name the record that was tampered with, looking at the chain's neighbours."""
    expected = last.seq + 1
    nxt = lines.peek(0)
    nxt = nxt if nxt is not None and nxt.record is not None else None
    if cur.prev == last.hash:  # it is the true successor, yet its seq changed
        return Problem(cur.file, cur.lineno, expected,
                       f"record edited: it follows seq {last.seq} but says seq {cur.seq}")
    if cur.seq == expected:
        if nxt is not None and nxt.seq == cur.seq and nxt.prev == last.hash:
            return Problem(cur.file, cur.lineno, cur.seq,
                           f"record not in the chain (inserted; seq {cur.seq} continues at line {nxt.lineno})")
        if (nxt is not None and nxt.prev == cur.hash) or (
                nxt is None and ckpt is not None and ckpt["hash"] == cur.hash):
            return Problem(last.file, last.lineno, last.seq,
                           f"record edited: its hash no longer matches the prev of seq {cur.seq}")
        return Problem(cur.file, cur.lineno, cur.seq,
                       f"prev does not match seq {last.seq} at line {last.lineno} "
                       "(this record or the one before it was edited)")
    if cur.seq == last.seq:
        if cur.raw == last.raw:
            return Problem(cur.file, cur.lineno, cur.seq, f"record not in the chain (a copy of line {last.lineno})")
        chained = before.hash if before is not None else audit.GENESIS
        if cur.prev == chained:
            return Problem(last.file, last.lineno, last.seq,
                           f"record not in the chain (inserted; seq {last.seq} continues at line {cur.lineno})")
        return Problem(cur.file, cur.lineno, cur.seq, f"seq {cur.seq} repeated (inserted or copied record)")
    if cur.seq > expected:
        for k in range(LOOKAHEAD):
            ahead = lines.peek(k)
            if ahead is None:
                break
            if ahead.record is not None and ahead.seq == expected:
                if k == 0 and ahead.prev == last.hash and cur.prev != ahead.hash:
                    return Problem(cur.file, cur.lineno, cur.seq,
                                   f"record not in the chain (inserted before seq {expected})")
                return Problem(cur.file, cur.lineno, cur.seq,
                               f"records out of order: seq {cur.seq} comes before seq {expected} "
                               f"(line {ahead.lineno} of {ahead.file.name})")
        return Problem(cur.file, cur.lineno, expected, _missing(expected, cur.seq - 1))
    return Problem(cur.file, cur.lineno, cur.seq,
                   f"records out of order: seq {cur.seq} comes after seq {last.seq}")


def _missing(first: int, end: int) -> str:
    which = f"record seq {first}" if first == end else f"records seq {first}..{end}"
    return f"{which} missing before this line (deleted)"


def _mismatch_reason(note: Any) -> str:
    if isinstance(note, dict) and note.get("checkpoint_seq") is not None:
        return (f"when this record was written the log ended at seq {note.get('log_seq')} but the "
                f"checkpoint said {note.get('checkpoint_seq')}: records were removed before it")
    return ("when this record was written the checkpoint was missing or unreadable "
            "(a truncated tail cannot be ruled out before it)")


def _check_checkpoint(snap: Snapshot, last: Line | None, at_checkpoint: Line | None,
                      verdict: Verdict) -> Problem | None:
    ckpt = snap.checkpoint
    end_file = last.file if last else snap.log
    end_line = last.lineno if last else 0
    last_seq = last.seq if last else 0
    if snap.checkpoint_error:
        return Problem(end_file, end_line, None, snap.checkpoint_error)
    if ckpt is None:
        if last is None:
            return None
        return Problem(end_file, end_line, last_seq, f"no checkpoint ({audit.head_path(snap.log)}): "
                       "a truncated tail cannot be ruled out")
    if last_seq < ckpt["seq"]:
        return Problem(end_file, end_line + 1, last_seq + 1,
                       f"truncated tail: log ends at seq {last_seq} but checkpoint says {ckpt['seq']}")
    if at_checkpoint is None or at_checkpoint.hash != ckpt["hash"]:
        where = at_checkpoint or last
        assert where is not None
        return Problem(where.file, where.lineno, where.seq,
                       "record edited: it does not match the checkpoint")
    if last_seq > ckpt["seq"]:
        verdict.notes.append(f"the checkpoint is {last_seq - ckpt['seq']} record(s) behind the log "
                             "(an interrupted write); the next record brings it up to date")
    return None
