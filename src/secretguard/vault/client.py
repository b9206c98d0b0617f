"""Every Vault/OpenBao call, through hvac: login, child tokens, reads, revocation.

Settings follow Vault's own conventions: VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT. The token is
always passed explicitly: hvac would otherwise pick up VAULT_TOKEN or ~/.vault-token on its own.
Errors carry Vault's reason ("permission denied") and never a response body, which may hold a value.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from secretguard.errors import SecretguardError
from secretguard.vault.profiles import Profile, SecretRef


class VaultError(SecretguardError):
    """Vault is unreachable, refused a request, or answered something unusable."""


class TokenInvalid(VaultError):
    """The login token is expired or revoked."""


class CallFailed(VaultError):
    """One call failed; `reason` says why without the context."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class VaultSettings:
    addr: str
    namespace: str | None = None
    cacert: str | None = None

    @property
    def keyring_key(self) -> str:
        """The login credential is kept per Vault address (and namespace)."""
        return self.addr if not self.namespace else f"{self.addr}#ns={self.namespace}"


def settings_from_env(environ: dict[str, str] | None = None) -> VaultSettings:
    env = os.environ if environ is None else environ
    addr = env.get("VAULT_ADDR", "").strip().rstrip("/")
    if not addr:
        raise VaultError("VAULT_ADDR is not set; export the address of your Vault/OpenBao server")
    if not addr.startswith(("http://", "https://")):
        raise VaultError(f"VAULT_ADDR must start with http:// or https:// (got {addr!r})")
    cacert = env.get("VAULT_CACERT") or None
    if cacert and not os.path.isfile(cacert):
        raise VaultError(f"VAULT_CACERT names a file that does not exist: {cacert}")
    return VaultSettings(addr=addr, namespace=env.get("VAULT_NAMESPACE") or None, cacert=cacert)


def client(settings: VaultSettings, token: str = "", session: Any = None) -> Any:
    import hvac

    return hvac.Client(url=settings.addr, token=token, namespace=settings.namespace,
                       verify=settings.cacert or True, timeout=15, session=session)


