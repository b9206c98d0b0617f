"""Claude Code settings files: merge secretguard's hooks and permission rules, losing nothing.

The merge keeps every key and hook already there, is idempotent, refuses a file that is not a
JSON object (leaving it untouched), writes atomically (temp file + os.replace) and keeps the
previous version as `<name>.bak`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from secretguard.errors import ConfigError
from secretguard.paths import find_executable  # noqa: F401 - part of this module's API

EVENTS = ("SessionStart", "UserPromptSubmit", "PreToolUse")
# Tools the PreToolUse hook must see; an MCP tool stands for every `mcp__server__tool`.
TOOLS = ("Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "NotebookRead", "Grep", "Glob", "Bash",
         "mcp__filesystem__read_file", "mcp__shell__execute_command")
MATCHER = "*"  # every tool: MCP servers and tools added later take paths and commands too
# Seconds before Claude Code gives up on the hook. A timed-out PreToolUse hook lets the call
# through, so these are generous; SessionStart scans the whole workspace.
TIMEOUTS = {"SessionStart": 600, "UserPromptSubmit": 600, "PreToolUse": 120}
# A second wall, enforced by Claude Code itself (also for @file mentions, which no hook sees).
# `.env.*` is spelled out rather than globbed: `Read(./.env.*)` would also forbid `.env.example`,
# which must stay readable; the hook judges the other variants by content.
DENY_RULES = (
    "Read(./.env)", "Read(**/.env)", "Read(**/*.env)", "Read(./.env.local)", "Read(**/.env.local)",
    "Read(**/.env.*.local)", "Read(**/.env.production)", "Read(**/.env.prod)", "Read(**/.env.development)",
    "Read(**/.env.dev)", "Read(**/.env.staging)", "Read(**/.env.test)", "Read(**/.env.live)",
    "Read(**/id_rsa)", "Read(**/id_dsa)", "Read(**/id_ecdsa)", "Read(**/id_ed25519)", "Read(**/*.ppk)",
    "Read(**/*.pem)", "Read(**/*.key)", "Read(**/*.p12)", "Read(**/*.pfx)", "Read(**/*.jks)", "Read(**/*.keystore)",
    "Read(**/*.kdbx)", "Read(**/.pgpass)", "Read(**/.git-credentials)", "Read(**/.vault-token)",
    "Read(**/*.tfstate)", "Read(**/*.tfstate.backup)", "Read(**/.htpasswd)",
    "Read(~/.ssh/**)", "Read(~/.aws/credentials)", "Read(~/.netrc)", "Read(~/.docker/config.json)",
    "Read(~/.kube/config)", "Read(~/.config/gcloud/**)", "Read(~/.azure/**)", "Read(~/.npmrc)", "Read(~/.pypirc)",
    "Read(~/.gnupg/**)", "Read(~/.password-store/**)", "Read(~/.config/gh/hosts.yml)", "Read(~/.vault-token)",
)
_OUR_COMMAND = re.compile(r"secretguard\S*['\"]?\s+(?:--\S+\s+)*hook\s+claude\b|\"\$SG\" hook claude\b")
_SG_ASSIGNMENT = re.compile(r"^SG=(\S+);")


class SettingsError(ConfigError):
    """The settings file cannot be merged safely: it is left as it is."""


def settings_path(scope: str, project_dir: Path, home: Path | None = None) -> Path:
    if scope == "user":
        return (home or Path.home()) / ".claude" / "settings.json"
    if scope == "local":
        return project_dir / ".claude" / "settings.local.json"
    return project_dir / ".claude" / "settings.json"


def hook_command(executable: str, agent: str = "claude") -> str:
    """A hook command that fails closed: Claude Code lets a call through when its hook is missing
    (exit 127), crashes (exit 1) or errs, and blocks only on exit 2. So: the absolute path first,
    else `secretguard` on PATH (a teammate's install), else refuse; any failure becomes exit 2."""
    return (f"SG={shlex.quote(executable)}; [ -x \"$SG\" ] || SG=$(command -v secretguard) || "
            f"{{ echo 'secretguard is not installed: every tool call is refused until it is "
            f"(see its README, then run secretguard doctor)' >&2; exit 2; }}; "
            f"\"$SG\" hook {agent} || {{ rc=$?; [ $rc -eq 2 ] || "
            f"echo \"secretguard failed (exit $rc): refused; run secretguard doctor\" >&2; exit 2; }}")


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


def is_our_command(command: object) -> bool:
    return isinstance(command, str) and bool(_OUR_COMMAND.search(command))


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


def merge(settings: dict, command: str, deny_rules: tuple[str, ...] = DENY_RULES, path: Path | None = None) -> list[str]:
    """Add secretguard's hooks and deny rules to `settings` in place; return what changed."""
    where = f"{path}: " if path else ""
    changes: list[str] = []
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsError(f"{where}'hooks' is not an object; left unchanged")
    for event in EVENTS:
        entries = hooks.setdefault(event, [])
        if not isinstance(entries, list):
            raise SettingsError(f"{where}'hooks.{event}' is not a list; left unchanged")
        wanted = _entry(event, command)
        ours = [(i, e) for i, e in enumerate(entries) if _has_ours(e)]
        if len(ours) == 1 and ours[0][1] == wanted:
            continue
        kept: list = []
        for entry in entries:
            if not _has_ours(entry):
                kept.append(entry)
                continue
            others = [h for h in entry.get("hooks", []) if not (isinstance(h, dict) and is_our_command(h.get("command")))]
            if others:
                kept.append({**entry, "hooks": others})
        kept.append(wanted)
        entries[:] = kept
        changes.append(f"{'updated' if ours else 'added'} the {event} hook")
    perms = settings.setdefault("permissions", {})
    if not isinstance(perms, dict):
        raise SettingsError(f"{where}'permissions' is not an object; left unchanged")
    deny = perms.setdefault("deny", [])
    if not isinstance(deny, list):
        raise SettingsError(f"{where}'permissions.deny' is not a list; left unchanged")
    missing = [rule for rule in deny_rules if rule not in deny]
    if missing:
        deny.extend(missing)
        changes.append(f"added {len(missing)} permissions.deny rules for credential files")
    return changes


def _entry(event: str, command: str) -> dict:
    hook = {"type": "command", "command": command, "timeout": TIMEOUTS[event]}
    if event == "PreToolUse":
        return {"matcher": MATCHER, "hooks": [hook]}
    return {"hooks": [hook]}


def _has_ours(entry: object) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("hooks"), list) and any(
        isinstance(h, dict) and is_our_command(h.get("command")) for h in entry["hooks"])


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


