"""What a command prints, as far as it is known without running it: for pipes, xargs and $(...).

An estimate, never a verdict: it re-expands words with the hits set aside, so nothing is reported twice.
"""

from __future__ import annotations

import os
import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import literals
from secretguard.guard.shell.paths import abspath
from secretguard.guard.shell.state import Scope, Stdin
from secretguard.guard.shell.tree import Script, Simple
from secretguard.guard.shell.words import BENIGN, is_static, mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def substitution(a: Analyzer, body: Script, scope: Scope) -> list[str] | None:
    """What `$(body)` stands for: its exact text, or the credential paths it may print (+ BENIGN); None: unknown."""
    if len(body.pipelines) != 1:
        return None
    out = output_of(a, body.pipelines[0].commands, scope)
    if out is None:
        return None
    if out.text is not None:
        return [out.text.rstrip("\n")]
    if out.items is not None:
        return out.items + [BENIGN]
    return None


def output_of(a: Analyzer, commands: list, scope: Scope) -> Stdin | None:
    """What the pipeline `commands` prints, when a simple producer and subset filters tell; else None."""
    for node in commands[1:]:
        if not isinstance(node, Simple) or not node.words or node.words[0].literal() not in C.SUBSET_FILTERS:
            return None
        if node.words[0].literal() in ("cat", "tac") and len(node.words) > 1:
            return None
    first = commands[0]
    if not isinstance(first, Simple) or not first.words:
        return None
    name = first.words[0].literal()
    if name is None:
        return None
    base = os.path.basename(name)
    saved = a.hits
    a.hits = []  # an estimate re-expands words: do not report twice
    try:
        args = [a.expand(w, scope) for w in first.words[1:]]
    finally:
        a.hits = saved
    texts = literals(args)
    if base == "echo":
        while texts and texts[0] in ("-n", "-e", "-E", "-ne", "-en"):
            texts = texts[1:]
        if None in texts:
            return None
        text = " ".join(texts) + "\n"
        return Stdin("pipe", text, text.split())
    if base == "printf":
        if not texts or None in texts:
            return None
        text = _printf(texts[0], texts[1:])
        return Stdin("pipe", text, text.split())
    if base in ("which", "command") and texts and all(t is not None for t in texts):
        names = [t for t in texts if not t.startswith("-")]
        found = [a.env.which(n) for n in names]
        if names and all(found):
            text = "\n".join(found) + "\n"
            return Stdin("pipe", text, text.split())
        return None
    if base == "pwd":
        return Stdin("pipe", (scope.cwd + "\n") if scope.cwd else None, [BENIGN] if not scope.cwd else None)
    if base == "cat" and not args:
        here = _heredoc_text(a, first, scope)
        return Stdin("pipe", here, here.split() if here is not None else None)
    if base == "find":
        from secretguard.guard.shell.handlers.find import find_paths  # handler modules load on first use

        items = find_paths(a, args, scope, estimate=True)
        return Stdin("pipe", None, items) if items is not None else None
    if base in ("ls", "fd", "fdfind", "tree") or (base == "git" and texts[:1] == ["ls-files"]):
        items = _listing(a, base, args, scope)
        return Stdin("pipe", None, items) if items is not None else None
    return None


def _heredoc_text(a: Analyzer, node: Simple, scope: Scope) -> str | None:
    saved = a.hits
    a.hits = []
    try:
        stdin = a.redirects(node.redirects, scope)
    finally:
        a.hits = saved
    return stdin.text if stdin is not None and stdin.source == "here" else None


def _listing(a: Analyzer, base: str, args: list[list[str]], scope: Scope) -> list[str] | None:
    """Credential paths an `ls`-like listing may print (None: cannot tell)."""
    opts = [plain(arg[0]) for arg in args if len(arg) == 1 and plain(arg[0]).startswith("-")]
    hidden = base in ("tree",) or any(o.startswith("-") and not o.startswith("--") and ("a" in o or "A" in o)
                                      for o in opts) or "--all" in opts or "--hidden" in opts or base == "git"
    recursive = base in ("fd", "fdfind", "tree", "git") or any(
        o.startswith("-") and not o.startswith("--") and "R" in o for o in opts) or "--recursive" in opts
    targets = [arg for arg in args if not (len(arg) == 1 and plain(arg[0]).startswith("-"))]
    if base in ("fd", "fdfind") and targets:
        targets = targets[1:]  # fd PATTERN [PATH]
    if base == "git":
        targets = []
    out: list[str] = []
    for arg in targets or [[mark(".")]]:
        for v in arg:
            if not is_static(v):
                return None
            path = abspath(plain(v), scope)
            if path is None:
                return None
            if os.path.isdir(path):
                if recursive:
                    found = a.env.secret_files_under(path, hidden=hidden)
                    if found is None:
                        return None
                    out += found
                else:
                    try:
                        names = os.listdir(path)
                    except OSError:
                        continue
                    for n in names[:5000]:
                        if (hidden or not n.startswith(".")) and a.env.secret_name(os.path.join(path, n)):
                            out.append(os.path.join(path, n))
            elif a.env.secret_name(path):
                out.append(path)
    return out


def _printf(fmt: str, args: list[str]) -> str:
    fmt = fmt.replace("\\n", "\n").replace("\\t", "\t")
    out: list[str] = []
    queue = list(args)
    while True:
        piece = re.sub(r"%[-+ #0]*\d*(?:\.\d+)?[sbdiqxXoc]", lambda m: queue.pop(0) if queue else "", fmt)
        out.append(piece.replace("%%", "%"))
        if not queue:
            break
    return "".join(out)
