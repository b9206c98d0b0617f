"""Commands that run another command: wrappers (sudo, timeout, nice...), runners (npx, uv run...), watch, tmux."""

from __future__ import annotations

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.paths import check_read, generic
from secretguard.guard.shell.state import ASK, Scope, Stdin
from secretguard.guard.shell.words import is_static, mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def wrapper(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
            stdin: Stdin | None) -> None:
    """sudo, timeout, nice...: the wrapped command is judged after the wrapper's options."""
    short, long, skip, cmd_opt = C.WRAPPERS[base]
    if base == "command" and any(t in ("-v", "-V") for t in lits[:1]):
        return
    i = 0
    while i < len(args):
        t = lits[i]
        if t is None or not t.startswith("-") or t == "-":
            break
        if t == "--":
            i += 1
            break
        if t.startswith("--"):
            key, eq, _ = t[2:].partition("=")
            if key == "command" and cmd_opt:
                a.command_string([mark(t.split("=", 1)[1])] if eq else args[i + 1], scope, [], f"`{base}`")
                return
            i += 1 if eq or key not in long else 2
            continue
        letters = t[1:]
        for k, ch in enumerate(letters):
            if cmd_opt and ch == cmd_opt:
                value = [mark(letters[k + 1:])] if k + 1 < len(letters) else (args[i + 1] if i + 1 < len(args) else [""])
                a.command_string(value, scope, [], f"`{base} -{cmd_opt}`")
                return
            if ch in short:
                i += 1 if k + 1 < len(letters) else 2
                break
        else:
            i += 1
    i += skip
    if base == "sudo" and i >= len(args):
        return
    if i < len(args):
        a.run_args(args[i:], scope, stdin)


def runner(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
           stdin: Stdin | None) -> None:
    """npx, uv run, poetry run...: the command after the runner's subcommand and options."""
    sub, short, long = C.RUNNERS[base]
    i = 0
    if sub:
        while i < len(args) and lits[i] != sub:
            if lits[i] is None:
                return
            i += 1
        if i >= len(args):
            found = C.secret_cli(base, lits)  # `op read`, `doppler secrets`: not the run subcommand
            if found:
                a.hit(found[0], "bash.secret-cli", found[1])
            else:
                generic(a, base, args, scope)
            return
        i += 1
    while i < len(args):
        t = lits[i]
        if t is None or not t.startswith("-"):
            break
        if t == "--":
            i += 1
            break
        if t.startswith("--"):
            key, eq, _ = t[2:].partition("=")
            if key in ("env-file",) and (eq or i + 1 < len(args)):
                check_read(a, mark(t.split("=", 1)[1]) if eq else args[i + 1][0], scope, f"`{base}`", dyn=None)
            i += 1 if eq or key not in long else 2
            continue
        i += 2 if len(t) == 2 and t[1] in short else 1
    if base in ("direnv", "envchain"):
        i += 1  # direnv exec DIR CMD, envchain NAMESPACE CMD
    if base in C.SECRET_RUNNERS:
        a.hit(ASK, "bash.secret-cli", f"`{base}` runs a command with secrets in its environment")
        if "--" in lits[i:]:
            i = lits.index("--", i) + 1
        elif base in ("aws-vault", "chamber"):
            i = len(args)  # `aws-vault exec PROFILE -- CMD`: without `--`, no command known here
    if i < len(args):
        a.run_args(args[i:], scope, stdin)


def watch(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
          stdin: Stdin | None) -> None:
    """watch: its command line runs (repeatedly)."""
    i = 0
    while i < len(args) and lits[i] and lits[i].startswith("-"):
        i += 2 if lits[i] in ("-n", "--interval", "-q", "--equexit", "--differences-not") else 1
    rest = args[i:]
    if any(len(arg) != 1 or not is_static(arg[0]) for arg in rest):
        a.hit(ASK, "bash.dynamic", "`watch` runs a command computed at run time")
        return
    a.run_text(" ".join(plain(arg[0]) for arg in rest), scope.child(), 1, "`watch`")


def tmux(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """tmux: commands given to new-session, send-keys, run-shell... run in the session."""
    runs = {"new-session", "new", "new-window", "neww", "split-window", "splitw", "send-keys", "send",
            "run-shell", "run", "respawn-pane", "respawnp", "respawn-window", "respawnw", "display-popup", "popup"}
    valued = {"-s", "-t", "-c", "-n", "-F", "-e", "-x", "-y", "-l"}
    active = False
    skip = False
    for arg, t in zip(args, lits):
        if skip:
            skip = False
            continue
        if t in runs:
            active = True
            continue
        if not active:
            continue
        if t is None:
            a.hit(ASK, "bash.dynamic", f"`{base}` runs a command computed at run time")
            continue
        if t in valued:
            skip = True
            continue
        if not t.startswith("-"):
            a.run_text(t, scope.child(), 1, f"the command given to `{base}`")
