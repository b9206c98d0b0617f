"""The plain git `pre-commit` hook, for repositories without the pre-commit framework.

The hook we write carries a marker line, so we only ever rewrite or remove our own file. A hook
that was there first is moved aside and called from ours (`pre-commit.secretguard-chained`);
uninstalling puts it back. The hook runs secretguard by absolute path and refuses the commit if
that path is gone: a changed PATH or an uninstall cannot switch the gate off silently.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from secretguard.errors import SecretguardError

MARKER = "# secretguard-managed-hook v1"
HOOK_NAME = "pre-commit"
CHAINED_NAME = HOOK_NAME + ".secretguard-chained"
REPLACED_NAME = HOOK_NAME + ".secretguard-replaced"

TEMPLATE = """#!/bin/sh
{marker}: written by `secretguard install git-hook`.
# `secretguard install git-hook --uninstall` removes it and restores a hook it chained to.
# secretguard runs by absolute path: a changed PATH cannot switch this gate off.
secretguard={command}
chained="$(dirname "$0")/{chained}"
if [ -x "$chained" ]; then
    "$chained" "$@" || exit $?
fi
if [ ! -x "$secretguard" ]; then
    echo "secretguard: $secretguard is missing: commit refused." >&2
    echo "secretguard: reinstall secretguard and run \\`secretguard install git-hook\\`, or remove $0" >&2
    exit 1
fi
exec "$secretguard" scan --staged
"""


class HookError(SecretguardError):
    """The hook cannot be installed or removed as asked."""


@dataclass(frozen=True)
class HookResult:
    action: str          # installed, updated, unchanged, chained, replaced, removed, restored, absent, foreign
    hook: Path
    other: Path | None = None   # the chained, restored or replaced hook, when there is one
    executable: str | None = None


def repo_top(cwd: Path) -> Path:
    out = _git(["rev-parse", "--show-toplevel"], cwd)
    if out is None or not out:
        raise HookError(f"{cwd} is not inside a git working tree")
    return Path(out)


def hooks_dir(top: Path) -> Path:
    """Where git looks for hooks: honours core.hooksPath and linked worktrees."""
    out = _git(["rev-parse", "--git-path", "hooks"], top)
    if out is None:
        raise HookError(f"cannot find the hooks directory of {top}")
    path = Path(os.path.expanduser(out))
    return path if path.is_absolute() else top / path


def secretguard_executable() -> str:
    """The absolute path of the console script of the secretguard that is running now."""
    beside = Path(sys.executable).parent / "secretguard"
    if os.access(beside, os.X_OK):
        return str(beside.absolute())
    found = shutil.which("secretguard")
    if found:
        return os.path.abspath(found)
    raise HookError("cannot find the `secretguard` executable (installed console script) to call from the hook")


def render(executable: str) -> str:
    return TEMPLATE.format(marker=MARKER, command=shlex.quote(executable), chained=CHAINED_NAME)


def is_ours(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            return MARKER.encode() in fh.read(512)
    except OSError:
        return False


def install(top: Path, force: bool = False, executable: str | None = None) -> HookResult:
    hooks = hooks_dir(top)
    executable = executable or secretguard_executable()
    hook, chained = hooks / HOOK_NAME, hooks / CHAINED_NAME
    text = render(executable)
    try:
        hooks.mkdir(parents=True, exist_ok=True)
        if is_ours(hook):
            if hook.read_text(encoding="utf-8") == text and os.access(hook, os.X_OK):
                return HookResult("unchanged", hook, executable=executable)
            _write(hook, text)
            return HookResult("updated", hook, executable=executable)
        if not os.path.lexists(hook):
            _write(hook, text)
            return HookResult("installed", hook, executable=executable)
        if force:
            replaced = hooks / REPLACED_NAME
            os.replace(hook, replaced)
            _write(hook, text)
            return HookResult("replaced", hook, replaced, executable)
        if os.path.lexists(chained):
            raise HookError(f"{hook} is not secretguard's and {chained} already exists: "
                            "merge them by hand, or use --force to replace the hook")
        os.rename(hook, chained)
        _write(hook, text)
        return HookResult("chained", hook, chained, executable)
    except OSError as exc:
        raise HookError(f"cannot write {hook}: {exc.strerror or exc}") from None


def uninstall(top: Path) -> HookResult:
    hooks = hooks_dir(top)
    hook, chained = hooks / HOOK_NAME, hooks / CHAINED_NAME
    if os.path.lexists(hook) and not is_ours(hook):
        return HookResult("foreign", hook)
    removed = os.path.lexists(hook)
    try:
        if removed:
            os.unlink(hook)
        if os.path.lexists(chained):
            os.rename(chained, hook)
            return HookResult("restored", hook, chained)
    except OSError as exc:
        raise HookError(f"cannot remove {hook}: {exc.strerror or exc}") from None
    return HookResult("removed" if removed else "absent", hook)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".secretguard-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o755)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o755)  # the umask may have taken the execute bits
    os.replace(tmp, path)


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise HookError("git is not installed (or not on PATH)") from None
    if proc.returncode != 0:
        return None
    return os.fsdecode(proc.stdout.rstrip(b"\n"))
