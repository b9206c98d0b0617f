"""The audit log: append-only JSON Lines, one hash chain across rotated files.

`record()` is on the Claude hook's path (before every tool call, ~60 ms budget with interpreter
start), so this module imports only cheap stdlib modules and does a fixed handful of syscalls per
record: lock, read the head sidecar, append one line, replace the sidecar. Reading and verifying
live in `audit_chain`.

Layout, for a log at L (default `$XDG_STATE_HOME/secretguard/audit.jsonl`):
- L            the current file; L.1, L.2, ... rotated files, oldest first (names never change);
- L.lock       the flock that serialises writers (and gives readers a consistent snapshot);
- the head     `{seq, hash, size}` of the last record: the checkpoint `verify` compares the log
               to, kept in the state dir (`audit.jsonl.head` beside the default log).
A record's `prev` is the SHA-256 of the previous record's line bytes, newline included, so
`sed -n Np FILE | sha256sum` reproduces it.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import time
from pathlib import Path
TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from typing import Any

from secretguard import __version__
from secretguard.errors import SecretguardError
from secretguard.paths import ensure_private_dir, state_dir

try:  # the builtin module skips loading OpenSSL through hashlib (~4 ms of the hook's budget)
    from _sha256 import sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.12+ renamed it; hashlib is the portable way
    from hashlib import sha256

EVENTS = frozenset({"scan", "hook", "exec", "login", "logout", "approve", "install", "uninstall", "config", "session",
                    "redact"})
BASE_FIELDS = ("ts", "event", "user", "host", "git_email", "version", "seq", "prev")
# Written by record() itself when it found the log behind its checkpoint (see _chain_tail).
MISMATCH_FIELD = "checkpoint_mismatch"
# Field names that would carry a secret if given a string: refused at any depth.
FORBIDDEN_NAMES = frozenset({"token", "secret", "password", "value"})
GENESIS = "0" * 64
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 160  # the checkpoint file's fixed size


class AuditError(SecretguardError):
    """A record could not be written (or was refused): callers must fail closed."""


def log_path() -> Path:
    value = os.environ.get("SECRETGUARD_AUDIT_LOG")
    if value:
        if not os.path.isabs(value):
            raise AuditError(f"SECRETGUARD_AUDIT_LOG must be an absolute path, not {value!r}")
        return Path(value)
    return state_dir() / "audit.jsonl"


def head_path(log: Path) -> Path:
    """The checkpoint lives in the state dir even when the log is configured elsewhere."""
    state = state_dir()
    if os.path.abspath(log.parent) == os.path.abspath(state):
        return log.with_name(log.name + ".head")
    tag = sha256(os.path.abspath(log).encode()).hexdigest()[:16]
    return state / f"{log.name}.{tag}.head"


def lock_path(log: Path) -> Path:
    return log.with_name(log.name + ".lock")


def rotated_files(log: Path) -> list[tuple[int, Path]]:
    """Rotated files as (number, path), oldest first."""
    prefix = log.name + "."
    found = []
    try:
        names = os.listdir(log.parent)
    except FileNotFoundError:
        return []
    for name in names:
        suffix = name[len(prefix):]
        if name.startswith(prefix) and suffix.isdigit() and suffix[0] != "0":
            found.append((int(suffix), log.parent / name))
    return sorted(found)


def max_bytes() -> int:
    value = os.environ.get("SECRETGUARD_AUDIT_MAX_BYTES")
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise AuditError(f"SECRETGUARD_AUDIT_MAX_BYTES must be a positive integer, not {value!r}")
    return number


def line_hash(line: bytes) -> str:
    return sha256(line).hexdigest()


def record(event: str, *, repo: Path | None = None, **fields: Any) -> None:
    """Append one record; raise AuditError if it cannot be written, so the caller fails closed."""
    if event not in EVENTS:
        raise AuditError(f"unknown audit event {event!r} (one of: {', '.join(sorted(EVENTS))})")
    for name in fields:
        if name in BASE_FIELDS or name == MISMATCH_FIELD:
            raise AuditError(f"audit field {name!r} is set by the audit log itself")
    _refuse_secret_fields(fields, "")
    base = {"event": event, "user": _os_user(), "host": os.uname().nodename,
            "git_email": _git_email(repo), "version": __version__}
    log = log_path()
    try:
        _append(log, {**fields, **base})
    except OSError as exc:
        raise AuditError(f"cannot write the audit log {log}: {exc.strerror or exc}") from None


def _refuse_secret_fields(obj: Any, where: str) -> None:
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise AuditError(f"audit field names must be strings, not {key!r}")
            if key.lower() in FORBIDDEN_NAMES and isinstance(value, str):
                raise AuditError(f"refusing to record audit field {where}{key!r}: "
                                 "a string under that name may be a secret value")
            _refuse_secret_fields(value, f"{where}{key}.")
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _refuse_secret_fields(item, where)


def _append(log: Path, obj: dict[str, Any]) -> None:
    ensure_private_dir(log.parent)
    head = head_path(log)
    ensure_private_dir(head.parent)
    lock_fd = os.open(lock_path(log), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        fd = _open_log(log)
        try:
            size = os.fstat(fd).st_size
            seq, prev, note, fragment = _chain_tail(log, head, size)
            obj["seq"], obj["prev"] = seq + 1, prev
            obj["ts"] = _now()  # taken under the lock, so time never goes backwards along the chain
            if note is not None:
                obj[MISMATCH_FIELD] = note
            try:
                line = (json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
                        + "\n").encode()
            except (TypeError, ValueError) as exc:
                raise AuditError(f"audit fields are not JSON-serialisable: {exc}") from None
            if size > 0 and size + len(line) > max_bytes():
                os.close(fd)
                fd = -1
                _rotate(log)
                fd = _open_log(log)
                size, fragment = os.fstat(fd).st_size, False
            # A torn line left by a crash is closed off so ours starts on a line of its own.
            data = b"\n" + line if fragment else line
            written = os.write(fd, data)  # one write of the whole line with O_APPEND
            if written != len(data):
                os.ftruncate(fd, size)  # take the torn part back; we hold the lock
                raise AuditError(f"cannot write the audit log {log}: short write")
        finally:
            if fd >= 0:
                os.close(fd)
        _write_head(head, seq + 1, line_hash(line), size + len(data))
    finally:
        os.close(lock_fd)  # closing releases the flock


def _open_log(log: Path) -> int:
    return os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)


def _rotate(log: Path) -> None:
    existing = rotated_files(log)
    number = existing[-1][0] + 1 if existing else 1
    os.rename(log, log.with_name(f"{log.name}.{number}"))


def read_head(head: Path) -> dict[str, Any] | None:
    """The checkpoint, or None if missing; raises ValueError if it is unreadable."""
    try:
        with open(head, "rb") as fh:
            data = json.loads(fh.read())
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"unreadable checkpoint {head}: {exc}") from None
    if not (isinstance(data, dict) and type(data.get("seq")) is int
            and isinstance(data.get("hash"), str) and type(data.get("size")) is int):
        raise ValueError(f"unreadable checkpoint {head}: missing seq/hash/size")
    return data


def _write_head(head: Path, seq: int, digest: str, size: int) -> None:
    # Overwritten in place with one fixed-size write: a rename per record costs ~0.5 ms on ext4
    # (it flushes data), and one small pwrite is never half-applied when a process dies.
    text = json.dumps({"hash": digest, "seq": seq, "size": size}).encode()
    data = text.ljust(HEAD_BYTES - 1) + b"\n"
    fd = os.open(head, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        os.pwrite(fd, data, 0)
        if os.fstat(fd).st_size != len(data):
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def _chain_tail(log: Path, head: Path, size: int) -> tuple[int, str, dict[str, Any] | None, bool]:
    """(last seq, last hash, mismatch note or None, torn last line?) of the chain.

    Fast path: the checkpoint says what the log's size should be; if it is, trust it. Otherwise
    trust the log (its last complete line), and if the log is *behind* the checkpoint (records
    removed, or the checkpoint gone), say so in the new record so `verify` reports it even after
    the chain has moved on.
    """
    try:
        ckpt = read_head(head)
        unreadable = False
    except ValueError:
        ckpt, unreadable = None, True
    if ckpt is not None and ckpt["size"] == size and size > 0:
        return ckpt["seq"], ckpt["hash"], None, False
    line, fragment = _last_line(log) if size > 0 else (None, False)
    if line is None and not fragment:
        for _, older in reversed(rotated_files(log)):
            line, _ = _last_line(older)
            if line is not None:
                break
    if line is None:
        seq, digest = 0, GENESIS
    else:
        digest = line_hash(line)
        try:
            seq = json.loads(line)["seq"]
            if type(seq) is not int:
                raise TypeError
        except (ValueError, KeyError, TypeError):
            seq = ckpt["seq"] if ckpt else 0  # verify will flag the bad line itself
    note = None
    if unreadable or (ckpt is None and seq > 0):
        note = {"checkpoint_seq": None, "log_seq": seq}
    elif ckpt is not None and (seq < ckpt["seq"] or (seq == ckpt["seq"] and digest != ckpt["hash"])):
        note = {"checkpoint_seq": ckpt["seq"], "log_seq": seq}
    return seq, digest, note, fragment


def _last_line(path: Path) -> tuple[bytes | None, bool]:
    """The last newline-terminated line of a file, and whether a torn line follows it."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return None, False
    with fh:
        end = pos = fh.seek(0, os.SEEK_END)
        buf = b""
        while pos > 0:
            step = min(65536, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + buf
            last_nl = buf.rfind(b"\n")
            if last_nl == -1:
                continue
            start = buf.rfind(b"\n", 0, last_nl)
            if start != -1 or pos == 0:
                return buf[start + 1:last_nl + 1], last_nl != len(buf) - 1
        return None, end > 0


def _now() -> str:
    ns = time.time_ns()
    seconds, micros = divmod(ns // 1000, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}Z"


def _os_user() -> str:
    # The account the process runs as, not $USER, which the caller's environment can set.
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


# --- git user.email, read from the config files rather than spawning git (too slow for hooks)

def _git_email(repo: Path | None) -> str | None:
    try:
        start = os.path.abspath(repo if repo is not None else os.getcwd())
    except OSError:  # cwd removed under us
        return None
    git_dir = os.environ.get("GIT_DIR") or _find_git_dir(start)
    if git_dir is None:
        return None
    common = git_dir
    try:
        with open(os.path.join(git_dir, "commondir")) as fh:  # a linked worktree
            common = os.path.normpath(os.path.join(git_dir, fh.read().strip()))
    except OSError:
        pass
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    globals_ = ([os.environ["GIT_CONFIG_GLOBAL"]] if os.environ.get("GIT_CONFIG_GLOBAL")
                else [os.path.join(home, ".gitconfig"), os.path.join(xdg, "git", "config")])
    system = [] if os.environ.get("GIT_CONFIG_NOSYSTEM") else [
        os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig"]
    # Most specific first: the repository's own config wins, as in `git config user.email`.
    for path in [os.path.join(common, "config"), *reversed(globals_), *system]:
        email = _email_in(path, os.path.abspath(common), 0)
        if email:
            return email
    return None


def _find_git_dir(start: str) -> str | None:
    directory = start
    while True:
        candidate = os.path.join(directory, ".git")
        if os.path.isdir(candidate):
            return candidate
        if os.path.isfile(candidate):  # worktree or submodule: "gitdir: PATH"
            try:
                with open(candidate) as fh:
                    text = fh.read().strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                return os.path.normpath(os.path.join(directory, text[7:].strip()))
            return None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _email_in(path: str, git_dir: str, depth: int) -> str | None:
    """user.email from one config file, following include.path and includeIf "gitdir:"."""
    if depth > 5:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    lowered = text.lower()
    if "email" not in lowered and "include" not in lowered:
        return None  # most repository configs: no need to pay for configparser
    import configparser

    parser = configparser.ConfigParser(strict=False, interpolation=None, allow_no_value=True,
                                       inline_comment_prefixes=("#", ";"))
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        return None
    email = None
    for section in parser.sections():
        name = section.strip().lower()
        if name == "user" and parser.get(section, "email", fallback=None):
            email = _unquote(parser.get(section, "email"))
        elif name == "include" or (name.startswith("includeif") and _gitdir_matches(section, git_dir)):
            target = parser.get(section, "path", fallback=None)
            if target:
                target = os.path.expanduser(_unquote(target))
                target = os.path.join(os.path.dirname(path), target)
                email = _email_in(target, git_dir, depth + 1) or email
    return email or None


def _gitdir_matches(section: str, git_dir: str) -> bool:
    # [includeIf "gitdir:~/work/"]: a trailing slash means "anything below"; gitdir/i ignores case.
    condition = section.split(None, 1)[1].strip().strip('"') if " " in section.strip() else ""
    fold = condition.startswith("gitdir/i:")
    if not (condition.startswith("gitdir:") or fold):
        return False  # onbranch:, hasconfig:... cannot be judged without git
    pattern = os.path.expanduser(condition.split(":", 1)[1])
    if pattern.endswith("/"):
        pattern += "**"
    if not os.path.isabs(pattern) and not pattern.startswith("**"):
        pattern = "**/" + pattern
    import fnmatch

    target = git_dir.rstrip("/") + "/"
    candidates = [git_dir, target]
    if fold:
        pattern, candidates = pattern.lower(), [c.lower() for c in candidates]
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value
