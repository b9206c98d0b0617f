"""A small Bash parser: enough of the grammar to see every command a string would run.

It reads what Claude's Bash tool hands the shell: lists, pipelines, `&&`/`||`, subshells, brace
groups, if/while/until/for/case, functions, `$(...)`, backticks, `<(...)`, quoting (single,
double, `$'...'`), escapes, parameter and arithmetic expansion, redirections and here-documents.
Anything it does not understand raises ParseError: the guard then asks a human.

Plain classes rather than dataclasses: this runs before every tool call and `dataclasses`
costs ~10 ms to import.
"""

from __future__ import annotations

MAX_DEPTH = 12
META = set(" \t\n;&|()<>")
KEYWORDS = {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "select",
            "case", "esac", "in", "function", "{", "}", "!", "[[", "]]", "time", "coproc"}
REDIR_OPS = ("<<<", "<<-", "&>>", "<<", "<&", "<>", ">>", ">&", ">|", "&>", "<", ">")
CONTROL_OPS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "&", "|", "(", ")")
ANSI_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


class ParseError(Exception):
    """The command is not something this parser can read with confidence."""


# -- the tree ------------------------------------------------------------------------------
class Lit:
    __slots__ = ("text", "quoted")

    def __init__(self, text: str, quoted: bool) -> None:
        self.text, self.quoted = text, quoted


class Tilde:
    __slots__ = ("user",)

    def __init__(self, user: str) -> None:
        self.user = user


class Param:
    """`$name`, `${name...}`: `op` is what follows the name inside braces, `inner` its parts."""
    __slots__ = ("name", "quoted", "op", "inner", "indirect", "length")

    def __init__(self, name: str, quoted: bool, op: str = "", inner: list | None = None,
                 indirect: bool = False, length: bool = False) -> None:
        self.name, self.quoted, self.op, self.inner = name, quoted, op, inner or []
        self.indirect, self.length = indirect, length


class CmdSub:
    __slots__ = ("body", "quoted")

    def __init__(self, body: "Script", quoted: bool) -> None:
        self.body, self.quoted = body, quoted


class ProcSub:
    __slots__ = ("body",)

    def __init__(self, body: "Script") -> None:
        self.body = body


class Arith:
    __slots__ = ("text", "inner")

    def __init__(self, text: str, inner: list) -> None:
        self.text, self.inner = text, inner


