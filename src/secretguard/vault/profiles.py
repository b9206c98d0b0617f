"""Exec profiles: which command may receive which secrets, under what bounds.

A profile is a `[profiles.NAME]` table in the user config (`$XDG_CONFIG_HOME/secretguard/config.toml`)
or proposed by a project (`secretguard.toml` at the project root, or `[tool.secretguard]` in
pyproject.toml):

    [profiles.deploy]
    command = ["./scripts/deploy.sh", "*", "**"]  # literal words; "*" one word; "**" the rest (last only)
    policies = ["app-deploy"]                    # child token policies: a subset of the login token's
    ttl = "10m"                                  # child token TTL: seconds or 30s / 10m / 1h / 1h30m
    max_ttl = "15m"                              # explicit max TTL (default: ttl); the token never renews
    pin = ["scripts/deploy.sh"]                  # files whose bytes are part of the approval
    approval = "ask"                             # "auto" or "ask" (Claude Code asks a human every run)
    mask = true                                  # mask secret values in piped stdout/stderr
    env = "inherit"                              # or "pristine": only the names in env_allow pass
    env_allow = ["HOME", "PATH", "LANG"]         # in "inherit" mode: re-admits a filtered credential name

    [profiles.deploy.secrets]                    # environment variable = secret reference
    DB_PASSWORD = "kv2:secret/data/app#password"

Secret references (the path is the API path, exactly what a Vault policy grants):

    kv2:MOUNT/data/PATH#FIELD          KV version 2, latest version   kv2:secret/data/app#password
    kv2:MOUNT/data/PATH#FIELD@N        KV version 2, pinned version   kv2:secret/data/app#password@3
    kv1:MOUNT/PATH#FIELD               KV version 1                   kv1:kv/app#password
    read:PATH#FIELD                    any read, e.g. dynamic secrets read:database/creds/readonly#username

References to the same path share one read, so `username` and `password` of one dynamic credential
belong together. Leases are revoked with the child token when the command ends.

This module stays cheap to import (no hvac, no keyring): the Claude hook uses `find_profile_for_argv`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretguard.errors import ConfigError, SecretguardError
from secretguard.paths import config_dir
from secretguard.settings import find_project_table, read_toml

class ProfileError(SecretguardError):
    """No profile allows the command, or the choice is ambiguous."""


KINDS = ("kv2", "kv1", "read")
_REF_RE = re.compile(r"^(?P<kind>kv2|kv1|read):(?P<path>[^#\s]+)#(?P<field>[^\s@]+)(?:@(?P<version>[0-9]+))?$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")

# Names a secret may not set: they change what runs or how (loader, interpreter, shell start-up).
FORBIDDEN_ENV = frozenset({
    "PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "CDPATH", "SHELLOPTS", "BASHOPTS", "PS4",
    "PROMPT_COMMAND", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONUSERBASE",
    "NODE_OPTIONS", "NODE_PATH", "PERL5LIB", "PERL5OPT", "PERLLIB", "RUBYLIB", "RUBYOPT",
    "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "GCONV_PATH", "GLIBC_TUNABLES",
    "LOCPATH", "NLSPATH", "HOSTALIASES", "RESOLV_HOST_CONF", "TMPDIR", "EDITOR", "VISUAL", "PAGER",
    "BROWSER", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
})
FORBIDDEN_ENV_PREFIXES = ("LD_", "DYLD_", "MALLOC_", "GIT_", "SECRETGUARD_", "VAULT_", "BAO_", "PYTHON")

_KEYS = {"command", "secrets", "policies", "ttl", "max_ttl", "pin", "approval", "mask", "env",
         "env_allow", "description"}


@dataclass(frozen=True)
class SecretRef:
    """One secret reference: where to read, which field, which KV version."""

    kind: str
    path: str
    field: str
    version: int | None = None

    def __str__(self) -> str:
        suffix = f"@{self.version}" if self.version is not None else ""
        return f"{self.kind}:{self.path}#{self.field}{suffix}"

    @property
    def read_key(self) -> tuple[str, str, int | None]:
        """References with the same key are served by one read."""
        return (self.kind, self.path, self.version)


def parse_ref(text: str) -> SecretRef:
    """Parse `kind:path#field[@version]`; raise ValueError with the reason."""
    m = _REF_RE.match(text)
    if not m:
        raise ValueError("expected kv2:MOUNT/data/PATH#FIELD[@VERSION], kv1:MOUNT/PATH#FIELD or read:PATH#FIELD")
    kind, path, field, version = m["kind"], m["path"].strip("/"), m["field"], m["version"]
    if version is not None and kind != "kv2":
        raise ValueError("a pinned version (@N) exists only for kv2 references")
    if kind == "kv2":
        mount, _, rest = path.partition("/data/")
        if not mount or not rest:
            raise ValueError("a kv2 reference names the API path: MOUNT/data/PATH (as in the policy)")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError("the path has an empty, '.' or '..' segment")
    return SecretRef(kind, path, field, int(version) if version is not None else None)


@dataclass(frozen=True)
class Profile:
    name: str
    source: str
    command: tuple[str, ...]
    secrets: tuple[tuple[str, SecretRef], ...]
    policies: tuple[str, ...]
    ttl: int
    max_ttl: int
    pin: tuple[str, ...] = ()
    approval: str = "auto"
    mask: bool = True
    env: str = "inherit"
    env_allow: tuple[str, ...] = ()
    description: str = ""

    def matches(self, argv: list[str]) -> bool:
        pattern = list(self.command)
        if pattern and pattern[-1] == "**":
            pattern = pattern[:-1]
            if len(argv) < len(pattern):
                return False
        elif len(argv) != len(pattern):
            return False
        return all(p == "*" or p == a for p, a in zip(pattern, argv))

    def canonical(self) -> dict[str, Any]:
        """Everything that decides what runs and what it receives: the approval digest covers it."""
        return {
            "name": self.name, "source": self.source, "command": list(self.command),
            "secrets": {env: str(ref) for env, ref in self.secrets}, "policies": list(self.policies),
            "ttl": self.ttl, "max_ttl": self.max_ttl, "pin": list(self.pin), "approval": self.approval,
            "mask": self.mask, "env": self.env, "env_allow": list(self.env_allow),
        }


def parse_duration(value: object) -> int:
    """Seconds from an int or a string such as 90, "90s", "10m", "1h30m"."""
    if isinstance(value, bool):
        raise ValueError("expected seconds or a duration such as 10m")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and value.isdigit():
        seconds = int(value)
    elif isinstance(value, str) and value and (m := _DURATION_RE.match(value)):
        h, mi, s = (int(x) if x else 0 for x in m.groups())
        seconds = h * 3600 + mi * 60 + s
    else:
        raise ValueError("expected seconds or a duration such as 10m")
    if seconds <= 0:
        raise ValueError("must be positive")
    return seconds


def _str_list(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    return tuple(value)


def check_env_name(name: str) -> None:
    if not _ENV_NAME_RE.match(name):
        raise ValueError(f"{name!r} is not a valid environment variable name")
    upper = name.upper()
    if upper in FORBIDDEN_ENV or upper.startswith(FORBIDDEN_ENV_PREFIXES):
        raise ValueError(f"a secret may not set {name}: it changes what runs or how")


def _parse_one(name: str, raw: object, source: str) -> Profile:
    where = f"{source}: profiles.{name}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    key = "command"
    try:
        command = _str_list(raw.get("command"), "command")
        if not command or command[0] in ("*", "**"):
            raise ValueError("command must start with a literal program name")
        if "**" in command[:-1]:
            raise ValueError('"**" may only be the last word')
        key = "secrets"
        secrets_raw = raw.get("secrets")
        if not isinstance(secrets_raw, dict) or not secrets_raw:
            raise ValueError("secrets must be a table of ENV_NAME = \"reference\" with at least one entry")
        secrets = []
        for env_name, ref in sorted(secrets_raw.items()):
            key = f"secrets.{env_name}"
            check_env_name(env_name)
            if not isinstance(ref, str):
                raise ValueError("must be a reference string")
            secrets.append((env_name, parse_ref(ref)))
        key = "policies"
        policies = _str_list(raw.get("policies"), "policies")
        if not policies:
            raise ValueError("name at least one policy (an empty list would inherit all the login's policies)")
        if "root" in policies:
            raise ValueError("a profile may not grant the root policy")
        key = "ttl"
        ttl = parse_duration(raw.get("ttl", 300))
        key = "max_ttl"
        max_ttl = parse_duration(raw.get("max_ttl", ttl))
        if max_ttl < ttl:
            raise ValueError("max_ttl is shorter than ttl")
        key = "pin"
        pin = _str_list(raw.get("pin", []), "pin")
        key = "approval"
        approval = raw.get("approval", "auto")
        if approval not in ("auto", "ask"):
            raise ValueError('must be "auto" or "ask"')
        key = "mask"
        mask = raw.get("mask", True)
        if not isinstance(mask, bool):
            raise ValueError("must be true or false")
        key = "env"
        env = raw.get("env", "inherit")
        if env not in ("inherit", "pristine"):
            raise ValueError('must be "inherit" or "pristine"')
        key = "env_allow"
        env_allow = _str_list(raw.get("env_allow", []), "env_allow")
        key = "description"
        description = raw.get("description", "")
        if not isinstance(description, str):
            raise ValueError("must be a string")
    except ValueError as exc:
        raise ConfigError(f"{where}.{key}: {exc}") from None
    return Profile(name=name, source=source, command=command, secrets=tuple(secrets), policies=policies,
                   ttl=ttl, max_ttl=max_ttl, pin=pin, approval=approval, mask=mask, env=env,
                   env_allow=env_allow, description=description)


def parse_profiles(raw: dict, source: str, invalid: dict[str, str] | None = None) -> dict[str, Profile]:
    """Validate a `profiles` table; raise ConfigError naming the file and key on any problem. With
    `invalid`, a broken profile is set aside there (name -> message) and the others stay usable."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: profiles must be a table of [profiles.NAME] tables")
    out: dict[str, Profile] = {}
    for name, body in raw.items():
        try:
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name):
                raise ConfigError(f"{source}: profiles.{name}: a profile name uses letters, digits, '_', '-', '.'")
            out[name] = _parse_one(name, body, source)
        except ConfigError as exc:
            if invalid is None:
                raise
            invalid[name] = str(exc)
    return out


