"""The analysis: walk the parsed command, expand words as far as they can be known, and judge
every simple command for what it reads, dumps or tampers with.

Hits are (level, rule, reason); the strongest level wins. Paths are judged in paths.py by the
predicates in the GuardEnv, so the analysis itself knows nothing of rules files or scans.
"""

from __future__ import annotations

import fnmatch
import os
import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import literals, split_opts
from secretguard.guard.shell.names import SAMPLE_CREDENTIAL_NAMES, is_secret_var
from secretguard.guard.shell.output import output_of, substitution
from secretguard.guard.shell.parse import ParseError, expansion_parts, parse_script_text
from secretguard.guard.shell.paths import abspath, check_code, check_read, check_write, generic, unknown_dir
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin, _TooBig
from secretguard.guard.shell.tree import Arith, CmdSub, Compound, FuncDef, Lit, Param, ProcSub, Simple, Tilde, Word
from secretguard.guard.shell.words import (BENIGN, DYN, MAX_FIELDS, SPLIT, as_value, brace_expand, is_static, mark,
                                           piece_split, plain, split_fields)

MAX_NODES = 5000
_XDG_DEFAULTS = {"XDG_STATE_HOME": ".local/state", "XDG_CONFIG_HOME": ".config", "XDG_CACHE_HOME": ".cache",
                 "XDG_DATA_HOME": ".local/share"}
_RG_TYPES = {"py": ("*.py", "*.pyi"), "python": ("*.py", "*.pyi"), "js": ("*.js", "*.jsx", "*.mjs", "*.cjs"),
             "ts": ("*.ts", "*.tsx"), "go": ("*.go",), "rust": ("*.rs",), "java": ("*.java",), "ruby": ("*.rb",),
             "md": ("*.md", "*.markdown"), "markdown": ("*.md",), "c": ("*.c", "*.h"), "cpp": ("*.cpp", "*.hpp", "*.cc"),
             "sh": ("*.sh", "*.bash"), "html": ("*.html", "*.htm"), "css": ("*.css",), "yaml": ("*.yml", "*.yaml"),
             "toml": ("*.toml",), "php": ("*.php",), "kotlin": ("*.kt",), "swift": ("*.swift",), "sql": ("*.sql",)}
_BENIGN_VARS = {"#", "?", "$", "!", "-", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "BASHPID", "PPID", "UID", "EUID",
                "EPOCHSECONDS", "EPOCHREALTIME", "BASH_VERSION", "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE",
                "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "PATH", "IFS", "SHLVL", "COLUMNS", "LINES",
                "PS1", "PS2", "PS4", "BASH", "GROUPS", "COMP_WORDS", "PIPESTATUS", "FUNCNAME", "BASH_SOURCE",
                "DISPLAY", "EDITOR_NOT", "CI", "VIRTUAL_ENV", "CONDA_PREFIX", "GOPATH", "JAVA_HOME", "NODE_ENV"}
_INTERP = re.compile(r"^(python|pypy|node|nodejs|ruby|perl|php|lua|luajit)(?:[\d.]+)?$")


