"""`secretguard install AGENT` / `uninstall AGENT` for Copilot, Cursor, Codex, Gemini (and uninstall
for Claude), on real hook files: everything else kept, idempotent, malformed files refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from secretguard.agents import config_files
from secretguard.agents.hook_configs import FILES

EXISTING = {
    "copilot": {"version": 1, "disableAllHooks": False, "hooks": {
        "preToolUse": [{"type": "command", "bash": "./scripts/audit.sh", "timeoutSec": 10}],
        "postToolUse": [{"type": "command", "bash": "./scripts/log.sh"}]}},
    "cursor": {"version": 1, "hooks": {"afterFileEdit": [{"command": "./hooks/format.sh"}],
                                       "beforeShellExecution": [{"command": "./hooks/block-git.sh", "matcher": "git"}]}},
    "codex": {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.py"}]}],
                        "Stop": [{"hooks": [{"type": "command", "command": "./stop.sh"}]}]}},
    "gemini": {"model": {"name": "gemini-2.5-pro"}, "general": {"vimMode": True}, "hooks": {
        "BeforeTool": [{"matcher": "run_shell_command", "hooks": [{"type": "command", "command": "./check.sh"}]}],
        "AfterAgent": [{"hooks": [{"type": "command", "command": "./after.sh"}]}]}},
}
AGENTS = list(EXISTING)
AFTER_TOOL = {"copilot": "postToolUse", "cursor": "postToolUse", "codex": "PostToolUse", "gemini": "AfterTool"}


def hook_file(agent: str, project: Path) -> Path:
    return FILES[agent].path("project", project)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "README.md").write_text("# proj\n")
    return root


def ours(agent: str, data: dict) -> dict[str, list]:
    return FILES[agent].installed(data)


@pytest.mark.parametrize("agent", AGENTS)
def test_install_keeps_everything_is_idempotent_and_uninstall_restores(sg, project: Path, agent: str) -> None:
    path = hook_file(agent, project)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(EXISTING[agent], indent=2))
    proc = sg("install", agent, cwd=project)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(path.read_text())
    for key, value in EXISTING[agent].items():
        if key != "hooks":
            assert data[key] == value
    for event, entries in EXISTING[agent]["hooks"].items():
        assert data["hooks"][event][:len(entries)] == entries  # theirs first, untouched
    for event, items in ours(agent, data).items():
        assert len(items) == 1, event
        command = items[0][0]
        assert command.startswith("SG=") and f'"$SG" hook {agent}' in command
    assert json.loads(path.with_name(path.name + ".bak").read_text()) == EXISTING[agent]
    before = path.read_bytes()
    proc = sg("install", agent, cwd=project)
    assert proc.returncode == 0 and "nothing to change" in proc.stdout and path.read_bytes() == before
    proc = sg("uninstall", agent, cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(path.read_text()) == EXISTING[agent]
    assert "nothing to change" in sg("uninstall", agent, cwd=project).stdout


@pytest.mark.parametrize("agent", AGENTS)
def test_the_after_tool_hook_sees_every_tool(sg, project: Path, agent: str) -> None:
    path = hook_file(agent, project)
    assert sg("install", agent, cwd=project).returncode == 0
    data = json.loads(path.read_text())
    assert [matcher for _command, matcher in ours(agent, data)[AFTER_TOOL[agent]]] == [None]  # no matcher: all
    assert sg("uninstall", agent, cwd=project).returncode == 0
    assert AFTER_TOOL[agent] not in json.loads(path.read_text())["hooks"]


@pytest.mark.parametrize("agent", AGENTS)
def test_new_file_user_scope(sg, project: Path, tmp_path: Path, agent: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = sg("install", agent, "--user", cwd=project, env={"HOME": str(home), "CODEX_HOME": "", "COPILOT_HOME": ""})
    assert proc.returncode == 0, proc.stderr
    path = home / FILES[agent].paths["user"][2:]
    data = json.loads(path.read_text())
    assert all(ours(agent, data).values()) and not path.with_name(path.name + ".bak").exists()


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("content", ["{ not json", "[1, 2]", '{"hooks": []}', '{"hooks": {"EVENT": {}}}'])
def test_malformed_files_are_left_untouched(sg, project: Path, agent: str, content: str) -> None:
    path = hook_file(agent, project)
    path.parent.mkdir(parents=True)
    content = content.replace("EVENT", next(iter(FILES[agent].events)))
    path.write_text(content)
    for command in ("install", "uninstall"):
        proc = sg(command, agent, cwd=project)
        if command == "uninstall" and content.startswith('{"hooks": {'):
            continue  # nothing of ours in it: nothing to do, nothing written
        assert proc.returncode == 2, (command, proc.stdout)
        assert len(proc.stderr.strip().splitlines()) == 1 and "left unchanged" in proc.stderr
    assert path.read_text() == content and not path.with_name(path.name + ".bak").exists()


def test_cursor_hooks_fail_closed_even_when_secretguard_is_gone(project: Path, tmp_path: Path) -> None:
    data: dict = {}
    FILES["cursor"].merge(data, config_files.hook_command(str(tmp_path / "gone" / "secretguard"), "cursor"), project)
    assert all(h["failClosed"] is True for entries in data["hooks"].values() for h in entries)
    command = data["hooks"]["preToolUse"][0]["command"]
    proc = subprocess.run(["/bin/sh", "-c", command], input="{}", capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2 and json.loads(proc.stdout)["permission"] == "deny"


@pytest.mark.parametrize("agent", ["claude", *AGENTS])
def test_hook_command_refuses_when_secretguard_crashes(agent: str, tmp_path: Path) -> None:
    fake = tmp_path / "secretguard"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    proc = subprocess.run(["/bin/sh", "-c", config_files.hook_command(str(fake), agent)], input="{}",
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "refused" in proc.stderr


def test_claude_uninstall_removes_only_the_hooks(sg, project: Path) -> None:
    path = project / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"model": "opus", "hooks": {"PostToolUse": [
        {"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write"}]}]}}))
    assert sg("install", "claude", cwd=project).returncode == 0
    proc = sg("uninstall", "claude", cwd=project)
    assert proc.returncode == 0 and "permissions.deny" in proc.stdout
    data = json.loads(path.read_text())
    assert data["model"] == "opus" and list(data["hooks"]) == ["PostToolUse"]
    assert "Read(./.env)" in data["permissions"]["deny"]


def test_doctor_reports_each_agent_and_codex_trust(sg, project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "CODEX_HOME": str(home / ".codex")}
    for agent in AGENTS:
        assert sg("install", agent, cwd=project, env=env).returncode == 0
    proc = sg("doctor", cwd=project, env=env)
    out = proc.stdout
    for agent in AGENTS:
        assert f"--    {FILES[agent].title}" in out
    assert out.count("probe Read .env: deny") == 4 and out.count("probe Read README.md: allow") == 4, out
    assert "Codex has not trusted secretguard's" in out
    hooks_json = FILES["codex"].path("project", project)
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text("".join(
        f'[hooks.state."{hooks_json}:{label}:0:0"]\ntrusted_hash = "sha256:00"\n'
        for label in ("session_start", "user_prompt_submit", "pre_tool_use", "post_tool_use")))
    out = sg("doctor", cwd=project, env=env).stdout
    assert "Codex has not trusted" not in out and "Codex has a trusted_hash" in out
