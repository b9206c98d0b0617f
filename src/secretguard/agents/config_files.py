"""Agent hook configuration files, whatever the agent: read, write and name secretguard's command.

Shared by every installer (claude_settings, hook_configs): a JSON object is loaded or refused
untouched, written atomically (temp file + os.replace) after the previous bytes go to
`<name>.bak`, and the hook command is a shell form that fails closed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tempfile
from pathlib import Path

from secretguard.errors import ConfigError
from secretguard.paths import find_executable  # noqa: F401 - part of this module's API

# What secretguard's answer is when it cannot run, for agents that need one on stdout:
# Cursor with failClosed blocks on empty output too, and reads its answer flat.
FAILURE_ANSWERS = {
    "cursor": {"permission": "deny", "continue": False,
               "user_message": "secretguard could not run: refused; run secretguard doctor",
               "agent_message": "secretguard could not run: refused; run secretguard doctor"},
}
_SG_ASSIGNMENT = re.compile(r"^SG=(\S+);")


class SettingsError(ConfigError):
    """The settings file cannot be merged safely: it is left as it is."""


def hook_command(executable: str, agent: str = "claude") -> str:
    """A hook command that fails closed: agents let a call through when their hook is missing
    (exit 127), crashes (exit 1) or errs, and block on exit 2. So: the absolute path first, else
    `secretguard` on PATH (a teammate's install), else refuse; any failure becomes exit 2, with
    the agent's blocking answer on stdout where it needs one (FAILURE_ANSWERS)."""
    answer = FAILURE_ANSWERS.get(agent)
    say = f"printf '%s\\n' {shlex.quote(json.dumps(answer))}; " if answer else ""
    return (f"SG={shlex.quote(executable)}; [ -x \"$SG\" ] || SG=$(command -v secretguard) || "
            f"{{ {say}echo 'secretguard is not installed: every tool call is refused until it is "
            f"(see its README, then run secretguard doctor)' >&2; exit 2; }}; "
            f"\"$SG\" hook {agent} || {{ rc=$?; [ $rc -eq 2 ] || {{ {say}"
            f"echo \"secretguard failed (exit $rc): refused; run secretguard doctor\" >&2; }}; exit 2; }}")


def command_executable(command: str) -> str | None:
    """The secretguard path a hook command runs (either form), or None."""
    m = _SG_ASSIGNMENT.match(command)
    if m:
        try:
            return shlex.split(m.group(1))[0]
        except (ValueError, IndexError):
            return None
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    return argv[0] if argv else None


def is_our_command(command: object, agent: str) -> bool:
    """Is this hook command secretguard's hook for `agent` (the fail-closed form or a bare call)?"""
    if not isinstance(command, str):
        return False
    pattern = rf"secretguard\S*['\"]?\s+(?:--\S+\s+)*hook\s+{agent}\b|\"\$SG\" hook {agent}\b"
    return re.search(pattern, command) is not None


def load(path: Path) -> tuple[dict, bytes | None]:
    """The settings object and the file's bytes (None when the file does not exist)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror}") from None
    if not raw.strip():
        return {}, raw
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"{path}: not valid JSON ({exc}); left unchanged") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: the settings are not a JSON object; left unchanged")
    return data, raw


def write(path: Path, data: dict, original: bytes | None) -> Path | None:
    """Write `data` atomically; the previous bytes go to `<name>.bak` first. Returns the backup."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    mode = 0o644
    if original is not None:
        try:
            mode = os.stat(path).st_mode & 0o777
        except OSError:
            pass
        backup = path.with_name(path.name + ".bak")
        _atomic_write(backup, original, mode)
    _atomic_write(path, (json.dumps(data, indent=2) + "\n").encode(), mode)
    return backup


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
