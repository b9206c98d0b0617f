"""Running one approved command with short-lived secrets: the whole `secretguard exec` run.

Exit codes follow the wrapper convention (env, timeout, sudo): the child's own code (128+N when a
signal ended it); 125 when secretguard refused or failed, with one line on stderr starting
`secretguard: `; 126 when the command is not executable; 127 when it is not found. Like the child's
supervisor it belongs to, this module writes those one-line messages to stderr itself.
"""

from __future__ import annotations

import getpass
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from secretguard.errors import SecretguardError

if TYPE_CHECKING:
    from secretguard.vault.client import VaultSettings
    from secretguard.vault.profiles import Profile

FAILED, NOT_EXECUTABLE, NOT_FOUND = 125, 126, 127


def _say(message: str) -> None:
    sys.stderr.write(f"secretguard: {message}\n")
    sys.stderr.flush()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _masked_argv(argv: list[str], values: list[str]) -> list[str]:
    from secretguard.vault.masking import Masker

    out = []
    for arg in argv:
        m = Masker(values)
        out.append((m.feed(arg.encode()) + m.flush()).decode("utf-8", "replace"))
    return out


def _audit(**fields: object) -> None:
    from secretguard.audit import log as audit

    audit.record("exec", repo=Path.cwd(), **fields)


def _login_token(settings: VaultSettings, from_env: bool) -> str:
    from secretguard.vault import keystore

    if from_env:
        token = os.environ.get("VAULT_TOKEN", "")
        if not token:
            raise SecretguardError("--vault-token-from-env was given but VAULT_TOKEN is not set")
        return token
    stored = keystore.load_login(settings.keyring_key)
    if stored is None:
        hint = " (VAULT_TOKEN is ignored without --vault-token-from-env)" if os.environ.get("VAULT_TOKEN") else ""
        raise SecretguardError(f"not logged in to {settings.addr}{hint}; run `secretguard login`")
    return stored[0]


def _mask_plan(profile_mask: bool, mask: bool | None) -> tuple[bool, bool]:
    """(mask stdout, mask stderr). --no-mask needs a human at the terminal or an approved mask = false."""
    if mask is False and profile_mask and not os.isatty(0):
        raise SecretguardError("refused: --no-mask needs a terminal on stdin, or mask = false in the approved "
                               "profile")
    if mask is False or (mask is None and not profile_mask):
        return False, False
    if mask is True:
        return True, True
    return not os.isatty(1), not os.isatty(2)


def run_exec(argv: list[str], profile_name: str | None, mask: bool | None, token_from_env: bool,
             wrap: Callable[[list[str]], list[str]] | None = None, child_env: dict[str, str] | None = None) -> int:
    """The whole run; returns the exit code. Prints only the one-line refusals and warnings.
    `wrap` turns the command line into the one actually started (the broker's sandbox);
    `child_env` is the environment the child starts from (the caller's, when it is not ours)."""
    base = os.environ if child_env is None else child_env
    from secretguard.vault import approval
    from secretguard.vault import child as execute
    from secretguard.vault import profiles

    root = profiles.find_project_root(Path.cwd())
    profile: Profile | None = None
    try:
        invalid: dict[str, str] = {}
        try:
            profile = profiles.select_profile(profiles.load_profiles(root, invalid), argv, profile_name)
        except profiles.ProfileError as exc:
            if profile_name in invalid:
                raise SecretguardError(invalid[profile_name]) from None
            hint = f" (not usable: {'; '.join(invalid.values())})" if invalid else ""
            raise profiles.ProfileError(f"{exc}{hint}") from None
        mask_out, mask_err = _mask_plan(profile.mask, mask)
        base_env = execute.build_env(base, profile, {})
        execute.resolve_command(argv[0], base_env)
        from secretguard.vault import client as vault

        settings = vault.settings_from_env()
        fingerprint = approval.check(profile, root)
        login_token = _login_token(settings, token_from_env)
    except execute.ExecError as exc:
        _refused(profile, argv, str(exc))
        return exc.exit_code
    except SecretguardError as exc:
        _refused(profile, argv, str(exc))
        return FAILED
    return _run_with_token(profile, argv, settings, login_token, fingerprint.digest, mask_out, mask_err, wrap, base)


def _remember(values: list[str], ttl: int) -> None:
    """The values just read are known secrets: the context firewall redacts them wherever they
    reappear (a keyed hash each, never the value), for a day after the token expires."""
    try:
        from secretguard.scan.known import KnownValues

        KnownValues.add(values, ttl=ttl + 24 * 3600)
    except OSError as exc:
        _say(f"warning: could not record the values as known secrets ({exc.strerror or exc})")


def _refused(profile: Profile | None, argv: list[str], reason: str) -> None:
    _say(reason)
    try:
        _audit(outcome="refused", profile=profile.name if profile else None, argv=argv[:1], reason=reason)
    except SecretguardError as exc:
        _say(f"audit: {exc}")


def _run_with_token(profile: Profile, argv: list[str], settings: VaultSettings, login_token: str, digest: str,
                    mask_out: bool, mask_err: bool, wrap: Callable[[list[str]], list[str]] | None,
                    base: Mapping[str, str]) -> int:
    import requests

    from secretguard import __version__
    from secretguard.vault import child as execute
    from secretguard.vault import client as vault

    session = requests.Session()
    login = vault.client(settings, login_token, session=session)
    with execute.SignalRelay() as relay:
        try:
            info = vault.lookup_self(settings, login)
            vault.check_policies(profile, info)
            meta = {"secretguard": __version__, "profile": profile.name, "os_user": getpass.getuser()}
            if os.environ.get("CLAUDE_SESSION_ID"):
                meta["claude_session"] = os.environ["CLAUDE_SESSION_ID"]
            child = vault.create_child(settings, login, profile, meta)
        except SecretguardError as exc:
            _refused(profile, argv, str(exc))
            return FAILED
        record = {"profile": profile.name, "approval_digest": digest, "accessor": child.accessor,
                  "policies": list(child.policies), "ttl": child.ttl,
                  "references": [{"env": env, "ref": str(ref)} for env, ref in profile.secrets]}
        code, started, values = FAILED, _now(), []
        try:
            read = vault.read_secrets(settings, vault.client(settings, child.token, session=session), profile.secrets)
            values = list(read.values.values())
            _remember(values, profile.max_ttl)
            record.update(argv=_masked_argv(argv, values), leases=read.leases)
            _audit(outcome="started", started=started, **record)
            if relay.stop_signal is not None:
                code = 128 + relay.stop_signal
                _say(f"stopped by signal {relay.stop_signal} before the command started")
            else:
                env = execute.build_env(base, profile, read.values)
                code = execute.run_child(wrap(argv) if wrap else argv, env, relay, mask_values=values,
                                         mask_stdout=mask_out, mask_stderr=mask_err)
        except execute.ExecError as exc:
            _say(str(exc))
            code = exc.exit_code
        except SecretguardError as exc:
            _say(str(exc))
            code = FAILED
        finally:
            revocation = vault.revoke_child(settings, login, child, session=session)
            if not revocation.ok:
                _say(f"WARNING: revocation of the child token (accessor {child.accessor}) could not be "
                     f"confirmed: {revocation.detail}; it expires on its own within {profile.max_ttl} s")
            record.setdefault("argv", _masked_argv(argv, values))
            try:
                _audit(outcome="finished", started=started, ended=_now(), exit_code=code,
                       revocation={"ok": revocation.ok, "detail": revocation.detail}, **record)
            except SecretguardError as exc:
                _say(f"audit: {exc}")
    return code
