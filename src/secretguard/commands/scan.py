"""`secretguard scan`: prove a working directory holds no credential material."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click


class _Progress:
    """A one-line counter on stderr, only on a TTY and only once a scan has run for a second."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int) -> None:
        if done % 50 == 0:
            self._show(f"scanned {done} files…")

    def walked(self, seen: int) -> None:
        self._show(f"found {seen} files…")

    def _show(self, text: str) -> None:
        if self.enabled and time.monotonic() - self.started > 1:
            sys.stderr.write(f"\r\033[Ksecretguard: {text}")
            sys.stderr.flush()
            self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--exclude", "excludes", multiple=True, metavar="PATTERN", help="gitignore-style pattern to leave out (repeatable).")
@click.option("--strict", is_flag=True, help="Anything that could not be scanned is a failure (exit 1).")
@click.option("--baseline", type=click.Path(path_type=Path), help="Report only findings not in this baseline.")
@click.option("--no-cache", is_flag=True, help="Scan every file; do not read or write the results cache.")
@click.option("--staged", is_flag=True, help="Scan what is staged for commit (the index), not the working tree.")
@click.option("--min-confidence", type=click.Choice(["low", "medium", "high"]), default="low", show_default=True,
              help="Report only findings of this confidence or higher; the others do not count for the exit code.")
@click.option("-v", "--verbose", is_flag=True, help="Also list what was excluded.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--agent-config", is_flag=True, help="Scan the agents' user-level configs in HOME (MCP servers, "
              "allow rules) instead of PATHS.")
def scan(paths: tuple[Path, ...], fmt: str, excludes: tuple[str, ...], strict: bool, baseline: Path | None,
         no_cache: bool, staged: bool, min_confidence: str, verbose: bool, output: Path | None,
         agent_config: bool) -> int:
    """Scan PATHS (default: the current directory) for credential files and secrets."""
    from secretguard.scan import report
    from secretguard.scan.engine import ScanOptions, scan_workspace

    options = ScanOptions(excludes=excludes, strict=strict, use_cache=not no_cache, baseline=baseline)
    if agent_config:
        if paths or staged:
            raise click.UsageError("--agent-config scans HOME's agent configs: give no PATH and no --staged")
        paths = _agent_configs()
        if not paths:
            click.echo("secretguard: no agent configuration found in HOME", err=True)
            return 0
        os.chdir(Path.home())  # findings are shown relative to HOME
    if staged:
        from secretguard.scan.staged import scan_staged

        result = scan_staged(paths, options)
    else:
        progress = _Progress()
        try:
            result = scan_workspace(paths, options, progress)
        finally:
            progress.close()
    result.hide_below(min_confidence)
    if fmt == "json":
        text = report.to_json(result, verbose)
    elif fmt == "sarif":
        text = report.to_sarif(result)
    else:
        color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = report.to_text(result, color=color, verbose=verbose)
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write the report to {output}: {exc.strerror or exc}") from None
        summary = [line for line in report.to_text(result, hint=False).splitlines() if line.startswith("secretguard: ")]
        click.echo(f"{summary[-1]}; report written to {output}" if summary else f"report written to {output}",
                   err=True)
    else:
        click.echo(text)
    _record(result, "staged" if staged else "manual")
    return result.exit_code()


AGENT_CONFIGS = (".claude.json", ".claude/settings.json", ".claude/settings.local.json", ".cursor/mcp.json",
                 ".codex/config.toml", ".gemini/settings.json", ".copilot/mcp-config.json", ".vscode/mcp.json",
                 ".config/Claude/claude_desktop_config.json", ".config/Code/User/mcp.json", ".aider.conf.yml")


def _agent_configs() -> tuple[Path, ...]:
    home = Path.home()
    return tuple(home / rel for rel in AGENT_CONFIGS if (home / rel).is_file())


def _record(result, trigger: str) -> None:
    """The verdict goes to the audit log; a log that cannot be written fails the scan closed."""
    try:
        from secretguard.audit import log as audit
    except ImportError:
        return
    audit.record("scan", repo=result.root, trigger=trigger, root=str(result.root),
                 files_scanned=result.files_scanned, findings=len(result.findings),
                 skipped=len(result.skipped),
                 rules=sorted({f.rule for f in result.findings}),
                 paths=sorted({f.path for f in result.findings})[:200],
                 skipped_paths=[s.path for s in result.skipped][:200])
