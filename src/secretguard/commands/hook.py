"""`secretguard hook AGENT`: the agent hook entry points, one per secretguard.agents.HOOKS entry.

The console script skips click for this path (see secretguard.entry); these commands are what
`--help` and `python -m secretguard.cli hook AGENT` see.
"""

from __future__ import annotations

import click

from secretguard.agents import HOOKS

NAMES = {"claude": "Claude Code", "copilot": "GitHub Copilot CLI", "cursor": "Cursor", "codex": "Codex CLI",
         "gemini": "Gemini CLI"}


class _HookGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(HOOKS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in HOOKS:
            return None

        @click.command(name, context_settings={"ignore_unknown_options": True},
                       help=f"{NAMES.get(name, name)} hook: its event JSON on stdin, its answer on stdout "
                            f"(exit 2 and its blocking answer on any failure). Install it with "
                            f"`secretguard install {name}`.")
        @click.argument("args", nargs=-1, type=click.UNPROCESSED)
        def run(args: tuple[str, ...]) -> int:
            from importlib import import_module

            return import_module(HOOKS[name]).run_hook(list(args))

        return run


@click.group("hook", cls=_HookGroup)
def hook() -> None:
    """Hook entry points called by coding agents (not by people)."""
