"""Shared fixtures: every test runs with its own XDG directories, so nothing touches the real user's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        path = base / var.lower()
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)
    return base


def run_secretguard(*args: str, cwd: Path | str | None = None, input: str | bytes | None = None,
                    env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user (or a hook) would."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    text = not isinstance(input, bytes)
    return subprocess.run([sys.executable, "-m", "secretguard", *args], cwd=cwd, input=input,
                          env=full_env, capture_output=True, text=text, timeout=timeout)


@pytest.fixture
def sg():
    return run_secretguard
