"""End to end: the real Claude Code CLI (pinned in tests/parts/agent_cli.py) with secretguard's real hooks.

The model is tests/parts/stub_anthropic.py answering with scripted tool calls, so Claude Code really
runs the tools and really fires the hooks; the stub logs every request, which is exactly what the
model was shown. Planted values are random per run and must appear in no request, nowhere in the
CLI's output and nowhere on its stderr. Each session takes one to three seconds.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from parts.agent_cli import SYSTEM_PATH, InstalledCLI, Run, claude_code  # noqa: F401
from planted import rand
from secretguard.agents import claude_settings as cs

SECRETGUARD = Path(sys.executable).parent / "secretguard"  # this venv's console script, never PATH's
NOT_INSTALLED = ("secretguard is not installed: every tool call is refused until it is "
                 "(see its README, then run secretguard doctor)")
CRASHED = "secretguard failed (exit 1): refused; run secretguard doctor"
MARKER = "ran.marker"  # the scripted Bash call creates it: proof that the call ran
DONE = {"text": "All done."}


def bash(command: str) -> dict:
    return {"tools": [{"name": "Bash", "input": {"command": command, "description": "Run a step"}}]}


def read(path: Path) -> dict:
    return {"tools": [{"name": "Read", "input": {"file_path": str(path)}}]}


def install_secretguard(project: Path) -> None:
    """`secretguard install claude` in the project, as a user would run it."""
    project.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([str(SECRETGUARD), "install", "claude"], cwd=project, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert (project / ".claude" / "settings.json").exists()


def finished(run: Run) -> dict:
    """The session ended normally: its final result message."""
    assert not run.timed_out and run.returncode == 0, run.stderr[-2000:]
    assert run.result is not None, run.stdout[-2000:]
    return run.result


def hook_stdout(run: Run, event: str) -> list[dict]:
    return [json.loads(h["stdout"]) for h in run.hook_responses(event) if h.get("stdout", "").strip()]


def test_clean_project_runs_tools_and_refuses_home_credentials(claude_code: InstalledCLI,  # noqa: F811
                                                                 tmp_path: Path) -> None:
    """A clean project: Bash works and the model sees its output; credentials in HOME never reach it."""
    project, home = tmp_path / "project", tmp_path / "home"
    install_secretguard(project)
    (project / "README.md").write_text("# demo\n")
    in_credentials, in_config = rand(40), rand(40)
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {in_credentials}\n")
    (home / ".aws" / "config").write_text(f"[profile ci]\naws_secret_access_key = {in_config}\n")

    run = claude_code.run(tmp_path, [bash("echo hello"), bash("cat ~/.aws/credentials"),
                                     read(home / ".aws" / "credentials"), read(home / ".aws" / "config"), DONE])

    assert finished(run)["result"] == "All done."
    [start] = hook_stdout(run, "SessionStart")
    assert start["hookSpecificOutput"]["additionalContext"].startswith("secretguard: the workspace scan is clean")
    echo, cat, read_credentials, read_config = run.tool_results().values()
    assert (echo["is_error"], echo["text"]) == (False, "hello")
    assert any(r["kind"] == "main" and r["turn"] == 1 and "hello" in json.dumps(r["body"]["messages"][-1])
               for r in run.requests), "the request after `echo hello` does not carry its output"
    # the PreToolUse hook refuses the Bash read; its reason is what the model gets
    assert cat["is_error"] and cat["text"].startswith("secretguard: `cat` would read ~/.aws/credentials")
    # Claude Code's own deny rule (written by `secretguard install claude`) stops the Read before any hook
    assert read_credentials["is_error"] and "denied by your permission settings" in read_credentials["text"]
    # ~/.aws/config has no deny rule: the hook judges it by content
    assert read_config["is_error"] and read_config["text"].startswith(
        f"secretguard: Read would read {home / '.aws' / 'config'}")
    assert [d["tool_use_id"] for d in run.result["permission_denials"]] == [
        k for k, v in run.tool_results().items() if v["text"].startswith("secretguard:")]
    for value in (in_credentials, in_config):
        assert value not in run.everything()


def test_dirty_project_is_reported_and_the_prompt_blocked(claude_code: InstalledCLI,  # noqa: F811
                                                          tmp_path: Path) -> None:
    """A .env in the project: SessionStart says so and the prompt never reaches the model."""
    project = tmp_path / "project"
    install_secretguard(project)
    value = rand(40)
    (project / ".env").write_text(f"API_KEY={value}\n")

    run = claude_code.run(tmp_path, [read(project / ".env"), bash(f"cat .env; touch {MARKER}"), DONE])

    result = finished(run)
    [start] = hook_stdout(run, "SessionStart")
    assert start["systemMessage"].startswith("secretguard: credential material in the workspace: .env:1 (")
    assert "in a dotenv-file)" in start["systemMessage"]
    assert "Prompts and tool calls in this project are blocked" in start["hookSpecificOutput"]["additionalContext"]
    [prompt] = hook_stdout(run, "UserPromptSubmit")
    assert prompt["decision"] == "block"
    assert result["result"].startswith("UserPromptSubmit operation blocked by hook:\nsecretguard: credential material")
    assert run.main_requests == [] and not (project / MARKER).exists()
    assert value not in run.everything()


@pytest.fixture(params=["missing", "crashing"])
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(a secretguard path that cannot judge, the line the fail-closed hook command prints for it)."""
    assert shutil.which("secretguard", path=SYSTEM_PATH) is None, \
        "a secretguard on the system PATH would stand in for the broken one: this test proves nothing here"
    if request.param == "missing":
        return "/nonexistent/venv/bin/secretguard", NOT_INSTALLED
    script = tmp_path / "broken-venv" / "bin" / "secretguard"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\necho 'Traceback (most recent call last): ImportError: broken install' >&2\nexit 1\n")
    script.chmod(0o755)
    return str(script), CRASHED


