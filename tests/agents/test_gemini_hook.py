"""`secretguard hook gemini` through the real CLI, with payloads shaped as Gemini CLI's hooks reference shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_hooks import HOSTILE_SHELL, hook_fixture, payload, plant_env, project  # noqa: F401

hook = hook_fixture("gemini")


def test_session_start_and_prompt(hook, project: Path) -> None:
    proc, out = hook(payload("gemini", "session_start", project))
    assert proc.returncode == 0 and "clean" in out["hookSpecificOutput"]["additionalContext"]
    proc, out = hook(payload("gemini", "before_agent", project))
    assert out == {}
    plant_env(project)
    hook(payload("gemini", "session_start", project))
    proc, out = hook(payload("gemini", "before_agent", project))
    assert out["decision"] == "deny" and ".env" in out["reason"]


@pytest.mark.parametrize("name", ["before_tool_run_shell_command", "before_tool_read_file", "before_tool_read_many_files",
                                  "before_tool_write_file", "before_tool_replace", "before_tool_glob",
                                  "before_tool_grep_search", "before_tool_list_directory", "before_tool_mcp"])
def test_benign_calls_are_allowed(hook, project: Path, name: str) -> None:
    proc, out = hook(payload("gemini", name, project))
    assert proc.returncode == 0 and out == {}, proc.stderr


@pytest.mark.parametrize("tool,tool_input", [("run_shell_command", {"command": c}) for c in HOSTILE_SHELL] + [
    ("read_file", {"file_path": ".env"}), ("read_many_files", {"include": ["README.md", "**/*"]}),
    ("read_many_files", {"include": [".env"]}), ("write_file", {"file_path": ".env", "content": "A=1"}),
    ("grep_search", {"pattern": "PASSWORD"}), ("glob", {"pattern": "**/.env*"}),
    ("mcp__filesystem__read_file", {"path": ".env"}),
    ("run_shell_command", {"command": "cat ../demo/.env", "dir_path": "src"})])
def test_hostile_calls_are_denied(hook, project: Path, tool: str, tool_input: dict) -> None:
    value = plant_env(project)
    proc, out = hook(payload("gemini", "before_tool_read_file", project, tool_name=tool, tool_input=tool_input))
    assert proc.returncode == 0 and out["decision"] == "deny", out
    assert out["reason"].startswith("secretguard: ") and value not in proc.stdout


@pytest.mark.parametrize("stdin", ["not json", "[]", '{"cwd": "/tmp"}', '{"hook_event_name": "BeforeTool"}',
                                   '{"hook_event_name": "BeforeTool", "tool_name": "read_file", "tool_input": {}}',
                                   '{"hook_event_name": "AfterTool", "tool_name": "read_file", "tool_input": {}}'])
def test_malformed_input_blocks_with_exit_2(hook, stdin: str) -> None:
    proc, out = hook(stdin)
    assert proc.returncode == 2 and out is None  # any other exit code is only a warning to Gemini CLI
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("secretguard: ")
