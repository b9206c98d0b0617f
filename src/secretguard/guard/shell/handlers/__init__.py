"""The command handlers: one table, HANDLERS, from a command's name or family to the function that judges it.

A handler is a plain function `handler(a, base, args, lits, scope, stdin) -> None` that reports hits
on the Analyzer `a`: `base` is the command's name without its directory, `args` its expanded
arguments, `lits` their literal text (None where only known at run time). A command with no entry
of its own belongs to the family `family()` finds for it in the tables of commands.py.

Every handler is listed here by hand, so that what runs for a command is found by reading, not by
import-time registration. Entries name the function as "module.function" and `handler()` imports
the module on first use: each module costs the hook ~0.2 ms to import, and a command needs one or
two of the nine.
"""

from __future__ import annotations

from secretguard.guard.shell import commands as C

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from typing import Callable

    from secretguard.guard.shell.analyze import Analyzer
    from secretguard.guard.shell.state import Scope, Stdin

    Handler = Callable[[Analyzer, str, list[list[str]], list[str | None], Scope, Stdin | None], None]

# Family keys hold a "/", which a command's base name never does: no command can pass for a family.
INTERPRETER, SHELL, WRAPPER, RUNNER = "family/interpreter", "family/shell", "family/wrapper", "family/runner"
SECRET_STORE, READER, COPIER = "family/secret-store", "family/reader", "family/copier"
NEUTRAL, UNKNOWN, TOOL = "family/neutral", "family/unknown", "family/tool"


HANDLERS: dict[str, str] = {
    # interpreters and shells run code they are given
    "eval": "interpreters.eval_", "source": "interpreters.source", ".": "interpreters.source",
    INTERPRETER: "interpreters.interpreter", SHELL: "interpreters.shell",
    # the shell's own state
    "cd": "environment.cd", "pushd": "environment.cd",
    "env": "environment.env", "printenv": "environment.printenv", "set": "environment.set_",
    "export": "environment.export", "declare": "environment.export", "typeset": "environment.export",
    "local": "environment.export", "readonly": "environment.export",
    "ps": "environment.ps", "trap": "environment.trap", "alias": "environment.alias",
    # commands that run another command
    "watch": "wrappers.watch", "tmux": "wrappers.tmux", WRAPPER: "wrappers.wrapper", RUNNER: "wrappers.runner",
    "xargs": "find.xargs", "find": "find.find",
    # commands judged by the files they are given
    "grep": "readers.grep", "egrep": "readers.grep", "fgrep": "readers.grep", "zgrep": "readers.grep",
    "rg": "readers.grep", "ag": "readers.grep", "ack": "readers.grep", "ack-grep": "readers.grep",
    "sed": "readers.sed", "gsed": "readers.sed",
    "awk": "readers.awk", "gawk": "readers.awk", "mawk": "readers.awk", "nawk": "readers.awk",
    "tee": "readers.tee", "dd": "readers.dd",
    READER: "readers.reader", COPIER: "readers.copier", NEUTRAL: "readers.neutral", UNKNOWN: "readers.unknown",
    TOOL: "readers.tool",
    # archives
    "tar": "archives.tar", "bsdtar": "archives.tar", "gtar": "archives.tar",
    "zip": "archives.zip_", "7z": "archives.zip_", "7za": "archives.zip_", "7zr": "archives.zip_",
    "unzip": "archives.zip_",
    # elsewhere: remote shells, containers, secret stores
    "ssh": "remote.ssh",
    "docker": "remote.container_exec", "podman": "remote.container_exec", "nerdctl": "remote.container_exec",
    "kubectl": "remote.container_exec", "oc": "remote.container_exec", "docker-compose": "remote.container_exec",
    SECRET_STORE: "remote.secret_store",
    # git, and what could switch the guard off
    "git": "git.git",
    "secretguard": "tamper.secretguard", "pip": "tamper.pip", "pip3": "tamper.pip", "pre-commit": "tamper.pre_commit",
}


def family(base: str, lits: list[str | None]) -> str:
    """The family of a command HANDLERS has no entry for; the first table of commands.py that has it wins."""
    if base in C.INTERPRETERS or C.INTERPRETER_NAME.match(base):
        return INTERPRETER
    if base in C.SHELLS:
        return SHELL
    if base in C.WRAPPERS:
        return WRAPPER
    if base in C.RUNNERS:
        return RUNNER
    if C.secret_cli(base, lits):
        return SECRET_STORE
    if base in C.TOOLS:
        return TOOL
    if base in C.READERS:
        return READER
    if base in C.COPIERS:
        return COPIER
    if base in C.NEUTRAL:
        return NEUTRAL
    return UNKNOWN


def handler(base: str, lits: list[str | None]) -> Handler:
    """The function that judges the command `base`: its own entry, else its family's."""
    module, _, name = (HANDLERS.get(base) or HANDLERS[family(base, lits)]).partition(".")
    return getattr(__import__(f"{__name__}.{module}", fromlist=(name,)), name)