def _reason(exc: BaseException) -> str:
    """A short, value-free reason for a failed call."""
    import hvac.exceptions as hx
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS verification failed (set VAULT_CACERT to the CA that signed the server's certificate)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection refused or host unreachable"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, hx.VaultError):
        errors = [e for e in (exc.errors or []) if isinstance(e, str)]
        text = "; ".join(_plain(e) for e in errors)[:200]
        default = {hx.Forbidden: "permission denied", hx.InvalidPath: "not found",
                   hx.VaultDown: "Vault is sealed or unavailable"}.get(type(exc), type(exc).__name__)
        return text or default
    return type(exc).__name__


def _plain(error: str) -> str:
    """Vault's multi-error text ("1 error occurred:\\n\\t* permission denied\\n\\n") as one plain line."""
    import re

    items = re.findall(r"^\s*\*\s*(.+?)\s*$", error, re.M)
    text = "; ".join(items) if items and re.match(r"\s*\d+ errors? occurred", error) else error
    return " ".join(text.split())


def _call(what: str, settings: VaultSettings, fn: Any, *args: Any, **kwargs: Any) -> Any:
    import hvac.exceptions as hx
    import requests

    try:
        return fn(*args, **kwargs)
    except requests.exceptions.RequestException as exc:
        raise CallFailed(what, f"cannot reach Vault at {settings.addr}: {_reason(exc)}") from None
    except hx.VaultError as exc:
        raise CallFailed(what, _reason(exc)) from None


@dataclass(frozen=True)
class TokenInfo:
    """What `lookup-self` says about a token: never the token itself."""

    accessor: str
    display_name: str
    policies: tuple[str, ...]
    ttl: int
    expire_time: str | None
    entity_id: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def is_root(self) -> bool:
        return "root" in self.policies


def lookup_self(settings: VaultSettings, login: Any) -> TokenInfo:
    import hvac.exceptions as hx
    import requests

    try:
        data = login.auth.token.lookup_self()["data"]
    except requests.exceptions.RequestException as exc:
        raise VaultError(f"cannot reach Vault at {settings.addr}: {_reason(exc)}") from None
    except (hx.Forbidden, hx.Unauthorized):
        raise TokenInvalid(f"the login token for {settings.addr} is expired or revoked; "
                           "run `secretguard login`") from None
    except hx.VaultError as exc:
        raise VaultError(f"token lookup failed: {_reason(exc)}") from None
    policies = set(data.get("policies") or []) | set(data.get("identity_policies") or [])
    return TokenInfo(accessor=data.get("accessor", ""), display_name=data.get("display_name", ""),
                     policies=tuple(sorted(policies)), ttl=int(data.get("ttl") or 0),
                     expire_time=data.get("expire_time"), entity_id=data.get("entity_id", ""),
                     meta=dict(data.get("meta") or {}))


def login_userpass(settings: VaultSettings, username: str, password: str, mount: str = "userpass") -> str:
    c = client(settings)
    resp = _call("userpass login failed", settings, c.auth.userpass.login, username=username,
                 password=password, mount_point=mount, use_token=False)
    return resp["auth"]["client_token"]


def login_approle(settings: VaultSettings, role_id: str, secret_id: str, mount: str = "approle") -> str:
    c = client(settings)
    resp = _call("AppRole login failed", settings, c.auth.approle.login, role_id=role_id,
                 secret_id=secret_id, mount_point=mount, use_token=False)
    return resp["auth"]["client_token"]


def revoke_self(settings: VaultSettings, token: str) -> None:
    _call("token revocation failed", settings, client(settings, token).auth.token.revoke_self)


@dataclass(frozen=True)
class ChildToken:
    token: str
    accessor: str
    policies: tuple[str, ...]
    ttl: int

    def __repr__(self) -> str:  # keep the token out of any accidental repr
        return f"ChildToken(accessor={self.accessor!r}, policies={self.policies!r}, ttl={self.ttl})"


def check_policies(profile: Profile, login_info: TokenInfo) -> None:
    """A child token may hold only policies the login holds (Vault enforces it; we say it clearly)."""
    if login_info.is_root:
        return
    missing = sorted(set(profile.policies) - set(login_info.policies))
    if missing:
        raise VaultError(f"refused: profile {profile.name!r} asks for policies the login token does not hold: "
                         f"{', '.join(missing)}")


def create_child(settings: VaultSettings, login: Any, profile: Profile, meta: dict[str, str]) -> ChildToken:
    resp = _call("could not create the child token", settings, login.auth.token.create,
                 policies=list(profile.policies), ttl=f"{profile.ttl}s",
                 explicit_max_ttl=f"{profile.max_ttl}s", display_name=f"secretguard-{profile.name}",
                 meta=meta, no_parent=False, renewable=False)
    auth = resp["auth"]
    return ChildToken(token=auth["client_token"], accessor=auth["accessor"],
                      policies=tuple(sorted(auth.get("policies") or [])), ttl=int(auth.get("lease_duration") or 0))


@dataclass
class ReadResult:
    values: dict[str, str]                   # env name -> value
    leases: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"ReadResult(names={sorted(self.values)!r}, leases={self.leases!r})"


def _read_one(settings: VaultSettings, child: Any, ref: SecretRef) -> tuple[dict[str, Any], str]:
    """The data map at a reference's path and its lease id ('' for static secrets)."""
    what = f"cannot read {ref.kind}:{ref.path}"
    if ref.kind == "kv2":
        mount, _, path = ref.path.partition("/data/")
        resp = _call(what, settings, child.secrets.kv.v2.read_secret_version, path=path, version=ref.version,
                     mount_point=mount, raise_on_deleted_version=True)
        data = (resp or {}).get("data") or {}
        return dict(data.get("data") or {}), ""
    resp = _call(what, settings, child.read, ref.path)
    if resp is None:
        raise CallFailed(what, "not found")
    return dict(resp.get("data") or {}), resp.get("lease_id") or ""


def read_secrets(settings: VaultSettings, child: Any, refs: Iterable[tuple[str, SecretRef]]) -> ReadResult:
    """Read every reference with the child token; one read per path. Any failure refuses."""
    import json

    result = ReadResult(values={})
    cache: dict[tuple[str, str, int | None], dict[str, Any]] = {}
    for env_name, ref in refs:
        if ref.read_key not in cache:
            try:
                data, lease = _read_one(settings, child, ref)
            except CallFailed as exc:
                raise VaultError(f"refused: reference {ref} for {env_name}: {exc.reason}") from None
            cache[ref.read_key] = data
            if lease:
                result.leases.append(lease)
        data = cache[ref.read_key]
        if ref.field not in data:
            fields = ", ".join(sorted(map(str, data))) or "none"
            raise VaultError(f"refused: reference {ref} for {env_name}: no field {ref.field!r} (fields: {fields})")
        value = data[ref.field]
        value = value if isinstance(value, str) else json.dumps(value)
        if "\x00" in value or not value:
            raise VaultError(f"refused: reference {ref} for {env_name}: the value is empty or holds a NUL byte")
        result.values[env_name] = value
    return result


@dataclass(frozen=True)
class Revocation:
    ok: bool
    detail: str


def revoke_child(settings: VaultSettings, login: Any, child: ChildToken, session: Any = None) -> Revocation:
    """Revoke the child token (and with it every lease made under it), then confirm it is gone."""
    import hvac.exceptions as hx
    import requests

    errors: list[str] = []
    child_client = client(settings, child.token, session=session)
    try:
        child_client.auth.token.revoke_self()
    except (requests.exceptions.RequestException, hx.VaultError) as exc:
        errors.append(f"revoke-self: {_reason(exc)}")
        try:
            login.auth.token.revoke_accessor(child.accessor)
        except (requests.exceptions.RequestException, hx.VaultError) as exc2:
            errors.append(f"revoke-accessor: {_reason(exc2)}")
    # Confirm: looking the accessor up must fail as invalid. A login without permission for that
    # lookup (403) falls back to the child token itself, which must be refused.
    for attempt in range(3):
        try:
            login.auth.token.lookup_accessor(child.accessor)
        except hx.InvalidRequest:
            return Revocation(True, "revoked; accessor lookup fails")
        except hx.Forbidden:
            try:
                child_client.auth.token.lookup_self()
            except (hx.Forbidden, hx.Unauthorized):
                return Revocation(True, "revoked; the child token is refused")
            except (requests.exceptions.RequestException, hx.VaultError) as exc:
                errors.append(f"confirm: {_reason(exc)}")
        except (requests.exceptions.RequestException, hx.VaultError) as exc:
            errors.append(f"confirm: {_reason(exc)}")
        time.sleep(0.05 * (attempt + 1))
    errors.append("the child token still answers lookups")
    return Revocation(False, "; ".join(errors))
