"""What the model sees is clean: PostToolUse answers each tool's output redacted, in that tool's own
shape; a pasted secret blocks the prompt; transcripts can be scanned and scrubbed."""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import pytest

from planted import aws_key_id, github_token, rand

SESSION = "fw-session"


def post(tool: str, tool_input: dict, response: object, project: Path) -> dict:
    return {"session_id": SESSION, "transcript_path": str(project / "t.jsonl"), "cwd": str(project),
            "permission_mode": "default", "hook_event_name": "PostToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_response": response, "tool_use_id": "toolu_1", "duration_ms": 3}


def responses(project: Path, token: str) -> list[tuple[str, dict, object]]:
    """(tool, input, response) in the shapes Claude Code 2.1.197 sends (see shared/realclient)."""
    return [
        ("Bash", {"command": "./deploy.sh"}, {"stdout": f"deploying with {token}\ndone", "stderr": "",
                                                "interrupted": False, "isImage": False, "noOutputExpected": False}),
        ("Read", {"file_path": str(project / "app.log")}, {"type": "text", "file": {
            "filePath": str(project / "app.log"), "content": f"INFO start\nDEBUG token={token}\n", "numLines": 3,
            "startLine": 1, "totalLines": 3}}),
        ("Grep", {"pattern": "token", "path": str(project), "output_mode": "content"},
         {"mode": "content", "numFiles": 0, "filenames": [], "content": f"app.log:2:DEBUG token={token}",
          "numLines": 1}),
        ("mcp__logs__tail", {"service": "api"}, [{"type": "text", "text": f"auth header Bearer {token}"}]),
        ("WebFetch", {"url": "https://example.com"}, {"bytes": 10, "code": 200, "codeText": "OK",
                                                      "result": f"page says {token}", "durationMs": 5,
                                                      "url": "https://example.com"}),
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "README.md").write_text("# demo\n")
    return root


def hook(sg, project: Path, doc: dict):
    proc = sg("hook", "claude", input=json.dumps(doc), cwd=project, env={"CLAUDE_PROJECT_DIR": str(project)})
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def shape(value: object) -> object:
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


@pytest.mark.parametrize("index", range(5), ids=["Bash", "Read", "Grep", "mcp", "WebFetch"])
def test_a_token_in_tool_output_comes_back_redacted_in_the_tools_own_shape(sg, project: Path, index: int,
                                                                           isolated_xdg: Path) -> None:
    token = github_token()
    tool, tool_input, response = responses(project, token)[index]
    proc, out = hook(sg, project, post(tool, tool_input, copy.deepcopy(response), project))
    assert proc.returncode == 0, proc.stderr
    specific = out["hookSpecificOutput"]
    replaced = specific["updatedToolOutput"]
    assert shape(replaced) == shape(response)  # a different shape would be ignored silently
    assert token not in json.dumps(out) and "ghp_*****" in json.dumps(replaced)
    assert "github-pat" in specific["additionalContext"] and token not in proc.stderr
    records = [json.loads(line) for line in (isolated_xdg / "xdg_state_home/secretguard/audit.jsonl")
               .read_text().splitlines()]
    assert [(r["event"], r["tool"], r["count"]) for r in records if r["event"] == "redact"] == [("redact", tool, 1)]
    assert token not in json.dumps(records)


def test_clean_output_gets_no_answer(sg, project: Path) -> None:
    proc, out = hook(sg, project, post("Bash", {"command": "ls"}, {"stdout": "README.md\nsrc", "stderr": "",
                                                                     "interrupted": False}, project))
    assert proc.returncode == 0 and out is None


