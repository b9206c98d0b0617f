"""Console-script entry point.

The agent hooks run before every tool call, so `secretguard hook AGENT` skips click (~30 ms of
imports) and goes straight to the agent's module (secretguard.agents.HOOKS). Everything else
goes through the CLI.
"""

from __future__ import annotations

import sys


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["hook"] and len(args) >= 2 and "--help" not in args and "-h" not in args:
        from secretguard.agents import HOOKS

        if args[1] in HOOKS:
            from importlib import import_module

            return import_module(HOOKS[args[1]]).run_hook(args[2:])
    from secretguard.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
