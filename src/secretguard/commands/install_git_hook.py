"""`secretguard install git-hook`: a plain git pre-commit hook that runs `secretguard scan --staged`."""

from __future__ import annotations

from pathlib import Path

import click

MESSAGES = {
    "installed": "installed {hook}",
    "updated": "updated {hook}",
    "unchanged": "{hook} is already installed",
    "chained": "installed {hook}; the hook that was there moved to {other} and runs first",
    "replaced": "installed {hook}; the hook that was there (not chained) is kept as {other}",
    "removed": "removed {hook}",
    "restored": "removed secretguard's hook; {other} is back at {hook}",
    "absent": "no secretguard hook at {hook}: nothing to remove",
    "foreign": "{hook} was not written by secretguard: left alone",
}


@click.command("git-hook")
@click.option("--force", is_flag=True, help="Replace an existing pre-commit hook instead of chaining to it.")
@click.option("--uninstall", is_flag=True, help="Remove the hook this command wrote (restoring a chained one).")
def git_hook(force: bool, uninstall: bool) -> int:
    """Write a git pre-commit hook that refuses commits adding secrets (no pre-commit framework needed)."""
    from secretguard.scan import githook

    top = githook.repo_top(Path.cwd())
    result = githook.uninstall(top) if uninstall else githook.install(top, force=force)
    click.echo("secretguard: " + MESSAGES[result.action].format(hook=result.hook, other=result.other))
    if result.executable and result.action != "unchanged":
        click.echo(f"secretguard: the hook runs {result.executable} scan --staged")
    if result.action not in ("unchanged", "absent", "foreign"):
        _record(top, result.hook, "uninstall" if uninstall else result.action)
    return 0


def _record(top: Path, hook: Path, action: str) -> None:
    try:
        from secretguard.audit import log as audit
    except ImportError:
        return
    audit.record("install", repo=top, target="git-hook", path=str(hook), action=action)
