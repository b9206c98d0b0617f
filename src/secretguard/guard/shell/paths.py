"""Path probing and checks: does a word name a credential file, or one of secretguard's own?

probe() only answers; check_read(), check_write(), check_code() and generic() report hits on the
Analyzer. The answers come from the GuardEnv's predicates: this module knows shells' paths, not
rules files.
"""

from __future__ import annotations

import fnmatch
import os
import re

from secretguard.guard.shell.names import SAMPLE_CREDENTIAL_NAMES, URL_RE
from secretguard.guard.shell.state import ASK, DENY, Scope
from secretguard.guard.shell.words import BENIGN, DYN, glob_pattern, has_glob, is_static, mark, piece_split, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer

MAX_GLOB = 500
_PROC_ENVIRON = re.compile(r"^/proc/[^/]+/(?:task/[^/]+/)?environ$")
_RUN_SECRETS = re.compile(r"^/(?:var/)?run/secrets(?:/|$)")


def abspath(text: str, scope: Scope) -> str | None:
    """`text` as an absolute path from the scope's directory; None when that directory is unknown."""
    if os.path.isabs(text):
        return os.path.normpath(text)
    if scope.cwd is None:
        return None
    return os.path.normpath(os.path.join(scope.cwd, text))


def display(a: Analyzer, path: str, scope: Scope) -> str:
    """`path` as a reason shows it: relative to the working directory or ~ when it is under them."""
    if scope.cwd and (path == scope.cwd or path.startswith(scope.cwd.rstrip("/") + "/")):
        return os.path.relpath(path, scope.cwd)
    home = a.env.home.rstrip("/")
    if home and path.startswith(home + "/"):
        return "~" + path[len(home):]
    return path


def probe(a: Analyzer, value: str, scope: Scope, content: bool = True) -> str | None:
    """Why `value` (marked) names a credential file, or None. Reports nothing.

    `content`: also look inside an existing file (readers); else judge by name only.
    """
    if BENIGN in value or DYN in value:
        pattern = glob_pattern(value)
        if _PROC_ENVIRON.match(pattern.replace("*", "x")):
            return "a process environment (/proc/*/environ)"
        if _RUN_SECRETS.match(pattern):
            return "a mounted secret (/run/secrets)"
        tail = re.split("[\x01\x02]", plain(value))[-1]
        if "/" in tail and tail.rsplit("/", 1)[1]:
            return a.env.secret_name(unknown_dir(a.env.home, tail.lstrip("/")))
        return None
    text = plain(value)
    if not text or URL_RE.match(text) and not text.startswith("file://"):
        return None
    if text.startswith("file://"):
        text = text[7:]
    if has_glob(value):
        return _probe_glob(a, value, scope)
    path = abspath(text, scope)
    if path is None:
        return a.env.secret_name(text)
    if _PROC_ENVIRON.match(path):
        return "a process environment (/proc/*/environ)"
    if _RUN_SECRETS.match(path):
        return "a mounted secret (/run/secrets)"
    return a.env.secret_path(path) if content else a.env.secret_name(path)


def _probe_glob(a: Analyzer, value: str, scope: Scope) -> str | None:
    pattern = glob_pattern(value)
    directory, _, base = pattern.rpartition("/")
    literal = re.sub(r"\[[^\]]*\]|[*?]", "", base)
    if len(literal) >= 2:
        for sample in SAMPLE_CREDENTIAL_NAMES:
            if fnmatch.fnmatchcase(sample, base) and (base.startswith(".") or not sample.startswith(".")):
                reason = a.env.secret_name(unknown_dir(a.env.home, sample))
                if reason:
                    return f"{reason} (the pattern {plain(value)!r} matches such names)"
    if _PROC_ENVIRON.match(pattern.replace("*", "x")):
        return "a process environment (/proc/*/environ)"
    if _RUN_SECRETS.match(pattern):
        return "a mounted secret (/run/secrets)"
    import glob as globmod

    if os.path.isabs(pattern):
        matches = globmod.iglob(pattern)
    elif scope.cwd is not None:
        matches = (os.path.join(scope.cwd, m) for m in globmod.iglob(pattern, root_dir=scope.cwd))
    else:
        return None
    for count, match in enumerate(matches):
        if count >= MAX_GLOB:
            return None
        reason = a.env.secret_path(os.path.normpath(match))
        if reason:
            return f"{display(a, os.path.normpath(match), scope)}: {reason}"
        if _PROC_ENVIRON.match(match):
            return "a process environment (/proc/*/environ)"
    return None


