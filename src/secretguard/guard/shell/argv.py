"""A command's expanded arguments read the way the command reads them: literal words, options, operands."""

from __future__ import annotations

from secretguard.guard.shell.words import is_static, mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.commands import Spec


def literals(args: list[list[str]]) -> list[str | None]:
    """Each argument's text when it is one field known before run time, else None."""
    return [plain(a[0]) if len(a) == 1 and is_static(a[0]) else None for a in args]


def split_opts(args: list[list[str]], lits: list[str | None], spec: Spec,
               stop_at_operand: bool = False) -> tuple[list[tuple[str, list[list[str]]]], list[list[str]]]:
    """Options (name, values) and operands, by the command's option grammar."""
    opts: list[tuple[str, list[list[str]]]] = []
    operands: list[list[str]] = []
    i = 0
    only_operands = False
    while i < len(args):
        t = lits[i]
        if only_operands or t is None or t == "-" or not t.startswith("-"):
            operands.append(args[i])
            i += 1
            if stop_at_operand:
                only_operands = True
            continue
        if t == "--":
            only_operands = True
            i += 1
            continue
        if t.startswith("--"):
            name, eq, value = t[2:].partition("=")
            n = spec.long.get(name, 0)
            if eq:
                opts.append((name, [[mark(value)]]))
            elif n:
                opts.append((name, args[i + 1:i + 1 + n]))
                i += n
            else:
                opts.append((name, []))
            i += 1
            continue
        j = 1
        while j < len(t):
            ch = t[j]
            if ch in spec.short:
                if j + 1 < len(t):
                    opts.append((ch, [[mark(t[j + 1:])]]))
                else:
                    opts.append((ch, args[i + 1:i + 2]))
                    i += 1
                break
            opts.append((ch, []))
            j += 1
        i += 1
    return opts, operands
