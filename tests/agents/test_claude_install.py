"""`secretguard install claude`, `secretguard doctor` and `secretguard claude`, on real settings files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from planted import rand
from secretguard.agents import claude_settings as cs

EXISTING = {
    "model": "opus",
    "env": {"FOO": "bar"},
    "permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./secrets/**)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "/usr/local/bin/lint-bash"}]}],
        "PostToolUse": [{"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "prettier --write"}]}],
        "SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", "command": "echo welcome"}]}],
    },
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / ".claude").mkdir(parents=True)
    (root / "README.md").write_text("# proj\n")
    return root


def ours(data: dict, event: str) -> list[dict]:
    return [h for e in data["hooks"][event] for h in e["hooks"] if cs.is_our_command(h.get("command"))]


def test_merge_keeps_everything_and_is_idempotent(sg, project: Path) -> None:
    path = project / ".claude" / "settings.json"
    path.write_text(json.dumps(EXISTING, indent=2))
    proc = sg("install", "claude", "--project", cwd=project)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(path.read_text())
    assert data["model"] == "opus" and data["env"] == {"FOO": "bar"}
    assert data["permissions"]["allow"] == ["Bash(npm test:*)"]
    assert data["permissions"]["deny"][0] == "Read(./secrets/**)"
    assert {"Read(./.env)", "Read(**/.env)", "Read(**/*.pem)", "Read(**/id_rsa)"} <= set(data["permissions"]["deny"])
    assert "Read(./.env.example)" not in data["permissions"]["deny"]
    assert data["hooks"]["PostToolUse"][0] == EXISTING["hooks"]["PostToolUse"][0]  # theirs kept, ours after
    assert data["hooks"]["PreToolUse"][0] == EXISTING["hooks"]["PreToolUse"][0]
    assert data["hooks"]["SessionStart"][0] == EXISTING["hooks"]["SessionStart"][0]
    for event in cs.EVENTS:
        mine = ours(data, event)
        assert len(mine) == 1
        exe = cs.command_executable(mine[0]["command"])
        assert os.path.isabs(exe) and os.access(exe, os.X_OK) and '"$SG" hook claude' in mine[0]["command"]
    pre = next(e for e in data["hooks"]["PreToolUse"] if ours({"hooks": {"x": [e]}}, "x"))
    assert all(cs.matcher_covers(pre["matcher"], t) for t in cs.TOOLS)
    backup = path.with_name("settings.json.bak")
    assert json.loads(backup.read_text()) == EXISTING
    before = path.read_bytes()
    proc = sg("install", "claude", "--project", cwd=project)
    assert proc.returncode == 0 and "nothing to change" in proc.stdout
    assert path.read_bytes() == before


def test_stale_command_is_updated_not_duplicated(project: Path) -> None:
    path = project / ".claude" / "settings.local.json"
    old = {"hooks": {"PreToolUse": [{"matcher": "Read", "hooks": [
        {"type": "command", "command": "/old/venv/bin/secretguard hook claude"},
        {"type": "command", "command": "other-tool"}]}]}}
    path.write_text(json.dumps(old))
    changes, backup = cs.install(path, "/new/bin/secretguard")
    data = json.loads(path.read_text())
    commands = [h["command"] for e in data["hooks"]["PreToolUse"] for h in e["hooks"]]
    assert commands == ["other-tool", cs.hook_command("/new/bin/secretguard")]
    assert "updated the PreToolUse hook" in changes and backup is not None
    assert cs.install(path, "/new/bin/secretguard") == ([], None)


@pytest.mark.parametrize("content", ["{ not json", "[1, 2]", '{"hooks": []}', '{"hooks": {"PreToolUse": {}}}',
                                     '{"permissions": {"deny": "Read(x)"}}'])
def test_malformed_settings_are_left_untouched(sg, project: Path, content: str) -> None:
    path = project / ".claude" / "settings.local.json"
    path.write_text(content)
    proc = sg("install", "claude", "--local", cwd=project)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "left unchanged" in proc.stderr
    assert path.read_text() == content
    assert not path.with_name("settings.local.json.bak").exists()


def test_user_scope_and_new_file(sg, project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = sg("install", "claude", "--user", cwd=project, env={"HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    data = json.loads((home / ".claude" / "settings.json").read_text())
    assert all(ours(data, e) for e in cs.EVENTS)
    assert not (home / ".claude" / "settings.json.bak").exists()


def test_atomic_write_keeps_mode(project: Path) -> None:
    path = project / ".claude" / "settings.json"
    path.write_text("{}")
    os.chmod(path, 0o600)
    cs.install(path, "/x/secretguard")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_doctor_reports_missing_then_healthy(sg, project: Path) -> None:
    proc = sg("doctor", cwd=project)
    assert proc.returncode == 1 and "no PreToolUse hook" in proc.stdout
    assert sg("install", "claude", cwd=project).returncode == 0
    proc = sg("doctor", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "probe Read .env: deny" in proc.stdout and "probe Read README.md: allow" in proc.stdout


def test_doctor_catches_a_broken_command(sg, project: Path, tmp_path: Path) -> None:
    fake = tmp_path / "secretguard"
    fake.write_text("#!/bin/sh\nexit 0\n")  # answers nothing: a gate that lets everything through
    fake.chmod(0o755)
    cs.install(project / ".claude" / "settings.json", str(fake))
    proc = sg("doctor", cwd=project)
    assert proc.returncode == 1
    assert "probe Read .env: allow (expected deny" in proc.stdout


def test_launcher_refuses_a_dirty_workspace(sg, project: Path) -> None:
    value = "Zq" + rand(20) + "4"
    (project / ".env").write_text(f"TOKEN={value}\n")
    proc = sg("claude", "--version", cwd=project)
    assert proc.returncode == 1 and "refusing to start claude" in proc.stderr
    assert ".env" in proc.stderr and value not in proc.stdout + proc.stderr


def test_launcher_execs_claude_with_the_arguments(sg, project: Path, tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "claude"
    fake.write_text('#!/bin/sh\necho "fake claude: $*"\n')
    fake.chmod(0o755)
    proc = sg("claude", "-p", "hello world", cwd=project, env={"PATH": f"{bindir}:{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "fake claude: -p hello world"


def _run_hook_command(command: str, env: dict[str, str], payload: dict) -> subprocess.CompletedProcess:
    """As Claude Code runs a hook command: through the shell, the event on stdin."""
    return subprocess.run(["/bin/sh", "-c", command], input=json.dumps(payload), env=env, capture_output=True,
                          text=True, timeout=60)


def _read_payload(project: Path, name: str) -> dict:
    return {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Read",
            "tool_input": {"file_path": str(project / name)}}


def test_the_hook_command_fails_closed_when_secretguard_is_missing_or_broken(project: Path, tmp_path: Path) -> None:
    (project / "README.md").write_text("# hi\n")
    base_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLAUDE_PROJECT_DIR": str(project),
                **{k: v for k, v in os.environ.items() if k.startswith("XDG_")}}
    real = cs.find_executable()
    # installed where the settings say: the guard answers (README allowed)
    ok = _run_hook_command(cs.hook_command(real), base_env, _read_payload(project, "README.md"))
    assert ok.returncode == 0, ok.stderr
    # the path does not exist here and nothing is on PATH: refused with one line, exit 2
    gone = _run_hook_command(cs.hook_command(str(tmp_path / "gone" / "secretguard")), base_env,
                             _read_payload(project, "README.md"))
    assert gone.returncode == 2 and gone.stderr.startswith("secretguard is not installed")
    assert len(gone.stderr.strip().splitlines()) == 1
    # a teammate's install on PATH is used when the recorded path is missing
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "secretguard").symlink_to(real)
    teammate = _run_hook_command(cs.hook_command("/nonexistent/secretguard"),
                                 {**base_env, "PATH": f"{bindir}:/usr/bin:/bin"}, _read_payload(project, "README.md"))
    assert teammate.returncode == 0, teammate.stderr
    # an installation that crashes (exit 1, as a Python traceback does) is refused, not let through
    broken = tmp_path / "broken-secretguard"
    broken.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\nexit 1\n")
    broken.chmod(0o755)
    crash = _run_hook_command(cs.hook_command(str(broken)), base_env, _read_payload(project, "README.md"))
    assert crash.returncode == 2 and "secretguard failed (exit 1)" in crash.stderr
    # a venv whose interpreter is gone (the script exists, its #! does not): exit 126/127 -> 2
    orphan = tmp_path / "orphan-secretguard"
    orphan.write_text(f"#!{tmp_path}/deleted-venv/bin/python\n")
    orphan.chmod(0o755)
    assert _run_hook_command(cs.hook_command(str(orphan)), base_env, _read_payload(project, "README.md")).returncode == 2


def test_doctor_says_when_the_settings_point_at_a_path_missing_here(project: Path, sg) -> None:
    path = project / ".claude" / "settings.json"
    cs.install(path, "/home/someone-else/.secretguard/bin/secretguard")
    proc = sg("doctor", "--dir", str(project))
    assert proc.returncode == 1
    assert "points at /home/someone-else/.secretguard/bin/secretguard, which does not exist on this machine" in \
        proc.stdout


def test_doctor_warns_when_another_post_tool_use_hook_could_undo_the_redaction(project: Path, sg) -> None:
    path = project / ".claude" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"hooks": {"PostToolUse": [{"matcher": "*", "hooks": [
        {"type": "command", "command": "format-output.sh"}]}]}}))
    cs.install(path, cs.find_executable())
    proc = sg("doctor", "--dir", str(project))
    assert "another PostToolUse hook" in proc.stdout and "format-output.sh" in proc.stdout
