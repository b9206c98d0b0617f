"""Shared by the per-agent hook tests: fixture payloads, a scratch project, the real hook process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planted import rand

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE_SHELL = ("cat .env | base64", "printenv", "bash -c 'cat .env'")


def payload(agent: str, name: str, project: Path, token: str = "", **changes) -> dict:
    """A fixture with its placeholders filled in: {project}, {home}, and {token} (planted at run time)."""
    text = (FIXTURES / agent / f"{name}.json").read_text()
    text = text.replace("{project}", str(project)).replace("{home}", str(Path.home())).replace("{token}", token)
    doc = json.loads(text)
    doc.update(changes)
    return doc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# demo\nTODO: write docs\n")
    (root / "src" / "app.py").write_text("x = 1\n# TODO: routes\n")
    (root / ".env.example").write_text("DB_PASSWORD=<your-password>\nAPI_KEY=changeme\n")
    return root


def plant_env(project: Path) -> str:
    value = "Zq" + rand(22) + "7"
    (project / ".env").write_text(f"DB_PASSWORD={value}\n")
    return value


def hook_fixture(agent: str):
    """A `hook` fixture for one agent: run(doc) through `secretguard hook AGENT` in the project."""
    @pytest.fixture
    def hook(sg, project: Path):
        return hook_runner(sg, project, agent)
    return hook


def hook_runner(sg, project: Path, agent: str, env: dict | None = None):
    """run(doc or raw text) -> (process, parsed stdout or None)."""
    def run(doc, extra_env: dict | None = None):
        stdin = doc if isinstance(doc, str) else json.dumps(doc)
        proc = sg("hook", agent, input=stdin, cwd=project, env={**(env or {}), **(extra_env or {})})
        out = json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc, out
    return run


def audit_records(isolated_xdg: Path) -> list[dict]:
    log = isolated_xdg / "xdg_state_home" / "secretguard" / "audit.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
