"""The command line: a click group whose commands load lazily, so the hook path stays fast.

Each command lives in its own module under `secretguard.commands` and is registered in
COMMANDS below. Only this layer prints and chooses exit codes.
"""

from __future__ import annotations

import importlib
import sys

import click

from secretguard import __version__
from secretguard.errors import SecretguardError

# command name -> "module:attribute"; imported only when the command runs or --help lists it.
COMMANDS: dict[str, str] = {
    "audit": "secretguard.commands.audit:audit",
    "scan": "secretguard.commands.scan:scan",
    "baseline": "secretguard.commands.baseline:baseline",
    "exec": "secretguard.commands.exec_cmd:exec_",
    "login": "secretguard.commands.login:login",
    "logout": "secretguard.commands.logout:logout",
    "status": "secretguard.commands.status:status",
    "approve": "secretguard.commands.approve:approve",
    "profiles": "secretguard.commands.profiles_cmd:profiles",
    "dev-server": "secretguard.commands.dev_server:dev_server",
    "hook": "secretguard.commands.hook:hook",
    "install": "secretguard.commands.install:install",
    "uninstall": "secretguard.commands.uninstall:uninstall",
    "doctor": "secretguard.commands.doctor:doctor",
    "claude": "secretguard.commands.claude_launch:claude_launch",
    "run": "secretguard.commands.run:run",
    "transcripts": "secretguard.commands.transcripts:transcripts",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="secretguard")
@click.option("--debug", is_flag=True, help="Show a traceback on unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Keep credentials away from coding agents."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn errors into one line on stderr and exit 2."""
    args = sys.argv[1:] if argv is None else argv
    args = _debug_first(args)
    try:
        rv = cli.main(args=args, prog_name="secretguard", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("secretguard: aborted", err=True)
        return 2
    except click.exceptions.UsageError as exc:
        # one line, as every other error: what is wrong and where the help is
        where = f"secretguard {exc.ctx.command_path.split(' ', 1)[1]}" if exc.ctx and " " in exc.ctx.command_path \
            else "secretguard"
        click.echo(f"secretguard: error: {exc.format_message()} (see `{where} --help`)", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"secretguard: error: {exc.format_message()}", err=True)
        return 2
    except SecretguardError as exc:
        click.echo(f"secretguard: error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("secretguard: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        if "--debug" in args:
            raise
        click.echo(f"secretguard: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
        return 2
    return rv if isinstance(rv, int) else 0


def _debug_first(args: list[str]) -> list[str]:
    """`--debug` is a global option: accept it anywhere before a `--` (after it, args are a command's)."""
    head = args[: args.index("--")] if "--" in args else args
    if "--debug" in head[1:]:
        i = args.index("--debug")
        return ["--debug", *args[:i], *args[i + 1:]]
    return args


if __name__ == "__main__":
    sys.exit(main())
