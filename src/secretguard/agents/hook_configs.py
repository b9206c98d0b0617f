"""Where each agent keeps its hooks, and merging secretguard's into them (and out again).

Two shapes: "nested" is Claude Code's `{"hooks": {Event: [{"matcher", "hooks": [handler]}]}}`
(Claude, Codex, Gemini CLI); "flat" lists handlers straight under the event (Copilot, Cursor).
The merge keeps every other key and hook, is idempotent and refuses a file it does not
understand, leaving it untouched (config_files writes atomically and keeps `<name>.bak`).
"""

from __future__ import annotations

import os
from pathlib import Path

from secretguard.agents import config_files
from secretguard.agents.config_files import SettingsError


class HookFile:
    """One agent's hook configuration: where it lives, its events and its handler shape."""

    def __init__(self, agent: str, title: str, paths: dict[str, str], events: dict[str, int], nested: bool,
                 handler: dict, command_key: str = "command", timeout_key: str = "timeout", timeout_scale: int = 1,
                 top: dict | None = None, cli: str = "", home_dir: str = "") -> None:
        self.agent, self.title, self.paths, self.events, self.nested = agent, title, paths, events, nested
        self.handler, self.command_key, self.timeout_key, self.timeout_scale = handler, command_key, timeout_key, \
            timeout_scale
        self.top, self.cli, self.home_dir = top or {}, cli, home_dir

    def path(self, scope: str, project_dir: Path, home: Path | None = None) -> Path:
        if scope not in self.paths:
            raise SettingsError(f"{self.title} has no {scope} hooks; use " +
                                " or ".join(f"--{s}" for s in self.paths))
        where = self.paths[scope]
        if where.startswith("~/"):
            env = {"codex": "CODEX_HOME", "copilot": "COPILOT_HOME"}.get(self.agent)
            if env and os.environ.get(env):
                return Path(os.environ[env]) / where.split("/", 2)[2]
            return (home or Path.home()) / where[2:]
        return project_dir / where

    def wanted(self, event: str, command: str) -> dict:
        handler = {**self.handler, self.command_key: command, self.timeout_key: self.events[event] * self.timeout_scale}
        return {"hooks": [handler]} if self.nested else handler

    def ours(self, handler: object) -> bool:
        return isinstance(handler, dict) and config_files.is_our_command(handler.get(self.command_key), self.agent)

    def merge(self, data: dict, command: str, path: Path) -> list[str]:
        """Add secretguard's hooks to `data` in place; return what changed."""
        changes = []
        for key, value in self.top.items():
            if key not in data:
                data[key] = value
                changes.append(f"set {key} = {value!r}")
        hooks = _hooks_of(data, path)
        for event in self.events:
            entries = hooks.setdefault(event, [])
            if not isinstance(entries, list):
                raise SettingsError(f"{path}: 'hooks.{event}' is not a list; left unchanged")
            wanted = self.wanted(event, command)
            mine = [e for e in entries if self._holds_ours(e)]
            if len(mine) == 1 and mine[0] == wanted:
                continue
            entries[:] = self._without_ours(entries) + [wanted]
            changes.append(f"{'updated' if mine else 'added'} the {event} hook")
        return changes

    def unmerge(self, data: dict, path: Path) -> list[str]:
        """Remove secretguard's hooks (only them) from `data` in place; return what changed."""
        hooks = _hooks_of(data, path, create=False)
        changes = []
        for event, entries in list(hooks.items()):
            if not isinstance(entries, list) or not any(self._holds_ours(e) for e in entries):
                continue
            kept = self._without_ours(entries)
            if kept:
                hooks[event] = kept
            else:
                del hooks[event]
            changes.append(f"removed the {event} hook")
        return changes

    def installed(self, data: dict) -> dict[str, list[tuple[str, str | None]]]:
        """event -> [(command, matcher)] of secretguard's hooks in one settings object."""
        out: dict[str, list[tuple[str, str | None]]] = {e: [] for e in self.events}
        hooks = data.get("hooks") if isinstance(data, dict) else None
        for event, entries in (hooks.items() if isinstance(hooks, dict) else ()):
            for entry in entries if isinstance(entries, list) else ():
                handlers = entry.get("hooks") if self.nested and isinstance(entry, dict) else [entry]
                for h in handlers if isinstance(handlers, list) else ():
                    if self.ours(h):
                        out.setdefault(event, []).append((h[self.command_key], entry.get("matcher")))
        return out

    def _holds_ours(self, entry: object) -> bool:
        if not self.nested:
            return self.ours(entry)
        return isinstance(entry, dict) and isinstance(entry.get("hooks"), list) and any(map(self.ours, entry["hooks"]))

    def _without_ours(self, entries: list) -> list:
        kept = []
        for entry in entries:
            if not self._holds_ours(entry):
                kept.append(entry)
            elif self.nested:
                others = [h for h in entry["hooks"] if not self.ours(h)]
                if others:
                    kept.append({**entry, "hooks": others})
        return kept


