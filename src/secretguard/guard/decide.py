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
    reported = verdicts.describe_reported(verdict)
    if not verdict.blocking:
        audit(event, "allow", "workspace scan clean" + (f"; {len(verdict.reported)} low-confidence finding(s) "
                                                        "reported, not blocking" if reported else ""), "session.scan")
        return SessionNote(gate.NOT_BLOCKING_NOTE.format(reported=reported) if reported else gate.CLEAN_NOTE, False)
    text = f"secretguard: {verdicts.describe(verdict)}. Prompts and tool calls in this project are blocked " \
           f"until this is fixed. {verdicts.advice(verdict)}" + (f" {reported}" if reported else "")
    audit(event, "deny", verdicts.describe(verdict), "session.scan")
    return SessionNote(text, True)


def prompt(event: Event) -> Decision:
    """deny (with the text to show) while the session verdict is dirty or the prompt holds a
    secret, else allow. A refused prompt is still written to the agent's transcript: it is
    scrubbed when the session next stops."""
    verdict = gate.current_verdict(event, scan_if_missing=True)
    if verdict is not None and verdict.blocking:
        reason = f"secretguard: {verdicts.describe(verdict)}. {verdicts.advice(verdict)}"
        if not audit(event, "deny", verdicts.describe(verdict), "session.verdict"):
            reason = f"secretguard: {AUDIT_FAILED}."
        return Decision("deny", reason, "session.verdict")
    from secretguard.guard import firewall

    found = firewall.secrets_in(event.prompt or "", event.root) if event.prompt else None
    if found:
        rules = ", ".join(sorted(found))
        reason = (f"secretguard: the prompt holds a secret ({rules}); it was not sent. Keep secrets out of "
                  "prompts: put them in Vault and let `secretguard exec` hand them to the command that needs them.")
        audit(event, "deny", f"secret in prompt: {rules}", "prompt.secret")
        _scrub_later(event)
        return Decision("deny", reason, "prompt.secret")
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
        from secretguard.errors import ConfigError

        try:
            sealed = seal.sealed_command(command, event.root)
        except ConfigError:  # secretguard's own executable is not findable: the analysis alone decides
            return d
        return Decision("allow", d.reason, d.rule, d.hits, command=sealed)
    return d


def after_tool(event: Event):
    """A redacted copy of the tool's output (guard.firewall.Redaction), or None when it holds no
    secret. Any failure withholds the whole output: the Redaction then carries a note instead."""
    from collections import Counter

    from secretguard.guard import firewall

    tool = event.tool.name if event.tool else "tool"
    try:
        red = firewall.redact_output(event.output, event.root)
    except Exception as exc:  # noqa: BLE001 - fail closed: nothing unchecked reaches the model
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
        audit_redaction(event, tool, {"withheld": 1}, error=why)
        return firewall.Redaction(firewall.withhold(event.output, f"secretguard could not check it ({why})"),
                                  Counter({"withheld": 1}))
    if red is not None:
        audit_redaction(event, tool, dict(red.counts))
    return red


def audit_redaction(event: Event, tool: str, counts: dict, **extra) -> None:
    from secretguard.audit import log

    try:
        log.record("redact", session=event.session, agent=event.agent, tool=tool, project=event.root,
                   rules=sorted(counts), count=sum(counts.values()), **extra)
    except log.AuditError:
        pass  # the output is redacted either way; the missing record is the lesser harm


def session_end(event: Event) -> int:
    """The agent stopped: scrub this session's transcript if a refused prompt was left in it."""
    from secretguard.guard import firewall
    from secretguard.scan import transcripts

    pending = transcripts.take_pending(event.session)
    if not pending:
        return 0
    try:  # the agent is idle at Stop: no live-file check; never block its stopping
        count = transcripts.scrub_file(pending, firewall.redactor(event.root), check_live=False)
    except (OSError, ValueError) as exc:
        transcripts.mark_pending(event.session, pending)
        audit(event, "deny", f"transcript scrub failed: {exc}", "transcript.scrub")
        return 0
    audit(event, "allow", f"transcript scrubbed: {count} value(s)", "transcript.scrub")
    return count


def _scrub_later(event: Event) -> None:
    if event.transcript:
        from secretguard.scan import transcripts

        transcripts.mark_pending(event.session, event.transcript)


def config_change(event: Event, why: str | None) -> Decision:
    """Refuse a settings change that removes or alters secretguard's hooks (`why`, as the agent's
    adapter read the new settings); install/uninstall, which a human runs, announce theirs first."""
    if why:
        audit(event, "deny", why, "config.tamper", target=event.config_file)
        return Decision("deny", f"secretguard: {why}; use `secretguard install`/`uninstall` to change them",
                        "config.tamper")
    audit(event, "allow", "settings change keeps secretguard's hooks", "config.change", target=event.config_file)
    return Decision("allow", "settings change keeps secretguard's hooks", "config.change")


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
