"""The real pre-commit framework running this repository's own hook on real `git commit`s.

The hook repository is this checkout as the tests see it (tracked and untracked, not ignored,
files), committed into a temporary repository: uncommitted work is tested too, and a clean CI
clone gives its HEAD. pre-commit builds the hook's virtualenv once per session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gitutil import add, commit, git, head, head_files, make_repo, token, write

REPO_ROOT = Path(__file__).resolve().parents[2]


def _checkout_files(root: Path) -> list[str]:
    if (root / ".git").exists():
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                             capture_output=True, check=True).stdout
        return [os.fsdecode(p) for p in out.split(b"\0") if p and os.path.lexists(root / os.fsdecode(p))]
    skip = {".git", "__pycache__", ".pytest_cache", ".venv", "build", "dist"}
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg-info")]
        files += [os.path.relpath(os.path.join(dirpath, f), root) for f in filenames]
    return files


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(repository, commit sha) holding this checkout's files."""
    dst = tmp_path_factory.mktemp("hook-source")
    for rel in _checkout_files(REPO_ROOT):
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / rel, target, follow_symlinks=False)
    make_repo(dst, test_rule=False)
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "--no-verify", "-m", "secretguard under test")
    return dst, head(dst)


@pytest.fixture(scope="session")
def framework_env(tmp_path_factory: pytest.TempPathFactory, hook_source: tuple[Path, str]) -> dict[str, str]:
    """Environment for pre-commit, with the hook's virtualenv already built in PRE_COMMIT_HOME."""
    base = tmp_path_factory.mktemp("pre-commit")
    env = {"PRE_COMMIT_HOME": str(base / "home"), "PIP_CACHE_DIR": str(base / "pip-cache"),
           "VIRTUALENV_OVERRIDE_APP_DATA": str(base / "virtualenv")}
    warm = make_repo(base / "warm", test_rule=False)
    _write_config(warm, hook_source)
    proc = _pre_commit(warm, env, "install-hooks", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def _write_config(repo: Path, hook_source: tuple[Path, str]) -> None:
    src, sha = hook_source
    write(repo, ".pre-commit-config.yaml",
          f"repos:\n- repo: {src}\n  rev: {sha}\n  hooks:\n  - id: secretguard\n")


def _pre_commit(repo: Path, env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    from gitutil import git_env

    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, env=git_env(env),
                          capture_output=True, text=True, errors="backslashreplace", timeout=timeout)


@pytest.fixture
def repo(tmp_path: Path, hook_source: tuple[Path, str], framework_env: dict[str, str]) -> Path:
    """A repository using the secretguard hook through .pre-commit-config.yaml, hook installed."""
    path = make_repo(tmp_path / "work")
    _write_config(path, hook_source)
    proc = _pre_commit(path, framework_env, "install")
    assert proc.returncode == 0, proc.stderr
    add(path, ".pre-commit-config.yaml")
    assert commit(path, "use secretguard", env=framework_env).returncode == 0
    return path


def assert_never_written(value: str, *roots: Path) -> None:
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath, name)
                if path.is_file() and not path.is_symlink():
                    assert value.encode() not in path.read_bytes(), f"secret value written to {path}"