def check_read(a: Analyzer, value: str, scope: Scope, what: str, dyn: int | None = ASK, recursive: bool = False,
               hidden: bool = True, only: tuple = ((), ())) -> None:
    """`what` reads the file named by `value`: deny a credential file, ask when unknown."""
    if value == BENIGN:
        return
    reason = probe(a, value, scope)
    if reason:
        a.hit(DENY, "bash.credential-file", f"{what} would read {_shown_name(a, value, scope)}: {reason}")
        return
    if not is_static(value):
        if DYN in value and dyn is not None:
            a.hit(dyn, "bash.dynamic-path", f"{what} reads a path only known at run time ({_show(value)})")
        return
    text = plain(value)
    path = abspath(text, scope)
    if has_glob(value):
        if scope.cwd is None and not os.path.isabs(text) and dyn is not None:
            a.hit(dyn, "bash.dynamic-path", f"{what} reads {text!r} in a directory not known before run time")
        elif recursive:
            _check_glob_dirs(a, value, scope, what, hidden, only)
        return
    if recursive and path is not None and os.path.isdir(path):
        _check_dir(a, path, scope, what, hidden, only)


def _check_glob_dirs(a: Analyzer, value: str, scope: Scope, what: str, hidden: bool, only: tuple) -> None:
    import glob as globmod

    pattern = glob_pattern(value)
    base = scope.cwd or "/"
    for count, match in enumerate(globmod.iglob(pattern, root_dir=None if os.path.isabs(pattern) else base)):
        if count >= MAX_GLOB:
            a.hit(ASK, "bash.dynamic-path", f"{what}: {plain(value)!r} matches too many files to check")
            return
        path = os.path.normpath(os.path.join(base, match))
        if os.path.isdir(path):
            _check_dir(a, path, scope, what, hidden, only)


