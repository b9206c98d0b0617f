"""The session gate: a strict scan at session start, and its verdict re-checked on every event.

The verdict is kept in secretguard's state dir (guard.verdicts); while it is dirty, prompts and
tool calls are refused. A dirty verdict is re-checked cheaply (only the files it names), and a
full scan runs again once they are gone.
"""

from __future__ import annotations

import os
import time

from secretguard.guard import verdicts
from secretguard.guard.events import Event
from secretguard.guard.verdicts import ERROR, Verdict

RESCAN_INTERVAL = 10.0
OFF_LIMITS = ("Credential files stay off limits for this session (reads of them are refused); commands that "
              "need a secret run through `secretguard exec`.")
CLEAN_NOTE = f"secretguard: the workspace scan is clean. {OFF_LIMITS}"
NOT_BLOCKING_NOTE = "secretguard: the workspace scan found nothing that blocks this session. {reported} " + OFF_LIMITS


def run_scan(root: str) -> Verdict:
    """Strict workspace scan (cached) -> stored verdict. A scan that fails is an error verdict."""
    from pathlib import Path

    from secretguard.errors import SecretguardError
    from secretguard.scan.engine import ScanOptions, scan_workspace

    options = ScanOptions(strict=True, use_cache=True)
    try:
        result = scan_workspace([Path(root)], options)
        verdict = verdicts.from_scan(root, result, result.digest)
    except SecretguardError as exc:
        verdict = Verdict(root, ERROR, error=str(exc))
    verdicts.save(verdict)
    return verdict


def current_verdict(event: Event, scan_if_missing: bool) -> Verdict | None:
    verdict = verdicts.load(event.root)
    if verdict is None:
        return run_scan(event.root) if scan_if_missing else None
    event.digest = verdict.digest
    if verdict.blocking:
        verdict = recheck(event, verdict)
    return verdict


def recheck(event: Event, verdict: Verdict) -> Verdict:
    """Cheap re-check of a dirty verdict: only the files it names; a full scan once they are fixed."""
    if verdict.status == ERROR or verdict.config != verdicts.config_stamp(event.root):
        return run_scan(event.root)
    remaining = []
    for f in verdict.findings:
        path = os.path.join(event.root, f["path"])
        if os.path.lexists(path) and (event.judge.secret_path(path) or f.get("line") is None and
                                      event.judge.secret_name(path)):
            remaining.append(f)
    skipped = [s for s in verdict.skipped if os.path.lexists(os.path.join(event.root, s["path"].rstrip("/")))]
    if remaining:
        if len(remaining) != len(verdict.findings) or len(skipped) != len(verdict.skipped):
            verdict = Verdict(event.root, verdict.status, remaining, skipped, None, verdict.digest, verdict.config)
            verdicts.save(verdict)
        return verdict
    if skipped and time.time() - verdict.checked_at < RESCAN_INTERVAL:
        return verdict
    fresh = run_scan(event.root)
    event.reset_judge(fresh.digest)
    return fresh
