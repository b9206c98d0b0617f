"""The per-project session verdict: what the last strict scan of a project found.

Kept in secretguard's state dir (outside the workspace, where the agent cannot edit it), one JSON
file per project keyed by the project's real path. It names files and rules, never a value.
"""

from __future__ import annotations

import json
import os
import time

from secretguard.paths import ensure_private_dir, state_dir

try:
    from _sha256 import sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    from hashlib import sha256

CLEAN, DIRTY, ERROR = "clean", "dirty", "error"
MAX_LISTED = 200
# Files whose change can turn findings into accepted ones: a change forces a full rescan.
CONFIG_FILES = ("secretguard.toml", "pyproject.toml", ".secretguardignore", ".secretguard-baseline.json")


class Verdict:
    __slots__ = ("project", "status", "findings", "skipped", "error", "digest", "config", "checked_at", "reported")

    def __init__(self, project: str, status: str, findings: list[dict] | None = None,
                 skipped: list[dict] | None = None, error: str | None = None, digest: str | None = None,
                 config: list | None = None, checked_at: float | None = None,
                 reported: list[dict] | None = None) -> None:
        self.project = project
        self.status = status
        self.findings = findings or []      # the findings that block (by the `gate` setting)
        self.skipped = skipped or []
        self.error = error
        self.digest = digest
        self.config = config if config is not None else config_stamp(project)
        self.checked_at = checked_at if checked_at is not None else time.time()
        self.reported = reported or []      # findings below the gate: reported, not blocking

    @property
    def blocking(self) -> bool:
        return self.status != CLEAN

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, doc: dict) -> "Verdict":
        if doc.get("status") not in (CLEAN, DIRTY, ERROR) or not isinstance(doc.get("project"), str):
            raise ValueError("not a verdict")
        return cls(doc["project"], doc["status"], list(doc.get("findings") or []), list(doc.get("skipped") or []),
                   doc.get("error"), doc.get("digest"), doc.get("config"), doc.get("checked_at"),
                   list(doc.get("reported") or []))


def config_stamp(project: str) -> list:
    out = []
    for name in CONFIG_FILES:
        try:
            st = os.stat(os.path.join(project, name))
            out.append([name, st.st_mtime_ns, st.st_size])
        except OSError:
            out.append([name, None, None])
    return out


def verdict_path(project: str) -> str:
    key = sha256(os.fsencode(os.path.realpath(project))).hexdigest()[:32]
    return os.path.join(str(state_dir()), "claude", f"verdict-{key}.json")


def load(project: str) -> Verdict | None:
    """The stored verdict for `project`, or None. A damaged file counts as an error verdict."""
    path = verdict_path(project)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Verdict(project, ERROR, error=f"cannot read the session verdict: {exc.strerror}")
    try:
        return Verdict.from_dict(json.loads(raw))
    except (ValueError, TypeError, KeyError):
        return Verdict(project, ERROR, error="the stored session verdict is damaged")


def save(verdict: Verdict) -> None:
    """Write atomically, readable by the owner only. Raises OSError if it cannot."""
    path = verdict_path(verdict.project)
    ensure_private_dir(state_dir())
    ensure_private_dir(state_dir() / "claude")
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
        json.dump(verdict.to_dict(), fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def from_scan(project: str, result, digest: str | None) -> Verdict:
    """A verdict from a ScanResult of a strict scan: blocking findings or anything unread make it dirty.

    Which findings block is the settings' `gate` (default: high and medium confidence); the others
    are kept as `reported`, listed to the agent and the user without blocking."""
    from secretguard.scan.confidence import blocks

    gate = getattr(result, "gate", "medium")
    blocking = [f for f in result.findings if blocks(f.confidence, gate)]
    below = [f for f in result.findings if not blocks(f.confidence, gate)]

    def entry(f) -> dict:
        return {"path": f.path, "rule": f.rule, "description": f.description, "line": f.line,
                "confidence": f.confidence, "credential_file": f.credential_file, "file_rule": f.file_rule}

    skipped = [{"path": s.path, "reason": s.reason} for s in result.skipped[:MAX_LISTED]]
    status = DIRTY if blocking or result.skipped else CLEAN
    return Verdict(project, status, [entry(f) for f in blocking[:MAX_LISTED]], skipped, None, digest,
                   reported=[entry(f) for f in below[:MAX_LISTED]])


def _item(f: dict) -> str:
    inside = f" in a {f['file_rule']}" if f.get("file_rule") else ""
    return f"{f['path']}{':' + str(f['line']) if f.get('line') else ''} ({f['rule']}{inside})"


def describe_reported(verdict: Verdict, limit: int = 10) -> str:
    """The findings below the gate, for the session note: reported, not blocking. Empty if none."""
    if not verdict.reported:
        return ""
    items = [_item(f) for f in verdict.reported]
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    return (f"Reported, not blocking ({len(items)} low-confidence finding{'s' if len(items) != 1 else ''}: "
            f"test fixtures, documentation examples, weak values): {'; '.join(items[:limit])}{more}.")


def describe(verdict: Verdict, limit: int = 10) -> str:
    """A short, redacted account of why the verdict blocks (paths and rules only)."""
    if verdict.status == ERROR:
        return f"the workspace could not be checked: {verdict.error}"
    items = [_item(f) for f in verdict.findings]
    items += [f"{s['path']} (not scanned: {s['reason']})" for s in verdict.skipped]
    shown = "; ".join(items[:limit])
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    return f"credential material in the workspace: {shown}{more}"


def advice(verdict: Verdict) -> str:
    """How to unblock, by the kind of finding: a baseline accepts content findings only."""
    if verdict.status == ERROR:
        return "Fix the error above (secretguard re-checks on every prompt and tool call)."
    parts = ["To fix:"]
    if any(f.get("line") is None or f.get("credential_file") for f in verdict.findings):
        parts.append("move credential files out of the workspace (keep secrets in Vault/OpenBao and run commands "
                     "that need them with `secretguard exec`); a test fixture can be listed in `exclude` in "
                     "secretguard.toml.")
    if any(f.get("line") is not None and not f.get("credential_file") for f in verdict.findings):
        parts.append("replace secret values in files with placeholders or references, or have a human accept a "
                     "false positive (`secretguard:allow` on its line, or `secretguard baseline --update --file "
                     "PATH`).")
    if verdict.skipped:
        parts.append("paths that could not be scanned are refused until they can be: remove them, or list them "
                     "in `exclude` in secretguard.toml if they are meant to be there.")
    parts.append("secretguard re-checks on every prompt and tool call, so no restart is needed.")
    return " ".join(parts)
