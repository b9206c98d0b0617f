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
    """An agent's tool call gives approve a terminal (script(1)); its ancestry still names the agent."""
    project = _project(tmp_path)
    # `script` runs under the name of an agent CLI (as Claude Code's native binary is named `claude`)
    script = ["script", "-qec", f"{sys.executable} -m secretguard approve app", "/dev/null"]
    code, out = run_in_pty(["bash", "-c", 'exec -a claude "$0" "$@"', *script], b"y\n", env=dict(os.environ),
                           cwd=str(project))
    assert code != 0 and "refused" in out and "approved" not in out.replace("not approved", "")


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
