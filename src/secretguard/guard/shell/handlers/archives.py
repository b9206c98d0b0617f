"""Archivers: what tar, zip and 7z would pack."""

from __future__ import annotations

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import split_opts
from secretguard.guard.shell.paths import check_read, generic
from secretguard.guard.shell.state import ASK, Scope, Stdin

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def tar(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """tar: creating an archive reads its operands recursively; --to-command runs a command."""
    first = lits[0] if lits else None
    create = any(t and (t in ("-c", "--create", "-r", "--append", "-u", "--update") or
                        (t.startswith("-") and not t.startswith("--") and ("c" in t or "r" in t)))
                 for t in lits) or (first is not None and not first.startswith("-") and ("c" in first or "r" in first))
    value_opts = C.Spec("fCbgHKLMNT", ("file", "directory", "blocking-factor", "exclude", "exclude-from",
                                      "files-from", "format", "owner", "group", "mode", "mtime", "newer",
                                      "transform", "use-compress-program", "to-command", "label", "suffix"))
    rest_args, rest_lits = args, lits
    if first is not None and not first.startswith("-"):
        # old-style bundled letters: `tar czf out.tgz dir` -> the f value is the next word
        consumed = sum(1 for ch in first if ch in "fCbT")
        rest_args, rest_lits = args[1 + consumed:], lits[1 + consumed:]
        for arg in args[1:1 + consumed]:
            for v in arg:
                generic(a, base, [[v]], scope)
    opts, operands = split_opts(rest_args, rest_lits, value_opts)
    for o, vals in opts:
        for val in vals:
            for v in val:
                if o in ("T", "files-from", "exclude-from"):
                    check_read(a, v, scope, f"`{base}`", dyn=ASK)
                elif o in ("to-command", "use-compress-program", "I"):
                    a.command_string([v], scope, [], f"`{base} --to-command`")
                else:
                    generic(a, base, [[v]], scope)
    for arg in operands:
        for v in arg:
            if create:
                check_read(a, v, scope, f"`{base}`", dyn=ASK, recursive=True)
            else:
                generic(a, base, [[v]], scope)


def zip_(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """zip, 7z, unzip: the files an archive is made from are read (recursively with -r)."""
    opts, operands = split_opts(args, lits, C.Spec("bnOPtTx", ("temp-path", "suffixes", "output-file",
                                                                 "password", "exclude", "include")))
    names = {o for o, _ in opts}
    if base in ("7z", "7za", "7zr"):
        if operands and lits and lits[0] in ("a", "u"):
            for arg in operands[2:]:
                for v in arg:
                    check_read(a, v, scope, f"`{base}`", dyn=ASK, recursive=True)
        else:
            generic(a, base, args, scope)
        return
    if base in ("unzip",):
        generic(a, base, args, scope)
        return
    recursive = bool(names & {"r", "R", "recurse-paths"})
    for arg in operands[1:]:
        for v in arg:
            check_read(a, v, scope, f"`{base}`", dyn=ASK, recursive=recursive)
