"""The after-tool hooks of Codex CLI, Copilot CLI, Gemini CLI and Cursor through the real `secretguard hook
AGENT`, with payloads shaped as each agent sends them (captured from Codex 0.171.0, Copilot 1.0.102 and
Gemini CLI 0.61.0; Cursor's from its reference): a planted token comes back redacted in the field the agent
shows the model instead of the output, clean output gets the agent's no-change answer, a guard that cannot
check the output withholds it, and what an agent cannot replace gets no answer. Claude Code's are in
test_claude_firewall.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_hooks import audit_records, hook_runner, payload, project  # noqa: F401
from planted import github_token

# (agent, fixture): a shell tool's output and a file read's (Codex reads files through its shell tool)
REDACTED = [("codex", "post_tool_use"), ("codex", "post_tool_use_read"), ("codex", "post_tool_use_mcp"),
            ("copilot", "post_tool_use"), ("copilot", "post_tool_use_view"),
            ("gemini", "after_tool"), ("gemini", "after_tool_read_file"), ("gemini", "after_tool_read_many_files"),
            ("cursor", "post_tool_use_mcp")]
NO_CHANGE = {"codex": None, "copilot": None, "gemini": {}, "cursor": {}}
WITHHELD = "[secretguard withheld this output"


def shown(agent: str, out: dict) -> str:
    """The text the agent hands the model instead of the tool's output."""
    if agent in ("codex", "gemini"):
        return out["reason"]
    if agent == "copilot":
        return out["modifiedResult"]["textResultForLlm"]
    return out["updated_mcp_tool_output"]["content"][0]["text"]


def run(sg, project: Path, agent: str, name: str, token: str = ""):
    doc = payload(agent, name, project, token=token)
    proc, out = hook_runner(sg, project, agent)(doc)
    assert proc.returncode == 0, proc.stderr
    assert not token or token not in proc.stdout + proc.stderr
    return doc, out


@pytest.mark.parametrize("agent,name", REDACTED)
def test_a_planted_token_comes_back_redacted_where_the_agent_reads_it(sg, project: Path, isolated_xdg: Path,
                                                                     agent: str, name: str) -> None:
    token = github_token()
    doc, out = run(sg, project, agent, name, token)
    assert "token=ghp_*****" in shown(agent, out) and "github-pat" in json.dumps(out)
    if agent == "codex":  # any other field, and Codex 0.171.0 drops the whole answer
        assert set(out) == {"decision", "reason"} and out["decision"] == "block"
    elif agent == "gemini":
        assert out["decision"] == "deny"
        assert out["hookSpecificOutput"] == {"hookEventName": "AfterTool", "tool_output": out["reason"]}
    elif agent == "copilot":  # the result in its own shape
        assert set(out) == {"modifiedResult", "additionalContext"} and "github-pat" in out["additionalContext"]
        assert set(out["modifiedResult"]) == set(doc["toolResult"]) and out["modifiedResult"]["resultType"] == "success"
    else:
        original = json.loads(doc["tool_output"])
        assert set(out) == {"updated_mcp_tool_output", "additional_context"}
        assert out["updated_mcp_tool_output"]["content"][0]["type"] == "text" and len(
            out["updated_mcp_tool_output"]["content"]) == len(original["content"])
    records = [r for r in audit_records(isolated_xdg) if r["event"] == "redact"]
    planted = json.dumps(doc).count(token)  # Gemini sends it twice: to the model and for the display
    assert [(r["agent"], r["count"]) for r in records] == [(agent, planted)] and token not in json.dumps(records)


@pytest.mark.parametrize("agent,name", REDACTED + [("cursor", "post_tool_use")])
def test_clean_output_gets_the_no_change_answer(sg, project: Path, agent: str, name: str) -> None:
    _doc, out = run(sg, project, agent, name)
    assert out == NO_CHANGE[agent]


@pytest.mark.parametrize("agent,name", REDACTED)
def test_output_the_guard_cannot_check_is_withheld(sg, project: Path, agent: str, name: str) -> None:
    (project / "secretguard.toml").write_text("rule_files = ['missing.toml']\n")  # the rules cannot load
    _doc, out = run(sg, project, agent, name, github_token())
    assert WITHHELD in shown(agent, out) and "ghp_" not in json.dumps(out)  # (Codex: an object as JSON)
    if agent == "copilot":
        assert out["modifiedResult"]["resultType"] == "success"  # else Copilot would not take it
    if agent == "cursor":
        assert out["updated_mcp_tool_output"]["content"][0]["type"] == "text"


@pytest.mark.parametrize("agent,name", [("cursor", "post_tool_use"), ("cursor", "post_tool_use_read"),
                                        ("copilot", "post_tool_use_failure")])
def test_output_the_agent_cannot_replace_gets_no_answer(sg, project: Path, isolated_xdg: Path, agent: str,
                                                        name: str) -> None:
    """Cursor replaces only MCP results; Copilot's postToolUseFailure can only add context."""
    _doc, out = run(sg, project, agent, name, github_token())
    assert out == NO_CHANGE[agent]
    assert not [r for r in audit_records(isolated_xdg) if r["event"] == "redact"]
