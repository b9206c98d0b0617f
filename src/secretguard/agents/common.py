"""What the agent adapters share: one JSON event on stdin, one answer out, refusal on any failure.

The hook runs before every tool call, so this imports nothing heavy: the guard is imported when
an event needs it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from secretguard.guard.events import Decision, Event, EventError, ToolCall

MAX_INPUT = 16 * 1024 * 1024
Answer = tuple[object, int]  # (JSON document to print or None, exit code)


def run(args: list[str], parse: Callable[[dict], object], answer: Callable[..., Answer],
        refuse: Callable[[str], Answer]) -> int:
    """Read, translate, decide, print. Any failure becomes the agent's blocking answer."""
    try:
        if args:
            raise EventError(f"unexpected arguments: {' '.join(args)}")
        out, code = answer(parse(read_stdin()))
    except Exception as exc:  # noqa: BLE001 - fail closed, whatever went wrong
        message = " ".join(str(exc).split()) or type(exc).__name__
        text = f"secretguard: refused: the guard could not decide ({message[:300]})"
        sys.stderr.write(text + "\n")
        out, code = refuse(text)
    if out is not None:
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return code


def read_stdin() -> dict:
    raw = sys.stdin.buffer.read(MAX_INPUT + 1)
    if len(raw) > MAX_INPUT:
        raise EventError("the event on stdin is too large")
    try:
        doc = json.loads(raw)
    except ValueError:
        raise EventError("the event on stdin is not JSON") from None
    if not isinstance(doc, dict):
        raise EventError("the event on stdin is not a JSON object")
    return doc


def text(doc: dict, *keys: str) -> str | None:
    """The first non-empty string among `keys` of `doc`."""
    for key in keys:
        value = doc.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def object_arg(value: object, what: str) -> dict:
    """Tool arguments as an object: some agents send them as a JSON string."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise EventError(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise EventError(f"{what} is not an object")
    return value


def text_of(output: object) -> str:
    """A tool's (redacted) output as the one text some agents take in its place: a string as it is,
    text parts (`{"text": ...}`) joined, anything else as JSON."""
    if isinstance(output, str):
        return output
    if isinstance(output, dict) and isinstance(output.get("text"), str):
        return output["text"]
    if isinstance(output, list):
        return "".join(text_of(part) for part in output)
    return json.dumps(output, ensure_ascii=False)


def replaced_text(output: object, note: str) -> str:
    """What the model is shown instead of a tool's output: the redacted text, then the note."""
    return f"{text_of(output)}\n\n{note}"


def judge_calls(event: Event, calls: list[ToolCall]) -> Decision:
    """One agent call that touches several things (a patch of many files, a list of reads):
    each is judged (and audited) in turn, and the first that is not allowed answers for all."""
    from secretguard.guard import decide

    if not calls:
        raise EventError(f"{event.name}: a tool call with nothing to judge")
    d = None
    for call in calls:
        event.tool = call
        d = decide.before_tool(event)
        if d.decision != "allow":
            break
    return d


def session_context(event: Event) -> dict:
    """SessionStart answered in Claude Code's shape, which Codex and Gemini CLI read too."""
    from secretguard.guard import decide

    note = decide.session_start(event)
    out: dict = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": note.text}}
    if note.dirty:
        out["systemMessage"] = note.text
    return out


def nested_decision(returncode: int, stdout: str, blocked: Callable[[dict], bool]) -> str:
    """What a Claude-shaped agent makes of a hook's exit and stdout (doctor's probes): exit 2
    blocks, another failure lets the call through, else the JSON says."""
    if returncode == 2:
        return "deny"
    if returncode != 0:
        return f"error (exit {returncode}: the agent lets the call through)"
    return "deny" if blocked(json.loads(stdout) if stdout.strip() else {}) else "allow"
