"""Sealing a shell command: the hook hands the agent back its own command, run behind the wall.

    original:  cat notes.txt | grep key
    sealed:    __sg_cwd=$(mktemp) && '/venv/bin/secretguard' run --inner --project /repo \
                 --cwd-file "$__sg_cwd" -- bash -c 'cat notes.txt | grep key'; __sg_rc=$?; ...

Whatever the syntax, the command then reads only what a sealed session sees, and its stdout and
stderr are redacted before the agent reads them (the only place that stops `cat .env; exit 3`,
whose output an agent cannot redact after a failure). The directory the command ends in is carried
back, so `cd` keeps working across calls. If secretguard disappears the sealed command fails (127):
it never runs unsealed.
"""

from __future__ import annotations

import os
import shlex

MARKER = " run --inner "


def available() -> bool:
    """Sealing needs bubblewrap; without it the guard's command analysis is the only layer."""
    from secretguard.paths import which

    return which("bwrap") is not None


def is_sealed(command: str) -> bool:
    return MARKER in command and "__sg_cwd" in command


def sealed_command(command: str, project: str) -> str:
    from secretguard.paths import find_executable

    exe = shlex.quote(find_executable())
    inner = f"{exe} run --inner --project {shlex.quote(project)} --cwd-file \"$__sg_cwd\" -- bash -c " \
            f"{shlex.quote(command)}"
    return (f"__sg_cwd=$(mktemp) && {inner}; __sg_rc=$?; cd \"$(cat \"$__sg_cwd\" 2>/dev/null || pwd)\" "
            f"2>/dev/null; rm -f \"$__sg_cwd\"; (exit $__sg_rc)")


def inside_session() -> bool:
    return bool(os.environ.get("SECRETGUARD_SESSION"))
