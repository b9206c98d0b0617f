"""What the walk passes around: the levels of a hit, the scope a command runs in, what it reads on stdin.

Its own module so that the Analyzer (analyze.py), the path checks (paths.py) and the handlers can
all use these without importing each other.
"""

from __future__ import annotations

ALLOW, ASK, DENY = 0, 1, 2


class _TooBig(Exception):
    """The command has more nodes than the walk will visit: a human decides."""


class Stdin:
    """What a command reads on its standard input, as far as known."""
    __slots__ = ("source", "text", "items")

    def __init__(self, source: str, text: str | None = None, items: list[str] | None = None) -> None:
        self.source = source    # "pipe", "file" or "here"
        self.text = text        # the exact text, when known
        self.items = items      # credential paths it may hold (+ BENIGN), when that much is known


class Scope:
    """Where a command runs: its directory (None: unknown), shell variables, positional arguments."""
    __slots__ = ("cwd", "vars", "positional")

    def __init__(self, cwd: str | None, vars: dict[str, list[str]] | None = None,
                 positional: list[list[str]] | None = None) -> None:
        self.cwd = cwd
        self.vars = vars if vars is not None else {}
        self.positional = positional

    def child(self) -> "Scope":
        return Scope(self.cwd, dict(self.vars), self.positional)
