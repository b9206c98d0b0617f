"""`secretguard transcripts scan|scrub [--agent NAME]`: secrets in agents' stored sessions."""

from __future__ import annotations

import json
import os

import click

AGENTS = ("claude", "codex", "gemini", "copilot")


@click.group("transcripts")
def transcripts() -> None:
    """Find and remove secrets in agents' stored sessions (Claude Code, Codex, Gemini, Copilot)."""


def _files(agents: tuple[str, ...]) -> list[str]:
    from secretguard.scan import transcripts as store

    return store.find(agents or AGENTS)


def _redactor():
    from secretguard.guard.firewall import redactor

    return redactor(os.getcwd())


@transcripts.command("scan")
@click.option("--agent", "agents", multiple=True, type=click.Choice(AGENTS), help="Only this agent's sessions.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def scan(agents: tuple[str, ...], fmt: str) -> int:
    """Report secrets in stored sessions: file, line and rule, redacted. Exit 1 when any."""
    from secretguard.scan import transcripts as store

    red = _redactor()
    hits = [h for path in _files(agents) for h in store.scan_file(path, red)]
    home = os.path.expanduser("~")
    shown = [{"path": h.path.replace(home, "~", 1), "line": h.line, "rule": h.rule, "excerpt": h.excerpt}
             for h in hits]
    if fmt == "json":
        click.echo(json.dumps({"findings": shown}, indent=1))
    else:
        for h in shown:
            click.echo(f"{h['path']}:{h['line']}  {h['rule']}  {h['excerpt']}")
        files = len({h["path"] for h in shown})
        click.echo(f"secretguard: {len(shown)} secret(s) in {files} stored session(s)" if shown else
                   "secretguard: no secret in the stored sessions")
    return 1 if hits else 0


@transcripts.command("scrub")
@click.option("--agent", "agents", multiple=True, type=click.Choice(AGENTS), help="Only this agent's sessions.")
def scrub(agents: tuple[str, ...]) -> int:
    """Rewrite stored sessions with every secret redacted (atomically; refused while a session is live)."""
    from secretguard.audit import log
    from secretguard.scan import transcripts as store

    red = _redactor()
    refused = 0
    total = 0
    for path in _files(agents):
        try:
            count = store.scrub_file(path, red)
        except store.TranscriptError as exc:
            click.echo(f"secretguard: skipped: {exc}", err=True)
            refused += 1
            continue
        if count:
            total += count
            click.echo(f"{path.replace(os.path.expanduser('~'), '~', 1)}: {count} secret(s) redacted")
            log.record("redact", action="transcript.scrub", file=path, count=count)
    click.echo(f"secretguard: {total} secret(s) redacted" + (f"; {refused} live session(s) left as they are"
                                                             if refused else ""))
    return 1 if refused else 0
