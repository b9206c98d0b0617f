"""Real git repositories in a few lines, and planted secrets made at run time.

Every git call runs without the user's global or system git config, so a developer's own
hooks path, templates or signing settings cannot change what a test sees.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
from pathlib import Path

# A content rule private to the test repositories, so these tests do not depend on which
# built-in content rules exist: `sgt_` + 32 random letters and digits.
TEST_RULE = '''schema_version = 1

[[rules]]
id = "test-token"
description = "secretguard test token"
regex = '\\b(sgt_[A-Za-z0-9]{32})\\b'
keywords = ["sgt_"]
'''
ALNUM = string.ascii_letters + string.digits


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
                "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"})
    env.update(extra or {})
    return env


def git(repo: Path, *args: str | bytes, check: bool = True, env: dict[str, str] | None = None,
        input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run git in `repo`; output as text (undecodable bytes escaped)."""
    proc = subprocess.run(["git", *args], cwd=repo, env=git_env(env), input=input, capture_output=True)
    out = subprocess.CompletedProcess(proc.args, proc.returncode,
                                      proc.stdout.decode("utf-8", "backslashreplace"),
                                      proc.stderr.decode("utf-8", "backslashreplace"))
    if check and proc.returncode != 0:
        raise AssertionError(f"git {args} failed ({proc.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


def make_repo(path: Path, test_rule: bool = True, object_format: str | None = None) -> Path:
    """A new repository; with `test_rule`, its secretguard.toml loads TEST_RULE (committed)."""
    path.mkdir(parents=True, exist_ok=True)
    fmt = [f"--object-format={object_format}"] if object_format else []
    git(path, "init", "-q", "-b", "main", *fmt)
    git(path, "config", "commit.gpgsign", "false")
    if test_rule:
        write(path, "secretguard.toml", 'rule_files = ["test-rules.toml"]\n')
        write(path, "test-rules.toml", TEST_RULE)
        git(path, "add", "secretguard.toml", "test-rules.toml")
        git(path, "commit", "-q", "--no-verify", "-m", "secretguard test settings")
    return path


def write(repo: Path, rel: str | bytes, content: str | bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(repo), os.fsencode(rel))))
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def add(repo: Path, *paths: str | bytes) -> None:
    git(repo, "add", "--", *paths)


def commit(repo: Path, message: str = "change", *args: str, env: dict[str, str] | None = None,
           check: bool = False) -> subprocess.CompletedProcess:
    """`git commit` with hooks enabled; returns the result for the test to judge."""
    return git(repo, "commit", "-m", message, *args, check=check, env=env)


def head(repo: Path) -> str | None:
    proc = git(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return proc.stdout.strip() or None


def head_files(repo: Path) -> list[str]:
    if head(repo) is None:
        return []
    return git(repo, "ls-tree", "-r", "--name-only", "HEAD").stdout.splitlines()


def token() -> str:
    """A fresh test token matched by TEST_RULE: never the same twice, never in a file."""
    return "sgt_" + "".join(secrets.choice(ALNUM) for _ in range(32))


def private_key() -> str:
    """A private-key block (random body): the file rule `private-key-content` catches it by content."""
    import base64

    lines = [base64.b64encode(secrets.token_bytes(48)).decode() for _ in range(8)]
    kind = "RSA " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"
