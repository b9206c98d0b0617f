"""`secretguard exec` inside a sealed session, through the broker, against a real OpenBao and a real
keyring: the value reaches the child, its output comes back masked, the token is revoked, and
nothing else in the session can read the child's environment or the keyring."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from parts.fixtures import ExecWorld, keyring_session, openbao, planted, user_token, world  # noqa: F401

PROFILE = """
[profiles.app]
command = ["sh", "-c", "*"]
policies = ["app-read"]
ttl = "90s"
[profiles.app.secrets]
APP_PASSWORD = "kv2:secret/data/app#password"
"""
SG = f"{sys.executable} -m secretguard"


@pytest.fixture
def ready(world: ExecWorld) -> ExecWorld:
    world.write_profiles(PROFILE)
    world.login(user_token(world.bao, ["app-read"]))
    world.approve("app")
    return world


def test_exec_through_the_broker(ready: ExecWorld) -> None:
    world = ready
    value = world.planted.values["app_password"]
    child = ('printf %s "$APP_PASSWORD" | sha256sum > digest; echo "pw=$APP_PASSWORD"; '
             'ls /proc | grep -c "^[0-9]" > child-procs; sleep 2')
    # while exec runs, a process of the session looks for the child's environment everywhere it can
    script = (f"( for i in 1 2 3 4 5 6 7 8; do cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' "
              f"| grep -a APP_PASSWORD; sleep 0.3; done ) > snooped & "
              f"{SG} exec -- sh -c '{child}'; echo exit=$?; wait; "
              f"{sys.executable} -m keyring get secretguard-vault \"$VAULT_ADDR\"; echo keyring=$?")
    proc = world.run("run", "--project", str(world.project), "--", "bash", "-c", script, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "pw=*****" in proc.stdout and "exit=0" in proc.stdout
    assert (world.project / "digest").read_text().split()[0] == hashlib.sha256(value.encode()).hexdigest()
    assert (world.project / "snooped").read_text() == ""
    assert int((world.project / "child-procs").read_text()) < 5  # the child has a PID namespace of its own
    assert "keyring=0" not in proc.stdout
    world.assert_nowhere(value, outputs=(proc.stdout, proc.stderr))
    records = world.audit_records()
    finished = [r for r in records if r.get("outcome") == "finished"][-1]
    assert finished["exit_code"] == 0 and finished["revocation"]["ok"]
    import hvac.exceptions

    with pytest.raises(hvac.exceptions.InvalidRequest):
        world.bao.client().auth.token.lookup_accessor(finished["accessor"])
    sessions = [r for r in records if r.get("event") == "session"]
    assert [r["action"] for r in sessions] == ["session.start", "session.end"]
    assert "DBUS_SESSION_BUS_ADDRESS" in sessions[0]["removed_env"]
    assert value not in json.dumps(records)


def test_exec_refusals_and_exit_codes_cross_the_wall(ready: ExecWorld) -> None:
    script = (f"{SG} exec -- sh -c 'exit 7'; echo a=$?; {SG} exec -- ls /; echo b=$?; "
              f"{SG} approve app < /dev/null; echo c=$?")
    proc = ready.run("run", "--project", str(ready.project), "--", "bash", "-c", script, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "a=7" in proc.stdout and "b=125" in proc.stdout  # ls matches no profile: refused
    assert "c=0" not in proc.stdout  # approving from inside a session is refused
    assert "no profile" in proc.stderr.lower()


def test_hooks_inside_a_session_are_answered_by_the_broker(ready: ExecWorld, tmp_path: Path) -> None:
    """Inside the wall secretguard's state is out of reach; the hook still decides, and audits."""
    world = ready
    (world.project / ".claude").mkdir()
    event = {"session_id": "in-session", "cwd": str(world.project), "hook_event_name": "PreToolUse",
             "tool_name": "Read", "tool_input": {"file_path": str(world.project / ".env.production")}}
    (tmp_path / "event.json").write_text(json.dumps(event))
    (world.project / "event.json").write_text(json.dumps(event))
    script = f"{SG} hook claude < event.json; echo rc=$?"
    proc = world.run("run", "--project", str(world.project), "--", "bash", "-c", script, timeout=120)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.splitlines()[0])
    assert answer["hookSpecificOutput"]["permissionDecision"] == "deny"
    hooks = [r for r in world.audit_records() if r.get("event") == "hook" and r.get("session") == "in-session"]
    assert hooks and hooks[-1]["decision"] == "deny"
