"""The parse tree of a command line, and ParseError for a line the parser cannot read with confidence.

Plain classes rather than dataclasses: this runs before every tool call and `dataclasses`
costs ~10 ms to import.
"""

from __future__ import annotations

KEYWORDS = {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "select",
            "case", "esac", "in", "function", "{", "}", "!", "[[", "]]", "time", "coproc"}


class ParseError(Exception):
    """The command is not something this parser can read with confidence."""


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
