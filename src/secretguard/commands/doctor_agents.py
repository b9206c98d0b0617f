"""`secretguard doctor`, the agents beyond Claude Code: Copilot CLI, Cursor, Codex CLI, Gemini CLI.

An agent counts as present when its CLI is on PATH, its home directory exists or a hook file of
it is in the project. For each: where its hooks are, which events lack one, whether the hook
command fails closed (and Cursor's failClosed, Codex's trust), and a live probe answered by the
adapter in the agent's own payload shape. Hooks present but broken are failures; an agent found
without secretguard's hooks is a warning.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import click

AGENTS = ("copilot", "cursor", "codex", "gemini")
ENV_VARS = {"cursor": "CURSOR_PROJECT_DIR", "gemini": "GEMINI_PROJECT_DIR"}
CODEX_EVENT_LABELS = {"SessionStart": "session_start", "UserPromptSubmit": "user_prompt_submit",
                      "PreToolUse": "pre_tool_use", "PostToolUse": "post_tool_use"}


def check_agents(project_dir: Path, report: Callable[[bool | None, str], None], probe: Callable) -> None:
    from secretguard.agents import config_files
    from secretguard.agents.hook_configs import FILES

    for agent in AGENTS:
        spec = FILES[agent]
        cli = shutil.which(spec.cli)
        home = Path(os.path.expanduser(spec.home_dir))
        files = {scope: spec.path(scope, project_dir) for scope in spec.paths}
        if not (cli or home.is_dir() or any(p.exists() for p in files.values())):
            continue
        click.echo(f"--    {spec.title}: " + ", ".join(x for x in (cli and f"{cli} on PATH",
                                                                       home.is_dir() and f"{home} exists") if x)
                   or f"--    {spec.title}: hook files in this project")
        found: dict[str, list[tuple[str, str | None]]] = {e: [] for e in spec.events}
        for scope, path, data in existing(files.items(), report):
            mine = spec.installed(data)
            for event in spec.events:
                found[event] += mine.get(event, [])
            report(True if any(mine.values()) else None, f"{path}: {sum(map(len, mine.values()))} secretguard hook(s)")
            if agent == "cursor":
                _cursor_fail_closed(data, spec, report)
            if agent == "codex" and any(mine.values()):
                _codex_trust(path, scope, data, spec, project_dir, report)
        if not any(found.values()):
            report(None, f"{spec.title} is not guarded: run `secretguard install {agent}`")
        else:
            for event, items in found.items():
                report(bool(items), f"{event} hook installed" if items else
                       f"no {event} hook: run `secretguard install {agent}`")
        commands = sorted({c for items in found.values() for c, _ in items})
        for command in commands:
            exe = config_files.command_executable(command)
            if not command.startswith("SG="):
                report(None, "hook command is the old form, which fails open if secretguard disappears: "
                             f"run `secretguard install {agent}` again")
            if exe is None or not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
                report(False, f"the hook points at {exe}, which does not exist on this machine: "
                              f"run `secretguard install {agent}` here")
                continue
            for ok, message in probe(agent, ["/bin/sh", "-c", command], ENV_VARS.get(agent, "")):
                report(ok, message)
        if not commands:  # the adapter itself still answers, so installing it is all that is missing
            exe = config_files.find_executable()
            for ok, message in probe(agent, [exe, "hook", agent], ENV_VARS.get(agent, "")):
                report(ok, f"secretguard hook {agent}: {message}")


def existing(files, report: Callable[[bool | None, str], None]):
    """(scope, path, settings) of each hook file that exists; an unreadable one is a failure."""
    from secretguard.agents import config_files

    for scope, path in files:
        try:
            data, raw = config_files.load(path)
        except config_files.SettingsError as exc:
            report(False, str(exc))
            continue
        if raw is not None:
            yield scope, path, data


def _cursor_fail_closed(data: dict, spec, report: Callable[[bool | None, str], None]) -> None:
    hooks = data.get("hooks") if isinstance(data.get("hooks"), dict) else {}
    open_ones = [event for event, entries in hooks.items() if isinstance(entries, list)
                 for h in entries if spec.ours(h) and h.get("failClosed") is not True]
    if open_ones:
        report(False, f"Cursor hooks without failClosed ({', '.join(open_ones)}): a crash or timeout lets the "
                      "call through; run `secretguard install cursor` again")


def _codex_trust(path: Path, scope: str, data: dict, spec, project_dir: Path,
                 report: Callable[[bool | None, str], None]) -> None:
    """Codex runs a non-managed hook only when config.toml trusts its current definition."""
    import tomllib

    config = Path(os.environ.get("CODEX_HOME") or os.path.expanduser("~/.codex")) / "config.toml"
    try:
        doc = tomllib.loads(config.read_text())
    except FileNotFoundError:
        doc = {}
    except (OSError, ValueError) as exc:
        report(False, f"{config}: cannot read Codex's trust records ({exc})")
        return
    states = ((doc.get("hooks") or {}).get("state") or {})
    untrusted = []
    for event, groups in (data.get("hooks") or {}).items():
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            for h, handler in enumerate(group.get("hooks") or [] if isinstance(group, dict) else []):
                if spec.ours(handler):
                    key = f"{path}:{CODEX_EVENT_LABELS.get(event, event)}:{g}:{h}"
                    if not (states.get(key) or {}).get("trusted_hash"):
                        untrusted.append(event)
    if untrusted:
        report(False, f"Codex has not trusted secretguard's {', '.join(untrusted)} hook(s) in {path}, so it does "
                      "not run them: open `/hooks` in codex and trust them")
    else:
        report(True, "Codex has a trusted_hash for each secretguard hook (Codex skips a hook whose definition "
                     "changed since: trust it again after reinstalling)")
    if scope == "project":
        projects = doc.get("projects") or {}
        level = (projects.get(str(project_dir)) or {}).get("trust_level")
        report(level == "trusted" or None, f"Codex loads {path} only in a trusted project (trust_level: {level})")
