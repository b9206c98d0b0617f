"""`secretguard hook copilot` through the real CLI, with payloads shaped as GitHub's hooks reference shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_hooks import HOSTILE_SHELL, audit_records, hook_fixture, payload, plant_env, project  # noqa: F401
from secretguard.agents.copilot import decision_of

hook = hook_fixture("copilot")


def test_session_start_adds_context(hook, project: Path) -> None:
    proc, out = hook(payload("copilot", "session_start", project))
    assert proc.returncode == 0 and "clean" in out["additionalContext"]


def test_prompt_is_audited_but_gets_no_answer(hook, project: Path, isolated_xdg: Path) -> None:
    proc, out = hook(payload("copilot", "user_prompt_submitted", project))
    assert proc.returncode == 0 and out is None  # Copilot drops a command hook's prompt answer
    assert audit_records(isolated_xdg)[-1]["hook"] == "userPromptSubmitted"


@pytest.mark.parametrize("name", ["pre_tool_use_bash", "pre_tool_use_view", "pre_tool_use_create", "pre_tool_use_edit",
                                  "pre_tool_use_grep", "pre_tool_use_glob", "pre_tool_use_web_fetch"])
def test_benign_calls_get_no_decision(hook, project: Path, name: str) -> None:
    proc, out = hook(payload("copilot", name, project))
    assert proc.returncode == 0 and out is None, proc.stderr


@pytest.mark.parametrize("tool,args", [("view", {"path": ".env"}), ("create", {"path": ".env", "file_text": "A=1"}),
                                       ("grep", {"pattern": "PASSWORD"}), ("glob", {"pattern": "**/.env*"})]
                         + [("bash", {"command": c}) for c in HOSTILE_SHELL])
def test_hostile_calls_are_denied(hook, project: Path, tool: str, args: dict) -> None:
    value = plant_env(project)
    doc = payload("copilot", "pre_tool_use_bash", project, toolName=tool, toolArgs=json.dumps(args))
    proc, out = hook(doc)
    assert proc.returncode == 0 and out["permissionDecision"] == "deny", out
    assert out["permissionDecisionReason"].startswith("secretguard: ") and value not in proc.stdout


def test_dirty_workspace_blocks_tools(hook, project: Path) -> None:
    plant_env(project)
    proc, out = hook(payload("copilot", "session_start", project))
    assert ".env" in out["additionalContext"]
    proc, out = hook(payload("copilot", "pre_tool_use_view", project))
    assert decision_of(proc.returncode, proc.stdout) == "deny" and "blocked" in out["permissionDecisionReason"]


@pytest.mark.parametrize("stdin", ["not json", "[]", '{"cwd": "/tmp"}', '{"toolName": "bash", "toolArgs": "{oops"}',
                                   '{"toolName": "view", "toolArgs": {}}'])
def test_malformed_input_is_denied_with_exit_2(hook, stdin: str) -> None:
    proc, out = hook(stdin)
    assert proc.returncode == 2 and out["permissionDecision"] == "deny"
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
