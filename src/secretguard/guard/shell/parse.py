"""A small Bash parser: enough of the grammar to see every command a string would run.

It reads what Claude's Bash tool hands the shell: lists, pipelines, `&&`/`||`, subshells, brace
groups, if/while/until/for/case, functions, `$(...)`, backticks, `<(...)`, quoting (single,
double, `$'...'`), escapes, parameter and arithmetic expansion, redirections and here-documents.
Anything it does not understand raises ParseError: the guard then asks a human.

This module holds the grammar (a recursive-descent Parser over the tokens of lex.py) and the entry
points; the tree it builds is in tree.py.
"""

from __future__ import annotations

from secretguard.guard.shell.lex import Lexer
from secretguard.guard.shell.scan import arith_end
from secretguard.guard.shell.tree import (Compound, FuncDef, HereDoc, Lit, ParseError, Pipeline, Redirect, Script,
                                          Simple, Tilde, Word)


class Parser:
    """Recursive descent over the Lexer's tokens: script > and-or list > pipeline > command."""

    def __init__(self, lex: Lexer) -> None:
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
                end = arith_end(self.lex.src, self.lex.pos + 1)
                if end is not None:
                    node = Compound("arith")
                    text = self.lex.src[self.lex.pos + 1:end]
                    self.lex.peeked = None
                    self.lex.pos = end + 2
                    node.words.append(Word(Lexer(text, 0, self.lex.depth + 1).dquote_parts(heredoc=True), text))
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
                end = arith_end(lex.src, lex.pos + 1)
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


Lexer.parser = Parser  # the lexer parses $(...) and backticks with it


def parse_script_text(src: str, depth: int = 0) -> Script:
    parser = Parser(Lexer(src, 0, depth))
    script = parser.script(closers=set())
    if parser.lex.peek()[0] != "eof":
        raise ParseError(f"unexpected {_describe(parser.lex.peek())}")
    return script


def expansion_parts(text: str, depth: int = 1) -> list:
    """Parts of text inside `${...}` after its operator (a default or alternative value)."""
    return Lexer(text, 0, depth).dquote_parts(heredoc=True)


def parse(src: str) -> Script:
    """Parse a command line; raises ParseError for anything it cannot read with confidence."""
    return parse_script_text(src, 0)
