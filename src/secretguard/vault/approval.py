"""Approval, direnv-style: a human approves a profile; exec runs only while it is byte for byte the same.

The record holds a SHA-256 digest of the profile's canonical form and one of every pinned file, and is
kept in the OS keyring (keyed by project root and profile name), where the agent's file tools do not
reach. Digests of configuration and scripts are not secrets; the record never holds a secret value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from secretguard.vault import keystore
from secretguard.errors import SecretguardError
from secretguard.vault.profiles import Profile

SERVICE = "secretguard-approval"


class ApprovalError(SecretguardError):
    """The profile is not approved, or changed since it was approved; `short` is the state in brief."""

    def __init__(self, message: str, short: str = "not approved") -> None:
        super().__init__(message)
        self.short = short


@dataclass(frozen=True)
class Fingerprint:
    profile: str                        # sha256 of the canonical profile
    pins: tuple[tuple[str, str], ...]   # (pinned path as written, sha256 of its bytes)

    @property
    def digest(self) -> str:
        """One digest for the whole approval (what the audit log records)."""
        blob = json.dumps({"profile": self.profile, "pins": dict(self.pins)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"v": 1, "profile": self.profile, "pins": dict(self.pins), "digest": self.digest},
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Fingerprint:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != 1:
            raise ValueError("unknown approval record version")
        return cls(profile=str(data["profile"]), pins=tuple(sorted((str(k), str(v)) for k, v in data["pins"].items())))


def pin_path(project_root: Path, pin: str) -> Path:
    path = Path(pin).expanduser()
    return path if path.is_absolute() else project_root / path


def fingerprint(profile: Profile, project_root: Path) -> Fingerprint:
    """Digest the profile and its pinned files now; ApprovalError if a pinned file is unreadable."""
    canonical = json.dumps(profile.canonical(), sort_keys=True, separators=(",", ":"))
    pins = []
    for pin in profile.pin:
        try:
            data = pin_path(project_root, pin).read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ApprovalError(f"refused: pinned file {pin} of profile {profile.name!r} cannot be read: {reason}",
                                short=f"pinned file {pin} unreadable: {reason}") from None
        pins.append((pin, hashlib.sha256(data).hexdigest()))
    return Fingerprint(profile=hashlib.sha256(canonical.encode()).hexdigest(), pins=tuple(sorted(pins)))


def _key(profile: Profile, project_root: Path) -> str:
    return f"{project_root.resolve()}::{profile.name}"


def approve(profile: Profile, project_root: Path) -> Fingerprint:
    fp = fingerprint(profile, project_root)
    keystore.put(SERVICE, _key(profile, project_root), fp.to_json())
    return fp


def revoke(profile: Profile, project_root: Path) -> bool:
    return keystore.delete(SERVICE, _key(profile, project_root))


def differences(approved: Fingerprint, current: Fingerprint, profile: Profile) -> list[str]:
    """What changed since approval, in words."""
    changes = []
    if approved.profile != current.profile:
        changes.append(f"profile {profile.name!r} changed since approval")
    old, new = dict(approved.pins), dict(current.pins)
    for pin in sorted(set(old) | set(new)):
        if pin not in old:
            changes.append(f"pinned file {pin} was added since approval")
        elif old[pin] != new.get(pin):
            changes.append(f"pinned file {pin} changed since approval")
    return changes


def check(profile: Profile, project_root: Path) -> Fingerprint:
    """Return the current fingerprint if it is the approved one; ApprovalError saying what changed."""
    fix = f"review it and run `secretguard approve {profile.name}` at a terminal"
    current = fingerprint(profile, project_root)
    stored = keystore.get(SERVICE, _key(profile, project_root))
    if stored is None:
        raise ApprovalError(f"refused: profile {profile.name!r} is not approved for {project_root}; {fix}")
    try:
        approved = Fingerprint.from_json(stored)
    except (ValueError, KeyError, TypeError):
        raise ApprovalError(f"refused: the approval record of profile {profile.name!r} is unreadable; {fix}") from None
    changes = differences(approved, current, profile)
    if changes:
        raise ApprovalError(f"refused: {'; '.join(changes)}; {fix}", short="; ".join(changes))
    return current


def state(profile: Profile, project_root: Path) -> str:
    """'approved', 'not approved' or what changed, for `secretguard profiles`."""
    try:
        check(profile, project_root)
    except ApprovalError as exc:
        return exc.short
    return "approved"
