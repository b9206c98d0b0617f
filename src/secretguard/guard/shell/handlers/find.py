"""find and xargs: commands that run another command over a list of files."""

from __future__ import annotations

import fnmatch
import os
import re

from secretguard.guard.shell.argv import literals
from secretguard.guard.shell.names import SAMPLE_CREDENTIAL_NAMES
from secretguard.guard.shell.paths import abspath, check_read, check_write, display, unknown_dir
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin
from secretguard.guard.shell.words import BENIGN, DYN, is_static, mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def find(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """find: -exec commands run on the files it would find; -fprint writes."""
    find_paths(a, args, scope, estimate=False)


def find_paths(a: Analyzer, args: list[list[str]], scope: Scope, estimate: bool) -> list[str] | None:
    """The credential files `find ARGS` would list (None: cannot tell); judges -exec and -fprint.

    `estimate`: only the list is wanted (for a pipe or $(...)), even without -exec."""
    lits = literals(args)
    i = 0
    while i < len(args) and lits[i] is not None and (lits[i] in ("-H", "-L", "-P") or
                                                     lits[i].startswith(("-D", "-O"))):
        i += 2 if lits[i] == "-D" else 1
    roots: list[list[str]] = []
    while i < len(args) and not (lits[i] and (lits[i].startswith("-") or lits[i] in ("(", "!", ")", ","))):
        roots.append(args[i])
        i += 1
    names: list[tuple[str, str | None]] = []
    # the name tests with their negation, by `-o` alternative, and the alternatives that delete or run
    tests: list[tuple[str, str | None, bool, int]] = []
    acting: set[int] = set()
    group = 0
    execs: list[list[list[str]]] = []
    while i < len(args):
        t = lits[i]
        if t in ("-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex"):
            names.append((t, lits[i + 1] if i + 1 < len(args) else None))
            tests.append((t, lits[i + 1] if i + 1 < len(args) else None, i > 0 and lits[i - 1] in ("!", "-not"),
                          group))
            i += 2
        elif t in ("-o", "-or"):
            group += 1
            i += 1
        elif t == "-delete":
            acting.add(group)
            i += 1
        elif t in ("-exec", "-execdir", "-ok", "-okdir"):
            acting.add(group)
            j = i + 1
            while j < len(args) and lits[j] not in (";", "+"):
                j += 1
            execs.append(args[i + 1:j])
            i = j + 1
        elif t in ("-fprint", "-fprint0", "-fls", "-fprintf"):
            if i + 1 < len(args):
                for v in args[i + 1]:
                    check_write(a, v, scope, f"`find {t}`")
            i += 3 if t == "-fprintf" else 2
        elif t in ("-files0-from",):
            if i + 1 < len(args):
                for v in args[i + 1]:
                    check_read(a, v, scope, "`find -files0-from`", dyn=ASK)
            i += 2
        else:
            i += 1
    deletes = "-delete" in lits
    if any(t in ("(", ")", "\\(", "\\)", ",") for t in lits):
        tests, acting = [], {0}  # grouped expressions: every protected path under the roots may be reached
    protected = _find_protected(a, roots or [[mark(".")]], tests, acting, scope) if deletes or execs else []
    if deletes and protected:
        path, reason = protected[0]
        a.hit(DENY, "bash.tamper", f"`find -delete` would delete {display(a, path, scope)}: {reason}")
    if not execs and not estimate:
        return None
    found = _find_matches(a, roots or [[mark(".")]], names, scope)
    for sub in execs:
        if not sub:
            continue
        if found is None:
            fills = [DYN]
        else:
            fills = [mark(f) for f in found[:5]] + [mark(p) for p, _ in protected[:5]] + [BENIGN]
        for fill in fills:
            a.run_args([[_replace(v, "{}", fill) for v in arg] for arg in sub], scope.child(), None)
    return found


def _find_matches(a: Analyzer, roots: list[list[str]], names: list[tuple[str, str | None]],
                  scope: Scope) -> list[str] | None:
    """Credential files under the roots (or named by -name tests) that the name tests let through."""
    out: list[str] = []
    for arg in roots:
        for v in arg:
            if not is_static(v):
                return None
            root = abspath(plain(v), scope)
            if root is None:
                return None
            if os.path.isdir(root):
                found = a.env.secret_files_under(root, hidden=True)
                if found is None:
                    return None
            else:
                found = [root] if os.path.lexists(root) and a.env.secret_path(root) else []
            shown = plain(v).rstrip("/") or "/"
            found = list(found) + _named_candidates(a, root, names)
            for f in found:
                rel = os.path.relpath(f, root) if f != root else ""
                as_printed = shown + ("/" + rel if rel else "")
                if not names or any(_find_match(kind, pat, f, as_printed) for kind, pat in names):
                    out.append(f)
    return out


def _find_protected(a: Analyzer, roots: list[list[str]], tests: list[tuple[str, str | None, bool, int]],
                    acting: set[int], scope: Scope) -> list[tuple[str, str]]:
    """Protected paths under the roots that the name tests let through: what -delete or -exec would reach."""
    out: list[tuple[str, str]] = []
    for arg in roots:
        for v in arg:
            root = abspath(plain(v), scope) if is_static(v) else None
            if root is None:
                continue
            candidates = a.env.protected_under(root) if os.path.isdir(root) else (
                [(root, r) for r in [a.env.protected_path(root)] if r])
            shown = plain(v).rstrip("/") or "/"
            for path, reason in candidates:
                rel = os.path.relpath(path, root) if path != root else ""
                as_printed = shown + ("/" + rel if rel else "")
                if any(all(_find_match(kind, pat, path, as_printed) != negated
                           for kind, pat, negated, g in tests if g == alternative) for alternative in acting):
                    out.append((path, reason))
    return out


def _named_candidates(a: Analyzer, root: str, names: list[tuple[str, str | None]]) -> list[str]:
    """Files a find's -name test is after, when they would be credential files (found or not)."""
    out: list[str] = []
    for kind, pattern in names:
        if not pattern or kind not in ("-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename"):
            continue
        base = pattern.rsplit("/", 1)[-1]
        if not any(c in base for c in "*?["):
            candidates = [base]
        elif len(re.sub(r"\[[^\]]*\]|[*?]", "", base)) >= 2:
            candidates = [n for n in SAMPLE_CREDENTIAL_NAMES if fnmatch.fnmatchcase(n.lower() if kind.startswith("-i")
                          else n, base.lower() if kind.startswith("-i") else base)]
        else:
            candidates = []
        for name in candidates:
            if a.env.secret_name(unknown_dir(a.env.home, name)):
                out.append(os.path.join(root, name))
    return out


def _find_match(kind: str, pattern: str | None, path: str, as_printed: str) -> bool:
    if pattern is None:
        return True
    name = os.path.basename(path)
    if kind == "-name":
        return fnmatch.fnmatchcase(name, pattern)
    if kind == "-iname":
        return fnmatch.fnmatchcase(name.lower(), pattern.lower())
    if kind in ("-path", "-wholename"):
        return fnmatch.fnmatchcase(as_printed, pattern)
    if kind in ("-ipath", "-iwholename"):
        return fnmatch.fnmatchcase(as_printed.lower(), pattern.lower())
    try:
        return re.fullmatch(pattern, as_printed, re.IGNORECASE if kind == "-iregex" else 0) is not None
    except re.error:
        return True


def xargs(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
          stdin: Stdin | None) -> None:
    """xargs: the command runs with the items of its stdin (or -a file) as arguments."""
    i = 0
    replace: str | None = None
    while i < len(args):
        t = lits[i]
        if t is None or not t.startswith("-"):
            break
        if t == "--":
            i += 1
            break
        if t in ("-a", "--arg-file") or t.startswith("--arg-file="):
            value = [mark(t.split("=", 1)[1])] if "=" in t else (args[i + 1] if i + 1 < len(args) else [])
            for v in value:
                check_read(a, v, scope, "`xargs -a`", dyn=ASK)
            stdin = Stdin("file")
            i += 1 if "=" in t else 2
            continue
        if t in ("-I", "--replace"):
            replace = lits[i + 1] if i + 1 < len(args) else "{}"
            i += 2
            continue
        if t.startswith("-I") or t.startswith("-i"):
            replace = t[2:] or "{}"
            i += 1
            continue
        i += 2 if t in ("-n", "-L", "-s", "-P", "-d", "-E", "--max-args", "--max-lines", "--max-chars",
                        "--max-procs", "--delimiter", "--eof", "--process-slot-var") else 1
    sub = args[i:] or [["echo"]]
    if stdin is not None and stdin.items is not None:
        items = [x for x in stdin.items if x != BENIGN][:5]
        fills = [mark(x) for x in items] + [BENIGN]
    elif stdin is not None and stdin.text is not None:
        fills = [mark(x) for x in stdin.text.split()[:20]] or [BENIGN]
    else:
        fills = [DYN]
    for fill in fills:
        if replace:
            argv = [[_replace(v, replace, fill) for v in arg] for arg in sub]
        else:
            argv = sub + [[fill]]
        a.run_args(argv, scope, None)


def _replace(value: str, token: str, fill: str) -> str:
    marked = mark(token)
    if marked in value:
        value = value.replace(marked, fill)
    return value.replace(token, fill)
