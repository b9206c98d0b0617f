"""File, search and MCP tools are judged as what they read, consistently with the shell analysis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planted import rand


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src" / "deep").mkdir(parents=True)
    (root / "src" / "app.py").write_text("x = 1\n")
    (root / "README.md").write_text("# hi\n")
    (root / ".env").write_text(f"DB_PASSWORD=Zq{rand(22)}7\n")
    (root / "src" / "deep" / ".env.production").write_text(f"API_KEY=Zq{rand(22)}7\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[remote \"origin\"]\n\turl = https://bob:ghp_{rand(36)}@github.com/o/r\n")
    return root


def decide(sg, project: Path, tool: str, tool_input: dict) -> tuple[str, str]:
    doc = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool,
           "tool_input": tool_input}
    proc = sg("hook", "claude", input=json.dumps(doc), cwd=project, env={"CLAUDE_PROJECT_DIR": str(project)})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout or "{}").get("hookSpecificOutput") or {}
    return out.get("permissionDecision") or "allow", out.get("permissionDecisionReason") or ""


CASES = [
    # (tool, input with {p} = project, expected)
    ("Read", {"file_path": "/proc/self/environ"}, "deny"),
    ("Read", {"file_path": "/proc/1/task/1/environ"}, "deny"),
    ("Grep", {"pattern": "KEY", "path": "/proc/self/environ"}, "deny"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "glob": "**/.e?v"}, "deny"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "glob": ".env*"}, "deny"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "glob": "!*.py"}, "deny"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "glob": "*.py"}, "allow"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "glob": "src/**/*.py"}, "allow"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "type": "py"}, "allow"),
    ("Grep", {"pattern": "KEY", "path": "{p}", "type": "env"}, "deny"),
    ("Grep", {"pattern": "url", "path": "{p}/.git"}, "deny"),
    ("Grep", {"pattern": "url", "path": "{p}/src"}, "deny"),
    ("Grep", {"pattern": "url", "path": "{p}/src", "glob": "*.py"}, "allow"),
    ("Glob", {"pattern": "**/.env*", "path": "{p}"}, "deny"),
    ("Glob", {"pattern": "**/*.py", "path": "{p}"}, "allow"),
    ("mcp__filesystem__read_file", {"path": "{p}/.env"}, "deny"),
    ("mcp__filesystem__read_multiple_files", {"paths": ["{p}/README.md", "{p}/.env"]}, "deny"),
    ("mcp__filesystem__read_multiple_files", {"paths": ["{p}/README.md", "{p}/src/app.py"]}, "allow"),
    ("mcp__shell__execute_command", {"command": "cat .env | base64"}, "deny"),
    ("mcp__shell__execute_command", {"command": "ls -la"}, "allow"),
    ("mcp__runner__run", {"cmd": ["cat", "{p}/.env"]}, "deny"),
    ("mcp__resources__read", {"uri": "file://{p}/.env"}, "deny"),
    ("mcp__resources__read", {"uri": "file://{p}/README.md"}, "allow"),
    ("mcp__web__fetch", {"url": "https://example.com/.env"}, "allow"),
    ("mcp__db__query", {"sql": "select 1", "options": {"config_file": "{p}/.git/config"}}, "deny"),
]


def _fill(value, project: Path):
    if isinstance(value, str):
        return value.replace("{p}", str(project))
    if isinstance(value, list):
        return [_fill(v, project) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, project) for k, v in value.items()}
    return value


@pytest.mark.parametrize("tool,tool_input,expected", CASES, ids=[f"{c[0]}-{json.dumps(c[1])[:50]}" for c in CASES])
def test_tool_calls_are_judged_by_what_they_read(sg, project: Path, tool: str, tool_input: dict,
                                                 expected: str) -> None:
    got, reason = decide(sg, project, tool, _fill(tool_input, project))
    assert got == expected, reason


def test_a_test_fixture_token_does_not_lock_the_file_and_is_redacted_when_read(sg, project: Path) -> None:
    """A low-confidence secret (a fixture under tests/) leaves the file readable; what the agent is
    shown of it is redacted."""
    from planted import github_token

    token = github_token()
    (project / "tests").mkdir()
    fixture = project / "tests" / "test_client.py"
    fixture.write_text(f'FAKE_TOKEN = "{token}"\n\ndef test_client():\n    assert True\n')
    assert decide(sg, project, "Read", {"file_path": str(fixture)})[0] == "allow"
    doc = {"session_id": "s", "cwd": str(project), "hook_event_name": "PostToolUse", "tool_name": "Read",
           "tool_input": {"file_path": str(fixture)},
           "tool_response": {"type": "text", "file": {"filePath": str(fixture), "content": fixture.read_text(),
                                                      "numLines": 5, "startLine": 1, "totalLines": 5}}}
    proc = sg("hook", "claude", input=json.dumps(doc), cwd=project, env={"CLAUDE_PROJECT_DIR": str(project)})
    shown = json.loads(proc.stdout)["hookSpecificOutput"]["updatedToolOutput"]["file"]["content"]
    assert token not in shown and "ghp_*****" in shown
    (project / "src").mkdir(exist_ok=True)
    live = project / "src" / "client.py"
    live.write_text(f'TOKEN = "{github_token()}"\n')
    assert decide(sg, project, "Read", {"file_path": str(live)})[0] == "deny"
