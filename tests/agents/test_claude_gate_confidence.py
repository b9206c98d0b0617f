"""The session gate by confidence: a test fixture key is reported without blocking; a live-looking
key in the source blocks; `gate = "all"` and `gate = "high"` move the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planted import github_token, rand

FIXTURES = Path(__file__).parent / "fixtures" / "claude"


def payload(name: str, project: Path) -> dict:
    text = (FIXTURES / f"{name}.json").read_text()
    return json.loads(text.replace("{project}", str(project)).replace("{home}", str(Path.home())))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    (root / "src").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "src" / "app.py").write_text("x = 1\n")
    (root / "tests" / "test_client.py").write_text(f'FAKE_TOKEN = "{github_token()}"\n')  # a fixture
    return root


@pytest.fixture
def hook(sg, project: Path):
    def run(name: str):
        proc = sg("hook", "claude", input=json.dumps(payload(name, project)), cwd=project,
                  env={"CLAUDE_PROJECT_DIR": str(project)})
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout) if proc.stdout.strip() else None
    return run


def test_fixture_key_under_tests_is_reported_but_does_not_block(hook, project: Path) -> None:
    out = hook("session_start")
    note = out["hookSpecificOutput"]["additionalContext"]
    assert "reported, not blocking" in note.lower() and "tests/test_client.py:1 (github-pat)" in note
    assert "systemMessage" not in out  # nothing for the user to fix
    assert hook("user_prompt_submit") is None  # the prompt goes through


def test_live_looking_key_in_src_blocks_and_names_the_fixture_apart(hook, project: Path) -> None:
    (project / "src" / "deploy.py").write_text(f'TOKEN = "{github_token()}"\n')
    out = hook("session_start")
    note = out["hookSpecificOutput"]["additionalContext"]
    assert "src/deploy.py:1 (github-pat)" in note and "blocked" in note
    assert "Reported, not blocking" in note and "tests/test_client.py" in note
    assert hook("user_prompt_submit")["decision"] == "block"
    (project / "src" / "deploy.py").write_text('TOKEN = os.environ["TOKEN"]\n')  # the fix
    assert hook("user_prompt_submit") is None


def test_gate_all_blocks_on_the_fixture_too(hook, project: Path) -> None:
    (project / "secretguard.toml").write_text('gate = "all"\n')
    hook("session_start")
    out = hook("user_prompt_submit")
    assert out["decision"] == "block" and "tests/test_client.py" in out["reason"]


def test_gate_high_lets_medium_findings_through(hook, project: Path) -> None:
    (project / "src" / "settings.py").write_text(f'DB_PASSWORD = "{rand(24)}"\n')  # medium: no checksum
    assert hook("session_start") is not None
    assert hook("user_prompt_submit")["decision"] == "block"
    (project / "secretguard.toml").write_text('gate = "high"\n')
    assert hook("user_prompt_submit") is None
