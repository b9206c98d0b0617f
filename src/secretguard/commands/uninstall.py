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

    path = hook_configs.FILES[agent].path(scope, project_dir.absolute())
    changes, backup = hook_configs.uninstall(agent, path)
    if not changes:
        click.echo(f"secretguard: {path} has no secretguard hooks: nothing to change")
        return 0
    for change in changes:
        click.echo(f"secretguard: {change}")
    click.echo(f"secretguard: wrote {path}" + (f" (previous version kept as {backup})" if backup else ""))
    if agent == "claude":
        click.echo("secretguard: the permissions.deny rules for credential files stay (remove them by hand if unwanted)")
    try:
        from secretguard.audit import log as audit

        audit.record("uninstall", target=agent, scope=scope, settings=str(path), changes=changes)
    except Exception as exc:  # noqa: BLE001 - the change is made; say that the record is missing
        click.echo(f"secretguard: warning: could not record the uninstall in the audit log: {exc}", err=True)
    return 0