def install(path: Path, executable: str) -> tuple[list[str], Path | None]:
    """Merge into the settings file at `path`: (changes, backup path). Raises SettingsError."""
    data, original = load(path)
    changes = merge(data, hook_command(executable), path=path)
    if not changes:
        return [], None
    return changes, write(path, data, original)


def installed_commands(data: dict) -> dict[str, list[tuple[str, str | None]]]:
    """event -> [(command, matcher)] of secretguard hooks found in one settings object."""
    out: dict[str, list[tuple[str, str | None]]] = {e: [] for e in EVENTS}
    hooks = data.get("hooks") if isinstance(data, dict) else None
    if not isinstance(hooks, dict):
        return out
    for event in EVENTS:
        for entry in hooks.get(event) or []:
            if not isinstance(entry, dict):
                continue
            for h in entry.get("hooks") or []:
                if isinstance(h, dict) and is_our_command(h.get("command")):
                    out[event].append((h["command"], entry.get("matcher")))
    return out


def matcher_covers(matcher: str | None, tool: str) -> bool:
    """Does a hook matcher select `tool` (Claude Code: exact name, regex, or empty/"*" for all)?"""
    if matcher in (None, "", "*"):
        return True
    try:
        return re.fullmatch(matcher, tool) is not None
    except re.error:
        return matcher == tool
