"""`secretguard hook claude` through the real CLI, with payloads shaped as Claude Code documents them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from agent_hooks import project  # noqa: F401
from planted import github_token, rand

FIXTURES = Path(__file__).parent / "fixtures" / "claude"


def payload(name: str, project: Path, **changes) -> dict:
    text = (FIXTURES / f"{name}.json").read_text()
    doc = json.loads(text.replace("{project}", str(project)).replace("{home}", str(Path.home())))
    for key, value in changes.items():
        doc[key] = value
    return doc


@pytest.fixture
def hook(sg, project: Path):
    def run(doc: dict, env: dict | None = None):
        proc = sg("hook", "claude", input=json.dumps(doc), cwd=project,
                  env={"CLAUDE_PROJECT_DIR": str(project), **(env or {})})
        out = json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc, out
    return run


def decision(out: dict | None) -> str:
    return ((out or {}).get("hookSpecificOutput") or {}).get("permissionDecision") or "allow"


def plant_env(project: Path) -> str:
    value = "Zq" + rand(22) + "7"
    (project / ".env").write_text(f"DB_PASSWORD={value}\n")
    return value


# -- SessionStart ------------------------------------------------------------------------------
def test_session_start_clean_adds_a_note_for_claude(hook, project: Path) -> None:
    proc, out = hook(payload("session_start", project))
    assert proc.returncode == 0, proc.stderr
    specific = out["hookSpecificOutput"]
    assert specific["hookEventName"] == "SessionStart"
    assert "clean" in specific["additionalContext"]
    assert "systemMessage" not in out


def test_session_start_dirty_names_files_and_rules_and_blocks_until_fixed(hook, project: Path, tmp_path: Path,
                                                                           isolated_xdg: Path) -> None:
    value = plant_env(project)
    proc, out = hook(payload("session_start", project))
    assert proc.returncode == 0, proc.stderr
    text = out["hookSpecificOutput"]["additionalContext"]
    assert ".env" in text and "dotenv-file" in text and out["systemMessage"] == text
    assert value not in proc.stdout + proc.stderr
    # the verdict lives in the state dir, not in the workspace
    assert not any("verdict" in p.name for p in project.rglob("*"))
    assert list((isolated_xdg / "xdg_state_home" / "secretguard" / "claude").glob("verdict-*.json"))

    proc, out = hook(payload("user_prompt_submit", project))
    assert proc.returncode == 0 and out["decision"] == "block" and ".env" in out["reason"]
    proc, out = hook(payload("pre_tool_use_read", project))
    assert decision(out) == "deny" and "blocked" in out["hookSpecificOutput"]["permissionDecisionReason"]

    shutil.move(project / ".env", tmp_path / "moved.env")  # the fix: the file leaves the workspace
    proc, out = hook(payload("user_prompt_submit", project))
    assert proc.returncode == 0 and out is None
    proc, out = hook(payload("pre_tool_use_read", project))
    assert decision(out) == "allow" and out == {}


def test_session_start_cannot_scan_fails_closed(hook, project: Path) -> None:
    (project / "secretguard.toml").write_text("not valid toml [[[\n")
    proc, out = hook(payload("session_start", project))
    assert proc.returncode == 2 and out is None
    assert len(proc.stderr.strip().splitlines()) == 1 and "secretguard" in proc.stderr
    proc, out = hook(payload("user_prompt_submit", project))
    assert out["decision"] == "block"
    (project / "secretguard.toml").unlink()
    proc, out = hook(payload("user_prompt_submit", project))
    assert out is None and proc.returncode == 0


# -- PreToolUse: files ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["pre_tool_use_read", "pre_tool_use_write", "pre_tool_use_edit",
                                  "pre_tool_use_multiedit", "pre_tool_use_notebookedit", "pre_tool_use_grep",
                                  "pre_tool_use_glob"])
def test_benign_fixture_gets_no_decision(hook, project: Path, name: str) -> None:
    proc, out = hook(payload(name, project))
    assert proc.returncode == 0, proc.stderr
    assert out == {}


def test_benign_bash_is_sealed_without_a_decision(hook, project: Path) -> None:
    """Claude Code's own permission rules and prompts still apply: no permissionDecision."""
    doc = payload("pre_tool_use_bash", project)
    proc, out = hook(doc)
    assert proc.returncode == 0, proc.stderr
    specific = out["hookSpecificOutput"]
    assert "permissionDecision" not in specific
    sealed = specific["updatedInput"]
    assert set(sealed) == set(doc["tool_input"])
    assert " run --inner " in sealed["command"] and doc["tool_input"]["command"] in sealed["command"] or \
        __import__("shlex").quote(doc["tool_input"]["command"]) in sealed["command"]