def user_config_path() -> Path:
    return config_dir() / "config.toml"


def find_project_root(start: Path) -> Path:
    """The nearest directory holding secretguard.toml, pyproject.toml or .git; else `start` itself."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / marker).exists() for marker in ("secretguard.toml", "pyproject.toml", ".git")):
            return directory
    return start


def load_user_profiles(invalid: dict[str, str] | None = None) -> dict[str, Profile]:
    user = user_config_path()
    return parse_profiles(read_toml(user).get("profiles", {}), str(user), invalid) if user.is_file() else {}


def load_profiles(project_root: Path, invalid: dict[str, str] | None = None) -> dict[str, Profile]:
    """User profiles plus the project's; a project profile may not shadow a user profile. With
    `invalid`, broken profiles are collected there instead of failing the whole load."""
    user = user_config_path()
    profiles = load_user_profiles(invalid)
    table, project = find_project_table(project_root)
    if project is not None:
        for name, profile in parse_profiles(table.get("profiles", {}), str(project), invalid).items():
            if name in profiles:
                raise ConfigError(f"{project}: profiles.{name}: shadows the user profile {name!r} in {user}; "
                                  "rename one of them")
            profiles[name] = profile
    return profiles


def select_profile(profiles: dict[str, Profile], argv: list[str], name: str | None = None) -> Profile:
    """The profile that allows `argv`: the named one, or the single match. Refuse otherwise."""
    if not argv:
        raise ProfileError("no command given: secretguard exec [--profile NAME] -- CMD [ARG...]")
    if name is not None:
        profile = profiles.get(name)
        if profile is None:
            known = ", ".join(sorted(profiles)) or "none defined"
            raise ProfileError(f"refused: no profile named {name!r} (profiles: {known})")
        if not profile.matches(argv):
            raise ProfileError(f"refused: the command does not match profile {name!r}, which allows: "
                               f"{' '.join(profile.command)}")
        return profile
    found = [p for p in profiles.values() if p.matches(argv)]
    if not found:
        raise ProfileError(f"refused: no profile allows the command {os.path.basename(argv[0])!r} with these "
                           "arguments; see `secretguard profiles`")
    if len(found) > 1:
        names = ", ".join(sorted(p.name for p in found))
        raise ProfileError(f"refused: the command matches several profiles ({names}); choose with --profile")
    return found[0]


_EXEC_FLAGS = {"--mask", "--no-mask", "--vault-token-from-env"}


def split_exec_argv(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """From a `secretguard exec [opts] [--] CMD...` argv, the --profile value and CMD...; None if not one."""
    for i, word in enumerate(argv[:-1]):
        launcher = os.path.basename(word) == "secretguard" or (word == "secretguard" and argv[i - 1:i] == ["-m"])
        if launcher and argv[i + 1] == "exec":
            rest = argv[i + 2:]
            break
    else:
        return None
    name: str | None = None
    j = 0
    while j < len(rest):
        word = rest[j]
        if word == "--":
            return name, rest[j + 1:]
        if word in ("--profile", "-p") and j + 1 < len(rest):
            name, j = rest[j + 1], j + 2
        elif word.startswith("--profile="):
            name, j = word.split("=", 1)[1], j + 1
        elif word in _EXEC_FLAGS:
            j += 1
        else:
            break
    return name, rest[j:]


def find_profile_for_argv(argv: list[str], project_root: Path) -> Profile | None:
    """The profile a run of `argv` would use, or None when none (or more than one) applies.

    `argv` is either the child command or a whole `secretguard exec [--profile NAME] -- CMD...`
    invocation. Raises ConfigError when the settings files are invalid (callers should fail closed).
    """
    split = split_exec_argv(argv)
    name, command = split if split is not None else (None, argv)
    try:
        return select_profile(load_profiles(project_root, {}), command, name)
    except ProfileError:
        return None
