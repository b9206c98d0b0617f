"""login / logout / status / approve / profiles: the long-lived credential and approvals stay in the keyring."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parts.fixtures import ExecWorld, keyring_session, openbao, planted, user_token, world  # noqa: F401

PROFILE = """
[profiles.app]
command = ["printenv", "APP_PASSWORD"]
policies = ["app-read"]
approval = "ask"
[profiles.app.secrets]
APP_PASSWORD = "kv2:secret/data/app#password"
"""


def _enable(world: ExecWorld, method: str) -> None:
    c = world.bao.client()
    if f"{method}/" not in c.sys.list_auth_methods()["data"]:
        c.sys.enable_auth_method(method)


def test_token_login_lives_in_the_keyring_only(world: ExecWorld) -> None:
    token = user_token(world.bao, ["app-read"])
    r = world.run("login", "--method", "token", input=token + "\n")
    assert r.returncode == 0, r.stderr
    assert "app-read" in r.stdout and "OS keyring" in r.stdout
    status = world.run("status")
    assert status.returncode == 0 and "token-tester via token" in status.stdout and "app-read" in status.stdout
    assert "SecretService" in status.stdout
    from secretguard.vault import keystore

    assert keystore.load_login(world.bao.addr) == (token, "token")
    world.assert_nowhere(token, outputs=(r.stdout, r.stderr, status.stdout, status.stderr))
    out = world.run("logout")
    assert out.returncode == 0 and "revoked" not in out.stdout
    world.bao.client(token).auth.token.lookup_self()  # a token the user gave is not revoked by default
    after = world.run("status")
    assert after.returncode == 1 and "secretguard login" in after.stdout
    events = [x["event"] for x in world.audit_records()]
    assert "login" in events and "logout" in events


def test_userpass_login_then_exec_then_logout_revokes(world: ExecWorld, tmp_path: Path) -> None:
    import hvac.exceptions

    _enable(world, "userpass")
    password = world.planted.new("userpass_pw")
    world.bao.client().auth.userpass.create_or_update_user("alice", password, policies=["sg-user", "app-read"])
    r = world.run("login", "--method", "userpass", "--username", "alice", input=password + "\n")
    assert r.returncode == 0, r.stderr
    world.write_profiles(PROFILE)
    world.approve("app")
    ran = world.run("exec", "--", "printenv", "APP_PASSWORD")
    assert ran.returncode == 0 and ran.stdout.strip() == "*****"
    from secretguard.vault import keystore

    token, method = keystore.load_login(world.bao.addr)
    assert method == "userpass"
    out = world.run("logout")
    assert out.returncode == 0 and "token revoked" in out.stdout
    with pytest.raises(hvac.exceptions.Forbidden):
        world.bao.client(token).auth.token.lookup_self()
    world.assert_nowhere(password, token, world.planted.values["app_password"],
                         outputs=(r.stdout, r.stderr, ran.stdout, ran.stderr))


def test_approle_login(world: ExecWorld) -> None:
    _enable(world, "approle")
    c = world.bao.client()
    c.auth.approle.create_or_update_approle("ci", token_policies=["sg-user", "app-read"], token_ttl="10m")
    role_id = c.auth.approle.read_role_id("ci")["data"]["role_id"]
    secret_id = c.auth.approle.generate_secret_id("ci")["data"]["secret_id"]
    r = world.run("login", "--method", "approle", "--role-id", role_id, input=secret_id + "\n")
    assert r.returncode == 0, r.stderr
    assert "login:    approle via approle" in world.run("status").stdout
    world.assert_nowhere(secret_id, outputs=(r.stdout, r.stderr))


def test_without_a_keyring_the_error_names_the_fix(world: ExecWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    token = user_token(world.bao, ["app-read"])
    r = world.run("login", input=token + "\n")
    assert r.returncode == 2
    assert "no OS keyring available (keyring backend 'fail')" in r.stderr and "dbus-run-session" in r.stderr
    world.write_profiles(PROFILE)
    r = world.run("exec", "--", "printenv", "APP_PASSWORD")
    assert r.returncode == 125 and "no OS keyring available" in r.stderr and not r.stdout
    world.assert_nowhere(token, outputs=(r.stdout, r.stderr))


def test_approve_needs_a_terminal_and_a_yes(world: ExecWorld) -> None:
    world.write_profiles(PROFILE)
    piped = world.run("approve", "app", input="y\n")
    assert piped.returncode == 1 and "needs a human at a terminal" in piped.stderr
    code, out = world.approve_tty("app", b"n\n")
    assert code == 1 and "kv2:secret/data/app#password" in out and "not approved" in out
    assert "app: not approved  [ask]" in world.run("profiles").stdout
    code, out = world.approve_tty("app", b"y\n")
    assert code == 0 and "approved 'app'" in out
    assert "app: approved  [ask]" in world.run("profiles").stdout
    approve = [x for x in world.audit_records() if x["event"] == "approve"]
    assert approve and approve[-1]["profile"] == "app" and len(approve[-1]["digest"]) == 64
    # The approval is in the keyring, not in any file the agent could edit.
    for path in world.files_written():
        if not path.name.startswith("audit.jsonl"):  # the audit log records the digest by design
            assert approve[-1]["digest"].encode() not in path.read_bytes(), path


def test_profile_shadowing_a_user_profile_is_an_error(world: ExecWorld) -> None:
    world.write_profiles(PROFILE, where="user")
    world.write_profiles(PROFILE)
    r = world.run("exec", "--", "printenv", "APP_PASSWORD")
    assert r.returncode == 125 and "shadows the user profile 'app'" in r.stderr
    r = world.run("profiles")
    assert r.returncode == 2 and "shadows" in r.stderr


def test_find_profile_for_argv_for_the_claude_guard(world: ExecWorld) -> None:
    from secretguard.vault.profiles import find_profile_for_argv

    world.write_profiles(PROFILE)
    found = find_profile_for_argv(["secretguard", "exec", "--", "printenv", "APP_PASSWORD"], world.project)
    assert found is not None and found.approval == "ask"
    assert find_profile_for_argv(["printenv", "APP_PASSWORD"], world.project) == found
    assert find_profile_for_argv(["printenv", "HOME"], world.project) is None
    assert find_profile_for_argv(["secretguard", "exec", "--profile", "nope", "printenv", "APP_PASSWORD"],
                                 world.project) is None
    assert os.environ.get("VAULT_TOKEN") is None


def test_a_refused_token_says_so_once_and_plainly(world: ExecWorld) -> None:
    r = world.run("login", "--method", "token", input="s.bogus-token-value\n")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "refused this token" in r.stderr and "nothing was stored" in r.stderr
    assert "run `secretguard login`" not in r.stderr and "error occurred" not in r.stderr
    assert "s.bogus-token-value" not in r.stdout + r.stderr


def test_the_claude_launcher_has_its_own_help(world: ExecWorld) -> None:
    r = world.run("claude", "--help")
    assert r.returncode == 0 and "Usage: secretguard claude" in r.stdout and "-- --help" in r.stdout
