"""`secretguard audit show|verify`: read and check the tamper-evident audit log."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import deque
from datetime import datetime, timedelta, timezone
from typing import Any

import click

from secretguard.audit import log as audit_log
from secretguard.audit import chain as audit_chain

_DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Fields shown first in the summary column, when a record has them.
_SUMMARY_FIRST = ("decision", "verdict", "tool", "profile", "rule", "reason", "exit_code")
_HIDDEN = frozenset(audit_log.BASE_FIELDS)


@click.group("audit")
def audit() -> None:
    """Show and verify the tamper-evident audit log."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
def verify(as_json: bool) -> int:
    """Check the hash chain and checkpoint. Exit 1 naming the line where it breaks."""
    verdict = audit_chain.verify()
    if as_json:
        problem = verdict.problem
        click.echo(json.dumps({
            "ok": verdict.ok, "records": verdict.records, "files": verdict.files,
            "log": str(audit_log.log_path()), "notes": verdict.notes,
            "problem": None if problem is None else {
                "file": str(problem.file), "line": problem.line, "seq": problem.seq,
                "reason": problem.reason},
        }, sort_keys=True))
    elif verdict.ok:
        click.echo(f"audit log OK: {verdict.records} records in {verdict.files} files")
    else:
        click.echo(f"audit log BROKEN: {verdict.problem}")
    if not as_json:
        for note in verdict.notes:
            click.echo(f"note: {note}", err=True)
    return 0 if verdict.ok else 1


def _since(value: str | None) -> str | None:
    """A lower bound on `ts`, formatted like `ts` so plain string comparison orders correctly."""
    if value is None:
        return None
    match = _DURATION.match(value.strip())
    if match:
        when = datetime.now(timezone.utc) - timedelta(**{_UNITS[match[2]]: int(match[1])})
    else:
        text = value.strip()
        text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(f"{value!r} is neither a duration (30m, 2h, 7d, 1w) "
                                     "nor an ISO 8601 date or time", param_hint="--since") from None
        when = when.astimezone(timezone.utc)  # a time without a zone is local time
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@audit.command("show")
@click.option("--since", "since", metavar="DURATION|ISO",
              help="Only records newer than this: 30m, 2h, 7d, 1w, or an ISO date/time (local unless zoned).")
@click.option("--event", "events", multiple=True, type=click.Choice(sorted(audit_log.EVENTS)),
              help="Only this kind of record (repeatable).")
@click.option("--session", "session", metavar="ID", help="Only records of this Claude session.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Only the last N matching records.")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON lines.")
def show(since: str | None, events: tuple[str, ...], session: str | None, limit: int | None,
         as_json: bool) -> int:
    """List audit records, oldest first, as a table or JSON lines."""
    since_ts = _since(since)
    kept: deque[audit_chain.Line] = deque(maxlen=limit)
    unreadable = 0
    for line in audit_chain.records():
        rec = line.record
        if rec is None:
            unreadable += 1
            continue
        if events and rec.get("event") not in events:
            continue
        if session is not None and session not in (rec.get("session_id"), rec.get("session")):
            continue
        if since_ts is not None and not (isinstance(rec.get("ts"), str) and rec["ts"] >= since_ts):
            continue
        kept.append(line)
    if as_json:
        for line in kept:  # the stored bytes as they are, so they still hash to the chain
            click.echo(line.raw.decode("utf-8", "replace"), nl=False)
    else:
        _table([line.record for line in kept if line.record is not None])
    if unreadable:
        click.echo(f"secretguard: {unreadable} unreadable line(s) skipped; run `secretguard audit verify`",
                   err=True)
    return 0


def _table(records: list[dict[str, Any]]) -> None:
    if not records:
        click.echo("no audit records match")
        return
    rows = [("TIME (UTC)", "EVENT", "USER", "SUMMARY")]
    for rec in records:
        ts = str(rec.get("ts", ""))
        rows.append((ts[:19].replace("T", " "), str(rec.get("event", "")), str(rec.get("user", "")),
                     _summary(rec)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    room = None
    if sys.stdout.isatty():  # cut long summaries on a terminal only; pipes get everything
        room = max(20, shutil.get_terminal_size().columns - sum(widths) - 6)
    for row in rows:
        summary = row[3]
        if room is not None and len(summary) > room:
            summary = summary[:room - 1] + "…"
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + summary)


def _summary(rec: dict[str, Any]) -> str:
    keys = [k for k in _SUMMARY_FIRST if k in rec]
    keys += sorted(k for k in rec if k not in _HIDDEN and k not in _SUMMARY_FIRST)
    parts = []
    for key in keys:
        value = rec[key]
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        if len(text) > 80:
            text = text[:79] + "…"
        parts.append(text if key == "decision" else f"{key}={text}")
    return " ".join(parts)
