"""Commands judged by the files they are given: readers (cat-likes, grep, sed, awk), copiers, tee, dd,
the neutral ones that only name files, and commands the guard does not know."""

from __future__ import annotations

import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import split_opts
from secretguard.guard.shell.paths import check_code, check_read, check_write, generic, tool_args
from secretguard.guard.shell.state import ASK, Scope, Stdin
from secretguard.guard.shell.words import brace_expand, DYN, is_static, mark, piece_split, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


_RG_TYPES = {"py": ("*.py", "*.pyi"), "python": ("*.py", "*.pyi"), "js": ("*.js", "*.jsx", "*.mjs", "*.cjs"),
             "ts": ("*.ts", "*.tsx"), "go": ("*.go",), "rust": ("*.rs",), "java": ("*.java",), "ruby": ("*.rb",),
             "md": ("*.md", "*.markdown"), "markdown": ("*.md",), "c": ("*.c", "*.h"), "cpp": ("*.cpp", "*.hpp", "*.cc"),
             "sh": ("*.sh", "*.bash"), "html": ("*.html", "*.htm"), "css": ("*.css",), "yaml": ("*.yml", "*.yaml"),
             "toml": ("*.toml",), "php": ("*.php",), "kotlin": ("*.kt",), "swift": ("*.swift",), "sql": ("*.sql",)}


def reader(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
           stdin: Stdin | None) -> None:
    """cat, head, jq, diff...: the file operands are read (by the option grammar in commands.READERS)."""
    spec = C.READERS[base]
    recursive = False
    opts, operands = split_opts(args, lits, spec)
    pattern_given = False
    for opt, values in opts:
        if opt in ("f", "file", "from-file", "files0-from", "exclude-from", "rawfile", "slurpfile"):
            for value in values[-1:]:
                for v in value:
                    check_read(a, v, scope, f"`{base}`", dyn=None)
        if opt in ("e", "f", "regexp", "file", "from-file", "expression"):
            pattern_given = True
        if opt in ("o", "output") and base in ("sort",):
            for value in values:
                for v in value:
                    check_write(a, v, scope, f"`{base} -o`")
    if spec.pattern_first and not pattern_given and operands:
        operands = operands[1:]
    if base in ("diff", "zdiff") and any(o in ("r", "recursive") for o, _ in opts):
        recursive = True
    for arg in operands:
        for v in arg:
            check_read(a, v, scope, f"`{base}`", dyn=ASK, recursive=recursive)
            if base in C.WRITERS:
                check_write(a, v, scope, f"`{base}`")


def copier(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
           stdin: Stdin | None) -> None:
    """cp, rsync, scp...: sources are read (remote `host:path` parts too), and every operand may be written."""
    spec = C.COPIERS[base]
    opts, operands = split_opts(args, lits, spec)
    names = {o for o, _ in opts}
    recursive = base in ("rsync",) and bool(names & {"r", "a", "recursive", "archive"}) or \
        bool(names & {"r", "R", "a", "recursive", "archive"})
    for opt, values in opts:
        for value in values:
            for v in value:
                if opt in ("files-from", "exclude-from", "include-from", "password-file", "F", "b"):
                    check_read(a, v, scope, f"`{base}`", dyn=None)
                elif opt in ("t", "target-directory"):
                    check_write(a, v, scope, f"`{base}`")
    has_target = bool(names & {"t", "target-directory"})
    sources = operands if has_target or len(operands) < 2 else operands[:-1]
    for arg in sources:
        for v in arg:
            for piece in ([v] + [p for p in piece_split(v, ":")[1:]]):
                check_read(a, piece, scope, f"`{base}`", dyn=ASK if piece is v else None, recursive=recursive)
    for i, arg in enumerate(operands):
        source = i < len(operands) - 1 or has_target
        for v in arg:
            # a moved directory takes everything under it along
            check_write(a, v, scope, f"`{base}`", recursive=base == "mv" and source)


