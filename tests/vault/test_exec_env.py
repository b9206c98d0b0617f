"""The child's environment: ambient credentials stay behind; pristine keeps only the allowlist."""

from __future__ import annotations

from secretguard.vault.child import build_env, resolve_command
from secretguard.vault.profiles import parse_profiles

BASE = {"command": ["x"], "policies": ["p"], "secrets": {"APP_PW": "kv1:kv/a#b"}}


def _profile(**kw: object):  # noqa: ANN202
    return parse_profiles({"p": {**BASE, **kw}}, "cfg")["p"]


def test_inherit_drops_ambient_credentials() -> None:
    parent = {"PATH": "/bin", "HOME": "/h", "VAULT_TOKEN": "t", "AWS_SECRET_ACCESS_KEY": "k", "GITHUB_TOKEN": "g",
              "GOOGLE_APPLICATION_CREDENTIALS": "/c.json", "MY_API_KEY": "m", "VAULT_ADDR": "http://v", "LANG": "C"}
    env = build_env(parent, _profile(), {"APP_PW": "s"})
    assert env == {"PATH": "/bin", "HOME": "/h", "VAULT_ADDR": "http://v", "LANG": "C", "APP_PW": "s"}
    kept = build_env(parent, _profile(env_allow=["GITHUB_TOKEN"]), {})
    assert kept["GITHUB_TOKEN"] == "g" and "VAULT_TOKEN" not in kept


def test_pristine_keeps_only_the_allowlist() -> None:
    env = build_env({"PATH": "/bin", "HOME": "/h", "LANG": "C"}, _profile(env="pristine", env_allow=["PATH"]),
                    {"APP_PW": "s"})
    assert env == {"PATH": "/bin", "APP_PW": "s"}


def test_resolve_command_uses_the_child_path(tmp_path) -> None:  # noqa: ANN001
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert resolve_command("tool", {"PATH": str(tmp_path)}) == str(tool)
