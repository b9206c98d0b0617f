"""Codex CLI, Copilot CLI and Gemini CLI, the real programs from the npm registry, against scripted
stubs of their model APIs on 127.0.0.1 (tests/parts/stub_openai.py: the Responses API for Codex and
for Copilot's BYOK mode, so no GitHub login is needed; tests/parts/stub_gemini.py for Gemini CLI
through GOOGLE_GEMINI_BASE_URL): their hooks fire for real, secretguard refuses a call in each
agent's own protocol, and a secret a command prints reaches the model redacted. Fails, saying why,
when npm or the registry is not there. About 3 s (Codex), 10 s (Copilot) and 15 s (Gemini) each
once installed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from agent_hooks import audit_records
from parts import npm_cli
from parts.stub_gemini import StubGemini
from parts.stub_openai import StubOpenAI
from planted import aws_key_id
from secretguard.agents import config_files, hook_configs

SCRIPT = ["printenv", "echo hello-from-the-agent"]


def cli(package: str) -> str:
    exe, why = npm_cli.install(package)
    if exe is None:  # scripts/test.sh installs npm; a machine without it fails loudly, never skips
        pytest.fail(why)
    return exe


@pytest.fixture
def world(tmp_path: Path, isolated_xdg: Path) -> dict:
    home, project = tmp_path / "home", tmp_path / "project"
    (project / "src").mkdir(parents=True)
    home.mkdir()
    (project / "README.md").write_text("# demo\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8"}
    env.update({k: os.environ[k] for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")})
    return {"home": home, "project": project, "env": env, "xdg": isolated_xdg}


def run(argv: list[str], world: dict, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=world["project"], env={**world["env"], **env}, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def assert_refused_then_ran(stub: StubOpenAI | StubGemini, world: dict, agent: str, proc: subprocess.CompletedProcess) -> None:
    outputs = stub.tool_outputs()
    assert len(outputs) == 2, (proc.stdout[-2000:], proc.stderr[-2000:])
    assert "secretguard: `printenv` prints the whole environment" in outputs[0]
    assert "hello-from-the-agent" in outputs[1] and "secretguard" not in outputs[1]
    records = [r for r in audit_records(world["xdg"]) if r.get("agent") == agent]
    assert [r["decision"] for r in records if r.get("tool")] == ["deny", "allow"], records


def codex_home(world: dict, stub: StubOpenAI) -> Path:
    """CODEX_HOME with the stub as the model provider and secretguard's hooks (user level)."""
    home = world["home"] / ".codex"
    home.mkdir()
    (home / "config.toml").write_text(
        f'model = "gpt-5-codex"\nmodel_provider = "stub"\n[model_providers.stub]\nname = "stub"\n'
        f'base_url = "{stub.base_url}"\nwire_api = "responses"\nenv_key = "STUB_API_KEY"\n')
    hook_configs.install("codex", home / "hooks.json", config_files.find_executable())
    return home


def run_codex(world: dict, stub: StubOpenAI, prompt: str) -> subprocess.CompletedProcess:
    codex = cli("@openai/codex")
    home = codex_home(world, stub)
    # --dangerously-bypass-hook-trust stands in for a person trusting the hooks in /hooks; Codex's own
    # sandbox (bubblewrap + codex-linux-sandbox) cannot run in the test environment
    return run([codex, "exec", "--skip-git-repo-check", "--dangerously-bypass-hook-trust",
                "--dangerously-bypass-approvals-and-sandbox", "--json", prompt], world,
               {"CODEX_HOME": str(home), "STUB_API_KEY": "test"})


def run_copilot(world: dict, stub: StubOpenAI, prompt: str) -> subprocess.CompletedProcess:
    copilot = cli("@github/copilot")
    hook_configs.install("copilot", world["home"] / ".copilot" / "hooks" / "secretguard.json",
                         config_files.find_executable())
    return run([copilot, "-p", prompt, "--allow-all-tools", "--no-color"], world,
               {"COPILOT_PROVIDER_BASE_URL": stub.base_url, "COPILOT_PROVIDER_WIRE_API": "responses",
                "COPILOT_MODEL": "gpt-5.4", "COPILOT_PROVIDER_API_KEY": "test"})


def run_gemini(world: dict, stub: StubGemini, prompt: str) -> subprocess.CompletedProcess:
    gemini = cli("@google/gemini-cli")
    settings = world["home"] / ".gemini" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"security": {"auth": {"selectedType": "gemini-api-key"}}}')
    hook_configs.install("gemini", settings, config_files.find_executable())
    return run([gemini, "-p", prompt, "--yolo", "--skip-trust", "-m", "gemini-2.5-pro"], world,
               {"GOOGLE_GEMINI_BASE_URL": stub.base_url, "GEMINI_API_KEY": "test"})


def test_codex_cli_hooks_refuse_printenv(world: dict) -> None:
    with StubOpenAI(SCRIPT) as stub:
        proc = run_codex(world, stub, "show me the environment")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert_refused_then_ran(stub, world, "codex", proc)
    hooks = [r["hook"] for r in audit_records(world["xdg"]) if r.get("agent") == "codex"]
    assert hooks[:2] == ["SessionStart", "UserPromptSubmit"]


def test_codex_cli_dirty_workspace_blocks_the_prompt(world: dict) -> None:
    (world["project"] / ".env").write_text("DB_PASSWORD=Zq8sd7f6g5h4j3k2l1mnbv7x\n")
    with StubOpenAI(SCRIPT) as stub:
        proc = run_codex(world, stub, "hi")
        assert stub.requests == [], proc.stdout[-2000:]  # the model was never asked
    assert "Zq8sd7f6g5h4j3k2l1mnbv7x" not in proc.stdout + proc.stderr


def test_copilot_cli_hooks_refuse_printenv(world: dict) -> None:
    with StubOpenAI(SCRIPT) as stub:
        proc = run_copilot(world, stub, "show me the environment")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert_refused_then_ran(stub, world, "copilot", proc)
    assert "Denied by preToolUse hook: secretguard" in proc.stdout


def test_gemini_cli_hooks_refuse_printenv(world: dict) -> None:
    with StubGemini(SCRIPT) as stub:
        proc = run_gemini(world, stub, "show me the environment")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert_refused_then_ran(stub, world, "gemini", proc)
    hooks = [r["hook"] for r in audit_records(world["xdg"]) if r.get("agent") == "gemini"]
    assert hooks[:2] == ["SessionStart", "BeforeAgent"]


@pytest.mark.parametrize("agent", ["codex", "copilot", "gemini"])
def test_a_secret_a_command_prints_reaches_the_model_redacted(world: dict, agent: str) -> None:
    """The after-tool hook replaces the output before the next request: the model gets `AKIA*****`.
    An AWS key id, which Copilot does not mask on its own (it masks GitHub tokens); printed in two
    halves, so the model's own call never holds it and no request may."""
    key = aws_key_id()
    command = f"printf 'deploying with %s%s\\n' {key[:4]} {key[4:]}"
    with (StubGemini if agent == "gemini" else StubOpenAI)([command]) as stub:
        proc = {"codex": run_codex, "copilot": run_copilot, "gemini": run_gemini}[agent](world, stub, "deploy")
        assert proc.returncode == 0, proc.stderr[-2000:]
    outputs = stub.tool_outputs()
    assert len(outputs) == 1 and "deploying with AKIA*****" in outputs[0], outputs
    assert key not in json.dumps(stub.requests)
    assert [r["agent"] for r in audit_records(world["xdg"]) if r["event"] == "redact"] == [agent]
