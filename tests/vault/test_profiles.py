"""Profiles: schema errors name the file and key; argv patterns; the reference syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretguard.errors import ConfigError
from secretguard.vault.profiles import (ProfileError, find_profile_for_argv, load_profiles, parse_profiles, parse_ref,
                                  select_profile, split_exec_argv)

BASE = {"command": ["./deploy.sh", "*", "**"], "policies": ["deploy"],
        "secrets": {"DB_PASSWORD": "kv2:secret/data/app#password"}}


def _one(**overrides: object) -> dict:
    return {"deploy": {**BASE, **overrides}}


def test_a_complete_profile_parses() -> None:
    p = parse_profiles(_one(ttl="1h30m", max_ttl=7200, pin=["deploy.sh"], approval="ask", mask=False,
                            env="pristine", env_allow=["PATH"]), "cfg.toml")["deploy"]
    assert (p.ttl, p.max_ttl, p.approval, p.mask, p.env) == (5400, 7200, "ask", False, "pristine")
    assert str(dict(p.secrets)["DB_PASSWORD"]) == "kv2:secret/data/app#password"


@pytest.mark.parametrize(("overrides", "key", "phrase"), [
    ({"comand": ["x"]}, "deploy", "unknown key 'comand'"),
    ({"command": "deploy.sh"}, "command", "list of non-empty strings"),
    ({"command": ["**"]}, "command", "literal program name"),
    ({"command": ["x", "**", "y"]}, "command", "last word"),
    ({"policies": []}, "policies", "at least one policy"),
    ({"policies": ["root"]}, "policies", "root"),
    ({"ttl": "ten minutes"}, "ttl", "duration"),
    ({"ttl": 600, "max_ttl": 60}, "max_ttl", "shorter than ttl"),
    ({"approval": "always"}, "approval", '"auto" or "ask"'),
    ({"mask": "yes"}, "mask", "true or false"),
    ({"env": "clean"}, "env", "pristine"),
    ({"secrets": {"PATH": "kv2:secret/data/app#x"}}, "secrets.PATH", "may not set PATH"),
    ({"secrets": {"LD_PRELOAD": "kv2:secret/data/app#x"}}, "secrets.LD_PRELOAD", "may not set"),
    ({"secrets": {"PYTHONPATH": "kv2:secret/data/app#x"}}, "secrets.PYTHONPATH", "may not set"),
    ({"secrets": {"NODE_OPTIONS": "kv2:secret/data/app#x"}}, "secrets.NODE_OPTIONS", "may not set"),
    ({"secrets": {"BASH_ENV": "kv2:secret/data/app#x"}}, "secrets.BASH_ENV", "may not set"),
    ({"secrets": {"DB": "secret/app#x"}}, "secrets.DB", "expected kv2:"),
    ({"secrets": {}}, "secrets", "at least one"),
])
def test_schema_errors_name_file_and_key(overrides: dict, key: str, phrase: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_profiles(_one(**overrides), "/p/secretguard.toml")
    assert str(err.value).startswith(f"/p/secretguard.toml: profiles.deploy") and key in str(err.value)
    assert phrase in str(err.value)


@pytest.mark.parametrize(("text", "kind", "path", "field", "version"), [
    ("kv2:secret/data/app#password", "kv2", "secret/data/app", "password", None),
    ("kv2:secret/data/app#password@3", "kv2", "secret/data/app", "password", 3),
    ("kv2:team/kv/data/svc/db#pw", "kv2", "team/kv/data/svc/db", "pw", None),
    ("kv1:kv/app#password", "kv1", "kv/app", "password", None),
    ("read:database/creds/readonly#username", "read", "database/creds/readonly", "username", None),
])
def test_reference_syntax(text: str, kind: str, path: str, field: str, version: int | None) -> None:
    ref = parse_ref(text)
    assert (ref.kind, ref.path, ref.field, ref.version) == (kind, path, field, version)
    assert str(ref) == text


@pytest.mark.parametrize("text", ["kv2:secret/app#pw", "kv1:kv/app#pw@2", "kv2:secret/data/app",
                                  "vault:secret/data/app#pw", "read:a/../b#x", "kv2:secret/data/#x"])
def test_bad_references(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ref(text)


def test_argv_patterns() -> None:
    p = parse_profiles(_one(), "cfg")["deploy"]
    assert p.matches(["./deploy.sh", "prod"]) and p.matches(["./deploy.sh", "prod", "--fast", "x"])
    assert not p.matches(["./deploy.sh"]) and not p.matches(["deploy.sh", "prod"])
    exact = parse_profiles(_one(command=["make", "deploy"]), "cfg")["deploy"]
    assert exact.matches(["make", "deploy"]) and not exact.matches(["make", "deploy", "X=1"])


def test_selection_refuses_none_or_several() -> None:
    profiles = parse_profiles({"a": {**BASE, "command": ["make", "*"]}, "b": {**BASE, "command": ["make", "**"]}},
                              "cfg")
    with pytest.raises(ProfileError, match="several profiles"):
        select_profile(profiles, ["make", "x"])
    assert select_profile(profiles, ["make", "x"], "b").name == "b"
    assert select_profile(profiles, ["make"]).name == "b"
    with pytest.raises(ProfileError, match="no profile allows"):
        select_profile(profiles, ["rm", "-rf"])


def test_project_and_pyproject_profiles(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.secretguard.profiles.deploy]\ncommand = ["make"]\n'
                                             'policies = ["p"]\n[tool.secretguard.profiles.deploy.secrets]\n'
                                             'X = "kv1:kv/a#b"\n')
    sub = tmp_path / "src"
    sub.mkdir()
    found = find_profile_for_argv(["secretguard", "exec", "--", "make"], tmp_path)
    assert found is not None and found.source.endswith("pyproject.toml") and found.approval == "auto"
    assert set(load_profiles(tmp_path)) == {"deploy"}
    (tmp_path / "pyproject.toml").write_text("[tool.secretguard.profiles.deploy]\ncommand = 3\n")
    with pytest.raises(ConfigError, match="pyproject.toml: profiles.deploy.command"):
        load_profiles(tmp_path)


def test_split_exec_argv() -> None:
    assert split_exec_argv(["secretguard", "exec", "-p", "d", "--mask", "--", "x", "-y"]) == ("d", ["x", "-y"])
    assert split_exec_argv(["/usr/bin/secretguard", "exec", "--profile=d", "x"]) == ("d", ["x"])
    assert split_exec_argv(["python", "-m", "secretguard", "exec", "ls", "-l"]) == (None, ["ls", "-l"])
    assert split_exec_argv(["ls", "-l"]) is None


def test_one_invalid_profile_leaves_the_others_usable(tmp_path: Path, sg, isolated_xdg: Path) -> None:
    config = isolated_xdg / "xdg_config_home" / "secretguard" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles.good]\ncommand = ["true"]\npolicies = ["p"]\n[profiles.good.secrets]\n'
                      'X = "kv2:secret/data/a#b"\n[profiles.broken]\ncommand = 3\n')
    proc = sg("profiles", cwd=tmp_path)
    assert proc.returncode == 1
    assert "good:" in proc.stdout and "broken: INVALID" in proc.stdout and "command" in proc.stdout
    from secretguard.vault.profiles import find_profile_for_argv

    assert find_profile_for_argv(["true"], tmp_path).name == "good"
    refused = sg("exec", "--profile", "broken", "--", "true", cwd=tmp_path)
    assert refused.returncode == 125 and "profiles.broken" in refused.stderr
