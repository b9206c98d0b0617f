"""`secretguard claude [ARGS...]`: scan the workspace strictly, then start Claude Code.

The hard pre-session stop: a dirty workspace means Claude never starts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from secretguard.errors import SecretguardError


@click.command("claude", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def claude_launch(args: tuple[str, ...]) -> int:
    """Scan the workspace strictly, then exec `claude` with ARGS (refused while dirty).

    Claude's own options go after `--` when they could be read as secretguard's: `secretguard claude -- --help`.
    Prefer `secretguard run -- claude ARGS`, which also seals the session."""
    from secretguard.scan import report
    from secretguard.guard import verdicts
    from secretguard.scan.engine import ScanOptions, scan_workspace

    root = Path(os.environ.get("CLAUDE_PROJECT_DIR") or Path.cwd())
    options = ScanOptions(strict=True, use_cache=True)
    result = scan_workspace([root], options)
    verdict = verdicts.from_scan(str(root), result, result.digest)
    try:
        verdicts.save(verdict)
    except OSError:
        pass  # the SessionStart hook scans again
    if verdict.blocking:
        click.echo(report.to_text(result), err=True)
        click.echo("secretguard: refusing to start claude: the workspace holds credential material or files "
                   "that could not be checked (see above)", err=True)
        return 1
    reported = verdicts.describe_reported(verdict)
    if reported:
        click.echo(f"secretguard: {reported}", err=True)
    if shutil.which("claude") is None:
        raise SecretguardError("`claude` is not on PATH: install Claude Code first")
    os.execvp("claude", ["claude", *args])
    return 0  # not reached
