"""`secretguard install git-hook`: a plain git pre-commit hook, on real `git commit`s."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from gitutil import add, commit, git, git_env, head, head_files, make_repo, token, write

OLD_HOOK = "#!/bin/sh\necho \"old hook ran\" >> \"$(git rev-parse --git-dir)/old-hook.log\"\nexit ${OLD_HOOK_EXIT:-0}\n"


def install(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "secretguard", "install", "git-hook", *args], cwd=repo,
                          env=git_env(), capture_output=True, text=True, timeout=60)


def hook_of(repo: Path) -> Path:
    return repo / ".git" / "hooks" / "pre-commit"


def stage_secret(repo: Path, name: str = "app.py") -> str:
    secret = token()
    write(repo, name, f'TOKEN = "{secret}"\n')
    add(repo, name)
    return secret


def test_install_refuses_secrets_passes_clean_commits_and_uninstalls(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    proc = install(repo)
    assert proc.returncode == 0, proc.stderr
    hook = hook_of(repo)
    assert "installed" in proc.stdout and str(hook) in proc.stdout
    assert hook.stat().st_mode & stat.S_IXUSR
    text = hook.read_text()
    assert "secretguard-managed-hook" in text and "scan --staged" in text

    secret = stage_secret(repo)
    before = head(repo)
    proc = commit(repo, "secret")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and head(repo) == before
    assert "app.py:1" in out and "test-token" in out and "secretguard baseline --update" in out
    assert secret not in out

    git(repo, "rm", "-q", "--cached", "app.py")
    write(repo, "ok.py", "x = 1\n")
    add(repo, "ok.py")
    assert commit(repo, "clean").returncode == 0 and "ok.py" in head_files(repo)

    again = install(repo)  # idempotent
    assert again.returncode == 0 and "already installed" in again.stdout and hook.read_text() == text
    assert sorted(p.name for p in hook.parent.iterdir() if p.name.startswith("pre-commit")) == \
        ["pre-commit", "pre-commit.sample"]

    from secretguard.audit import log as audit

    events = [json.loads(line) for line in audit.log_path().read_text().splitlines()]
    assert {"event": "install", "target": "git-hook", "path": str(hook), "action": "installed"}.items() \
        <= next(e for e in events if e["event"] == "install").items()

    proc = install(repo, "--uninstall")
    assert proc.returncode == 0 and "removed" in proc.stdout and not hook.exists()
    stage_secret(repo, "later.py")
    assert commit(repo, "no gate any more").returncode == 0  # proves the hook is gone


def test_an_existing_hook_is_chained_and_restored(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    hook = hook_of(repo)
    hook.write_text(OLD_HOOK)
    hook.chmod(0o755)
    proc = install(repo)
    assert proc.returncode == 0 and "pre-commit.secretguard-chained" in proc.stdout
    assert (hook.parent / "pre-commit.secretguard-chained").read_text() == OLD_HOOK

    stage_secret(repo)
    assert commit(repo, "secret").returncode == 1  # both run: the old one first, then the scan
    log = repo / ".git" / "old-hook.log"
    assert log.read_text() == "old hook ran\n"
    git(repo, "rm", "-q", "--cached", "app.py")
    write(repo, "ok.py", "x = 1\n")
    add(repo, "ok.py")
    assert commit(repo, "clean", env={"OLD_HOOK_EXIT": "3"}).returncode != 0  # the old hook still decides too
    assert commit(repo, "clean").returncode == 0
    assert log.read_text().count("old hook ran") == 3

    proc = install(repo, "--uninstall")
    assert proc.returncode == 0 and "is back" in proc.stdout
    assert hook.read_text() == OLD_HOOK and os.access(hook, os.X_OK)
    assert not (hook.parent / "pre-commit.secretguard-chained").exists()
    proc = install(repo, "--uninstall")  # the restored hook is not ours: left alone
    assert proc.returncode == 0 and "not written by secretguard" in proc.stdout and hook.read_text() == OLD_HOOK


def test_a_taken_chain_slot_is_refused_and_force_replaces(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    hook = hook_of(repo)
    for path in (hook, hook.parent / "pre-commit.secretguard-chained"):
        path.write_text(OLD_HOOK)
        path.chmod(0o755)
    proc = install(repo)
    assert proc.returncode == 2 and "--force" in proc.stderr and proc.stderr.count("\n") == 1
    assert hook.read_text() == OLD_HOOK
    proc = install(repo, "--force")
    assert proc.returncode == 0 and "secretguard-managed-hook" in hook.read_text()
    assert (hook.parent / "pre-commit.secretguard-replaced").read_text() == OLD_HOOK


def test_core_hooks_path_and_linked_worktrees(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    git(repo, "config", "core.hooksPath", ".githooks")
    proc = install(repo)
    assert proc.returncode == 0 and (repo / ".githooks" / "pre-commit").is_file()
    assert not hook_of(repo).exists()
    stage_secret(repo)
    assert commit(repo, "secret").returncode == 1
    git(repo, "rm", "-q", "--cached", "app.py")
    git(repo, "config", "--unset", "core.hooksPath")

    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    proc = install(tmp_path / "wt")  # from a linked worktree: the shared hooks directory
    assert proc.returncode == 0 and hook_of(repo).is_file(), proc.stdout + proc.stderr
    stage_secret(tmp_path / "wt")
    assert commit(tmp_path / "wt", "secret in worktree").returncode == 1


def test_commit_all_and_commit_of_named_paths_scan_what_they_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    write(repo, "tracked.py", "x = 1\n")
    add(repo, "tracked.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "tracked")
    assert install(repo).returncode == 0
    secret = token()
    write(repo, "tracked.py", f'x = "{secret}"\n')  # modified, not staged
    proc = commit(repo, "all", "-a")  # -a stages it for this commit: the hook sees it
    assert proc.returncode == 1 and "tracked.py:1" in proc.stdout + proc.stderr
    write(repo, "other.py", "y = 2\n")
    add(repo, "other.py")
    proc = commit(repo, "named", "--", "tracked.py")  # `git commit PATH` commits the working file
    assert proc.returncode == 1 and "tracked.py:1" in proc.stdout + proc.stderr
    assert git(repo, "show", "HEAD:tracked.py").stdout == "x = 1\n"
    proc = commit(repo, "named", "--", "other.py")  # the secret is not part of this one
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert secret not in git(repo, "show", "HEAD:tracked.py").stdout


def test_a_changed_path_cannot_switch_the_gate_off(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    assert install(repo).returncode == 0
    secret = stage_secret(repo)
    proc = commit(repo, "secret", env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1 and "app.py:1" in proc.stdout + proc.stderr
    assert secret not in proc.stdout + proc.stderr


def test_a_vanished_secretguard_fails_closed(tmp_path: Path) -> None:
    from secretguard.scan import githook

    repo = make_repo(tmp_path / "r")
    gone = tmp_path / "old-venv" / "bin" / "secretguard"
    githook.install(repo, executable=str(gone))
    write(repo, "ok.py", "x = 1\n")
    add(repo, "ok.py")
    proc = commit(repo, "clean, but no scanner")
    assert proc.returncode == 1 and f"{gone} is missing: commit refused" in proc.stderr
    assert "ok.py" not in head_files(repo)


def test_outside_a_repository(tmp_path: Path) -> None:
    proc = install(tmp_path)
    assert proc.returncode == 2 and "not inside a git working tree" in proc.stderr
    assert "Traceback" not in proc.stderr



def test_following_the_refusal_hint_never_lets_a_credential_file_in(tmp_path: Path) -> None:
    """The hint accepts exactly the content findings it names; a .env stays refused whatever the baseline."""
    repo = make_repo(tmp_path / "r")
    assert install(repo).returncode == 0
    write(repo, ".env", f"DB_PASSWORD={token()}\n")  # untracked, present while the baseline is written
    stage_secret(repo)
    proc = commit(repo, "secret")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    hint = next(line for line in out.splitlines() if "secretguard baseline --update" in line)
    command = hint.split("`secretguard baseline --update", 1)[1].split("`", 1)[0]
    assert command.split() == ["--file", "app.py"], hint
    assert ".env" not in hint
    followed = subprocess.run([sys.executable, "-m", "secretguard", "baseline", "--update", *command.split()],
                              cwd=repo, env=git_env(), capture_output=True, text=True, timeout=60)
    assert followed.returncode == 0, followed.stderr
    entries = json.loads((repo / ".secretguard-baseline.json").read_text())["findings"]
    assert [(e["path"], e["rule"]) for e in entries] == [("app.py", "test-token")]
    add(repo, ".secretguard-baseline.json")
    assert commit(repo, "accepted").returncode == 0
    add(repo, ".env")
    proc = commit(repo, "env")
    assert proc.returncode == 1 and "dotenv-file" in proc.stdout + proc.stderr
    assert ".env" not in head_files(repo)
