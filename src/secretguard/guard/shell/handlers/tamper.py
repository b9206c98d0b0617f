"""secretguard's own commands, and those that would remove it (pip uninstall, pre-commit uninstall)."""

from __future__ import annotations

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import literals
from secretguard.guard.shell.paths import generic
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def secretguard(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
                stdin: Stdin | None) -> None:
    """secretguard: read-only subcommands pass; approving, configuring or uninstalling is for a human."""
    i = 0
    while i < len(lits) and lits[i] in ("--debug",):
        i += 1
    if i >= len(lits):
        return
    sub = lits[i]
    if sub is None:
        a.hit(ASK, "bash.dynamic", "the secretguard subcommand is computed at run time")
        return
    if sub == "exec":
        _exec(a, args[i + 1:], lits[i + 1:], scope, stdin)
        return
    if sub == "audit":
        nxt = next((t for t in lits[i + 1:] if t is None or not t.startswith("-")), "show")
        if nxt in ("show", "verify", "list", "tail"):
            return
        a.hit(DENY, "bash.tamper", f"`secretguard audit {nxt}` is for a human, not the agent")
        return
    if sub in C.SECRETGUARD_ALLOWED:
        return
    if sub in C.SECRETGUARD_DENIED:
        a.hit(DENY, "bash.tamper", f"`secretguard {sub}` is for a human: an agent must not approve or "
                                   "configure its own access")
        return
    a.hit(ASK, "bash.tamper", f"`secretguard {sub}` is not a command the guard knows to be safe")


def _exec(a: Analyzer, args: list[list[str]], lits: list[str | None], scope: Scope, stdin: Stdin | None) -> None:
    """`secretguard exec [--profile P] -- CMD`: CMD is judged, then the exec profile's decision is added."""
    i = 0
    while i < len(lits):
        t = lits[i]
        if t is None:
            a.hit(ASK, "bash.dynamic", "`secretguard exec` options computed at run time")
            return
        if t == "--":
            i += 1
            break
        if t in ("--profile", "-p"):
            i += 2
        elif t.startswith("-"):
            i += 1
        else:
            break
    child = args[i:]
    if not child:
        return
    before = len(a.hits)
    a.run_args(child, scope, stdin)
    child_lits = literals(child)
    if any(t is None for t in child_lits):
        a.hit(ASK, "bash.exec-profile", "`secretguard exec` runs a command computed at run time")
        return
    decide = a.env.exec_decision
    if decide is None:
        a.hit(ASK, "bash.exec-profile", "`secretguard exec` hands secrets to a command: a human decides")
        return
    # the env dump / secret-variable checks do not apply to what exec masks; file reads still do
    del before
    level, reason = decide(["secretguard", "exec", *[t for t in lits]])
    a.hit(level, "bash.exec-profile", reason)


def pip(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """pip: uninstalling secretguard is refused."""
    if "uninstall" in lits and any(t and "secretguard" in t for t in lits):
        a.hit(DENY, "bash.tamper", "uninstalling secretguard would remove the guard")
        return
    generic(a, base, args, scope)


def pre_commit(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
               stdin: Stdin | None) -> None:
    """pre-commit: uninstalling the hooks is refused."""
    if lits[:1] == ["uninstall"]:
        a.hit(DENY, "bash.tamper", "`pre-commit uninstall` would remove the secretguard commit gate")
        return
    generic(a, base, args, scope)
