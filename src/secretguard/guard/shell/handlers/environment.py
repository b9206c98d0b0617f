"""The shell's own state: the working directory, variables and the environment, traps, aliases, ps."""

from __future__ import annotations

import re

from secretguard.guard.shell.names import is_secret_var
from secretguard.guard.shell.paths import abspath
from secretguard.guard.shell.state import DENY, Scope, Stdin
from secretguard.guard.shell.words import as_value, mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def cd(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
       stdin: Stdin | None) -> None:
    """cd, pushd: later commands run in the new directory (unknown if computed at run time)."""
    operands = [(arg, t) for arg, t in zip(args, lits) if not (t and t.startswith("-") and t != "-")]
    if not operands:
        scope.cwd = a.env.home if base == "cd" else scope.cwd
        return
    arg, t = operands[0]
    if t is None or t == "-":
        scope.cwd = None
        return
    scope.cwd = abspath(t, scope)


def env(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """env: without a command it prints the environment; with one, it runs it (after NAME=value)."""
    i = 0
    while i < len(args):
        t = lits[i]
        if t is None:
            break
        if t in ("-u", "--unset", "-C", "--chdir"):
            i += 2
            continue
        if t in ("-S", "--split-string"):
            if i + 1 < len(args):
                a.command_string(args[i + 1], scope, [], "`env -S`")
            return
        if t.startswith("-") and t != "-":
            i += 1
            continue
        if "=" in t and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t):
            name, _, value = t.partition("=")
            a.special_var(name, [mark(value)], scope)
            i += 1
            continue
        break
    if i >= len(args):
        a.hit(DENY, "bash.env-dump", "`env` prints the whole environment, secrets included")
        return
    a.run_args(args[i:], scope, stdin)


def printenv(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
             stdin: Stdin | None) -> None:
    """printenv: every variable, or the named ones; secret-named ones are refused."""
    names = [t for t in lits if not (t and t.startswith("-"))]
    if not names:
        a.hit(DENY, "bash.env-dump", "`printenv` prints the whole environment, secrets included")
    elif any(t is None or is_secret_var(t) for t in names):
        a.hit(DENY, "bash.secret-variable", "`printenv` would print a secret-named variable")


def set_(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """set: without arguments it prints every variable; `set -- ARGS` sets the positional ones."""
    if not args:
        a.hit(DENY, "bash.env-dump", "`set` with no arguments prints every variable, secrets included")
    elif lits[0] == "--":
        scope.positional = args[1:]


def export(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
           stdin: Stdin | None) -> None:
    """export, declare, local...: the variables they set; without names (or with -p) they print."""
    names = [(arg, t) for arg, t in zip(args, lits) if not (t and t.startswith("-"))]
    flags = [t for t in lits if t and t.startswith("-")]
    if not names:
        if base == "local" or (flags and all(set(f[1:]) <= set("fF") for f in flags)):
            return
        a.hit(DENY, "bash.env-dump", f"`{base}` with no names prints variables, secrets included")
        return
    for arg, t in names:
        if t is not None and "=" in t:
            name, _, value = t.partition("=")
            a.special_var(name, [mark(value)], scope)
            scope.vars[name] = [as_value(v[v.find("=") + 1:] if "=" in plain(v) else v) for v in arg]
        elif t is not None and any("p" in f for f in flags) and is_secret_var(t):
            a.hit(DENY, "bash.secret-variable", f"`{base} -p {t}` prints a secret-named variable")


def ps(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
       stdin: Stdin | None) -> None:
    """ps: `ps e` and `ps -E` print other processes' environments."""
    for t in lits:
        if t and not t.startswith("-") and re.fullmatch(r"[a-zA-Z]+", t) and "e" in t:
            a.hit(DENY, "bash.env-dump", "`ps e` prints the environment of processes")
            return
        if t in ("-E", "--environment"):
            a.hit(DENY, "bash.env-dump", "`ps -E` prints the environment of processes")
            return


def trap(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """trap: the command string runs later, so it is judged now."""
    if args and lits[0] not in ("-", "-l", "-p", ""):
        a.command_string(args[0], scope, [], "`trap`")


def alias(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
          stdin: Stdin | None) -> None:
    """alias: the aliased command is judged as if it ran."""
    for t in lits:
        if t and "=" in t:
            a.run_text(t.split("=", 1)[1], scope.child(), 1, "the alias")
