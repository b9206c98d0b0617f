"""Console-script entry point.

An agent's hook runs before every tool call, so `secretguard hook AGENT` skips click (~30 ms of
imports) and goes straight to the adapter; inside a sealed session it goes to the broker outside
the wall, which holds secretguard's state. Everything else goes through the CLI.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "hook" and "--help" not in args and "-h" not in args:
        from secretguard.agents import HOOKS, load_adapter

        if args[1] in HOOKS:
            if os.environ.get("SECRETGUARD_BROKER"):
                from secretguard.session.client import hook_through_broker

                return hook_through_broker(args[1], args[2:])
            return load_adapter(args[1]).run_hook(args[2:])
    if args[:1] == ["exec"] and os.environ.get("SECRETGUARD_BROKER") and "--" in args:
        # inside a sealed session exec only forwards to the broker: no click on this path
        from secretguard.session.client import exec_main

        return exec_main(args[1:])
    if args[:2] == ["run", "--inner"]:
        from secretguard.session.launch import inner_main

        return inner_main(args[2:])
    from secretguard.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