def test_a_value_only_the_index_knows_is_redacted(sg, project: Path) -> None:
    """No rule would see a random password; secretguard handed it out, so it knows its keyed hash."""
    value = rand(24)
    code = f"from secretguard.scan.known import KnownValues; KnownValues.add([{value!r}])"
    assert sg("--version").returncode == 0
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))
    proc, out = hook(sg, project, post("Bash", {"command": "tail log"}, {"stdout": f"retry with {value} now\nok",
                                                                           "stderr": "", "interrupted": False},
                                       project))
    assert proc.returncode == 0, proc.stderr
    assert out["hookSpecificOutput"]["updatedToolOutput"]["stdout"] == "retry with ***** now\nok"
    assert "known-secret-value" in out["hookSpecificOutput"]["additionalContext"]
    index = Path(os.environ["XDG_STATE_HOME"]) / "secretguard" / "known-values.json"
    assert value not in index.read_text()


def test_an_internal_error_withholds_the_whole_output(sg, project: Path) -> None:
    (project / "secretguard.toml").write_text("rule_files = ['missing.toml']\n")  # the rules cannot load
    token = github_token()
    proc, out = hook(sg, project, post("Bash", {"command": "x"}, {"stdout": f"t={token}", "stderr": "",
                                                                    "interrupted": False}, project))
    assert proc.returncode == 0, proc.stderr
    replaced = out["hookSpecificOutput"]["updatedToolOutput"]
    assert token not in json.dumps(out) and replaced["stdout"].startswith("[secretguard withheld this output")
    assert replaced["interrupted"] is False


def test_a_pasted_secret_blocks_the_prompt_and_is_never_echoed(sg, project: Path, isolated_xdg: Path,
                                                               tmp_path: Path) -> None:
    key_id, secret = aws_key_id(), rand(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+")
    prompt = f"use these: aws_access_key_id={key_id} aws_secret_access_key={secret} and deploy"
    transcript = tmp_path / "t.jsonl"  # Claude Code keeps it under ~/.claude/projects, outside the project
    transcript.write_text(json.dumps({"type": "user", "message": {"content": prompt}}) + "\n")
    doc = {"session_id": SESSION, "transcript_path": str(transcript), "cwd": str(project),
           "hook_event_name": "UserPromptSubmit", "prompt": prompt}
    proc, out = hook(sg, project, doc)
    assert proc.returncode == 0 and out["decision"] == "block"
    assert "aws" in out["reason"] and "not sent" in out["reason"]
    log = (isolated_xdg / "xdg_state_home/secretguard/audit.jsonl").read_text()
    for value in (key_id, secret):
        assert value not in proc.stdout + proc.stderr + log
    # the blocked prompt is in the transcript: scrubbed when the session stops
    proc, _ = hook(sg, project, {"session_id": SESSION, "transcript_path": str(transcript), "cwd": str(project),
                                 "hook_event_name": "Stop", "stop_hook_active": False})
    assert proc.returncode == 0
    text = transcript.read_text()
    assert key_id not in text and secret not in text and json.loads(text.splitlines()[0])["type"] == "user"


def test_transcripts_scan_and_scrub(sg, tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = home / ".claude" / "projects" / "-work-app"
    store.mkdir(parents=True)
    planted = [github_token() for _ in range(5)]
    lines = [{"type": "user", "message": {"content": "hi"}}]
    for n, token in enumerate(planted):
        lines.append({"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": f"t{n}",
                                                                "content": f"output line {n}: {token}"}]}})
    session = store / "abc.jsonl"
    session.write_text("".join(json.dumps(line) + "\n" for line in lines))
    env = {"HOME": str(home)}
    proc = sg("transcripts", "scan", "--agent", "claude", "--format", "json", env=env)
    assert proc.returncode == 1, proc.stderr
    hits = json.loads(proc.stdout)["findings"]
    assert len(hits) == 5 and {h["line"] for h in hits} == {2, 3, 4, 5, 6}
    assert not any(t in proc.stdout for t in planted)
    proc = sg("transcripts", "scrub", "--agent", "claude", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "5" in proc.stdout
    text = session.read_text()
    assert not any(t in text for t in planted)
    assert all(json.loads(line) for line in text.splitlines())
    assert sg("transcripts", "scan", "--agent", "claude", env=env).returncode == 0
