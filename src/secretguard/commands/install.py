"""`secretguard install ...`: wire secretguard into other tools. Subcommands load lazily."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

# subcommand -> "module:attribute"
SUBCOMMANDS: dict[str, str] = {
    "claude": "secretguard.commands.install:install_claude",
    "copilot": "secretguard.commands.install:install_copilot",
    "cursor": "secretguard.commands.install:install_cursor",
    "codex": "secretguard.commands.install:install_codex",
    "gemini": "secretguard.commands.install:install_gemini",
    "git-hook": "secretguard.commands.install_git_hook:git_hook",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


@click.group("install", cls=_LazyGroup)
def install() -> None:
    """Install secretguard's hooks into a coding agent (Claude Code, Copilot CLI, Cursor, Codex CLI,
    Gemini CLI) or git."""


@click.command("claude")
@click.option("--project", "scope", flag_value="project", default=True,
              help="Write .claude/settings.json in the project (the default).")
@click.option("--local", "scope", flag_value="local", help="Write .claude/settings.local.json (not committed).")
@click.option("--user", "scope", flag_value="user", help="Write ~/.claude/settings.json (every project).")
@click.option("--dir", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The project directory.")
def install_claude(scope: str, project_dir: Path) -> int:
    """Merge secretguard's Claude Code hooks and permission deny rules into a settings file."""
    from secretguard.agents import claude_settings

    path = claude_settings.settings_path(scope, project_dir.absolute())
    executable = claude_settings.find_executable()
    changes, backup = claude_settings.install(path, executable)
    if report_changes(path, changes, backup, "already has secretguard's hooks"):
        click.echo(f"secretguard: the hooks run {claude_settings.hook_command(executable)}; check with "
                   "`secretguard doctor`")
        record("install", "claude", scope, path, changes)
    return 0


def report_changes(path: Path, changes: list[str], backup: Path | None, unchanged: str) -> bool:
    """Say what changed in `path` (or that nothing did); True when something did."""
    if not changes:
        click.echo(f"secretguard: {path} {unchanged}: nothing to change")
        return False
    for change in changes:
        click.echo(f"secretguard: {change}")
    click.echo(f"secretguard: wrote {path}" + (f" (previous version kept as {backup})" if backup else ""))
    return True


def record(event: str, agent: str, scope: str, path: Path, changes: list[str]) -> None:
    try:
        from secretguard.audit import log as audit

        audit.record(event, target=agent, scope=scope, settings=str(path), changes=changes)
    except Exception as exc:  # noqa: BLE001 - the change is made; say that the record is missing
        click.echo(f"secretguard: warning: could not record the {event} in the audit log: {exc}", err=True)


def _agent_command(agent: str) -> click.Command:
    from secretguard.agents.hook_configs import FILES

    spec = FILES[agent]

    @click.command(agent)
    @click.option("--project", "scope", flag_value="project", default=True,
                  help=f"Write {spec.paths['project']} in the project (the default).")
    @click.option("--user", "scope", flag_value="user", help=f"Write {spec.paths['user']} (every project).")
    @click.option("--dir", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                  show_default=True, help="The project directory.")
    def command(scope: str, project_dir: Path) -> int:
        from secretguard.agents import config_files, hook_configs

        path = spec.path(scope, project_dir.absolute())
        executable = config_files.find_executable()
        changes, backup = hook_configs.install(agent, path, executable)
        if not report_changes(path, changes, backup, "already has secretguard's hooks"):
            return 0
        if agent == "codex":
            click.echo("secretguard: Codex runs a new or changed hook only once you trust it: open `/hooks` in "
                       "codex and trust secretguard's hooks (`secretguard doctor` tells when they are not)")
        click.echo("secretguard: check with `secretguard doctor`")
        record("install", agent, scope, path, changes)
        return 0

    command.help = f"Merge secretguard's {spec.title} hooks into its hooks file."
    return command


install_copilot = _agent_command("copilot")
install_cursor = _agent_command("cursor")
install_codex = _agent_command("codex")
install_gemini = _agent_command("gemini")
