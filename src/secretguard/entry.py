"""Console-script entry point.

The Claude Code hook runs before every tool call, so `secretguard hook claude` skips click
(~30 ms of imports) and goes straight to the hook module. Everything else goes through the CLI.
"""

from __future__ import annotations

import sys


def main() -> int:
    args = sys.argv[1:]
    if args[:2] == ["hook", "claude"] and "--help" not in args and "-h" not in args:
        from secretguard.agents.claude import run_hook

        return run_hook(args[2:])
    from secretguard.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