def _hooks_of(data: dict, path: Path, create: bool = True) -> dict:
    hooks = data.setdefault("hooks", {}) if create else data.get("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsError(f"{path}: 'hooks' is not an object; left unchanged")
    return hooks


# Timeouts: a timed-out hook lets the call through in every one of these agents, so they are
# generous; the session start scans the whole workspace.
FILES: dict[str, HookFile] = {
    "claude": HookFile("claude", "Claude Code", {"project": ".claude/settings.json", "local": ".claude/settings.local.json",
                                                 "user": "~/.claude/settings.json"},
                       {"SessionStart": 600, "UserPromptSubmit": 600, "PreToolUse": 120}, True,
                       {"type": "command"}, cli="claude", home_dir="~/.claude"),
    "copilot": HookFile("copilot", "GitHub Copilot CLI", {"project": ".github/hooks/secretguard.json",
                                                          "user": "~/.copilot/hooks/secretguard.json"},
                        {"sessionStart": 600, "userPromptSubmitted": 600, "preToolUse": 120, "postToolUse": 120}, False,
                        {"type": "command"}, command_key="bash", timeout_key="timeoutSec", top={"version": 1},
                        cli="copilot", home_dir="~/.copilot"),
    "cursor": HookFile("cursor", "Cursor", {"project": ".cursor/hooks.json", "user": "~/.cursor/hooks.json"},
                       {"sessionStart": 600, "beforeSubmitPrompt": 600, "preToolUse": 120, "beforeShellExecution": 120,
                        "beforeReadFile": 120, "beforeMCPExecution": 120, "postToolUse": 120}, False,
                       {"type": "command", "failClosed": True}, top={"version": 1}, cli="cursor-agent",
                       home_dir="~/.cursor"),
    "codex": HookFile("codex", "Codex CLI", {"project": ".codex/hooks.json", "user": "~/.codex/hooks.json"},
                      {"SessionStart": 600, "UserPromptSubmit": 600, "PreToolUse": 120, "PostToolUse": 120}, True,
                      {"type": "command"}, cli="codex", home_dir="~/.codex"),
    "gemini": HookFile("gemini", "Gemini CLI", {"project": ".gemini/settings.json", "user": "~/.gemini/settings.json"},
                       {"SessionStart": 600, "BeforeAgent": 600, "BeforeTool": 120, "AfterTool": 120}, True,
                       {"type": "command", "name": "secretguard"}, timeout_scale=1000, cli="gemini",
                       home_dir="~/.gemini"),
}


def install(agent: str, path: Path, executable: str) -> tuple[list[str], Path | None]:
    """Merge secretguard's hooks into `path`: (changes, backup path). Raises SettingsError."""
    data, original = config_files.load(path)
    changes = FILES[agent].merge(data, config_files.hook_command(executable, agent), path)
    if not changes:
        return [], None
    return changes, config_files.write(path, data, original)


def uninstall(agent: str, path: Path) -> tuple[list[str], Path | None]:
    """Remove secretguard's hooks from `path`: (changes, backup path). Raises SettingsError."""
    data, original = config_files.load(path)
    if original is None:
        return [], None
    changes = FILES[agent].unmerge(data, path)
    if not changes:
        return [], None
    backup = config_files.write(path, data, original)
    if agent == "claude":
        from secretguard.agents import claude_settings

        claude_settings.save_snapshot(path, data)
    return changes, backup
