"""`secretguard uninstall AGENT`: take secretguard's hooks out of an agent's hook file, only them."""

from __future__ import annotations

from pathlib import Path

import click

AGENTS = ("claude", "copilot", "cursor", "codex", "gemini")


@click.command("uninstall")
@click.argument("agent", type=click.Choice(AGENTS))
@click.option("--project", "scope", flag_value="project", default=True, help="The project's hook file (the default).")
@click.option("--local", "scope", flag_value="local", help="Claude Code's .claude/settings.local.json.")
@click.option("--user", "scope", flag_value="user", help="The user's hook file (every project).")
@click.option("--dir", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The project directory.")
def uninstall(agent: str, scope: str, project_dir: Path) -> int:
    """Remove secretguard's hooks from an agent's hook file, keeping everything else."""
    from secretguard.agents import hook_configs
    from secretguard.commands.install import record, report_changes

    path = hook_configs.FILES[agent].path(scope, project_dir.absolute())
    changes, backup = hook_configs.uninstall(agent, path)
    if not report_changes(path, changes, backup, "has no secretguard hooks"):
        return 0
    if agent == "claude":
        click.echo("secretguard: the permissions.deny rules for credential files stay (remove them by hand if unwanted)")
    record("uninstall", agent, scope, path, changes)
    return 0
