"""`secretguard install ...`: wire secretguard into other tools. Subcommands load lazily."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

# subcommand -> "module:attribute"
SUBCOMMANDS: dict[str, str] = {
    "claude": "secretguard.commands.install:install_claude",
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
    """Install secretguard's hooks into Claude Code or git."""


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
    if not changes:
        click.echo(f"secretguard: {path} already has secretguard's hooks: nothing to change")
        return 0
    for change in changes:
        click.echo(f"secretguard: {change}")
    click.echo(f"secretguard: wrote {path}" + (f" (previous version kept as {backup})" if backup else ""))
    click.echo(f"secretguard: the hooks run {claude_settings.hook_command(executable)}; check with `secretguard doctor`")
    try:
        from secretguard.audit import log as audit

        audit.record("install", target="claude", scope=scope, settings=str(path), changes=changes)
    except Exception as exc:  # noqa: BLE001 - the install itself is done; say that the record is missing
        click.echo(f"secretguard: warning: could not record the install in the audit log: {exc}", err=True)
    return 0