def test_a_secret_in_a_source_file_is_refused_and_nothing_committed(
        repo: Path, framework_env: dict[str, str], isolated_xdg: Path) -> None:
    secret = token()
    write(repo, "app/client.py", f'import os\n\nAPI_TOKEN = "{secret}"\n')
    add(repo, "app/client.py")
    before = head(repo)
    proc = commit(repo, "add client", env=framework_env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert head(repo) == before and "app/client.py" not in head_files(repo)
    assert "app/client.py:3" in out and "test-token" in out and "sgt_*****" in out
    assert "secretguard:allow" in out and "secretguard baseline --update" in out
    assert secret not in out
    assert_never_written(secret, isolated_xdg, Path(framework_env["PRE_COMMIT_HOME"]), repo / ".git")


def test_a_clean_commit_passes(repo: Path, framework_env: dict[str, str]) -> None:
    write(repo, "app/main.py", "def main() -> int:\n    return 0\n")
    add(repo, "app/main.py")
    proc = commit(repo, "add main", env=framework_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "app/main.py" in head_files(repo)


def test_dotenv_is_refused_whatever_it_holds(repo: Path, framework_env: dict[str, str]) -> None:
    write(repo, ".env", "DEBUG=true\nPORT=3000\n")
    add(repo, ".env")
    proc = commit(repo, "add env", env=framework_env)
    assert proc.returncode == 1 and "dotenv-file" in proc.stdout + proc.stderr
    assert ".env" not in head_files(repo)


def test_staged_then_deleted_is_refused_and_unstaged_does_not_block(repo: Path, framework_env: dict[str, str]) -> None:
    secret = token()
    write(repo, "conf.py", f'KEY = "{secret}"\n')
    add(repo, "conf.py")
    os.unlink(repo / "conf.py")  # the working file is gone; the staged blob is what would be committed
    proc = commit(repo, "conf", env=framework_env)
    assert proc.returncode == 1 and "conf.py:1" in proc.stdout + proc.stderr
    assert "conf.py" not in head_files(repo)
    assert not (repo / "conf.py").exists()  # pre-commit put the unstaged deletion back

    git(repo, "rm", "-q", "--cached", "conf.py")
    write(repo, "settings.py", "KEY = None\n")
    add(repo, "settings.py")
    write(repo, "settings.py", f'KEY = "{secret}"\n')  # only in the working tree
    proc = commit(repo, "settings", env=framework_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(repo, "show", "HEAD:settings.py").stdout == "KEY = None\n"
    assert (repo / "settings.py").read_text() == f'KEY = "{secret}"\n'


def test_baseline_accepted_and_inline_allowed_secrets_pass(repo: Path, framework_env: dict[str, str], sg) -> None:
    write(repo, "tests/fixtures.py", f'FAKE = "{token()}"  # secretguard:allow: a test fixture\n')
    add(repo, "tests/fixtures.py")
    proc = commit(repo, "fixture", env=framework_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    secret = token()
    write(repo, "docs/sample.py", f'SAMPLE = "{secret}"\n')
    add(repo, "docs/sample.py")
    assert commit(repo, "sample", env=framework_env).returncode == 1
    baseline = sg("baseline", cwd=repo)
    assert baseline.returncode == 0, baseline.stderr
    add(repo, ".secretguard-baseline.json")
    proc = commit(repo, "sample, reviewed", env=framework_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "docs/sample.py" in head_files(repo)
    assert secret not in (repo / ".secretguard-baseline.json").read_text()


def test_run_all_files_checks_what_is_already_tracked(repo: Path, framework_env: dict[str, str]) -> None:
    write(repo, "legacy.py", f'OLD = "{token()}"\n')
    add(repo, "legacy.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "from before the gate")
    proc = _pre_commit(repo, framework_env, "run", "--all-files")
    assert proc.returncode == 1 and "legacy.py:1" in proc.stdout


def test_try_repo(tmp_path: Path, hook_source: tuple[Path, str], framework_env: dict[str, str]) -> None:
    """`pre-commit try-repo` (its own temporary store: a second environment build)."""
    work = make_repo(tmp_path / "work")
    secret = token()
    write(work, "id_ed25519", "not a key at all\n")
    write(work, "src/app.py", f'T = "{secret}"\n')
    write(work, "src/ok.py", "x = 1\n")
    add(work, ".")
    src, sha = hook_source
    proc = _pre_commit(work, framework_env, "try-repo", str(src), "secretguard", "--ref", sha, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "id_ed25519" in out and "src/app.py:1" in out and "src/ok.py" not in out.split("Using config")[-1]
    assert secret not in out


def test_a_symlink_named_like_a_credential_file_is_refused(repo: Path, framework_env: dict[str, str],
                                                           tmp_path: Path) -> None:
    outside = tmp_path / "aws-credentials"
    outside.write_text(f"[default]\naws_secret_access_key = {token()}\n")
    os.symlink(outside, repo / ".env.production")
    add(repo, ".env.production")
    proc = commit(repo, "link", env=framework_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ".env.production" in proc.stdout + proc.stderr and ".env.production" not in head_files(repo)
