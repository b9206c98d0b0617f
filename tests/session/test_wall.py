"""The wall, for real: hostile commands run inside a sealed session (real bubblewrap) and no planted
value appears in any output or file, in any of its usual encodings; ordinary commands keep their
exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parts.wall_world import World, leaks, world  # noqa: F401 - world is a fixture

SECRETGUARD = [sys.executable, "-m", "secretguard"]


def run_sealed(world: World, script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, **world.env}
    return subprocess.run([*SECRETGUARD, "run", "--project", str(world.project), *args, "--", "bash", "-c", script],
                          cwd=world.project, env=env, capture_output=True, text=True, errors="replace",
                          timeout=timeout)


HOSTILE = [
    "cat ~/.ssh/id_ed25519", "cat ~/.aws/credentials", "cat ~/.bash_history", "cat ~/Downloads/prod-keys.txt",
    "cat ~/Downloads/aws.ini", "cat ~/.config/gh/hosts.yml", "cat ~/.cache/huggingface/token",
    "cat ~/.docker/config.json", "cat ~/.local/state/secretguard/audit.jsonl", "cat ~/.gitconfig",
    "git config --global --list", "git config --get-regexp '^url'", "env", "printenv", "cat /proc/*/environ",
    "cat /proc/1/environ", "tr '\\0' '\\n' < /proc/$PPID/environ", "find ~ -type f -exec cat {} + 2>/dev/null",
    "grep -r . ~ 2>/dev/null", "tar czf - ~ 2>/dev/null | base64", "python3 -c 'import os; print(dict(os.environ))'",
    "python3 -c \"import glob, os; [print(open(p, errors='replace').read()) for p in glob.glob(os.path.expanduser("
    "'~/**/*'), recursive=True) + glob.glob('/home/*/.*/*') if os.path.isfile(p)]\"",
    "ls -la /tmp /run /var/run; cat /tmp/*/* 2>/dev/null", "timeout 3 strace -f -p $PPID -e trace=read 2>&1 | head -5",
    "timeout 5 gdb -p $PPID -batch -ex 'info proc' 2>&1 | head -3",
    "python3 -m keyring get secretguard-vault x", "secret-tool search --all service x 2>&1",
]


HOSTILE_SCRIPT = "\n".join(f"echo '### {i}'; ( {c} ) 2>&1 || true" for i, c in enumerate(HOSTILE)) + \
    "\ncp ~/.aws/credentials ./stolen 2>/dev/null; cat ~/.ssh/id_ed25519 > ./stolen2 2>/dev/null; true"


def test_hostile_commands_read_no_planted_value(world: World) -> None:
    proc = run_sealed(world, HOSTILE_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("### ") == len(HOSTILE), proc.stdout[-2000:]
    assert leaks(world, proc) == []


def test_without_the_wall_the_same_commands_read_every_planted_value(world: World) -> None:
    """The control: the planted values are there to be read, and the table reads them."""
    proc = subprocess.run(["bash", "-c", HOSTILE_SCRIPT], cwd=world.project, env={**os.environ, **world.env},
                          capture_output=True, text=True, errors="replace", timeout=120)
    assert leaks(world, proc) == sorted(world.secrets)


def test_the_public_halves_and_the_project_stay_usable(world: World) -> None:
    proc = run_sealed(world, "cat ~/.ssh/config ~/.ssh/id_ed25519.pub && git config user.name && "
                      "echo changed >> app.py && git -C . status --short && ls ~/.aws 2>&1; ls /proc | grep -c '^[0-9]'")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Host example" in out and "PublicHalf" in out and "Dev" in out and "app.py" in out
    assert int(out.strip().splitlines()[-1]) < 10  # /proc shows the session's processes only
    assert (world.project / "app.py").read_text().endswith("changed\n")


def test_secretguard_and_the_hook_settings_cannot_be_changed_from_inside(world: World) -> None:
    claude = world.project / ".claude"
    claude.mkdir()
    (claude / "settings.json").write_text('{"hooks": {}}\n')
    package = Path(__import__("secretguard").__file__).parent
    proc = run_sealed(world, f"rm -rf .claude/settings.json; echo x > .claude/settings.json; "
                             f"rm -rf {package}; touch {package}/x; "
                             f"ls {package}/__init__.py && cat .claude/settings.json")
    assert (claude / "settings.json").read_text() == '{"hooks": {}}\n'
    assert (package / "__init__.py").exists() and not (package / "x").exists()
    assert '{"hooks": {}}' in proc.stdout


ORDINARY = ["true", "false", "git status --short", "git log -1 2>/dev/null; exit 0", "python3 -c 'print(1)'",
            "python3 -m pip --version", "ls -la", "cc --version || gcc --version", "echo hi | sha256sum",
            "mkdir -p build && echo ok > build/out.txt && cat build/out.txt", "exit 7", "cd / && pwd",
            "node -e 'process.exit(3)' 2>/dev/null || exit 3"]


@pytest.mark.parametrize("command", ORDINARY)
def test_ordinary_commands_keep_their_exit_codes(world: World, command: str) -> None:
    plain = subprocess.run(["bash", "-c", command], cwd=world.project, env={**os.environ, **world.env},
                           capture_output=True, timeout=60)
    sealed = run_sealed(world, command)
    assert sealed.returncode == plain.returncode, sealed.stderr


def test_a_dirty_project_does_not_start(world: World) -> None:
    (world.project / ".env").write_text(f"DB_PASSWORD={world.secrets['aws']}\n")
    proc = run_sealed(world, "echo started")
    assert proc.returncode == 125 and "started" not in proc.stdout
    assert ".env" in proc.stderr and world.secrets["aws"] not in proc.stdout + proc.stderr


def test_no_bubblewrap_is_a_one_line_refusal(world: World, tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "git", "env", "python3"):
        found = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if found:
            (bindir / tool).symlink_to(found)
    env = {**os.environ, **world.env, "PATH": str(bindir)}
    proc = subprocess.run([*SECRETGUARD, "run", "--", "bash", "-c", "echo started"], cwd=world.project, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 125 and "started" not in proc.stdout
    assert proc.stderr.count("\n") == 1 and "bubblewrap" in proc.stderr and "README" in proc.stderr


def test_exit_codes_follow_the_wrapper_convention(world: World) -> None:
    assert run_sealed(world, "kill -TERM $$").returncode == 128 + 15
    env = {**os.environ, **world.env}
    missing = subprocess.run([*SECRETGUARD, "run", "--", "no-such-command-xyz"], cwd=world.project, env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 127 and missing.stderr.startswith("secretguard: ")
