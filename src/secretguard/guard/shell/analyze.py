"""The analysis: walk the parsed command, expand its words as far as they can be known, and hand
every simple command to its handler (handlers/) to judge what it reads, dumps or tampers with.

Hits are (level, rule, reason); the strongest level wins. Paths are judged in paths.py by the
predicates in the GuardEnv, so the analysis itself knows nothing of rules files or scans.
"""

from __future__ import annotations

import os
import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import literals
from secretguard.guard.shell.handlers import handler
from secretguard.guard.shell.names import is_secret_var
from secretguard.guard.shell.output import output_of, substitution
from secretguard.guard.shell.parse import ParseError, expansion_parts, parse_script_text
from secretguard.guard.shell.paths import check_read, check_write, generic
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin, _TooBig
from secretguard.guard.shell.tree import (Arith, CmdSub, Compound, FuncDef, Lit, Param, ProcSub, Script, Simple, Tilde,
                                          Word)
from secretguard.guard.shell.words import (BENIGN, DYN, MAX_FIELDS, SPLIT, as_value, brace_expand, is_static, mark,
                                           piece_split, plain, split_fields)

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell import GuardEnv

MAX_NODES = 5000
_XDG_DEFAULTS = {"XDG_STATE_HOME": ".local/state", "XDG_CONFIG_HOME": ".config", "XDG_CACHE_HOME": ".cache",
                 "XDG_DATA_HOME": ".local/share"}
_BENIGN_VARS = {"#", "?", "$", "!", "-", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "BASHPID", "PPID", "UID", "EUID",
                "EPOCHSECONDS", "EPOCHREALTIME", "BASH_VERSION", "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE",
                "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "PATH", "IFS", "SHLVL", "COLUMNS", "LINES",
                "PS1", "PS2", "PS4", "BASH", "GROUPS", "COMP_WORDS", "PIPESTATUS", "FUNCNAME", "BASH_SOURCE",
                "DISPLAY", "EDITOR_NOT", "CI", "VIRTUAL_ENV", "CONDA_PREFIX", "GOPATH", "JAVA_HOME", "NODE_ENV"}


class Analyzer:
    """One command's analysis: the hits found so far, and the functions the command defines."""

    def __init__(self, env: GuardEnv) -> None:
        self.env = env
        self.hits: list[tuple[int, str, str]] = []
        self.funcs: set[str] = set()
        self.nodes = 0
        self.quiet = 0      # inside `[ ... ]`: a secret-named variable there reveals nothing
        self.secret_sink = False  # this stage prints into `docker login --password-stdin` and the like

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

    def script(self, script: Script, scope: Scope) -> None:
        for pipeline in script.pipelines:
            self.pipeline(pipeline.commands, scope)

    def pipeline(self, commands: list, scope: Scope) -> None:
        stdin: Stdin | None = None
        for i, node in enumerate(commands):
            stage = scope if len(commands) == 1 else scope.child()
            sink = i + 1 < len(commands) and isinstance(node, Simple) and isinstance(commands[i + 1], Simple) and \
                C.secret_stdin([w.literal() for w in commands[i + 1].words])
            self.secret_sink, saved = sink, self.secret_sink
            try:
                self.node(node, stage, stdin)
            finally:
                self.secret_sink = saved
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
            before = len(self.hits)
            values = self.expand(word, scope, split=False)
            if node.words and is_secret_var(name):
                # `PGPASSWORD=$DB_PASSWORD psql`: handed to the command's environment under a name
                # the guard watches in turn (`env`, `$PGPASSWORD` in a nested shell), not printed
                self._drop_secret_vars(before, len(self.hits))
            self.special_var(name, values, scope)
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
        args = []
        spans = []
        for w in node.words:
            before = len(self.hits)
            args.append(self.expand(w, scope))
            spans.append((before, len(self.hits)))
        self.quiet -= quiet
        uses = C.secret_uses([w.literal() for w in node.words], [w.raw for w in node.words], self.secret_sink)
        for i in sorted(uses, reverse=True):
            self._drop_secret_vars(*spans[i])
        args = [a for a in args if a]
        if args:
            self.run_args(args, scope, stdin)

    def _drop_secret_vars(self, start: int, end: int) -> None:
        """A secret-named variable expanded where the command uses it (`curl -H "...: $TOKEN"`), not
        where it prints it: those hits go; any other hit of the same word stays."""
        self.hits[start:end] = [h for h in self.hits[start:end] if h[1] != "bash.secret-variable"]

    def special_var(self, name: str, values: list[str], scope: Scope) -> None:
        """An assignment to a variable tools act on: a command to run, a file to read, SKIP=secretguard."""
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
        """Judge the redirections; what the command then reads on stdin, if they set it."""
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
        """Run an expanded command line: each name the first word may expand to, with the rest."""
        names = args[0]
        if any(not is_static(n) for n in names):
            self.hit(ASK, "bash.dynamic", "the command to run is computed at run time")
            generic(self, "the command", args[1:], scope)
            return
        for name in dict.fromkeys(plain(n) for n in names):
            self.command(name, args[1:], scope, stdin)

    def command_string(self, arg: list[str], scope: Scope, positional: list[list[str]], what: str) -> None:
        """Run `arg` as a script (`bash -c`, `env -S`, `trap`...): a fresh scope with its own positional arguments."""
        for v in arg:
            if not is_static(v):
                self.hit(ASK, "bash.dynamic", f"{what} runs a command string computed at run time")
                continue
            inner = Scope(scope.cwd, {}, positional)
            self.run_text(plain(v), inner, 1, what)

    # -- commands --------------------------------------------------------------------------
    def command(self, name: str, args: list[list[str]], scope: Scope, stdin: Stdin | None) -> None:
        """Hand the command to its handler: by its name, else by its family (see handlers/__init__.py)."""
        base = name.rsplit("/", 1)[-1] if "/" in name else name
        if name in self.funcs:
            return
        lits = literals(args)
        if "uninstall" in lits and any(t and "secretguard" in t for t in lits):
            self.hit(DENY, "bash.tamper", "uninstalling secretguard would remove the guard")
            return
        handler(base, lits)(self, base, args, lits, scope, stdin)

    # -- expansion -------------------------------------------------------------------------
    def expand(self, word: Word, scope: Scope, split: bool = True) -> list[str]:
        """The values `word` may take (marked: see words.py); `split`: field-split as unquoted words are."""
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