class Word:
    __slots__ = ("parts", "raw")

    def __init__(self, parts: list, raw: str) -> None:
        self.parts, self.raw = parts, raw

    def literal(self) -> str | None:
        """The word's text if it has no expansions at all (quotes removed)."""
        if all(isinstance(p, Lit) for p in self.parts):
            return "".join(p.text for p in self.parts)
        return None

    def keyword(self) -> str | None:
        """The reserved word this is, if it is one (unquoted, alone)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Lit) and not self.parts[0].quoted:
            text = self.parts[0].text
            return text if text in KEYWORDS else None
        return None


class HereDoc:
    __slots__ = ("delim", "quoted", "strip_tabs", "body", "parts")

    def __init__(self, delim: str, quoted: bool, strip_tabs: bool) -> None:
        self.delim, self.quoted, self.strip_tabs = delim, quoted, strip_tabs
        self.body = ""
        self.parts: list = []  # expansions inside an unquoted here-document


class Redirect:
    __slots__ = ("op", "fd", "target", "heredoc")

    def __init__(self, op: str, fd: str, target: Word | None, heredoc: HereDoc | None = None) -> None:
        self.op, self.fd, self.target, self.heredoc = op, fd, target, heredoc


class Simple:
    __slots__ = ("assigns", "words", "redirects")

    def __init__(self) -> None:
        self.assigns: list[tuple[str, Word]] = []
        self.words: list[Word] = []
        self.redirects: list[Redirect] = []


class Compound:
    """Subshell, brace group, if, while, until, case, [[ ]], (( )): bodies run in order.

    `kind` is "for"/"select" with `var` and `items` when a loop binds a variable.
    """
    __slots__ = ("kind", "bodies", "redirects", "var", "items", "words")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.bodies: list[Script] = []
        self.redirects: list[Redirect] = []
        self.var: str | None = None
        self.items: list[Word] | None = None
        self.words: list[Word] = []  # case subject, [[ ]] operands


class FuncDef:
    __slots__ = ("name", "body")

    def __init__(self, name: str, body: object) -> None:
        self.name, self.body = name, body


class Pipeline:
    __slots__ = ("commands",)

    def __init__(self, commands: list) -> None:
        self.commands = commands


class Script:
    __slots__ = ("pipelines",)

    def __init__(self, pipelines: list[Pipeline]) -> None:
        self.pipelines = pipelines


# -- the lexer -----------------------------------------------------------------------------
class _Lexer:
    def __init__(self, src: str, pos: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ParseError("nested too deeply")
        self.src, self.pos, self.depth = src, pos, depth
        self.pending: list[HereDoc] = []
        self.peeked: tuple | None = None

    # tokens: ("op", text) ("redir", op, fd) ("word", Word) ("eof",)
    def peek(self) -> tuple:
        if self.peeked is None:
            self.peeked = self._next()
        return self.peeked

    def take(self) -> tuple:
        tok = self.peek()
        self.peeked = None
        return tok

    def _next(self) -> tuple:
        src, n = self.src, len(self.src)
        while self.pos < n:
            c = src[self.pos]
            if c in " \t\r":
                self.pos += 1
            elif c == "\\" and src.startswith("\\\n", self.pos):
                self.pos += 2
            elif c == "#":
                end = src.find("\n", self.pos)
                self.pos = n if end < 0 else end
            else:
                break
        if self.pos >= n:
            return ("eof",)
        c = src[self.pos]
        if c == "\n":
            self.pos += 1
            self._read_heredocs()
            return ("op", "\n")
        fd = ""
        j = self.pos
        while j < n and src[j].isdigit():
            j += 1
        if j < n and src[j] in "<>" and j > self.pos:
            fd = src[self.pos:j]
        start = j if fd else self.pos
        if src.startswith(("<(", ">("), start) and not fd:
            return ("word", self._word())
        for op in REDIR_OPS:
            if src.startswith(op, start):
                if op.startswith("&") and fd:
                    break
                self.pos = start + len(op)
                return ("redir", op, fd)
        for op in CONTROL_OPS:
            if src.startswith(op, self.pos):
                self.pos += len(op)
                return ("op", op)
        return ("word", self._word())

    def _read_heredocs(self) -> None:
        src = self.src
        for doc in self.pending:
            lines: list[str] = []
            while True:
                if self.pos >= len(src):
                    break  # bash ends an unterminated here-document at the end of input
                end = src.find("\n", self.pos)
                line = src[self.pos:] if end < 0 else src[self.pos:end]
                self.pos = len(src) if end < 0 else end + 1
                check = line.lstrip("\t") if doc.strip_tabs else line
                if check == doc.delim:
                    break
                lines.append(check)
            doc.body = "".join(line + "\n" for line in lines)
            if not doc.quoted:
                doc.parts = _Lexer(doc.body, 0, self.depth + 1).dquote_parts(heredoc=True)
        self.pending = []

    # -- words -----------------------------------------------------------------------------
    def _word(self) -> Word:
        src, n = self.src, len(self.src)
        start = self.pos
        parts: list = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                parts.append(Lit("".join(buf), False))
                buf.clear()

        while self.pos < n:
            c = src[self.pos]
            if c in "<>" and src.startswith("(", self.pos + 1):
                flush()
                self.pos += 2
                parts.append(ProcSub(self._sub_script()))
                continue
            if c == "(" and buf and not parts and _is_assign_prefix("".join(buf)):
                # array assignment: a=(x y z)
                end = _matching_paren(src, self.pos)
                buf.append(src[self.pos:end + 1])
                self.pos = end + 1
                continue
            if c in "@!+*?" and src.startswith("(", self.pos + 1) and not (c == "!" and not buf and not parts):
                end = _matching_paren(src, self.pos + 1)  # extglob: @(a|b)
                buf.append(src[self.pos:end + 1])
                self.pos = end + 1
                continue
            if c in META:
                break
            if c == "\\":
                if self.pos + 1 >= n:
                    buf.append("\\")
                    self.pos += 1
                elif src[self.pos + 1] == "\n":
                    self.pos += 2
                else:
                    flush()
                    parts.append(Lit(src[self.pos + 1], True))
                    self.pos += 2
            elif c == "'":
                end = src.find("'", self.pos + 1)
                if end < 0:
                    raise ParseError("unterminated single quote")
                flush()
                parts.append(Lit(src[self.pos + 1:end], True))
                self.pos = end + 1
            elif c == '"':
                flush()
                self.pos += 1
                parts.extend(self.dquote_parts())
            elif c == "$":
                flush()
                self._dollar(parts, quoted=False)
            elif c == "`":
                flush()
                parts.append(CmdSub(self._backtick(), False))
            elif c == "~" and self.pos == start:
                flush()
                j = self.pos + 1
                while j < n and (src[j].isalnum() or src[j] in "._-+"):
                    j += 1
                if j < n and src[j] not in "/:" and src[j] not in META:
                    buf.append("~")  # not a tilde prefix after all (e.g. ~"x")
                    self.pos += 1
                    continue
                parts.append(Tilde(src[self.pos + 1:j]))
                self.pos = j
            else:
                buf.append(c)
                self.pos += 1
        flush()
        if self.pos == start:
            raise ParseError(f"unexpected character {src[self.pos]!r}")
        return Word(parts, src[start:self.pos])

    def dquote_parts(self, heredoc: bool = False) -> list:
        """Parts of a double-quoted string (from after the opening quote), or of a here-document."""
        src, n = self.src, len(self.src)
        parts: list = []
        buf: list[str] = []
        escapable = "$`\\\n" if heredoc else "$`\"\\\n"
        while True:
            if self.pos >= n:
                if heredoc:
                    break
                raise ParseError("unterminated double quote")
            c = src[self.pos]
            if c == '"' and not heredoc:
                self.pos += 1
                break
            if c == "\\" and self.pos + 1 < n and src[self.pos + 1] in escapable:
                if src[self.pos + 1] != "\n":
                    buf.append(src[self.pos + 1])
                self.pos += 2
            elif c == "$":
                if buf:
                    parts.append(Lit("".join(buf), True))
                    buf = []
                self._dollar(parts, quoted=True)
            elif c == "`":
                if buf:
                    parts.append(Lit("".join(buf), True))
                    buf = []
                parts.append(CmdSub(self._backtick(), True))
            else:
                buf.append(c)
                self.pos += 1
        if buf:
            parts.append(Lit("".join(buf), True))
        return parts

    def _dollar(self, parts: list, quoted: bool) -> None:
        src, n = self.src, len(self.src)
        nxt = src[self.pos + 1] if self.pos + 1 < n else ""
        if nxt == "'" and not quoted:
            self.pos += 2
            parts.append(Lit(self._ansi_c(), True))
        elif nxt == '"' and not quoted:
            self.pos += 2
            parts.extend(self.dquote_parts())
        elif nxt == "(":
            if src.startswith("((", self.pos + 1):
                end = _arith_end(src, self.pos + 3)
                if end is not None:
                    text = src[self.pos + 3:end]
                    self.pos = end + 2
                    parts.append(Arith(text, _Lexer(text, 0, self.depth + 1).dquote_parts(heredoc=True)))
                    return
            self.pos += 2
            parts.append(CmdSub(self._sub_script(), quoted))
        elif nxt == "[":
            end = src.find("]", self.pos + 2)
            if end < 0:
                raise ParseError("unterminated $[")
            text = src[self.pos + 2:end]
            self.pos = end + 1
            parts.append(Arith(text, _Lexer(text, 0, self.depth + 1).dquote_parts(heredoc=True)))
        elif nxt == "{":
            end = _matching_brace(src, self.pos + 2)
            inner = src[self.pos + 2:end]
            self.pos = end + 1
            parts.append(_braced_param(inner, quoted, self.depth))
        elif nxt and (nxt.isalpha() or nxt == "_"):
            j = self.pos + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            parts.append(Param(src[self.pos + 1:j], quoted))
            self.pos = j
        elif nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            parts.append(Param(nxt, quoted))
            self.pos += 2
        else:
            parts.append(Lit("$", quoted))
            self.pos += 1

    def _ansi_c(self) -> str:
        """$'...' with its escapes decoded (from after the opening quote)."""
        src, n = self.src, len(self.src)
        out: list[str] = []
        while True:
            if self.pos >= n:
                raise ParseError("unterminated $'")
            c = src[self.pos]
            if c == "'":
                self.pos += 1
                return "".join(out)
            if c != "\\" or self.pos + 1 >= n:
                out.append(c)
                self.pos += 1
                continue
            e = src[self.pos + 1]
            self.pos += 2
            if e in ANSI_ESCAPES:
                out.append(ANSI_ESCAPES[e])
            elif e in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[e]
                digits = _take(src, self.pos, width, "0123456789abcdefABCDEF")
                if not digits:
                    out.append("\\" + e)
                    continue
                self.pos += len(digits)
                out.append(chr(min(int(digits, 16), 0x10FFFF)))
            elif e in "01234567":
                digits = e + _take(src, self.pos, 2, "01234567")
                self.pos += len(digits) - 1
                out.append(chr(int(digits, 8) & 0xFF))
            elif e == "c" and self.pos < n:
                out.append(chr(ord(src[self.pos]) & 0x1F))
                self.pos += 1
            else:
                out.append("\\" + e)

    def _backtick(self) -> "Script":
        src, n = self.src, len(self.src)
        j = self.pos + 1
        out: list[str] = []
        while True:
            if j >= n:
                raise ParseError("unterminated backtick")
            c = src[j]
            if c == "`":
                break
            if c == "\\" and j + 1 < n and src[j + 1] in "`\\$":
                out.append(src[j + 1])
                j += 2
                continue
            out.append(c)
            j += 1
        self.pos = j + 1
        return parse_script_text("".join(out), self.depth + 1)

    def _sub_script(self) -> "Script":
        """Parse `$(...)` / `<(...)` in place (from after the opening paren) up to its `)`."""
        sub = _Parser(_Lexer(self.src, self.pos, self.depth + 1))
        script = sub.script(closers={")"})
        tok = sub.lex.take()
        if tok != ("op", ")"):
            raise ParseError("unterminated $(")
        self.pos = sub.lex.pos
        return script


def _take(src: str, pos: int, width: int, allowed: str) -> str:
    j = pos
    while j < len(src) and j - pos < width and src[j] in allowed:
        j += 1
    return src[pos:j]


def _is_assign_prefix(text: str) -> bool:
    name = text[:-2] if text.endswith("+=") else text[:-1] if text.endswith("=") else None
    return bool(name) and (name[0].isalpha() or name[0] == "_") and all(ch.isalnum() or ch == "_" for ch in name)


def _skip_quoted(src: str, i: int) -> int:
    """Index after the quoted string or escape starting at i."""
    c = src[i]
    if c == "\\":
        return i + 2
    if c == "'":
        end = src.find("'", i + 1)
        if end < 0:
            raise ParseError("unterminated single quote")
        return end + 1
    j = i + 1
    while j < len(src):
        if src[j] == "\\":
            j += 2
        elif src[j] == '"':
            return j + 1
        else:
            j += 1
    raise ParseError("unterminated double quote")


def _matching_paren(src: str, i: int) -> int:
    """Index of the `)` closing the `(` at i (quotes respected)."""
    depth = 0
    j = i
    while j < len(src):
        c = src[j]
        if c in "\\'\"":
            j = _skip_quoted(src, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ParseError("unbalanced parentheses")


def _matching_brace(src: str, i: int) -> int:
    """Index of the `}` closing a `${` whose content starts at i."""
    depth = 1
    j = i
    while j < len(src):
        c = src[j]
        if c in "\\'\"":
            j = _skip_quoted(src, j)
            continue
        if c == "$" and src.startswith("$(", j):
            j = _matching_paren(src, j + 1) + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ParseError("unterminated ${")


def _arith_end(src: str, i: int) -> int | None:
    """Index of the `))` ending `$((` whose content starts at i, or None if it is `$( (...) )`."""
    depth = 0
    j = i
    while j < len(src):
        c = src[j]
        if c in "\\'\"":
            j = _skip_quoted(src, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return j if src.startswith("))", j) else None
            depth -= 1
        j += 1
    raise ParseError("unterminated $((")


def _braced_param(inner: str, quoted: bool, depth: int) -> Param:
    indirect = length = False
    text = inner
    if text.startswith("!") and len(text) > 1:
        indirect, text = True, text[1:]
    elif text.startswith("#") and len(text) > 1 and text[1] not in "}":
        length, text = True, text[1:]
    j = 0
    if text[:1].isalpha() or text[:1] == "_":
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
    elif text[:1].isdigit():
        while j < len(text) and text[j].isdigit():
            j += 1
    elif text[:1] and text[0] in "@*#?$!-":
        j = 1
    else:
        raise ParseError(f"bad substitution ${{{inner}}}")
    name, op = text[:j], text[j:]
    inner_parts = _Lexer(op, 0, depth + 1).dquote_parts(heredoc=True) if op else []
    return Param(name, quoted, op, inner_parts, indirect, length)


# -- the grammar ---------------------------------------------------------------------------
class _Parser:
    def __init__(self, lex: _Lexer) -> None:
        self.lex = lex

    def _is_closer(self, tok: tuple, closers: set[str]) -> bool:
        if tok[0] == "op":
            return tok[1] in closers
        if tok[0] == "word":
            kw = tok[1].keyword()
            return kw is not None and kw in closers
        return False

    def script(self, closers: set[str]) -> Script:
        pipelines: list[Pipeline] = []
        while True:
            tok = self.lex.peek()
            if tok[0] == "op" and tok[1] in ("\n", ";", "&") and tok[1] not in closers:
                self.lex.take()
                continue
            if tok[0] == "eof":
                if closers - {"eof"}:
                    raise ParseError("unexpected end of command")
                return Script(pipelines)
            if self._is_closer(tok, closers):
                return Script(pipelines)
            pipelines.extend(self.and_or())
            tok = self.lex.peek()
            if tok[0] == "op" and tok[1] in ("\n", ";", "&") and tok[1] not in closers:
                self.lex.take()
            elif tok[0] != "eof" and not self._is_closer(tok, closers):
                raise ParseError(f"unexpected {_describe(tok)}")

    def and_or(self) -> list[Pipeline]:
        out = [self.pipeline()]
        while self.lex.peek() in (("op", "&&"), ("op", "||")):
            self.lex.take()
            self._newlines()
            out.append(self.pipeline())
        return out

    def pipeline(self) -> Pipeline:
        commands = []
        while True:
            tok = self.lex.peek()
            if tok[0] == "word" and tok[1].keyword() in ("!", "time"):
                self.lex.take()
                continue
            break
        commands.append(self.command())
        while self.lex.peek() in (("op", "|"), ("op", "|&")):
            self.lex.take()
            self._newlines()
            commands.append(self.command())
        return Pipeline(commands)

    def _newlines(self) -> None:
        while self.lex.peek() == ("op", "\n"):
            self.lex.take()

    def _expect_kw(self, word: str) -> None:
        tok = self.lex.take()
        if not (tok[0] == "word" and tok[1].keyword() == word):
            raise ParseError(f"expected {word!r}, got {_describe(tok)}")

    def command(self):
        tok = self.lex.peek()
        if tok == ("op", "("):
            if self.lex.src.startswith("(", self.lex.pos):  # (( arithmetic ))
                end = _arith_end(self.lex.src, self.lex.pos + 1)
                if end is not None:
                    node = Compound("arith")
                    text = self.lex.src[self.lex.pos + 1:end]
                    self.lex.peeked = None
                    self.lex.pos = end + 2
                    node.words.append(Word(_Lexer(text, 0, self.lex.depth + 1).dquote_parts(heredoc=True), text))
                    return self._redirects(node)
            self.lex.take()
            node = Compound("subshell")
            node.bodies.append(self.script({")"}))
            if self.lex.take() != ("op", ")"):
                raise ParseError("unterminated subshell")
            return self._redirects(node)
        if tok[0] == "word":
            kw = tok[1].keyword()
            if kw in ("{", "if", "while", "until", "for", "select", "case", "function", "[[", "coproc"):
                return self._compound(kw)
            if kw in ("then", "elif", "else", "fi", "do", "done", "esac", "}", "in", "]]"):
                raise ParseError(f"unexpected {kw!r}")
        return self.simple()

    def _compound(self, kw: str):
        lex = self.lex
        lex.take()
        if kw == "coproc":
            return self.command()
        if kw == "{":
            node = Compound("group")
            node.bodies.append(self.script({"}"}))
            self._expect_kw("}")
        elif kw == "[[":
            node = Compound("test")
            while True:
                tok = lex.take()
                if tok[0] == "eof":
                    raise ParseError("unterminated [[")
                if tok[0] == "word":
                    if tok[1].keyword() == "]]":
                        break
                    node.words.append(tok[1])
        elif kw == "if":
            node = Compound("if")
            node.bodies.append(self.script({"then"}))
            self._expect_kw("then")
            node.bodies.append(self.script({"elif", "else", "fi"}))
            while True:
                tok = lex.take()
                kw2 = tok[1].keyword() if tok[0] == "word" else None
                if kw2 == "elif":
                    node.bodies.append(self.script({"then"}))
                    self._expect_kw("then")
                    node.bodies.append(self.script({"elif", "else", "fi"}))
                elif kw2 == "else":
                    node.bodies.append(self.script({"fi"}))
                elif kw2 == "fi":
                    break
                else:
                    raise ParseError("unterminated if")
        elif kw in ("while", "until"):
            node = Compound(kw)
            node.bodies.append(self.script({"do"}))
            self._expect_kw("do")
            node.bodies.append(self.script({"done"}))
            self._expect_kw("done")
        elif kw in ("for", "select"):
            node = Compound(kw)
            if lex.peek() == ("op", "(") and lex.src.startswith("(", lex.pos):
                end = _arith_end(lex.src, lex.pos + 1)
                if end is None:
                    raise ParseError("bad for ((...))")
                lex.peeked = None
                lex.pos = end + 2
            else:
                tok = lex.take()
                if tok[0] != "word" or tok[1].literal() is None:
                    raise ParseError("bad for loop variable")
                node.var = tok[1].literal()
                self._newlines()
                tok = lex.peek()
                if tok[0] == "word" and tok[1].keyword() == "in":
                    lex.take()
                    node.items = []
                    while lex.peek()[0] == "word" and lex.peek()[1].keyword() != "do":
                        node.items.append(lex.take()[1])
            while lex.peek() in (("op", ";"), ("op", "\n")):
                lex.take()
            self._expect_kw("do")
            node.bodies.append(self.script({"done"}))
            self._expect_kw("done")
        elif kw == "case":
            node = Compound("case")
            tok = lex.take()
            if tok[0] != "word":
                raise ParseError("bad case")
            node.words.append(tok[1])
            self._newlines()
            self._expect_kw("in")
            while True:
                self._newlines()
                tok = lex.peek()
                if tok[0] == "word" and tok[1].keyword() == "esac":
                    lex.take()
                    break
                if tok == ("op", "("):
                    lex.take()
                while True:  # patterns: a|b)
                    tok = lex.take()
                    if tok[0] == "word":
                        node.words.append(tok[1])
                    elif tok == ("op", "|"):
                        continue
                    elif tok == ("op", ")"):
                        break
                    else:
                        raise ParseError("bad case pattern")
                node.bodies.append(self.script({";;", ";&", ";;&", "esac"}))
                if lex.peek()[0] == "op" and lex.peek()[1] in (";;", ";&", ";;&"):
                    lex.take()
        else:  # function NAME [()] body
            tok = lex.take()
            if tok[0] != "word" or tok[1].literal() is None:
                raise ParseError("bad function name")
            name = tok[1].literal()
            if lex.peek() == ("op", "("):
                lex.take()
                if lex.take() != ("op", ")"):
                    raise ParseError("bad function definition")
            self._newlines()
            return FuncDef(name, self.command())
        return self._redirects(node)

    def _redirects(self, node):
        while self.lex.peek()[0] == "redir":
            node.redirects.append(self._redirect())
        return node

    def _redirect(self) -> Redirect:
        _, op, fd = self.lex.take()
        tok = self.lex.take()
        if tok[0] != "word":
            raise ParseError(f"redirection {op} without a target")
        word = tok[1]
        if op in ("<<", "<<-"):
            quoted = any(isinstance(p, Lit) and p.quoted for p in word.parts)
            delim = "".join(p.text for p in word.parts if isinstance(p, Lit))
            doc = HereDoc(delim, quoted, op == "<<-")
            self.lex.pending.append(doc)
            return Redirect(op, fd, word, doc)
        return Redirect(op, fd, word)

    def simple(self):
        node = Simple()
        lex = self.lex
        while True:
            tok = lex.peek()
            if tok[0] == "redir":
                node.redirects.append(self._redirect())
            elif tok[0] == "word":
                word = tok[1]
                if not node.words and _assignment(word):
                    lex.take()
                    node.assigns.append(_assignment(word))
                    continue
                lex.take()
                node.words.append(word)
                if len(node.words) == 1 and not node.assigns and lex.peek() == ("op", "(") \
                        and word.literal() is not None:
                    lex.take()  # name() body: a function definition
                    if lex.take() != ("op", ")"):
                        raise ParseError("bad function definition")
                    self._newlines()
                    return FuncDef(word.literal(), self.command())
            else:
                break
        if not node.words and not node.assigns and not node.redirects:
            raise ParseError(f"unexpected {_describe(lex.peek())}")
        return node


def _assignment(word: Word) -> tuple[str, Word] | None:
    """NAME=value (or NAME+=value, NAME[i]=value) as (name, value word), else None."""
    first = word.parts[0] if word.parts else None
    if not isinstance(first, Lit) or first.quoted or "=" not in first.text:
        return None
    name, _, rest = first.text.partition("=")
    base = name[:-1] if name.endswith("+") else name
    if "[" in base and base.endswith("]"):
        base = base[:base.index("[")]
    if not base or not (base[0].isalpha() or base[0] == "_") or not all(c.isalnum() or c == "_" for c in base):
        return None
    parts = ([Lit(rest, False)] if rest else []) + word.parts[1:]
    # a tilde right after '=' expands too
    if rest.startswith("~"):
        user, _, tail = rest[1:].partition("/")
        if all(c.isalnum() or c in "._-" for c in user):
            parts = [Tilde(user)] + ([Lit("/" + tail, False)] if "/" in rest else []) + word.parts[1:]
    return base, Word(parts, word.raw)


def _describe(tok: tuple) -> str:
    if tok[0] == "eof":
        return "end of command"
    if tok[0] == "word":
        return "a word" if tok[1].keyword() is None else repr(tok[1].raw)  # never echo arguments
    return repr(tok[1])


def parse_script_text(src: str, depth: int = 0) -> Script:
    parser = _Parser(_Lexer(src, 0, depth))
    script = parser.script(closers=set())
    if parser.lex.peek()[0] != "eof":
        raise ParseError(f"unexpected {_describe(parser.lex.peek())}")
    return script


def expansion_parts(text: str, depth: int = 1) -> list:
    """Parts of text inside `${...}` after its operator (a default or alternative value)."""
    return _Lexer(text, 0, depth).dquote_parts(heredoc=True)


def parse(src: str) -> Script:
    """Parse a command line; raises ParseError for anything it cannot read with confidence."""
    return parse_script_text(src, 0)
