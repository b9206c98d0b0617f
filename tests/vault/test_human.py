"""`approve` refuses where no human can be told apart from an agent driving a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from parts.tty import run_in_pty

PROFILE = '[profiles.app]\ncommand = ["true"]\npolicies = ["p"]\n[profiles.app.secrets]\nX = "kv2:secret/data/a#b"\n'


def _project(tmp_path: Path) -> Path:
    (tmp_path / "secretguard.toml").write_text(PROFILE)
    return tmp_path


def test_approve_started_by_an_agent_is_refused_even_on_a_pty(tmp_path: Path) -> None:
    """A tool call of an agent that hands approve a terminal: its ancestry still names the agent (a
    shell run under the name `claude`, as Claude Code's native binary is named)."""
    shell = f"{sys.executable} -m secretguard approve app; exit \\$?"
    code, out = run_in_pty(["bash", "-c", f'exec -a claude bash -c "{shell}"'], b"y\n", env=dict(os.environ),
                           cwd=str(_project(tmp_path)))
    assert code == 1 and "started by a coding agent" in out


def test_approve_on_a_pseudo_terminal_nested_in_another_is_refused(tmp_path: Path) -> None:
    """`script` (or socat, expect) gives approve a fresh terminal under the one it runs on."""
    script = ["script", "-qec", f"{sys.executable} -m secretguard approve app", "/dev/null"]
    code, out = run_in_pty(script, b"y\n", env=dict(os.environ), cwd=str(_project(tmp_path)), controlling=True)
    assert code == 1 and "pseudo-terminal made under your terminal" in out


def test_approve_inside_a_sealed_session_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "secretguard", "approve", "app"], cwd=project,
                          env={**os.environ, "SECRETGUARD_SESSION": "1"}, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 1 and "sealed sessions" in proc.stderr


def test_a_pipe_is_not_a_human(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "secretguard", "approve", "app"], cwd=_project(tmp_path),
                          input="y\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "not a terminal" in proc.stderr