def test_credential_files_appearing_mid_session_are_refused(hook, project: Path) -> None:
    hook(payload("session_start", project))
    value = plant_env(project)
    (project / "notes.txt").symlink_to(".env")
    reads = {"/.env": "deny", "/notes.txt": "deny", "/.env.example": "allow", "/README.md": "allow"}
    for rel, want in reads.items():
        doc = payload("pre_tool_use_read", project, tool_input={"file_path": f"{project}{rel}"})
        proc, out = hook(doc)
        assert proc.returncode == 0 and decision(out) == want, (rel, out)
        assert value not in proc.stdout
    for tool, key in (("Edit", "file_path"), ("Write", "file_path"), ("MultiEdit", "file_path")):
        doc = payload("pre_tool_use_edit", project, tool_name=tool,
                      tool_input={key: f"{project}/.env", "old_string": "a", "new_string": "b", "content": "x",
                                  "edits": []})
        assert decision(hook(doc)[1]) == "deny"
    grep = payload("pre_tool_use_grep", project, tool_input={"pattern": "PASSWORD", "path": str(project)})
    proc, out = hook(grep)
    assert decision(out) == "deny" and ".env" in out["hookSpecificOutput"]["permissionDecisionReason"]
    only_py = payload("pre_tool_use_grep", project, tool_input={"pattern": "x", "path": str(project), "glob": "*.py"})
    assert decision(hook(only_py)[1]) == "allow"
    glob = payload("pre_tool_use_glob", project, tool_input={"pattern": "**/.env*", "path": str(project)})
    assert decision(hook(glob)[1]) == "deny"


def test_file_with_secret_content_is_refused(hook, project: Path) -> None:
    token = github_token()
    (project / "src" / "settings.py").write_text(f"GITHUB = '{token}'\n")
    doc = payload("pre_tool_use_read", project, tool_input={"file_path": f"{project}/src/settings.py"})
    proc, out = hook(doc)
    assert decision(out) == "deny", proc.stderr
    assert token not in proc.stdout + proc.stderr


def test_the_guard_itself_is_off_limits(hook, project: Path) -> None:
    write = payload("pre_tool_use_write", project,
                    tool_input={"file_path": f"{project}/.claude/settings.json", "content": "{}"})
    proc, out = hook(write)
    assert decision(out) == "deny" and "guard" in out["hookSpecificOutput"]["permissionDecisionReason"]
    pragma = payload("pre_tool_use_edit", project,
                     tool_input={"file_path": f"{project}/src/app.py", "old_string": "x = 1",
                                 "new_string": "x = 1  # pragma: allowlist secret"})
    assert decision(hook(pragma)[1]) == "ask"
    bash = payload("pre_tool_use_bash", project, tool_input={"command": "secretguard approve deploy"})
    assert decision(hook(bash)[1]) == "deny"


# -- PreToolUse: Bash ----------------------------------------------------------------------------
@pytest.mark.parametrize("command,want", [
    ("cat .env", "deny"), ("bash -c 'cat .env | base64'", "deny"), ("env", "deny"),
    ("echo $AWS_SECRET_ACCESS_KEY", "deny"), ("cat $SOMEWHERE", "ask"), ("pytest -q", "allow"),
    ("cat .env.example", "allow"), ("grep -r TODO src", "allow"),
])
def test_bash_decisions(hook, project: Path, command: str, want: str) -> None:
    plant_env(project)
    proc, out = hook(payload("pre_tool_use_bash", project, tool_input={"command": command}))
    assert proc.returncode == 0, proc.stderr
    assert decision(out) == want, out
    if want != "allow":
        assert out["hookSpecificOutput"]["hookEventName"] == "PreToolUse"
        assert out["hookSpecificOutput"]["permissionDecisionReason"].startswith("secretguard: ")