class Analyzer:
    def __init__(self, env) -> None:
        self.env = env
        self.hits: list[tuple[int, str, str]] = []
        self.funcs: set[str] = set()
        self.nodes = 0
        self.quiet = 0      # inside `[ ... ]`: a secret-named variable there reveals nothing

    def hit(self, level: int, rule: str, reason: str) -> None:
        self.hits.append((level, rule, reason))

    # -- structure -------------------------------------------------------------------------
    def run_text(self, text: str, scope: Scope, depth: int, what: str = "the command") -> None:
        try:
            script = parse_script_text(text, depth)
        except ParseError as exc:
            self.hit(ASK, "bash.unparsed", f"cannot analyze {what}: {exc}")
            return
        self.script(script, scope)

    def script(self, script, scope: Scope) -> None:
        for pipeline in script.pipelines:
            self.pipeline(pipeline.commands, scope)

    def pipeline(self, commands: list, scope: Scope) -> None:
        stdin: Stdin | None = None
        for i, node in enumerate(commands):
            stage = scope if len(commands) == 1 else scope.child()
            self.node(node, stage, stdin)
            if i + 1 < len(commands):
                stdin = output_of(self, commands[:i + 1], stage) or Stdin("pipe")

    def node(self, node, scope: Scope, stdin: Stdin | None) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig
        if isinstance(node, Simple):
            self.simple(node, scope, stdin)
        elif isinstance(node, Compound):
            self.redirects(node.redirects, scope)
            if node.kind == "test":
                self.quiet += 1
                for w in node.words:
                    self.expand(w, scope)
                self.quiet -= 1
            elif node.kind in ("case", "arith"):
                for w in node.words:
                    self.expand(w, scope)
                if node.kind == "arith":
                    self._arith_names(node.words[0].raw)
            elif node.kind in ("for", "select") and node.var:
                if node.items is None:
                    values = [v for arg in (scope.positional or []) for v in arg] or [DYN]
                else:
                    values = [as_value(v) for w in node.items for v in self.expand(w, scope)] or [""]
                scope.vars[node.var] = values[:MAX_FIELDS]
            inner = scope.child() if node.kind == "subshell" else scope
            for body in node.bodies:
                for pipeline in body.pipelines:
                    self.pipeline(pipeline.commands, inner)
        elif isinstance(node, FuncDef):
            self.funcs.add(node.name)
            self.node(node.body, scope.child(), None)

    # -- simple commands -------------------------------------------------------------------
    def simple(self, node: Simple, scope: Scope, stdin: Stdin | None) -> None:
        for name, word in node.assigns:
            values = self.expand(word, scope, split=False)
            self._special_var(name, values, scope)
            if not node.words:
                scope.vars[name] = [as_value(v) for v in values]
        redirected = self.redirects(node.redirects, scope)
        if redirected is not None:
            stdin = redirected
        if not node.words:
            return
        first = node.words[0].literal()
        quiet = first in ("[", "test")
        self.quiet += quiet
        args = [self.expand(w, scope) for w in node.words]
        self.quiet -= quiet
        args = [a for a in args if a]
        if args:
            self.run_args(args, scope, stdin)

    def _special_var(self, name: str, values: list[str], scope: Scope) -> None:
        up = name.upper()
        if up in C.COMMAND_VARS:
            for v in values:
                if is_static(v):
                    self.run_text(plain(v), scope.child(), 1, f"${name}")
                else:
                    self.hit(ASK, "bash.dynamic", f"${name} is set to a command computed at run time")
        elif up in C.FILE_VARS:
            for v in values:
                for piece in piece_split(v, "=@: "):
                    check_read(self, piece, scope, f"${name}", dyn=None)
        elif up == "SKIP" and any("secretguard" in plain(v) for v in values):
            self.hit(DENY, "bash.tamper", "SKIP=secretguard would skip the secretguard commit hook")

    def redirects(self, redirects: list, scope: Scope) -> Stdin | None:
        stdin: Stdin | None = None
        for r in redirects:
            op = r.op
            if op in ("<<", "<<-"):
                doc = r.heredoc
                if doc.quoted:
                    stdin = Stdin("here", doc.body)
                else:
                    values = self._expand_parts(doc.parts, scope, split=False)
                    text = plain(values[0]) if len(values) == 1 and is_static(values[0]) else None
                    stdin = Stdin("here", text)
            elif op == "<<<":
                values = self.expand(r.target, scope, split=False)
                text = plain(values[0]) + "\n" if len(values) == 1 and is_static(values[0]) else None
                stdin = Stdin("here", text)
            elif op in ("<", "<>"):
                for v in self.expand(r.target, scope):
                    check_read(self, v, scope, "the `<` redirection", dyn=ASK)
                    if op == "<>":
                        check_write(self, v, scope, "the `<>` redirection")
                stdin = Stdin("file")
            elif op in (">", ">>", ">|", "&>", "&>>"):
                for v in self.expand(r.target, scope):
                    check_write(self, v, scope, f"the `{op}` redirection")
            elif op in ("<&", ">&"):
                for v in self.expand(r.target, scope):
                    text = plain(v)
                    if not (text.isdigit() or text in ("-", "") or text.endswith("-")):
                        if op == ">&":
                            check_write(self, v, scope, "the `>&` redirection")
                        else:
                            check_read(self, v, scope, "the `<&` redirection", dyn=ASK)
        return stdin

    def run_args(self, args: list[list[str]], scope: Scope, stdin: Stdin | None) -> None:
        names = args[0]
        if any(not is_static(n) for n in names):
            self.hit(ASK, "bash.dynamic", "the command to run is computed at run time")
            generic(self, "the command", args[1:], scope)
            return
        for name in dict.fromkeys(plain(n) for n in names):
            self.command(name, args[1:], scope, stdin)

    # -- expansion -------------------------------------------------------------------------
    def expand(self, word: Word, scope: Scope, split: bool = True) -> list[str]:
        return self._expand_parts(word.parts, scope, split)

    def _expand_parts(self, parts: list, scope: Scope, split: bool) -> list[str]:
        alts = [""]
        for part in parts:
            values = self._part(part, scope) or [""]
            alts = [a + v for a in alts for v in values][:MAX_FIELDS]
        out: list[str] = []
        for a in alts:
            if not split:
                out.append(a.replace(SPLIT, " "))
                continue
            for field in a.split(SPLIT):
                if field == "" and len(parts) and all(isinstance(p, (Param, CmdSub)) and not p.quoted for p in parts):
                    continue  # an empty unquoted expansion vanishes
                out.extend(brace_expand(field))
        return out[:MAX_FIELDS]

    def _part(self, part, scope: Scope) -> list[str]:
        if isinstance(part, Lit):
            return [mark(part.text)] if part.quoted else [part.text]
        if isinstance(part, Tilde):
            home = self.env.home if not part.user else os.path.expanduser("~" + part.user)
            return [mark(home)] if not home.startswith("~") else [DYN]
        if isinstance(part, Param):
            values = self._param(part, scope)
            return values if part.quoted else [split_fields(v) for v in values]
        if isinstance(part, CmdSub):
            self.script(part.body, scope.child())
            items = substitution(self, part.body, scope)
            if items is None:
                return [DYN]
            return [i if i == BENIGN else (mark(i) if part.quoted else split_fields(i)) for i in items]
        if isinstance(part, ProcSub):
            self.script(part.body, scope.child())
            return [BENIGN]
        if isinstance(part, Arith):
            self._expand_parts(part.inner, scope, split=False)
            self._arith_names(part.text)
            return [BENIGN]
        return [DYN]

    def _arith_names(self, text: str) -> None:
        for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
            if is_secret_var(name):
                self.hit(DENY, "bash.secret-variable", f"the command expands the secret-named variable {name}")
                return

    def _param(self, p: Param, scope: Scope) -> list[str]:
        name, op = p.name, p.op
        if p.inner:
            self._expand_parts(p.inner, scope, split=False)  # command substitutions inside run too
        if p.length:
            return [BENIGN]
        if p.indirect:
            if op in ("*", "@"):
                return [BENIGN]
            self.hit(ASK, "bash.dynamic", f"${{!{name}}} reads a variable chosen at run time")
            return [DYN]
        values = self._lookup(name, scope)
        alternative = op.startswith((":+", "+"))
        if values is None and is_secret_var(name) and not self.quiet and not alternative:
            self.hit(DENY, "bash.secret-variable",
                     f"the command expands ${name}, a secret-named variable: its value would reach the agent")
        prefix = next((x for x in (":-", ":=", ":+", ":?", "-", "=", "+", "?") if op.startswith(x)), None)
        if prefix is not None:
            default = [as_value(v) for v in self._expand_parts(expansion_parts(op[len(prefix):]), scope, False)]
            if prefix in (":+", "+"):
                return default + [""] if values is None else default
            if prefix in (":-", ":=", "-", "="):
                return (values or []) + default if values is not None else [DYN] + default
            return values if values is not None else [DYN]
        if op:
            return [DYN]
        return values if values is not None else [DYN]

    def _lookup(self, name: str, scope: Scope) -> list[str] | None:
        if name in scope.vars:
            return scope.vars[name]
        if name.isdigit():
            if name == "0":
                return [BENIGN]
            if scope.positional is None:
                return None
            index = int(name) - 1
            return scope.positional[index] if index < len(scope.positional) else [""]
        if name in ("@", "*"):
            if scope.positional is None:
                return None
            return [v for arg in scope.positional for v in arg] or [""]
        if name in _BENIGN_VARS:
            return [BENIGN]
        if name == "HOME":
            return [mark(self.env.home)]
        if name in _XDG_DEFAULTS:
            value = os.environ.get(name)
            return [mark(value if value and os.path.isabs(value) else os.path.join(self.env.home, _XDG_DEFAULTS[name]))]
        if name == "PWD":
            return [mark(scope.cwd)] if scope.cwd else None
        return None

    # -- commands --------------------------------------------------------------------------
    def command(self, name: str, args: list[list[str]], scope: Scope, stdin: Stdin | None) -> None:
        base = name.rsplit("/", 1)[-1] if "/" in name else name
        if name in self.funcs:
            return
        lits = literals(args)
        if "uninstall" in lits and any(t and "secretguard" in t for t in lits):
            self.hit(DENY, "bash.tamper", "uninstalling secretguard would remove the guard")
            return
        handler = _HANDLERS.get(base)
        if handler is not None:
            handler(self, base, args, lits, scope, stdin)
            return
        m = _INTERP.match(base)
        if m or base in C.INTERPRETERS:
            self.interpreter(base, m.group(1) if m else base, args, lits, scope, stdin)
            return
        if base in C.SHELLS:
            self.shell(base, args, lits, scope, stdin)
            return
        if base in C.WRAPPERS:
            self.wrapper(base, args, lits, scope, stdin)
            return
        if base in C.RUNNERS:
            self.runner(base, args, lits, scope, stdin)
            return
        found = C.secret_cli(base, lits)
        if found:
            self.hit(found[0], "bash.secret-cli", found[1])
            return
        if base in C.READERS:
            self.reader(base, C.READERS[base], args, lits, scope)
            return
        if base in C.COPIERS:
            self.copier(base, args, lits, scope)
            return
        if base in C.NEUTRAL:
            if base in C.WRITERS:
                for arg in args:
                    for v in arg:
                        check_write(self, v, scope, f"`{base}`")
            return
        generic(self, base, args, scope)

    def reader(self, base: str, spec: C.Spec, args: list[list[str]], lits: list[str | None], scope: Scope,
               recursive: bool = False, hidden: bool = True, skip_first: bool | None = None) -> None:
        opts, operands = split_opts(args, lits, spec)
        pattern_given = False
        for opt, values in opts:
            if opt in ("f", "file", "from-file", "files0-from", "exclude-from", "rawfile", "slurpfile"):
                for value in values[-1:]:
                    for v in value:
                        check_read(self, v, scope, f"`{base}`", dyn=None)
            if opt in ("e", "f", "regexp", "file", "from-file", "expression"):
                pattern_given = True
            if opt in ("o", "output") and base in ("sort",):
                for value in values:
                    for v in value:
                        check_write(self, v, scope, f"`{base} -o`")
        if (spec.pattern_first if skip_first is None else skip_first) and not pattern_given and operands:
            operands = operands[1:]
        if base in ("diff", "zdiff") and any(o in ("r", "recursive") for o, _ in opts):
            recursive = True
        for arg in operands:
            for v in arg:
                check_read(self, v, scope, f"`{base}`", dyn=ASK, recursive=recursive, hidden=hidden)
                if base in C.WRITERS:
                    check_write(self, v, scope, f"`{base}`")

    def copier(self, base: str, args: list[list[str]], lits: list[str | None], scope: Scope) -> None:
        spec = C.COPIERS[base]
        opts, operands = split_opts(args, lits, spec)
        names = {o for o, _ in opts}
        recursive = base in ("rsync",) and bool(names & {"r", "a", "recursive", "archive"}) or \
            bool(names & {"r", "R", "a", "recursive", "archive"})
        for opt, values in opts:
            for value in values:
                for v in value:
                    if opt in ("files-from", "exclude-from", "include-from", "password-file", "F", "b"):
                        check_read(self, v, scope, f"`{base}`", dyn=None)
                    elif opt in ("t", "target-directory"):
                        check_write(self, v, scope, f"`{base}`")
        has_target = bool(names & {"t", "target-directory"})
        sources = operands if has_target or len(operands) < 2 else operands[:-1]
        for arg in sources:
            for v in arg:
                for piece in ([v] + [p for p in piece_split(v, ":")[1:]]):
                    check_read(self, piece, scope, f"`{base}`", dyn=ASK if piece is v else None, recursive=recursive)
        for arg in operands:
            for v in arg:
                check_write(self, v, scope, f"`{base}`")

    def interpreter(self, base: str, kind: str, args: list[list[str]], lits: list[str | None], scope: Scope,
                    stdin: Stdin | None) -> None:
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
                        generic(self, base, [args[i + 1]], scope)
                    else:
                        generic(self, base, [[mark(val)]], scope)
                    i += 1 if eq else 2
                else:
                    if eq:
                        generic(self, base, [[mark(val)]], scope)
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
                        generic(self, base, [value], scope)
                    break
                j += 1
            i += consumed
            if module is not None:
                rest = args[i:]
                break
        if kind == "perl" and any(t and t.startswith("-") and "i" in t[1:].split("e")[0] for t in lits):
            for arg in rest + ([script] if script else []):
                for v in arg:
                    check_write(self, v, scope, "`perl -i`")
        if module is not None:
            if module in ("secretguard", "secretguard.cli", "secretguard.entry"):
                self.secretguard(base, rest, literals(rest),
                                 scope, stdin)
                return
            if module in ("pip",) and any(plain(v) == "uninstall" for a in rest for v in a) and \
                    any("secretguard" in plain(v) for a in rest for v in a):
                self.hit(DENY, "bash.tamper", "uninstalling secretguard would remove the guard")
            generic(self, f"{base} -m {module}", rest, scope)
            return
        for code in codes:
            if any(not is_static(c) for c in code):
                self.hit(ASK, "bash.oneliner", f"`{base}` runs code computed at run time")
                continue
            for c in code:
                check_code(self, plain(c), lang, base, scope)
        if codes:
            generic(self, base, ([script] if script else []) + rest, scope)
            return
        if script is not None and plain(script[0]) != "-":
            generic(self, base, [script] + rest, scope)
            return
        if stdin is not None and stdin.text is not None:
            check_code(self, stdin.text, lang, base, scope)
        elif stdin is not None and stdin.source == "pipe":
            self.hit(ASK, "bash.oneliner", f"`{base}` runs code piped in from another command")
        generic(self, base, rest, scope)

    def shell(self, base: str, args: list[list[str]], lits: list[str | None], scope: Scope, stdin: Stdin | None) -> None:
        i = 0
        while i < len(args):
            t = lits[i]
            if t is None:
                self.hit(ASK, "bash.dynamic", f"`{base}` is given arguments computed at run time")
                return
            if t == "-c" or (t.startswith("-") and not t.startswith("--") and "c" in t[1:] and t[1] != "o"):
                if i + 1 >= len(args):
                    return
                positional = args[i + 3:] if i + 2 < len(args) else []
                self._command_string(args[i + 1], scope, positional, f"`{base} -c`")
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
            check_read(self, args[i][0], scope, f"`{base}`", dyn=ASK)
            generic(self, base, args[i + 1:], scope)
            return
        if stdin is not None and stdin.text is not None:
            self.run_text(stdin.text, scope.child(), 1, f"the script piped into `{base}`")
        elif stdin is not None and stdin.source == "pipe":
            self.hit(ASK, "bash.dynamic", f"`{base}` runs commands piped in from another command")

    def _command_string(self, arg: list[str], scope: Scope, positional: list[list[str]], what: str) -> None:
        for v in arg:
            if not is_static(v):
                self.hit(ASK, "bash.dynamic", f"{what} runs a command string computed at run time")
                continue
            inner = Scope(scope.cwd, {}, positional)
            self.run_text(plain(v), inner, 1, what)

    # -- special commands ------------------------------------------------------------------
    def cmd_eval(self, base, args, lits, scope, stdin) -> None:
        text = []
        for arg in args:
            if len(arg) != 1 or not is_static(arg[0]):
                self.hit(ASK, "bash.dynamic", "`eval` runs a command computed at run time")
                return
            text.append(plain(arg[0]))
        self.run_text(" ".join(text), scope, 1, "`eval`")

    def cmd_source(self, base, args, lits, scope, stdin) -> None:
        if args:
            for v in args[0]:
                check_read(self, v, scope, f"`{base}`", dyn=ASK)
            generic(self, base, args[1:], scope)

    def cmd_cd(self, base, args, lits, scope, stdin) -> None:
        operands = [(a, t) for a, t in zip(args, lits) if not (t and t.startswith("-") and t != "-")]
        if not operands:
            scope.cwd = self.env.home if base == "cd" else scope.cwd
            return
        arg, t = operands[0]
        if t is None or t == "-":
            scope.cwd = None
            return
        scope.cwd = abspath(t, scope)

    def cmd_env(self, base, args, lits, scope, stdin) -> None:
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
                    self._command_string(args[i + 1], scope, [], "`env -S`")
                return
            if t.startswith("-") and t != "-":
                i += 1
                continue
            if "=" in t and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t):
                name, _, value = t.partition("=")
                self._special_var(name, [mark(value)], scope)
                i += 1
                continue
            break
        if i >= len(args):
            self.hit(DENY, "bash.env-dump", "`env` prints the whole environment, secrets included")
            return
        self.run_args(args[i:], scope, stdin)

    def cmd_printenv(self, base, args, lits, scope, stdin) -> None:
        names = [t for t in lits if not (t and t.startswith("-"))]
        if not names:
            self.hit(DENY, "bash.env-dump", "`printenv` prints the whole environment, secrets included")
        elif any(t is None or is_secret_var(t) for t in names):
            self.hit(DENY, "bash.secret-variable", "`printenv` would print a secret-named variable")

    def cmd_set(self, base, args, lits, scope, stdin) -> None:
        if not args:
            self.hit(DENY, "bash.env-dump", "`set` with no arguments prints every variable, secrets included")
        elif lits[0] == "--":
            scope.positional = args[1:]

    def cmd_export(self, base, args, lits, scope, stdin) -> None:
        names = [(a, t) for a, t in zip(args, lits) if not (t and t.startswith("-"))]
        flags = [t for t in lits if t and t.startswith("-")]
        if not names:
            if base == "local" or (flags and all(set(f[1:]) <= set("fF") for f in flags)):
                return
            self.hit(DENY, "bash.env-dump", f"`{base}` with no names prints variables, secrets included")
            return
        for arg, t in names:
            if t is not None and "=" in t:
                name, _, value = t.partition("=")
                self._special_var(name, [mark(value)], scope)
                scope.vars[name] = [as_value(v[v.find("=") + 1:] if "=" in plain(v) else v) for v in arg]
            elif t is not None and any("p" in f for f in flags) and is_secret_var(t):
                self.hit(DENY, "bash.secret-variable", f"`{base} -p {t}` prints a secret-named variable")

    def cmd_ps(self, base, args, lits, scope, stdin) -> None:
        for t in lits:
            if t and not t.startswith("-") and re.fullmatch(r"[a-zA-Z]+", t) and "e" in t:
                self.hit(DENY, "bash.env-dump", "`ps e` prints the environment of processes")
                return
            if t in ("-E", "--environment"):
                self.hit(DENY, "bash.env-dump", "`ps -E` prints the environment of processes")
                return

    def cmd_trap(self, base, args, lits, scope, stdin) -> None:
        if args and lits[0] not in ("-", "-l", "-p", ""):
            self._command_string(args[0], scope, [], "`trap`")

    def cmd_alias(self, base, args, lits, scope, stdin) -> None:
        for t in lits:
            if t and "=" in t:
                self.run_text(t.split("=", 1)[1], scope.child(), 1, "the alias")

    def cmd_watch(self, base, args, lits, scope, stdin) -> None:
        i = 0
        while i < len(args) and lits[i] and lits[i].startswith("-"):
            i += 2 if lits[i] in ("-n", "--interval", "-q", "--equexit", "--differences-not") else 1
        rest = args[i:]
        if any(len(a) != 1 or not is_static(a[0]) for a in rest):
            self.hit(ASK, "bash.dynamic", "`watch` runs a command computed at run time")
            return
        self.run_text(" ".join(plain(a[0]) for a in rest), scope.child(), 1, "`watch`")

    def wrapper(self, base, args, lits, scope, stdin) -> None:
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
                    self._command_string([mark(t.split("=", 1)[1])] if eq else args[i + 1], scope, [], f"`{base}`")
                    return
                i += 1 if eq or key not in long else 2
                continue
            letters = t[1:]
            for k, ch in enumerate(letters):
                if cmd_opt and ch == cmd_opt:
                    value = [mark(letters[k + 1:])] if k + 1 < len(letters) else (args[i + 1] if i + 1 < len(args) else [""])
                    self._command_string(value, scope, [], f"`{base} -{cmd_opt}`")
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
            self.run_args(args[i:], scope, stdin)

    def runner(self, base, args, lits, scope, stdin) -> None:
        sub, short, long = C.RUNNERS[base]
        i = 0
        if sub:
            while i < len(args) and lits[i] != sub:
                if lits[i] is None:
                    return
                i += 1
            if i >= len(args):
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
                    check_read(self, mark(t.split("=", 1)[1]) if eq else args[i + 1][0], scope, f"`{base}`", dyn=None)
                i += 1 if eq or key not in long else 2
                continue
            i += 2 if len(t) == 2 and t[1] in short else 1
        if base == "direnv":
            i += 1  # direnv exec DIR CMD
        if base in ("direnv", "aws-vault"):
            self.hit(ASK, "bash.secret-cli", f"`{base}` runs a command with secrets in its environment")
            if base == "aws-vault":
                while i < len(args) and lits[i] != "--":
                    i += 1
                i += 1
        if i < len(args):
            self.run_args(args[i:], scope, stdin)

    def cmd_xargs(self, base, args, lits, scope, stdin) -> None:
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
                    check_read(self, v, scope, "`xargs -a`", dyn=ASK)
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
                argv = [[_replace(v, replace, fill) for v in a] for a in sub]
            else:
                argv = sub + [[fill]]
            self.run_args(argv, scope, None)

    def cmd_find(self, base, args, lits, scope, stdin) -> None:
        self._find(args, scope, estimate=False)

    def _find(self, args: list[list[str]], scope: Scope, estimate: bool) -> list[str] | None:
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
        execs: list[list[list[str]]] = []
        while i < len(args):
            t = lits[i]
            if t in ("-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex"):
                names.append((t, lits[i + 1] if i + 1 < len(args) else None))
                i += 2
            elif t in ("-exec", "-execdir", "-ok", "-okdir"):
                j = i + 1
                while j < len(args) and lits[j] not in (";", "+"):
                    j += 1
                execs.append(args[i + 1:j])
                i = j + 1
            elif t in ("-fprint", "-fprint0", "-fls", "-fprintf"):
                if i + 1 < len(args):
                    for v in args[i + 1]:
                        check_write(self, v, scope, f"`find {t}`")
                i += 3 if t == "-fprintf" else 2
            elif t in ("-files0-from",):
                if i + 1 < len(args):
                    for v in args[i + 1]:
                        check_read(self, v, scope, "`find -files0-from`", dyn=ASK)
                i += 2
            else:
                i += 1
        if not execs and not estimate:
            return None
        found = self._find_matches(roots or [[mark(".")]], names, scope)
        for sub in execs:
            if not sub:
                continue
            if found is None:
                fills = [DYN]
            else:
                fills = [mark(f) for f in found[:5]] + [BENIGN]
            for fill in fills:
                self.run_args([[_replace(v, "{}", fill) for v in a] for a in sub], scope.child(), None)
        return found

    def _find_matches(self, roots: list[list[str]], names: list[tuple[str, str | None]], scope: Scope) -> list[str] | None:
        out: list[str] = []
        for arg in roots:
            for v in arg:
                if not is_static(v):
                    return None
                root = abspath(plain(v), scope)
                if root is None:
                    return None
                if os.path.isdir(root):
                    found = self.env.secret_files_under(root, hidden=True)
                    if found is None:
                        return None
                else:
                    found = [root] if os.path.lexists(root) and self.env.secret_path(root) else []
                shown = plain(v).rstrip("/") or "/"
                found = list(found) + self._named_candidates(root, names)
                for f in found:
                    rel = os.path.relpath(f, root) if f != root else ""
                    as_printed = shown + ("/" + rel if rel else "")
                    if not names or any(_find_match(kind, pat, f, as_printed) for kind, pat in names):
                        out.append(f)
        return out

    def _named_candidates(self, root: str, names: list[tuple[str, str | None]]) -> list[str]:
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
                if self.env.secret_name(unknown_dir(self.env.home, name)):
                    out.append(os.path.join(root, name))
        return out

    def cmd_tmux(self, base, args, lits, scope, stdin) -> None:
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
                self.hit(ASK, "bash.dynamic", f"`{base}` runs a command computed at run time")
                continue
            if t in valued:
                skip = True
                continue
            if not t.startswith("-"):
                self.run_text(t, scope.child(), 1, f"the command given to `{base}`")

    def cmd_grep(self, base, args, lits, scope, stdin) -> None:
        spec = _GREP_SPECS.get(base, _GREP_SPECS["grep"])
        opts, operands = split_opts(args, lits, spec)
        names = {o for o, _ in opts}
        pattern_given = bool(names & {"e", "f", "regexp", "file"})
        for opt, values in opts:
            if opt in ("f", "file", "exclude-from", "ignore-file"):
                for value in values:
                    for v in value:
                        check_read(self, v, scope, f"`{base} -{opt}`" if len(opt) == 1 else f"`{base} --{opt}`", dyn=None)
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
                check_read(self, v, scope, f"`{base}`", dyn=ASK, recursive=recursive, hidden=hidden,
                           only=(tuple(include), tuple(exclude)))

    def cmd_sed(self, base, args, lits, scope, stdin) -> None:
        spec = C.Spec("efl", ("expression", "file", "line-length"))
        opts, operands = split_opts(args, lits, spec)
        scripts = [v for o, vals in opts if o in ("e", "expression") for val in vals for v in val]
        for o, vals in opts:
            if o in ("f", "file"):
                for val in vals:
                    for v in val:
                        check_read(self, v, scope, "`sed -f`", dyn=None)
        if not scripts and not any(o in ("f", "file") for o, _ in opts) and operands:
            scripts, operands = operands[0], operands[1:]
        in_place = any(o in ("i", "in-place") for o, _ in opts) or any(
            t and t.startswith("-") and not t.startswith("--") and "i" in t for t in lits)
        for s in scripts:
            text = plain(s)
            for m in re.finditer(r"(?:^|[;\n{}]|\d|\$|/)\s*([rRwW])\s+([^;\n}]+)", text):
                target = mark(m.group(2).strip())
                if m.group(1) in "rR":
                    check_read(self, target, scope, "`sed r`", dyn=None)
                else:
                    check_write(self, target, scope, "`sed w`")
            if re.search(r"(?:^|[;\n{}])\s*(?:\d+|\$)?\s*e(?:\s|$)|s(.).*?\1.*?\1[gpiImM0-9]*e", text):
                self.hit(ASK, "bash.oneliner", "the sed script runs commands (`e`)")
        for arg in operands:
            for v in arg:
                check_read(self, v, scope, f"`{base}`", dyn=ASK)
                if in_place:
                    check_write(self, v, scope, "`sed -i`")

    def cmd_awk(self, base, args, lits, scope, stdin) -> None:
        spec = C.Spec("fvF", ("file", "assign", "field-separator", "source", "include", "load"))
        opts, operands = split_opts(args, lits, spec)
        programs: list[str] = []
        for o, vals in opts:
            for val in vals:
                for v in val:
                    if o in ("f", "file", "include"):
                        check_read(self, v, scope, f"`{base} -f`", dyn=None)
                    elif o in ("source",):
                        programs.append(v)
                    elif o in ("v", "assign"):
                        generic(self, base, [[v]], scope)
        if not programs and not any(o in ("f", "file") for o, _ in opts) and operands:
            programs, operands = operands[0], operands[1:]
        for p in programs:
            if not is_static(p):
                self.hit(ASK, "bash.oneliner", f"`{base}` runs a program computed at run time")
            else:
                check_code(self, plain(p), "awk", base, scope)
        for arg in operands:
            for v in arg:
                if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", plain(v)):
                    continue
                check_read(self, v, scope, f"`{base}`", dyn=ASK)

    def cmd_tee(self, base, args, lits, scope, stdin) -> None:
        for arg, t in zip(args, lits):
            if t and t.startswith("-"):
                continue
            for v in arg:
                check_write(self, v, scope, "`tee`")

    def cmd_dd(self, base, args, lits, scope, stdin) -> None:
        for arg in args:
            for v in arg:
                text = plain(v)
                if text.startswith("if="):
                    check_read(self, mark(text[3:]) if is_static(v) else DYN, scope, "`dd`", dyn=ASK)
                elif text.startswith("of="):
                    check_write(self, mark(text[3:]), scope, "`dd`")

    def cmd_tar(self, base, args, lits, scope, stdin) -> None:
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
                    generic(self, base, [[v]], scope)
        opts, operands = split_opts(rest_args, rest_lits, value_opts)
        for o, vals in opts:
            for val in vals:
                for v in val:
                    if o in ("T", "files-from", "exclude-from"):
                        check_read(self, v, scope, f"`{base}`", dyn=ASK)
                    elif o in ("to-command", "use-compress-program", "I"):
                        self._command_string([v], scope, [], f"`{base} --to-command`")
                    else:
                        generic(self, base, [[v]], scope)
        for arg in operands:
            for v in arg:
                if create:
                    check_read(self, v, scope, f"`{base}`", dyn=ASK, recursive=True)
                else:
                    generic(self, base, [[v]], scope)

    def cmd_zip(self, base, args, lits, scope, stdin) -> None:
        opts, operands = split_opts(args, lits, C.Spec("bnOPtTx", ("temp-path", "suffixes", "output-file",
                                                                     "password", "exclude", "include")))
        names = {o for o, _ in opts}
        if base in ("7z", "7za", "7zr"):
            if operands and lits and lits[0] in ("a", "u"):
                for arg in operands[2:]:
                    for v in arg:
                        check_read(self, v, scope, f"`{base}`", dyn=ASK, recursive=True)
            else:
                generic(self, base, args, scope)
            return
        if base in ("unzip",):
            generic(self, base, args, scope)
            return
        recursive = bool(names & {"r", "R", "recurse-paths"})
        for arg in operands[1:]:
            for v in arg:
                check_read(self, v, scope, f"`{base}`", dyn=ASK, recursive=recursive)

    def cmd_ssh(self, base, args, lits, scope, stdin) -> None:
        opts, operands = split_opts(args, lits, C.Spec("BbcDEeFIiJLlmOoPpQRSWw", ()), stop_at_operand=True)
        for o, vals in opts:
            for val in vals:
                for v in val:
                    if o == "o" and re.match(r"(?i)^\s*(proxycommand|localcommand|knownhostscommand)", plain(v)):
                        self.hit(ASK, "bash.dynamic", "`ssh -o ...Command=` runs a local command")
                    elif o == "F":
                        check_read(self, v, scope, "`ssh -F`", dyn=None)
        if len(operands) > 1:
            remote = operands[1:]
            if any(len(a) != 1 or not is_static(a[0]) for a in remote):
                self.hit(ASK, "bash.dynamic", "`ssh` runs a remote command computed at run time")
                return
            self.run_text(" ".join(plain(a[0]) for a in remote), Scope(None, {}, None), 1, "the remote command")
        elif stdin is not None and stdin.text is not None:
            self.run_text(stdin.text, Scope(None, {}, None), 1, "the remote script")

    def cmd_container_exec(self, base, args, lits, scope, stdin) -> None:
        positional = [i for i, t in enumerate(lits) if t is not None and not t.startswith("-")]
        if not positional:
            return
        sub = lits[positional[0]]
        words = [t for t in lits if t is not None and not t.startswith("-")]
        if (base == "docker-compose" and words[:1] in (["config"], ["convert"])) or \
                (sub == "compose" and words[1:2] in (["config"], ["convert"])):
            self.hit(DENY, "bash.secret-cli", "`docker compose config` prints the configuration with the .env "
                                              "values filled in")
            return
        if base in ("docker", "podman", "nerdctl") and sub in ("exec", "run") or \
                base in ("kubectl", "oc") and sub == "exec":
            if "--" in lits:
                rest = args[lits.index("--") + 1:]
            elif base in ("kubectl", "oc"):
                rest = []
            else:
                value_opts = {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "-v", "--volume",
                              "--name", "-p", "--publish", "--network", "--entrypoint", "--mount", "-l", "--label",
                              "--platform", "--pull", "-m", "--memory", "--cpus", "--gpus", "--add-host", "--hostname",
                              "-h", "--restart", "--user", "--detach-keys", "--cidfile", "--log-driver", "--shm-size"}
                i = positional[0] + 1
                while i < len(args) and lits[i] and lits[i].startswith("-"):
                    t = lits[i]
                    if t in ("--env-file",) and i + 1 < len(args):
                        check_read(self, args[i + 1][0], scope, f"`{base} {sub} --env-file`", dyn=None)
                    i += 2 if t in value_opts else 1
                rest = args[i + 1:]  # skip the container or image
            if rest:
                self.run_args(rest, Scope(None, {}, None), stdin)
            generic(self, base, args, scope)
            return
        found = C.secret_cli(base, lits)
        if found:
            self.hit(found[0], "bash.secret-cli", found[1])
            return
        generic(self, base, args, scope)

    def cmd_git(self, base, args, lits, scope, stdin) -> None:
        i = 0
        sub_scope = scope
        while i < len(args) and lits[i] and lits[i].startswith("-"):
            t = lits[i]
            if t in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"):
                value = lits[i + 1] if i + 1 < len(args) else None
                if t == "-C":
                    sub_scope = Scope(abspath(value, scope) if value else None, scope.vars, scope.positional)
                elif t in ("-c", "--config-env") and value is not None:
                    self._git_config_key(value.split("=", 1)[0], set_value="=" in value or t == "--config-env")
                elif t == "-c":
                    self.hit(ASK, "bash.dynamic", "`git -c` sets configuration computed at run time")
                i += 2
            else:
                i += 1
        if i >= len(args):
            return
        sub = lits[i]
        rest, rest_lits = args[i + 1:], lits[i + 1:]
        if sub is None:
            self.hit(ASK, "bash.dynamic", "the git subcommand is computed at run time")
            return
        if sub.startswith("credential"):
            self.hit(DENY, "bash.secret-cli", f"`git {sub}` reads stored credentials")
            return
        if sub == "config":
            keys = [t for t in rest_lits if t and not t.startswith("-")]
            setting = len(keys) >= 2 and not any(t in ("--get", "--get-all", "--get-regexp", "--get-urlmatch")
                                                 for t in rest_lits)
            if keys:
                self._git_config_key(keys[0], set_value=setting)
            elif any(t is None for t in rest_lits):
                self.hit(ASK, "bash.dynamic", "`git config` key computed at run time")
            return
        if sub in ("commit", "push", "merge", "rebase", "am", "cherry-pick", "revert", "pull", "switch", "checkout") and (
                "--no-verify" in rest_lits or (sub == "commit" and any(_short_flag(t, "n", "mFCct") for t in rest_lits))):
            self.hit(DENY, "bash.tamper", f"`git {sub} --no-verify` skips the secretguard commit gate")
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
                generic(self, f"git {sub}", rest, sub_scope)
            return
        if sub == "grep":
            spec = C.Spec("efABCm", ("regexp", "file", "after-context", "before-context", "context", "max-count",
                                     "max-depth", "threads", "open-files-in-pager"))
            opts, operands = split_opts(rest, rest_lits, spec)
            names = {o for o, _ in opts}
            if not names & {"e", "f", "regexp", "file"} and operands:
                operands = operands[1:]
            for arg in [a for a in operands if not (len(a) == 1 and plain(a[0]) == "--")] or [[mark(".")]]:
                for v in arg:
                    check_read(self, v, sub_scope, "`git grep`", dyn=ASK, recursive=True, hidden=True)
            return
        if sub == "mv":
            for arg in rest:
                for v in arg:
                    check_read(self, v, sub_scope, "`git mv`", dyn=None)
            return
        generic(self, f"git {sub}", rest, sub_scope)

    def _git_config_key(self, key: str, set_value: bool) -> None:
        low = key.lower()
        if low.startswith("credential") or any(w in low for w in ("extraheader", "password", "token", "passwd")):
            self.hit(DENY, "bash.secret-cli", f"`git config {key}` reads or changes stored credentials")
        elif set_value and (low in ("core.hookspath", "core.pager", "core.editor", "core.sshcommand", "core.fsmonitor",
                                    "diff.external", "include.path", "sequence.editor", "core.askpass")
                            or low.startswith(("alias.", "includeif.")) or low.endswith((".textconv", ".command"))):
            if low == "core.hookspath":
                self.hit(DENY, "bash.tamper", "changing core.hooksPath would disable the secretguard commit gate")
            else:
                self.hit(ASK, "bash.dynamic", f"`git -c {key}=...` makes git run a command")

    def cmd_secretguard(self, base, args, lits, scope, stdin) -> None:
        self.secretguard(base, args, lits, scope, stdin)

    def secretguard(self, base, args, lits, scope, stdin) -> None:
        i = 0
        while i < len(lits) and lits[i] in ("--debug",):
            i += 1
        if i >= len(lits):
            return
        sub = lits[i]
        if sub is None:
            self.hit(ASK, "bash.dynamic", "the secretguard subcommand is computed at run time")
            return
        if sub == "exec":
            self._secretguard_exec(args[i + 1:], lits[i + 1:], scope, stdin)
            return
        if sub == "audit":
            nxt = next((t for t in lits[i + 1:] if t is None or not t.startswith("-")), "show")
            if nxt in ("show", "verify", "list", "tail"):
                return
            self.hit(DENY, "bash.tamper", f"`secretguard audit {nxt}` is for a human, not the agent")
            return
        if sub in C.SECRETGUARD_ALLOWED:
            return
        if sub in C.SECRETGUARD_DENIED:
            self.hit(DENY, "bash.tamper", f"`secretguard {sub}` is for a human: an agent must not approve or "
                                          "configure its own access")
            return
        self.hit(ASK, "bash.tamper", f"`secretguard {sub}` is not a command the guard knows to be safe")

    def _secretguard_exec(self, args, lits, scope, stdin) -> None:
        i = 0
        while i < len(lits):
            t = lits[i]
            if t is None:
                self.hit(ASK, "bash.dynamic", "`secretguard exec` options computed at run time")
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
        before = len(self.hits)
        self.run_args(child, scope, stdin)
        child_lits = literals(child)
        if any(t is None for t in child_lits):
            self.hit(ASK, "bash.exec-profile", "`secretguard exec` runs a command computed at run time")
            return
        decide = self.env.exec_decision
        if decide is None:
            self.hit(ASK, "bash.exec-profile", "`secretguard exec` hands secrets to a command: a human decides")
            return
        # the env dump / secret-variable checks do not apply to what exec masks; file reads still do
        del before
        level, reason = decide(["secretguard", "exec", *[t for t in lits]])
        self.hit(level, "bash.exec-profile", reason)

    def cmd_pip(self, base, args, lits, scope, stdin) -> None:
        if "uninstall" in lits and any(t and "secretguard" in t for t in lits):
            self.hit(DENY, "bash.tamper", "uninstalling secretguard would remove the guard")
            return
        generic(self, base, args, scope)

    def cmd_precommit(self, base, args, lits, scope, stdin) -> None:
        if lits[:1] == ["uninstall"]:
            self.hit(DENY, "bash.tamper", "`pre-commit uninstall` would remove the secretguard commit gate")
            return
        generic(self, base, args, scope)


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


