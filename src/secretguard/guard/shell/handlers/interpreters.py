"""Interpreters and shells: the code they run, from -c/-e one-liners, stdin or eval."""

from __future__ import annotations

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import literals
from secretguard.guard.shell.paths import check_code, check_read, check_write, generic
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin
from secretguard.guard.shell.words import is_static, mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def interpreter(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
                stdin: Stdin | None) -> None:
    """python, node, ruby, perl...: judge the code of -c/-e, of stdin, or the module of -m."""
    m = C.INTERPRETER_NAME.match(base)
    kind = m.group(1) if m else base
    lang, code_short, value_short, code_long, value_long = C.INTERPRETERS.get(kind, C.INTERPRETERS["python"])
    codes: list[list[str]] = []
    module: str | None = None
    i = 0
    rest: list[list[str]] = []
    script: list[str] | None = None
    while i < len(args):
        t = lits[i]
        if t is None or not t.startswith("-") or t == "-":
            script, rest = args[i], args[i + 1:]
            break
        if t == "--":
            if i + 1 < len(args):
                script, rest = args[i + 1], args[i + 2:]
            break
        if t.startswith("--"):
            key, eq, val = t[2:].partition("=")
            if key in code_long:
                codes.append([mark(val)] if eq else (args[i + 1] if i + 1 < len(args) else [""]))
                i += 1 if eq else 2
            elif key in value_long:
                if not eq and i + 1 < len(args):
                    generic(a, base, [args[i + 1]], scope)
                else:
                    generic(a, base, [[mark(val)]], scope)
                i += 1 if eq else 2
            else:
                if eq:
                    generic(a, base, [[mark(val)]], scope)
                i += 1
            continue
        j = 1
        consumed = 1
        while j < len(t):
            ch = t[j]
            if ch in code_short or ch in value_short:
                value = [mark(t[j + 1:])] if j + 1 < len(t) else (args[i + 1] if i + 1 < len(args) else [""])
                consumed = 1 if j + 1 < len(t) else 2
                if ch in code_short:
                    codes.append(value)
                elif ch == "m" and lang == "python":
                    module = plain(value[0]) if value else ""
                elif kind == "perl" and ch in "i":
                    pass
                else:
                    generic(a, base, [value], scope)
                break
            j += 1
        i += consumed
        if module is not None:
            rest = args[i:]
            break
    if kind == "perl" and any(t and t.startswith("-") and "i" in t[1:].split("e")[0] for t in lits):
        for arg in rest + ([script] if script else []):
            for v in arg:
                check_write(a, v, scope, "`perl -i`")
    if module is not None:
        if module.split(".")[0] in C.KEYRING_MODULES:
            a.hit(DENY, "bash.keyring", f"`{base} -m {module}` reaches the OS keyring, where secretguard keeps "
                                        "its credentials")
            return
        if module in ("secretguard", "secretguard.cli", "secretguard.entry"):
            from secretguard.guard.shell.handlers.tamper import secretguard  # only `python -m secretguard` needs it

            secretguard(a, base, rest, literals(rest), scope, stdin)
            return
        if module in ("pip",) and any(plain(v) == "uninstall" for arg in rest for v in arg) and \
                any("secretguard" in plain(v) for arg in rest for v in arg):
            a.hit(DENY, "bash.tamper", "uninstalling secretguard would remove the guard")
        generic(a, f"{base} -m {module}", rest, scope)
        return
    for code in codes:
        if any(not is_static(c) for c in code):
            a.hit(ASK, "bash.oneliner", f"`{base}` runs code computed at run time")
            continue
        for c in code:
            check_code(a, plain(c), lang, base, scope)
    if codes:
        generic(a, base, ([script] if script else []) + rest, scope)
        return
    if script is not None and plain(script[0]) != "-":
        generic(a, base, [script] + rest, scope)
        return
    if stdin is not None and stdin.text is not None:
        check_code(a, stdin.text, lang, base, scope)
    elif stdin is not None and stdin.source == "pipe":
        a.hit(ASK, "bash.oneliner", f"`{base}` runs code piped in from another command")
    generic(a, base, rest, scope)


def shell(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
          stdin: Stdin | None) -> None:
    """bash, sh, zsh...: the -c string, the script piped in, or the script file they run."""
    i = 0
    while i < len(args):
        t = lits[i]
        if t is None:
            a.hit(ASK, "bash.dynamic", f"`{base}` is given arguments computed at run time")
            return
        if t == "-c" or (t.startswith("-") and not t.startswith("--") and "c" in t[1:] and t[1] != "o"):
            if i + 1 >= len(args):
                return
            positional = args[i + 3:] if i + 2 < len(args) else []
            a.command_string(args[i + 1], scope, positional, f"`{base} -c`")
            return
        if t in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if t.startswith(("-", "+")) and t not in ("-", "--"):
            i += 1
            continue
        if t == "--":
            i += 1
            if i >= len(args):
                break
        # a script file: it runs; we only check that it is not a credential file
        check_read(a, args[i][0], scope, f"`{base}`", dyn=ASK)
        generic(a, base, args[i + 1:], scope)
        return
    if stdin is not None and stdin.text is not None:
        a.run_text(stdin.text, scope.child(), 1, f"the script piped into `{base}`")
    elif stdin is not None and stdin.source == "pipe":
        a.hit(ASK, "bash.dynamic", f"`{base}` runs commands piped in from another command")


def eval_(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
          stdin: Stdin | None) -> None:
    """eval: its arguments run as a command line."""
    text = []
    for arg in args:
        if len(arg) != 1 or not is_static(arg[0]):
            a.hit(ASK, "bash.dynamic", "`eval` runs a command computed at run time")
            return
        text.append(plain(arg[0]))
    a.run_text(" ".join(text), scope, 1, "`eval`")


def source(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
           stdin: Stdin | None) -> None:
    """source, `.`: the script is read into this shell."""
    if args:
        for v in args[0]:
            check_read(a, v, scope, f"`{base}`", dyn=ASK)
        generic(a, base, args[1:], scope)