def neutral(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
            stdin: Stdin | None) -> None:
    """ls, rm, chmod...: only the names of their operands matter; the writers among them change those files."""
    if base in C.WRITERS:
        recursive = base in ("rm", "chmod", "chown", "chgrp", "chattr", "setfacl", "chcon") and any(
            t == "--recursive" or (t and re.fullmatch(r"-[A-Za-z]+", t) and ("R" in t or base == "rm" and "r" in t))
            for t in lits)
        for arg, t in zip(args, lits):
            if t and t.startswith("-") and t != "-":
                continue
            for v in arg:
                check_write(a, v, scope, f"`{base}`", recursive=recursive)



def unknown(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
            stdin: Stdin | None) -> None:
    """A command the guard does not know: any argument naming a credential file is refused."""
    generic(a, base, args, scope)

def tool(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """openssl, ssh-keygen, curl, test runners...: judged by their grammar in commands.TOOLS, which says
    which arguments are read, which are keys or configs the tool only uses, which are outputs."""
    tool_args(a, base, args, lits, scope)


def grep(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
         stdin: Stdin | None) -> None:
    """grep, rg, ag, ack: the files they search (recursively, with rg's type and glob filters)."""
    spec = _GREP_SPECS.get(base, _GREP_SPECS["grep"])
    opts, operands = split_opts(args, lits, spec)
    names = {o for o, _ in opts}
    pattern_given = bool(names & {"e", "f", "regexp", "file"})
    for opt, values in opts:
        if opt in ("f", "file", "exclude-from", "ignore-file"):
            for value in values:
                for v in value:
                    check_read(a, v, scope, f"`{base} -{opt}`" if len(opt) == 1 else f"`{base} --{opt}`", dyn=None)
    if not pattern_given and operands:
        operands = operands[1:]
    recursive = base in ("rg", "ag", "ack", "ack-grep") or bool(names & {"r", "R", "recursive",
                                                                         "dereference-recursive"}) or any(
        o in ("d", "directories") and any(plain(v) == "recurse" for val in vals for v in val) for o, vals in opts)
    hidden = base not in ("rg", "ag") or bool(names & {"hidden", "unrestricted", "u", ".", "all-types"})
    if not operands and recursive and not (base in ("rg", "ag") and stdin is not None):
        operands = [[mark(".")]]
    include: list[str] = []
    exclude: list[str] = []
    for o, vals in opts:
        for text in (plain(v) for val in vals for v in val if is_static(v)):
            if o in ("include",) or (o in ("g", "glob", "iglob") and not text.startswith("!")):
                include.extend(brace_expand(text))
            elif o in ("exclude",) or (o in ("g", "glob", "iglob") and text.startswith("!")):
                exclude.extend(brace_expand(text.lstrip("!")))
            elif o in ("t", "type") and text in _RG_TYPES:
                include.extend(_RG_TYPES[text])
            elif o in ("T", "type-not") and text in _RG_TYPES:
                exclude.extend(_RG_TYPES[text])
    for arg in operands:
        for v in arg:
            check_read(a, v, scope, f"`{base}`", dyn=ASK, recursive=recursive, hidden=hidden,
                       only=(tuple(include), tuple(exclude)))


def sed(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """sed: the files it reads and, with -i or `w`, writes; `r`/`w`/`e` commands in its script."""
    spec = C.Spec("efl", ("expression", "file", "line-length"))
    opts, operands = split_opts(args, lits, spec)
    scripts = [v for o, vals in opts if o in ("e", "expression") for val in vals for v in val]
    for o, vals in opts:
        if o in ("f", "file"):
            for val in vals:
                for v in val:
                    check_read(a, v, scope, "`sed -f`", dyn=None)
    if not scripts and not any(o in ("f", "file") for o, _ in opts) and operands:
        scripts, operands = operands[0], operands[1:]
    in_place = any(o in ("i", "in-place") for o, _ in opts) or any(
        t and t.startswith("-") and not t.startswith("--") and "i" in t for t in lits)
    for s in scripts:
        text = plain(s)
        for m in re.finditer(r"(?:^|[;\n{}]|\d|\$|/)\s*([rRwW])\s+([^;\n}]+)", text):
            target = mark(m.group(2).strip())
            if m.group(1) in "rR":
                check_read(a, target, scope, "`sed r`", dyn=None)
            else:
                check_write(a, target, scope, "`sed w`")
        if re.search(r"(?:^|[;\n{}])\s*(?:\d+|\$)?\s*e(?:\s|$)|s(.).*?\1.*?\1[gpiImM0-9]*e", text):
            a.hit(ASK, "bash.oneliner", "the sed script runs commands (`e`)")
    for arg in operands:
        for v in arg:
            check_read(a, v, scope, f"`{base}`", dyn=ASK)
            if in_place:
                check_write(a, v, scope, "`sed -i`")


def awk(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """awk: the program is judged as a one-liner, the file operands as reads."""
    spec = C.Spec("fvF", ("file", "assign", "field-separator", "source", "include", "load"))
    opts, operands = split_opts(args, lits, spec)
    programs: list[str] = []
    for o, vals in opts:
        for val in vals:
            for v in val:
                if o in ("f", "file", "include"):
                    check_read(a, v, scope, f"`{base} -f`", dyn=None)
                elif o in ("source",):
                    programs.append(v)
                elif o in ("v", "assign"):
                    generic(a, base, [[v]], scope)
    if not programs and not any(o in ("f", "file") for o, _ in opts) and operands:
        programs, operands = operands[0], operands[1:]
    for p in programs:
        if not is_static(p):
            a.hit(ASK, "bash.oneliner", f"`{base}` runs a program computed at run time")
        else:
            check_code(a, plain(p), "awk", base, scope)
    for arg in operands:
        for v in arg:
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", plain(v)):
                continue
            check_read(a, v, scope, f"`{base}`", dyn=ASK)


def tee(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """tee: it writes its operands."""
    for arg, t in zip(args, lits):
        if t and t.startswith("-"):
            continue
        for v in arg:
            check_write(a, v, scope, "`tee`")


def dd(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
       stdin: Stdin | None) -> None:
    """dd: if= is read, of= is written."""
    for arg in args:
        for v in arg:
            text = plain(v)
            if text.startswith("if="):
                check_read(a, mark(text[3:]) if is_static(v) else DYN, scope, "`dd`", dyn=ASK)
            elif text.startswith("of="):
                check_write(a, mark(text[3:]), scope, "`dd`")


_GREP_SPECS = {
    "grep": C.Spec("efmABCdD", ("regexp", "file", "max-count", "after-context", "before-context", "context",
                                "directories", "devices", "label", "binary-files", "group-separator", "include",
                                "exclude", "exclude-dir", "exclude-from")),
    "rg": C.Spec("efgtTmABCjMErd", ("regexp", "file", "glob", "iglob", "type", "type-not", "max-count",
                                    "after-context", "before-context", "context", "threads", "max-columns",
                                    "encoding", "replace", "max-depth", "max-filesize", "sort", "sortr",
                                    "type-add", "type-clear", "pre", "pre-glob", "color", "colors",
                                    "path-separator", "ignore-file", "context-separator", "field-match-separator",
                                    "field-context-separator", "dfa-size-limit", "regex-size-limit", "engine")),
    "ag": C.Spec("GgABCmp", ("file-search-regex", "ignore", "ignore-dir", "depth", "max-count", "after",
                             "before", "context", "pager", "workers", "path-to-ignore")),
    "ack": C.Spec("ABCmg", ("after-context", "before-context", "context", "max-count", "type", "ignore-dir",
                            "ignore-file", "match")),
}
_GREP_SPECS.update({"egrep": _GREP_SPECS["grep"], "fgrep": _GREP_SPECS["grep"], "zgrep": _GREP_SPECS["grep"],
                    "ack-grep": _GREP_SPECS["ack"]})
