"""The context firewall: what reaches the model is redacted first.

A tool's output is redacted in place — the same structure, every string inside it with each
secret replaced by the scan's own redaction — because an agent silently ignores a replacement whose
shape differs from the tool's own (Claude Code does). A prompt that holds a secret is refused.
Secrets are what the content rules find plus values the known-values index holds.
"""

from __future__ import annotations

from collections import Counter

MAX_STRINGS = 100000


class Redaction:
    """The redacted copy of an output and what was withheld, by rule (never a value)."""

    __slots__ = ("output", "counts")

    def __init__(self, output: object, counts: Counter) -> None:
        self.output, self.counts = output, counts

    def note(self, tool: str) -> str:
        rules = ", ".join(f"{rule} ×{n}" if n > 1 else rule for rule, n in sorted(self.counts.items()))
        return (f"secretguard withheld {sum(self.counts.values())} secret value(s) from this {tool} output "
                f"({rules}); each is shown as a short prefix and *****. Do not try to recover them: use "
                "`secretguard exec` for a command that needs a secret.")


def redactor(root: str):
    from secretguard.scan.known import KnownValues
    from secretguard.scan.redact import Redactor, detector_for

    return Redactor(detector_for(root), KnownValues.load())


def redact_output(output: object, root: str) -> Redaction | None:
    """A copy of `output` with secrets replaced inside its strings, or None when it holds none."""
    from secretguard.scan.redact import redact_structure

    copy, counts = redact_structure(output, redactor(root), MAX_STRINGS)
    return Redaction(copy, counts) if counts else None


# The words that tag a part's kind in the agents' result shapes (MCP content items, Claude Code's
# Read response, Copilot's resultType). Withholding keeps them: an agent ignores a replacement whose
# tags it does not know, and no secret is one of these words.
TYPE_TAGS = {"type": frozenset({"text", "image", "audio", "resource", "resource_link"}),
             "resultType": frozenset({"success"})}


def withhold(output: object, why: str, key: str = "") -> object:
    """Fail closed: the same shape with every string replaced by one note (type tags kept)."""
    if isinstance(output, str):
        return output if output in TYPE_TAGS.get(key, ()) else f"[secretguard withheld this output: {why}]"
    if isinstance(output, list):
        return [withhold(v, why) for v in output]
    if isinstance(output, dict):
        return {k: withhold(v, why, k) for k, v in output.items()}
    return output


def secrets_in(text: str, root: str) -> Counter:
    """Rule ids (with counts) of the secrets in `text`."""
    _new, counts = redactor(root).redact(text)
    return counts
