"""Claude Code settings files: merge secretguard's hooks and permission rules, losing nothing.

The merge keeps every key and hook already there, is idempotent, refuses a file that is not a
JSON object (leaving it untouched), writes atomically (temp file + os.replace) and keeps the
previous version as `<name>.bak` (secretguard.agents.config_files).
"""

from __future__ import annotations

import re
from pathlib import Path

from secretguard.agents import config_files
from secretguard.agents.config_files import SettingsError, command_executable, find_executable, hook_command, load, \
    write

EVENTS = ("SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd", "ConfigChange")
WITH_MATCHER = ("PreToolUse", "PostToolUse")
# Tools the PreToolUse hook must see; an MCP tool stands for every `mcp__server__tool`.
TOOLS = ("Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "NotebookRead", "Grep", "Glob", "Bash",
         "mcp__filesystem__read_file", "mcp__shell__execute_command")
MATCHER = "*"  # every tool: MCP servers and tools added later take paths and commands too
# Seconds before Claude Code gives up on the hook. A timed-out PreToolUse hook lets the call
# through, so these are generous; SessionStart scans the whole workspace.
TIMEOUTS = {"SessionStart": 600, "UserPromptSubmit": 600, "PreToolUse": 120, "PostToolUse": 120, "Stop": 120,
            "SessionEnd": 120, "ConfigChange": 60}
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
# re-exported for the commands that predate config_files
__all__ = ["SettingsError", "command_executable", "find_executable", "hook_command", "load", "write"]


def settings_path(scope: str, project_dir: Path, home: Path | None = None) -> Path:
    if scope == "user":
        return (home or Path.home()) / ".claude" / "settings.json"
    if scope == "local":
        return project_dir / ".claude" / "settings.local.json"
    return project_dir / ".claude" / "settings.json"


def is_our_command(command: object) -> bool:
    return config_files.is_our_command(command, "claude")


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
    if event in WITH_MATCHER:
        return {"matcher": MATCHER, "hooks": [hook]}
    return {"hooks": [hook]}


def _has_ours(entry: object) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("hooks"), list) and any(
        isinstance(h, dict) and is_our_command(h.get("command")) for h in entry["hooks"])


def install(path: Path, executable: str) -> tuple[list[str], Path | None]:
    """Merge into the settings file at `path`: (changes, backup path). Raises SettingsError."""
    data, original = load(path)
    changes = merge(data, hook_command(executable), path=path)
    if not changes:
        return [], None
    backup = write(path, data, original)
    save_snapshot(path, data)
    return changes, backup


def _snapshot_file(path: Path) -> Path:
    import hashlib

    from secretguard.paths import state_dir

    key = hashlib.sha256(str(path.absolute()).encode()).hexdigest()[:24]
    return state_dir() / "claude" / f"installed-{key}.json"


def save_snapshot(path: Path, data: dict) -> None:
    """Record secretguard's hooks as install/uninstall left them in `path`: the ConfigChange hook
    refuses any other change to them."""
    import json

    from secretguard.paths import ensure_private_dir

    target = _snapshot_file(path)
    ensure_private_dir(target.parent)
    mine = {e: sorted(c) for e, c in installed_commands(data).items() if c}
    target.write_text(json.dumps(mine))


def snapshot_of(path: Path) -> dict[str, list] | None:
    """What secretguard last installed into `path` (event -> [(command, matcher)]), or None."""
    import json

    try:
        doc = json.loads(_snapshot_file(path).read_text())
    except (OSError, ValueError):
        return None
    return {e: [tuple(x) for x in v] for e, v in doc.items()} if isinstance(doc, dict) and doc else None


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


def other_commands(data: dict, event: str) -> list[str]:
    """Commands of hooks for `event` that are not secretguard's."""
    hooks = data.get("hooks") if isinstance(data, dict) else None
    entries = hooks.get(event) if isinstance(hooks, dict) else None
    return [h["command"] for entry in entries or [] if isinstance(entry, dict) for h in entry.get("hooks") or []
            if isinstance(h, dict) and isinstance(h.get("command"), str) and not is_our_command(h["command"])]


def matcher_covers(matcher: str | None, tool: str) -> bool:
    """Does a hook matcher select `tool` (Claude Code: exact name, regex, or empty/"*" for all)?"""
    if matcher in (None, "", "*"):
        return True
    try:
        return re.fullmatch(matcher, tool) is not None
    except re.error:
        return matcher == tool
