"""`secretguard hook codex` through the real CLI, with payloads shaped as Codex's hook schemas show."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_hooks import HOSTILE_SHELL, hook_fixture, payload, plant_env, project  # noqa: F401
from secretguard.agents.codex import decision_of

hook = hook_fixture("codex")


def test_session_start_and_prompt(hook, project: Path) -> None:
    proc, out = hook(payload("codex", "session_start", project))
    assert proc.returncode == 0 and "clean" in out["hookSpecificOutput"]["additionalContext"]
    proc, out = hook(payload("codex", "user_prompt_submit", project))
    assert proc.returncode == 0 and out is None
    plant_env(project)
    proc, out = hook(payload("codex", "session_start", project))
    assert ".env" in out["systemMessage"]
    proc, out = hook(payload("codex", "user_prompt_submit", project))
    assert out["decision"] == "block" and ".env" in out["reason"]


@pytest.mark.parametrize("name", ["pre_tool_use_bash", "pre_tool_use_apply_patch", "pre_tool_use_mcp"])
def test_benign_calls_get_no_output(hook, project: Path, name: str) -> None:
    proc, out = hook(payload("codex", name, project))
    assert proc.returncode == 0 and out is None, proc.stderr  # a bare "allow" is refused by Codex


@pytest.mark.parametrize("tool,tool_input", [("Bash", {"command": c}) for c in HOSTILE_SHELL + ("cat .env",)] + [
    ("mcp__filesystem__read_file", {"path": ".env"}),
    ("apply_patch", {"command": "*** Begin Patch\n*** Update File: src/app.py\n@@\n-x = 1\n+x = 2\n"
                                "*** Delete File: .env\n*** End Patch\n"})])
def test_hostile_calls_are_denied(hook, project: Path, tool: str, tool_input: dict) -> None:
    value = plant_env(project)
    proc, out = hook(payload("codex", "pre_tool_use_bash", project, tool_name=tool, tool_input=tool_input))
    specific = out["hookSpecificOutput"]
    assert specific["permissionDecision"] == "deny" and specific["permissionDecisionReason"].startswith("secretguard")
    assert value not in proc.stdout


def test_ask_becomes_deny(hook, project: Path) -> None:
    proc, out = hook(payload("codex", "pre_tool_use_bash", project, tool_input={"command": "cat $SOMEWHERE"}))
    assert decision_of(proc.returncode, proc.stdout) == "deny"  # Codex runs the call on an "ask"


@pytest.mark.parametrize("stdin", ["not json", "[]", '{"cwd": "/tmp"}', '{"hook_event_name": "PreToolUse"}',
                                   '{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {}}',
                                   '{"hook_event_name": "PreToolUse", "tool_name": "apply_patch", '
                                   '"tool_input": {"command": "nothing"}}',
                                   '{"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {}}'])
def test_malformed_input_blocks_with_exit_2_and_a_reason(hook, stdin: str) -> None:
    proc, out = hook(stdin)
    assert proc.returncode == 2 and out is None
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("secretguard: ")
