"""The lexer: command text to tokens, and each word to its parts (quotes, escapes, $-expansions, backticks).

A `$(...)` or backtick inside a word is parsed on the spot, so the lexer calls back into the
parser, which parse.py hands it as `Lexer.parser` (no import cycle between the two).
"""

from __future__ import annotations

from secretguard.guard.shell.scan import arith_end, is_assign_prefix, matching_brace, matching_paren, take
from secretguard.guard.shell.tree import (Arith, CmdSub, HereDoc, Lit, Param, ParseError, ProcSub, Script, Tilde,
                                          Word)

MAX_DEPTH = 12
META = set(" \t\n;&|()<>")
REDIR_OPS = ("<<<", "<<-", "&>>", "<<", "<&", "<>", ">>", ">&", ">|", "&>", "<", ">")
CONTROL_OPS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "&", "|", "(", ")")
ANSI_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


class Lexer:
    """Tokens from `src` starting at `pos`; `depth` counts the nesting of $(...) and friends.

    `$(...)` and backticks hold whole scripts, so the lexer needs the parser: parse.py hands it
    its Parser class (`Lexer.parser`) when it loads, which keeps the two modules free of a cycle.
    """

    parser = None  # set by secretguard.guard.shell.parse

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
                doc.parts = Lexer(doc.body, 0, self.depth + 1).dquote_parts(heredoc=True)
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
            if c == "(" and buf and not parts and is_assign_prefix("".join(buf)):
                # array assignment: a=(x y z)
                end = matching_paren(src, self.pos)
                buf.append(src[self.pos:end + 1])
                self.pos = end + 1
                continue
            if c in "@!+*?" and src.startswith("(", self.pos + 1) and not (c == "!" and not buf and not parts):
                end = matching_paren(src, self.pos + 1)  # extglob: @(a|b)
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
                end = arith_end(src, self.pos + 3)
                if end is not None:
                    text = src[self.pos + 3:end]
                    self.pos = end + 2
                    parts.append(Arith(text, Lexer(text, 0, self.depth + 1).dquote_parts(heredoc=True)))
                    return
            self.pos += 2
            parts.append(CmdSub(self._sub_script(), quoted))
        elif nxt == "[":
            end = src.find("]", self.pos + 2)
            if end < 0:
                raise ParseError("unterminated $[")
            text = src[self.pos + 2:end]
            self.pos = end + 1
            parts.append(Arith(text, Lexer(text, 0, self.depth + 1).dquote_parts(heredoc=True)))
        elif nxt == "{":
            end = matching_brace(src, self.pos + 2)
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
                digits = take(src, self.pos, width, "0123456789abcdefABCDEF")
                if not digits:
                    out.append("\\" + e)
                    continue
                self.pos += len(digits)
                out.append(chr(min(int(digits, 16), 0x10FFFF)))
            elif e in "01234567":
                digits = e + take(src, self.pos, 2, "01234567")
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
        sub = self.parser(Lexer("".join(out), 0, self.depth + 1))
        script = sub.script(closers=set())
        if sub.lex.peek()[0] != "eof":
            raise ParseError("unexpected text in a backtick substitution")
        return script

    def _sub_script(self) -> "Script":
        """Parse `$(...)` / `<(...)` in place (from after the opening paren) up to its `)`."""
        sub = self.parser(Lexer(self.src, self.pos, self.depth + 1))
        script = sub.script(closers={")"})
        tok = sub.lex.take()
        if tok != ("op", ")"):
            raise ParseError("unterminated $(")
        self.pos = sub.lex.pos
        return script


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
    inner_parts = Lexer(op, 0, depth + 1).dquote_parts(heredoc=True) if op else []
    return Param(name, quoted, op, inner_parts, indirect, length)
