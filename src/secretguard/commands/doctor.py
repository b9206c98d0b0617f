"""`secretguard doctor`: are the agents' hooks installed, executable, and answering right?

Claude Code first (its settings, deny rules and hooks), then every other agent found on this
machine (secretguard.commands.doctor_agents)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import click

PROBE_TIMEOUT = 60


@click.command("doctor")
@click.option("--dir", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The project directory.")
def doctor(project_dir: Path) -> int:
    """Check each agent's hooks: present, executable, failing closed, and answering a probe."""
    from secretguard.agents import claude_settings as cs

    project_dir = project_dir.absolute()
    failures = 0

    def report(ok: bool | None, message: str) -> None:
        nonlocal failures
        label = "ok" if ok else ("FAIL" if ok is False else "warn")
        failures += ok is False
        click.echo(f"{label:4}  {message}")

    found: dict[str, list[tuple[str, str | None]]] = {e: [] for e in cs.EVENTS}
    deny_rules: set[str] = set()
    from secretguard.commands.doctor_agents import existing

    paths = [(scope, cs.settings_path(scope, project_dir)) for scope in ("project", "local", "user")]
    others_post: list[str] = []
    for _scope, path, data in existing(paths, report):
        others_post += [f"{path}: {c}" for c in cs.other_commands(data, "PostToolUse")]
        mine = cs.installed_commands(data)
        for event, items in mine.items():
            found[event] += items
        perms = data.get("permissions")
        if isinstance(perms, dict) and isinstance(perms.get("deny"), list):
            deny_rules.update(r for r in perms["deny"] if isinstance(r, str))
        count = sum(len(v) for v in mine.values())
        report(None if not count else True, f"{path}: {count} secretguard hook(s)")
    for event in cs.EVENTS:
        report(bool(found[event]), f"{event} hook installed" if found[event] else
               f"no {event} hook: run `secretguard install claude`")
    missing = [t for t in cs.TOOLS if not any(cs.matcher_covers(m, t) for _, m in found["PreToolUse"])]
    if found["PreToolUse"]:
        report(not missing, "PreToolUse covers " + ("every tool it must" if not missing else
                                                    f"not: {', '.join(missing)}"))
    for other in others_post:
        # Claude Code gives every PostToolUse hook the original output; the last to finish wins
        report(None, f"another PostToolUse hook ({other}) could replace the output after secretguard's redaction")
    report(None if "Read(./.env)" not in deny_rules else True,
           "permissions.deny has the credential-file rules" if "Read(./.env)" in deny_rules else
           "permissions.deny lacks the credential-file rules (a second wall): run `secretguard install claude`")
    commands = sorted({c for items in found.values() for c, _ in items})
    for command in commands:
        exe = cs.command_executable(command)
        fails_closed = command.startswith("SG=")
        report(fails_closed or None, "hook command fails closed when secretguard is missing" if fails_closed else
               "hook command is the old form, which lets every call through if secretguard disappears: "
               "run `secretguard install claude` again")
        if exe is None or not os.path.isabs(exe):
            report(False, f"hook command is not an absolute path: {command}")
            continue
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            on_path = shutil.which("secretguard")
            report(False, f"the hook points at {exe}, which does not exist on this machine" +
                   (f" (it falls back to {on_path} on PATH)" if fails_closed and on_path else
                    "; every tool call is refused" if fails_closed else "; Claude Code lets every call through") +
                   ": run `secretguard install claude` here (use --local for a machine-specific path)")
            continue
        report(True, f"hook command is executable: {exe}")
        for ok, message in _probe("claude", ["/bin/sh", "-c", command] if fails_closed else [exe, "hook", "claude"],
                                  "CLAUDE_PROJECT_DIR"):
            report(ok, message)
    if not commands:
        report(False, "no hook command to probe")
    from secretguard.commands.doctor_agents import check_agents

    check_agents(project_dir, report, _probe)
    click.echo("secretguard: doctor found " + (f"{failures} problem(s)" if failures else "no problems"))
    return 1 if failures else 0


def _probe(agent: str, argv: list[str], env_var: str = "") -> list[tuple[bool, str]]:
    """Run the hook on a deny case and an allow case, in the agent's own payload shape, in a
    scratch project."""
    from importlib import import_module

    from secretguard.agents import HOOKS

    adapter = import_module(HOOKS[agent])
    out: list[tuple[bool, str]] = []
    with tempfile.TemporaryDirectory(prefix="secretguard-doctor-") as tmp:
        project = os.path.realpath(tmp)
        Path(project, "README.md").write_text("# probe\n")
        Path(project, ".env").write_text(f"PROBE_TOKEN={secrets.token_hex(16)}\n")
        env = {**os.environ, **({env_var: project} if env_var else {})}
        for name, target, want in (("Read .env", ".env", "deny"), ("Read README.md", "README.md", "allow")):
            payload = adapter.probe(project, os.path.join(project, target))
            try:
                proc = subprocess.run(argv, input=json.dumps(payload), capture_output=True, text=True,
                                      timeout=PROBE_TIMEOUT, env=env, cwd=project)
            except (OSError, subprocess.TimeoutExpired) as exc:
                out.append((False, f"probe {name}: the hook did not answer ({exc})"))
                continue
            try:
                got = adapter.decision_of(proc.returncode, proc.stdout)
            except ValueError:
                got = "unreadable output"
            out.append((got == want, f"probe {name}: {got}" + ("" if got == want else f" (expected {want}; "
                                                                               f"exit {proc.returncode})")))
    return out
