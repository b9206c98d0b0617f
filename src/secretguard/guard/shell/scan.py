"""Scanning raw command text without tokenizing it: where a quoted string, a `(...)`, a `${...}`
or a `$((...))` ends. The lexer and the parser use these to step over nested constructs.
"""

from __future__ import annotations

from secretguard.guard.shell.tree import ParseError


def take(src: str, pos: int, width: int, allowed: str) -> str:
    j = pos
    while j < len(src) and j - pos < width and src[j] in allowed:
        j += 1
    return src[pos:j]


def is_assign_prefix(text: str) -> bool:
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


def matching_paren(src: str, i: int) -> int:
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


def matching_brace(src: str, i: int) -> int:
    """Index of the `}` closing a `${` whose content starts at i."""
    depth = 1
    j = i
    while j < len(src):
        c = src[j]
        if c in "\\'\"":
            j = _skip_quoted(src, j)
            continue
        if c == "$" and src.startswith("$(", j):
            j = matching_paren(src, j + 1) + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ParseError("unterminated ${")


def arith_end(src: str, i: int) -> int | None:
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
