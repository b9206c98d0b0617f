"""git: what its subcommands and configuration keys read, and what would skip the commit gate."""

from __future__ import annotations

import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import split_opts
from secretguard.guard.shell.paths import abspath, check_read, generic
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin
from secretguard.guard.shell.words import mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def git(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """git: credential helpers, config keys that run commands, --no-verify, and the files grep/mv read."""
    i = 0
    sub_scope = scope
    while i < len(args) and lits[i] and lits[i].startswith("-"):
        t = lits[i]
        if t in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"):
            value = lits[i + 1] if i + 1 < len(args) else None
            if t == "-C":
                sub_scope = Scope(abspath(value, scope) if value else None, scope.vars, scope.positional)
            elif t == "-c" and value is not None:
                key, eq, setting = value.partition("=")
                _config_key(a, key, set_value=True, value=setting if eq else "true", scope=scope, transient=True)
            elif t == "--config-env" and value is not None:
                _config_key(a, value.split("=", 1)[0], set_value=True, transient=True)
            elif t == "-c":
                a.hit(ASK, "bash.dynamic", "`git -c` sets configuration computed at run time")
            i += 2
        else:
            i += 1
    if i >= len(args):
        return
    sub = lits[i]
    rest, rest_lits = args[i + 1:], lits[i + 1:]
    if sub is None:
        a.hit(ASK, "bash.dynamic", "the git subcommand is computed at run time")
        return
    if sub.startswith("credential"):
        a.hit(DENY, "bash.secret-cli", f"`git {sub}` reads stored credentials")
        return
    if sub == "config":
        keys = [t for t in rest_lits if t and not t.startswith("-")]
        setting = len(keys) >= 2 and not any(t in ("--get", "--get-all", "--get-regexp", "--get-urlmatch")
                                             for t in rest_lits)
        if keys:
            _config_key(a, keys[0], set_value=setting, value=keys[1] if setting else None, scope=sub_scope)
        elif any(t is None for t in rest_lits):
            a.hit(ASK, "bash.dynamic", "`git config` key computed at run time")
        return
    if sub in ("commit", "push", "merge", "rebase", "am", "cherry-pick", "revert", "pull", "switch", "checkout") and (
            "--no-verify" in rest_lits or (sub == "commit" and any(_short_flag(t, "n", "mFCct") for t in rest_lits))):
        a.hit(DENY, "bash.tamper", f"`git {sub} --no-verify` skips the secretguard commit gate")
        return
    if sub in ("hook",) and rest_lits[:1] == ["run"]:
        return
    if sub in ("add", "rm", "status", "check-ignore", "ls-files", "init", "fetch", "clone", "branch", "tag",
               "stash", "reset", "restore", "commit", "merge", "rebase", "remote", "rev-parse", "describe",
               "reflog", "shortlog", "worktree", "submodule", "clean", "switch", "checkout", "pull", "push",
               "log", "ls-remote", "gc", "fsck", "count-objects", "bisect", "notes", "version", "help",
               "rev-list", "name-rev", "for-each-ref", "show-ref", "symbolic-ref", "update-index", "sparse-checkout",
               "lfs", "maintenance", "range-diff", "cherry"):
        if sub == "log" and any(t and (t in ("-p", "--patch", "-u") or t.startswith("-L")) for t in rest_lits):
            generic(a, f"git {sub}", rest, sub_scope)
        return
    if sub == "grep":
        spec = C.Spec("efABCm", ("regexp", "file", "after-context", "before-context", "context", "max-count",
                                 "max-depth", "threads", "open-files-in-pager"))
        opts, operands = split_opts(rest, rest_lits, spec)
        names = {o for o, _ in opts}
        if not names & {"e", "f", "regexp", "file"} and operands:
            operands = operands[1:]
        for arg in [op for op in operands if not (len(op) == 1 and plain(op[0]) == "--")] or [[mark(".")]]:
            for v in arg:
                check_read(a, v, sub_scope, "`git grep`", dyn=ASK, recursive=True, hidden=True)
        return
    if sub == "mv":
        for arg in rest:
            for v in arg:
                check_read(a, v, sub_scope, "`git mv`", dyn=None)
        return
    generic(a, f"git {sub}", rest, sub_scope)


_COMMAND_KEYS = {"core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "diff.external",
                 "sequence.editor", "core.askpass", "gpg.program", "gpg.ssh.program", "credential.helper"}


def _config_key(a: Analyzer, key: str, set_value: bool, value: str | None = None, scope: Scope | None = None,
                transient: bool = False) -> None:
    """A config key that holds credentials, or that makes git run a command when set.

    A command key set to a command known now (`-c core.sshCommand='ssh -i KEY'`) is judged as that
    command, like GIT_SSH_COMMAND; set to something computed at run time, a human decides."""
    low = key.lower()
    if low.startswith("credential") and low.endswith(".helper") and set_value and value != "":
        a.hit(DENY, "bash.secret-cli", f"setting `{key}` decides who receives git's stored credentials")
        return
    if any(w in low for w in ("extraheader", "password", "token", "passwd")) and not (set_value and transient):
        a.hit(DENY, "bash.secret-cli", f"`git config {key}` reads or changes stored credentials")
        return
    if not set_value or low.startswith("credential"):
        return
    if low == "core.hookspath":
        a.hit(DENY, "bash.tamper", "changing core.hooksPath would disable the secretguard commit gate")
        return
    if low in ("include.path",) or low.startswith("includeif.") and low.endswith(".path"):
        if value is not None and scope is not None:
            check_read(a, mark(value), scope, f"`git -c {key}`", dyn=ASK)
        return
    command = None
    if low in _COMMAND_KEYS or low.endswith((".textconv", ".command", ".clean", ".smudge", ".process", ".cmd")):
        command = value
    elif low.startswith("alias."):
        command = None if value is None else (value[1:] if value.startswith("!") else "git " + value)
    else:
        return
    if command is None or scope is None:
        a.hit(ASK, "bash.dynamic", f"`git -c {key}=...` makes git run a command computed at run time")
    elif command.strip().lower() not in ("", "true", "false", "cat", "less", "vi", "vim", "nano"):
        a.run_text(command, scope.child(), 1, f"the command `{key}` runs")


def _short_flag(t: str | None, flag: str, valued: str) -> bool:
    """Is `flag` set in the short-option cluster `t` (before any option that takes a value)?"""
    if not t or not re.fullmatch(r"-[A-Za-z]+", t):
        return False
    for ch in t[1:]:
        if ch == flag:
            return True
        if ch in valued:
            return False
    return False