def _replace(value: str, token: str, fill: str) -> str:
    marked = mark(token)
    if marked in value:
        value = value.replace(marked, fill)
    return value.replace(token, fill)


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

_HANDLERS = {
    "eval": Analyzer.cmd_eval, "source": Analyzer.cmd_source, ".": Analyzer.cmd_source,
    "cd": Analyzer.cmd_cd, "pushd": Analyzer.cmd_cd,
    "env": Analyzer.cmd_env, "printenv": Analyzer.cmd_printenv, "set": Analyzer.cmd_set,
    "export": Analyzer.cmd_export, "declare": Analyzer.cmd_export, "typeset": Analyzer.cmd_export,
    "local": Analyzer.cmd_export, "readonly": Analyzer.cmd_export,
    "ps": Analyzer.cmd_ps, "trap": Analyzer.cmd_trap, "alias": Analyzer.cmd_alias, "watch": Analyzer.cmd_watch,
    "xargs": Analyzer.cmd_xargs, "find": Analyzer.cmd_find,
    "grep": Analyzer.cmd_grep, "egrep": Analyzer.cmd_grep, "fgrep": Analyzer.cmd_grep, "zgrep": Analyzer.cmd_grep,
    "rg": Analyzer.cmd_grep, "ag": Analyzer.cmd_grep, "ack": Analyzer.cmd_grep, "ack-grep": Analyzer.cmd_grep,
    "sed": Analyzer.cmd_sed, "gsed": Analyzer.cmd_sed,
    "awk": Analyzer.cmd_awk, "gawk": Analyzer.cmd_awk, "mawk": Analyzer.cmd_awk, "nawk": Analyzer.cmd_awk,
    "tee": Analyzer.cmd_tee, "dd": Analyzer.cmd_dd, "tar": Analyzer.cmd_tar, "bsdtar": Analyzer.cmd_tar,
    "gtar": Analyzer.cmd_tar, "zip": Analyzer.cmd_zip, "7z": Analyzer.cmd_zip, "7za": Analyzer.cmd_zip,
    "7zr": Analyzer.cmd_zip, "unzip": Analyzer.cmd_zip,
    "ssh": Analyzer.cmd_ssh,
    "docker": Analyzer.cmd_container_exec, "podman": Analyzer.cmd_container_exec,
    "nerdctl": Analyzer.cmd_container_exec, "kubectl": Analyzer.cmd_container_exec, "oc": Analyzer.cmd_container_exec,
    "git": Analyzer.cmd_git, "secretguard": Analyzer.cmd_secretguard,
    "pip": Analyzer.cmd_pip, "pip3": Analyzer.cmd_pip,
    "pre-commit": Analyzer.cmd_precommit, "tmux": Analyzer.cmd_tmux, "docker-compose": Analyzer.cmd_container_exec,
}
