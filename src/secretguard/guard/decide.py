"""What the guard answers for each kind of event, agent-neutral: the adapter encodes it.

Every decision is recorded in the audit log; a decision that cannot be recorded becomes a refusal.
"""

from __future__ import annotations

from secretguard.guard import gate, verdicts
from secretguard.guard.events import SHELL, Decision, Event, EventError

AUDIT_FAILED = "the audit log could not be written, so nothing may proceed"


class SessionNote:
    """What the session-start hook tells the model (and, when dirty, the user)."""

    __slots__ = ("text", "dirty")

    def __init__(self, text: str, dirty: bool) -> None:
        self.text, self.dirty = text, dirty


def session_start(event: Event) -> SessionNote:
    verdict = gate.run_scan(event.root)
    if verdict.status == verdicts.ERROR:
        audit(event, "deny", f"workspace scan failed: {verdict.error}", "session.scan")
        raise RuntimeError(f"the workspace scan failed: {verdict.error}")
    if not verdict.blocking:
        audit(event, "allow", "workspace scan clean", "session.scan")
        return SessionNote(gate.CLEAN_NOTE, False)
    text = f"secretguard: {verdicts.describe(verdict)}. Prompts and tool calls in this project are blocked " \
           f"until this is fixed. {verdicts.advice(verdict)}"
    audit(event, "deny", verdicts.describe(verdict), "session.scan")
    return SessionNote(text, True)


def prompt(event: Event) -> Decision:
    """deny (with the text to show) while the session verdict is dirty, else allow."""
    verdict = gate.current_verdict(event, scan_if_missing=True)
    if verdict is not None and verdict.blocking:
        reason = f"secretguard: {verdicts.describe(verdict)}. {verdicts.advice(verdict)}"
        if not audit(event, "deny", verdicts.describe(verdict), "session.verdict"):
            reason = f"secretguard: {AUDIT_FAILED}."
        return Decision("deny", reason, "session.verdict")
    if not audit(event, "allow", "workspace clean", "session.verdict"):
        return Decision("deny", f"secretguard: {AUDIT_FAILED}.", "audit.error")
    return Decision("allow", "workspace clean", "session.verdict")


def before_tool(event: Event) -> Decision:
    """The verdict gate, then the tool judge. The reason of a refusal is the text for the model."""
    from secretguard.guard.tools import HINT, judge_tool

    call = event.tool
    if call is None:
        raise EventError("a tool event without a tool")
    verdict = gate.current_verdict(event, scan_if_missing=False)
    if verdict is not None and verdict.blocking:
        d = Decision("deny", f"this workspace is blocked: {verdicts.describe(verdict)}. {verdicts.advice(verdict)}",
                     "session.verdict")
    else:
        d = judge_tool(event, call)
        if call.kind == SHELL and isinstance(call.command, str):
            d = _seal(event, call.command, d)
    if not audit(event, d.decision, d.reason, d.rule, tool=call.name, target=call.path,
                 sealed=bool(d.command) or None):
        d = Decision("deny", AUDIT_FAILED, "audit.error")
    if d.decision == "allow":
        return d
    text = f"secretguard: {d.reason.rstrip('.')}."
    if d.decision == "deny" and d.rule.startswith(("bash.credential", "file.credential", "bash.secret", "bash.env")):
        text += f" {HINT}"
    return Decision(d.decision, text, d.rule, d.hits)


def _seal(event: Event, command: str, d: Decision) -> Decision:
    """An allowed shell call runs behind the wall. Behind it, what the analysis could not parse
    needs no question (the wall holds whatever the syntax); a credential read is still refused,
    so the agent learns why."""
    from secretguard.guard import seal

    if seal.is_sealed(command) or not seal.available():
        return d
    if d.decision == "allow" or d.decision == "ask" and d.rule == "bash.unparsed":
        return Decision("allow", d.reason, d.rule, d.hits, command=seal.sealed_command(command, event.root))
    return d


def audit(event: Event, decision: str, reason: str, rule: str, **extra) -> bool:
    """Record the decision. False when it could not be recorded: the caller then refuses."""
    from secretguard.audit import log

    fields = {k: v for k, v in extra.items() if v is not None}
    try:
        log.record("hook", repo=None, session=event.session, hook=event.name, decision=decision,
                   reason=reason[:500], rule=rule, project=event.root, agent=event.agent, **fields)
    except log.AuditError:
        return False
    return True
