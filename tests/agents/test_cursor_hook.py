"""`secretguard hook cursor` through the real CLI, with payloads shaped as Cursor's hooks reference shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_hooks import HOSTILE_SHELL, audit_records, hook_fixture, payload, plant_env, project  # noqa: F401
from planted import github_token

hook = hook_fixture("cursor")


def test_session_start_and_prompt(hook, project: Path) -> None:
    proc, out = hook(payload("cursor", "session_start", project))
    assert proc.returncode == 0 and "clean" in out["additional_context"]
    proc, out = hook(payload("cursor", "before_submit_prompt", project))
    assert out == {"continue": True}
    plant_env(project)
    hook(payload("cursor", "session_start", project))
    proc, out = hook(payload("cursor", "before_submit_prompt", project))
    assert out["continue"] is False and ".env" in out["user_message"]


@pytest.mark.parametrize("name", ["before_shell_execution", "before_read_file", "before_mcp_execution",
                                  "pre_tool_use_shell", "pre_tool_use_read", "pre_tool_use_write", "pre_tool_use_grep"])
def test_benign_calls_are_allowed_out_loud(hook, project: Path, name: str) -> None:
    proc, out = hook(payload("cursor", name, project))
    assert proc.returncode == 0 and out == {"permission": "allow"}, proc.stderr  # failClosed needs an answer


@pytest.mark.parametrize("command", HOSTILE_SHELL)
def test_hostile_shell_is_denied_by_both_events(hook, project: Path, command: str) -> None:
    value = plant_env(project)
    for name, changes in (("before_shell_execution", {"command": command}),
                          ("pre_tool_use_shell", {"tool_input": {"command": command}})):
        proc, out = hook(payload("cursor", name, project, generation_id=f"g-{name}", **changes))
        assert out["permission"] == "deny" and out["agent_message"].startswith("secretguard: "), out
        assert value not in proc.stdout


def test_reads_of_credentials_and_secret_content_are_denied(hook, project: Path) -> None:
    value = plant_env(project)
    proc, out = hook(payload("cursor", "before_read_file", project, file_path=f"{project}/.env",
                             content=f"DB_PASSWORD={value}\n"))
    assert out["permission"] == "deny" and value not in proc.stdout
    proc, out = hook(payload("cursor", "pre_tool_use_read", project, tool_input={"file_path": ".env"}))
    assert out["permission"] == "deny"
    token = github_token()  # content Cursor is about to show, unlike the file on disk
    proc, out = hook(payload("cursor", "before_read_file", project, content=f"GITHUB = '{token}'\n"))
    assert out["permission"] == "deny" and "github" in out["user_message"].lower() and token not in proc.stdout
    proc, out = hook(payload("cursor", "before_mcp_execution", project, tool_input=f'{{"path": "{project}/.env"}}'))
    assert out["permission"] == "deny"


def test_one_call_firing_two_events_is_judged_and_audited_once(hook, project: Path, isolated_xdg: Path) -> None:
    before = len(audit_records(isolated_xdg))
    for name in ("pre_tool_use_shell", "before_shell_execution"):
        proc, out = hook(payload("cursor", name, project, generation_id="gen-twice"))
        assert out == {"permission": "allow"}
    assert len(audit_records(isolated_xdg)) == before + 1
    proc, out = hook(payload("cursor", "before_shell_execution", project, generation_id="gen-other"))
    assert len(audit_records(isolated_xdg)) == before + 2


def test_ask_is_a_deny_where_cursor_does_not_enforce_it(hook, project: Path) -> None:
    pragma = {"file_path": f"{project}/src/app.py", "contents": "x = 1  # pragma: allowlist secret"}
    proc, out = hook(payload("cursor", "pre_tool_use_write", project, tool_input=pragma))
    assert out["permission"] == "deny"
    proc, out = hook(payload("cursor", "before_shell_execution", project, command="cat $SOMEWHERE"))
    assert out["permission"] == "ask"


@pytest.mark.parametrize("stdin", ["not json", "[]", '{"workspace_roots": []}',
                                   '{"hook_event_name": "beforeShellExecution"}',
                                   '{"hook_event_name": "preToolUse", "tool_name": "Shell", "tool_input": {}}'])
def test_malformed_input_is_denied_with_exit_2(hook, stdin: str) -> None:
    proc, out = hook(stdin)
    assert proc.returncode == 2 and out["permission"] == "deny" and out["continue"] is False
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
