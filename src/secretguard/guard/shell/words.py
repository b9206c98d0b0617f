"""Expanded words: strings with markers for quoting and for what cannot be known before run time.

After expansion a word is a Python string in which
  Q + c   is a character that came from quotes (no glob, no brace expansion, no splitting),
  DYN     stands for text only known at run time (an unknown variable, a command's output),
  BENIGN  stands for run-time text known to hold no credential path (a number, `$(pwd)`).
"""

from __future__ import annotations

import re

Q, DYN, BENIGN, SPLIT = "\x00", "\x01", "\x02", "\x03"
_WS = re.compile(r"[ \t\n]+")
MAX_FIELDS = 256


def mark(text: str) -> str:
    """Text taken literally."""
    return "".join(Q + c for c in text)


def unmark(s: str) -> str:
    """Drop quote marks, so glob characters become active again (an unquoted `$var`)."""
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i] == Q:
            if i + 1 < len(s):
                out.append(s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def plain(s: str) -> str:
    """The text as the command will see it (markers for unknown text kept)."""
    return unmark(s).replace(SPLIT, " ")


def as_value(s: str) -> str:
    """A variable's stored value: everything literal except the unknown-text markers."""
    return "".join(c if c in (DYN, BENIGN) else Q + c for c in plain(s))


def split_fields(s: str) -> str:
    """An unquoted expansion: its whitespace separates fields."""
    return _WS.sub(SPLIT, unmark(s))


def is_static(s: str) -> bool:
    return DYN not in s and BENIGN not in s


def has_glob(s: str) -> bool:
    i = 0
    while i < len(s):
        c = s[i]
        if c == Q:
            i += 2
            continue
        if c in "*?" or (c == "[" and "]" in s[i + 1:]):
            return True
        i += 1
    return False


def glob_pattern(s: str) -> str:
    """A pattern for glob/fnmatch: quoted glob characters escaped, unknown text as `*`."""
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == Q:
            ch = s[i + 1] if i + 1 < len(s) else ""
            out.append(f"[{ch}]" if ch in "*?[]" else ch)
            i += 2
            continue
        out.append("*" if c in (DYN, BENIGN) else c)
        i += 1
    return "".join(out)


def brace_expand(s: str) -> list[str]:
    """Bash brace expansion on the unquoted braces of `s`: a{b,c}d, {1..3}, {a..c}."""
    depth = 0
    start = -1
    commas: list[int] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == Q:
            i += 2
            continue
        if c == "{":
            if depth == 0:
                start, commas = i, []
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0:
                pre, body, post = s[:start], s[start + 1:i], s[i + 1:]
                if commas:
                    cuts = [start] + commas + [i]
                    items = [s[a + 1:b] for a, b in zip(cuts, cuts[1:])]
                else:
                    items = _sequence(body)
                    if items is None:
                        rest = brace_expand(post)
                        return [s[:i + 1] + r for r in rest][:MAX_FIELDS]
                out: list[str] = []
                for item in items:
                    for tail in brace_expand(item + post):
                        out.append(pre + tail)
                        if len(out) >= MAX_FIELDS:
                            return out
                return out
        elif c == "," and depth == 1:
            commas.append(i)
        i += 1
    return [s]


def _sequence(body: str) -> list[str] | None:
    m = re.fullmatch(r"(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?|([A-Za-z])\.\.([A-Za-z])", body)
    if not m:
        return None
    if m.group(4):
        a, b = ord(m.group(4)), ord(m.group(5))
        step = 1 if b >= a else -1
        return [chr(x) for x in range(a, b + step, step)][:MAX_FIELDS]
    a, b = int(m.group(1)), int(m.group(2))
    step = abs(int(m.group(3) or 1)) or 1
    step = step if b >= a else -step
    return [str(x) for x in range(a, b + (1 if step > 0 else -1), step)][:MAX_FIELDS]


def piece_split(s: str, seps: str = "=@<:;,") -> list[str]:
    """The whole string and what follows each separator: `--data=@.env` -> `@.env`, `.env`."""
    out = [s]
    seen = {s}
    work = [s]
    while work and len(out) < 16:
        cur = work.pop()
        for sep in seps:
            idx = cur.find(sep)
            if idx >= 0:
                rest = cur[idx + 1:]
                if rest and rest not in seen:
                    seen.add(rest)
                    out.append(rest)
                    work.append(rest)
    return out
