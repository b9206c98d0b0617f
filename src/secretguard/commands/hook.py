"""`secretguard hook claude`: the Claude Code hook entry point.

The console script skips click for this path (see secretguard.entry); this group is what
`--help` and `python -m secretguard.cli hook claude` see.
"""

from __future__ import annotations

import click


@click.group("hook")
def hook() -> None:
    """Hook entry points called by other tools (not by people)."""


@hook.command("claude", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def claude(args: tuple[str, ...]) -> int:
    """Claude Code hook: event JSON on stdin, decision JSON on stdout (SessionStart, UserPromptSubmit,
    PreToolUse). Install it with `secretguard install claude`."""
    from secretguard.agents.claude import run_hook

    return run_hook(list(args))