def test_fail_closed_blocks_the_prompt(claude_code: InstalledCLI, tmp_path: Path,  # noqa: F811
                                       broken: tuple[str, str]) -> None:
    """secretguard missing or crashing, as installed: UserPromptSubmit exits 2 and nothing runs."""
    exe, line = broken
    cs.install(tmp_path / "project" / ".claude" / "settings.json", exe)

    run = claude_code.run(tmp_path, [bash(f"touch {MARKER}"), DONE])

    result = finished(run)
    assert [h["exit_code"] for h in run.hook_responses("UserPromptSubmit")] == [2]
    assert result["result"].startswith(f"UserPromptSubmit operation blocked by hook:\n[{cs.hook_command(exe)}]: ")
    assert line in result["result"]
    assert run.main_requests == [] and not (tmp_path / "project" / MARKER).exists()


def test_fail_closed_refuses_the_tool_call(claude_code: InstalledCLI, tmp_path: Path,  # noqa: F811
                                           broken: tuple[str, str]) -> None:
    """The PreToolUse hook on its own (no prompt hook to stop the session first): the call is refused."""
    exe, line = broken
    path = tmp_path / "project" / ".claude" / "settings.json"
    cs.install(path, exe)
    settings = json.loads(path.read_text())
    settings["hooks"] = {"PreToolUse": settings["hooks"]["PreToolUse"]}
    path.write_text(json.dumps(settings))

    run = claude_code.run(tmp_path, [bash(f"touch {MARKER}"), DONE])

    assert finished(run)["result"] == "All done."
    assert not (tmp_path / "project" / MARKER).exists()
    [touch] = run.tool_results().values()
    assert touch["is_error"]
    assert touch["text"].startswith(f"PreToolUse:Bash hook error: [{cs.hook_command(exe)}]: ")
    assert touch["text"].endswith(f"{line}\n")
    if exe.startswith("/nonexistent/"):
        assert touch["text"] == f"PreToolUse:Bash hook error: [{cs.hook_command(exe)}]: {NOT_INSTALLED}\n"


def test_a_plain_hook_command_fails_open(claude_code: InstalledCLI, tmp_path: Path,  # noqa: F811
                                         broken: tuple[str, str]) -> None:
    """Why the installed command is a shell form: Claude Code runs the call when a plain
    `secretguard hook claude` is missing (exit 127) or crashes (exit 1). Only exit 2 blocks."""
    exe, _ = broken
    path = tmp_path / "project" / ".claude" / "settings.json"
    settings: dict = {}
    cs.merge(settings, f"{shlex.quote(exe)} hook claude")  # the old form, same events and matchers
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(settings))

    run = claude_code.run(tmp_path, [bash(f"touch {MARKER}"), DONE])

    assert finished(run)["result"] == "All done."
    assert [h["exit_code"] for h in run.hook_responses("PreToolUse")] == [127 if exe.startswith("/nonexistent/") else 1]
    assert (tmp_path / "project" / MARKER).exists(), "the call did not run: Claude Code now fails closed?"
    [touch] = run.tool_results().values()
    assert not touch["is_error"]


def grep(pattern: str, path: Path) -> dict:
    return {"tools": [{"name": "Grep", "input": {"pattern": pattern, "path": str(path), "output_mode": "content"}}]}


def test_the_model_is_shown_redacted_output(claude_code: InstalledCLI, tmp_path: Path) -> None:  # noqa: F811
    """Bash (sealed) and Grep output holding a token, and a Read of a file holding a value only the
    known-values index knows: the model's next request carries them redacted; a failing command's
    output (which Claude Code cannot replace afterwards) arrives redacted by the sealed wrapper."""
    from planted import github_token

    project = tmp_path / "project"
    install_secretguard(project)
    token, failing, known = github_token(), github_token(), rand(24)
    (project / "logs").mkdir()
    (project / "logs" / "app.log").write_text("INFO started\n")  # the token arrives mid-session
    (project / "notes.txt").write_text(f"the staging password is {known} until friday\n")
    # secretguard handed `known` out earlier (exec does this): it knows its keyed hash, not the value
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-c", f"from secretguard.scan.known import KnownValues; "
                                          f"KnownValues.add([{known!r}])"], check=True, env={"HOME": str(home)})
    script = [bash(f"printf 'DEBUG auth=%s\\n' {token} >> logs/app.log && tail -1 logs/app.log"),
              grep("auth=", project / "logs"), read(project / "notes.txt"),
              bash(f"echo 'retrying with {failing}'; exit 3"), DONE]
    run = claude_code.run(tmp_path, script)
    assert finished(run)["result"] == "All done."
    shown = list(run.tool_results().values())
    assert len(shown) == 4, shown
    for result in shown:
        assert token not in result["text"] and failing not in result["text"] and known not in result["text"]
    assert "ghp_*****" in shown[0]["text"] and "ghp_*****" in shown[1]["text"]
    assert "the staging password is *****" in shown[2]["text"]
    assert shown[3]["is_error"] and "retrying with ghp_*****" in shown[3]["text"]
    # nothing sent to the model carries the values (its own tool_use inputs hold them: they came from it)
    sent = json.dumps([m for r in run.main_requests for m in r["body"]["messages"] if m.get("role") == "user"])
    assert token not in sent and failing not in sent and known not in sent