def test_secretguard_exec_follows_the_profile(hook, project: Path) -> None:
    (project / "secretguard.toml").write_text(
        '[profiles.migrate]\ncommand = ["./migrate.sh", "**"]\nsecrets = { DB_PASSWORD = "kv2:secret/data/db#password" }\n'
        'policies = ["db-read"]\napproval = "ask"\n\n'
        '[profiles.tests]\ncommand = ["pytest", "**"]\nsecrets = { API_TOKEN = "kv2:secret/data/ci#token" }\n'
        'policies = ["ci"]\napproval = "auto"\n')
    cases = {"secretguard exec -- ./migrate.sh up": "ask", "secretguard exec --profile tests -- pytest -q": "allow",
             "secretguard exec -- ./other.sh": "deny", "secretguard exec -- pytest --env-file .env": "deny"}
    plant_env(project)
    for command, want in cases.items():
        proc, out = hook(payload("pre_tool_use_bash", project, tool_input={"command": command}))
        assert decision(out) == want, (command, out, proc.stderr)


# -- protocol edges ------------------------------------------------------------------------------
@pytest.mark.parametrize("stdin", ["not json", "[]", '{"hook_event_name": "PreToolUse", "tool_name": "Read"}',
                                   '{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {}}'])
def test_bad_input_is_refused_with_exit_2(sg, project: Path, stdin: str) -> None:
    proc = sg("hook", "claude", input=stdin, cwd=project, env={"CLAUDE_PROJECT_DIR": str(project)})
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_other_events_get_no_answer(hook, project: Path) -> None:
    proc, out = hook(payload("user_prompt_submit", project, hook_event_name="Notification"))
    assert proc.returncode == 0 and out is None


def test_a_malformed_post_tool_use_fails_closed(hook, project: Path) -> None:
    proc, out = hook(payload("user_prompt_submit", project, hook_event_name="PostToolUse"))
    assert proc.returncode == 2 and out is None and proc.stderr.startswith("secretguard: refused")


def test_decisions_are_audited_without_values(hook, project: Path, isolated_xdg: Path) -> None:
    value = plant_env(project)
    hook(payload("session_start", project))
    hook(payload("pre_tool_use_bash", project, tool_input={"command": f"echo {value} && cat .env"}))
    log = isolated_xdg / "xdg_state_home" / "secretguard" / "audit.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["hook"] for r in records] == ["SessionStart", "PreToolUse"]
    assert records[1]["decision"] == "deny" and records[1]["tool"] == "Bash" and records[1]["session"] == "abc123"
    for directory in (isolated_xdg, project / ".claude"):
        for path in Path(directory).rglob("*"):
            if path.is_file():
                assert value not in path.read_text(errors="replace"), path


def test_unwritable_audit_log_turns_allow_into_deny(hook, project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    proc, out = hook(payload("pre_tool_use_read", project), env={"SECRETGUARD_AUDIT_LOG": str(blocker / "a.jsonl")})
    assert proc.returncode == 0 and decision(out) == "deny"
    assert "audit" in out["hookSpecificOutput"]["permissionDecisionReason"]


def test_console_script_skips_click(project: Path) -> None:
    """The hook path imports only what it needs (checked in-process on a fresh interpreter)."""
    import subprocess
    import sys

    doc = json.dumps(payload("pre_tool_use_bash", project))
    code = ("import sys, io; sys.argv=['secretguard','hook','claude']; from secretguard.entry import main; "
            "rc=main(); mods=[m for m in ('click','hvac','keyring','detect_secrets','pathspec') if m in sys.modules]; "
            "sys.stderr.write('MODS=' + ','.join(mods)); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], input=doc, capture_output=True, text=True, cwd=project,
                          env={**os.environ, "CLAUDE_PROJECT_DIR": str(project)})
    assert proc.returncode == 0, proc.stderr
    assert "MODS=" in proc.stderr and proc.stderr.split("MODS=")[1].strip() == ""