def _check_dir(a: Analyzer, path: str, scope: Scope, what: str, hidden: bool, only: tuple = ((), ())) -> None:
    found = a.env.secret_files_under(path, hidden=hidden)
    include, exclude = only
    if found and (include or exclude):
        found = [f for f in found if (not include or _globs_match(include, f, path))
                 and not (exclude and _globs_match(exclude, f, path))]
    if found is None:
        a.hit(ASK, "bash.too-broad", f"{what} reads everything under {display(a, path, scope)}, "
                                     "too much to check")
    elif found:
        shown = ", ".join(display(a, f, scope) for f in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        a.hit(DENY, "bash.credential-file",
              f"{what} would read everything under {display(a, path, scope)}, "
              f"including credential files: {shown}{more}")


def _shown_name(a: Analyzer, value: str, scope: Scope) -> str:
    """The file `value` names, as a reason shows it (run-time parts as …)."""
    text = plain(value).replace(DYN, "…").replace(BENIGN, "…")
    path = abspath(text, scope) if is_static(value) and not has_glob(value) else None
    return display(a, path, scope) if path else text


def check_write(a: Analyzer, value: str, scope: Scope, what: str, level: int = DENY, recursive: bool = False) -> None:
    """`what` changes the file named by `value` (everything under it too, if `recursive`: `rm -r`, `mv`):
    secretguard's own files, and the directories that hold them, are off limits. A glob is expanded
    against the files there now (`rm -rf .cl*`)."""
    if not is_static(value):
        return
    text = plain(value)
    if has_glob(value):
        text = glob_pattern(value)
    path = abspath(text, scope)
    if path is None:
        return
    targets = [path]
    if has_glob(value):
        import glob as globmod

        targets = [os.path.normpath(m) for m in globmod.glob(path)[:MAX_GLOB]]
        targets.append(path.replace("*", "x"))  # by name, when nothing matches yet
    for target in targets:
        reason = a.env.protected_path(target)
        shown = target
        if not reason and recursive and os.path.isdir(target) and not os.path.islink(target):
            found = a.env.protected_under(target, limit=1)
            if found:
                shown, reason = found[0]
        if reason:
            a.hit(level, "bash.tamper", f"{what} would change {display(a, shown, scope)}: {reason}")
            return


def check_code(a: Analyzer, code: str, lang: str, base: str, scope: Scope) -> None:
    """A one-liner's `code` in `lang` (python, node, awk...): the files its literals name, the variables it reads."""
    def check(text: str) -> str | None:
        reason = probe(a, mark(text), scope, content=False)
        if reason:
            return f"{text} ({reason})"
        path = abspath(text, scope)
        if path is not None:
            protected = a.env.protected_path(path)
            if protected:
                return f"{text} ({protected})"
        return None

    from secretguard.guard.shell.code import analyze_code  # only one-liners pay for its regexes

    for level, rule, reason in analyze_code(code, lang, check):
        a.hit(level, rule, reason)


def tool_args(a: Analyzer, name: str, args: list[list[str]], lits: list[str | None], scope: Scope) -> None:
    """Judge the arguments by the command's grammar in commands.TOOLS: what it reads is read, what it
    uses (a key, a kubeconfig) or writes is not; a command without one is judged by generic()."""
    from secretguard.guard.shell import commands as C

    tool = C.TOOLS.get(name)
    if tool is None:
        generic(a, name, args, scope)
        return
    flags = {t.partition("=")[0] for t in lits if t and t.startswith("-")}
    i = 0
    only_operands = False
    while i < len(args):
        t = lits[i]
        if t is None or only_operands or not t.startswith("-") or t == "-":
            if t is not None and not only_operands and t in tool.subs:
                tool = tool.merged(tool.subs[t])
            elif tool.operands == "read":
                for v in args[i]:
                    check_read(a, v, scope, f"`{name}`", dyn=ASK)
            elif tool.operands == "generic":
                generic(a, name, [args[i]], scope)
            i += 1
            continue
        if t == "--":
            only_operands = True
            i += 1
            continue
        opt, eq, glued = t.partition("=") if t.startswith("--") or not tool.glue else (t, "", "")
        if not eq and tool.glue and not t.startswith("--") and len(t) > 2 and t not in _all_opts(tool):
            opt, eq, glued = t[:2], "=", t[2:]  # -fFILE
        if opt not in _all_opts(tool):
            if eq:
                generic(a, name, [[mark(glued)]], scope)
            i += 1
            continue
        value = [mark(glued)] if eq else (args[i + 1] if i + 1 < len(args) else [])
        i += 1 if eq else 2
        quiet = bool(flags & tool.quiet) and not flags & tool.loud
        if opt in tool.reads and not quiet:
            for v in value:
                check_read(a, v, scope, f"`{name} {opt}`", dyn=ASK)
        elif opt in tool.writes:
            for v in value:
                check_write(a, v, scope, f"`{name} {opt}`")
        elif opt in tool.valued:
            generic(a, name, [value], scope)


def _all_opts(tool) -> frozenset:
    return tool.uses | tool.writes | tool.reads | tool.words | tool.valued


def generic(a: Analyzer, name: str, args: list[list[str]], scope: Scope) -> None:
    """Unknown command: any argument naming a credential file is refused; nothing else is known."""
    for arg in args:
        for v in arg:
            text = plain(v)
            if is_static(v) and any(c.isspace() for c in text) and not _exists(text, scope):
                continue  # free text (a message, a test name, a query): no file has this name
            if text.startswith("-") and not text.startswith("--") and len(text) > 2 and "=" not in text:
                if not any(c in text for c in "@/.~<"):
                    continue
                pieces = piece_split(v[2:] if v[:1] == "-" else v)
            elif text.startswith("-") and "=" not in text:
                continue
            else:
                pieces = piece_split(v)
            for piece in pieces:
                if URL_RE.match(plain(piece)) and not plain(piece).startswith("file://"):
                    continue
                reason = probe(a, piece, scope, content=False)
                if reason:
                    a.hit(DENY, "bash.credential-file",
                          f"`{name}` is given {_shown_name(a, piece, scope)}: {reason}")
                    break
            check_write(a, v, scope, f"`{name}`", level=ASK)


def _exists(text: str, scope: Scope) -> bool:
    path = abspath(text, scope)
    return path is not None and os.path.lexists(path)


def _globs_match(globs: tuple, path: str, root: str) -> bool:
    name, rel = os.path.basename(path), os.path.relpath(path, root)
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) for g in globs)


def unknown_dir(home: str, name: str) -> str:
    """A path judged by its name alone: the directory is unknown (and does not exist)."""
    return os.path.join(home, ".secretguard-unknown-dir", name)


def _show(value: str) -> str:
    return plain(value).replace(DYN, "…").replace(BENIGN, "…")
