"""`secretguard scan --staged`: what is scanned is what a commit would contain (the index)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gitutil import add, git, make_repo, private_key, token, write


def staged(sg, repo: Path, *args: str, cwd: Path | None = None) -> tuple[int, dict, str]:
    """Run `scan --staged --format json -v`; return exit code, the document and all output."""
    proc = sg("scan", "--staged", "--format", "json", "-v", *args, cwd=cwd or repo)
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, doc, proc.stdout + proc.stderr


def found(doc: dict) -> list[tuple[str, int | None, str]]:
    return [(f["path"], f["line"], f["rule"]) for f in doc["findings"]]


def test_the_index_is_scanned_not_the_working_tree(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    write(repo, "app/settings.py", f'API = "{secret}"\n')
    add(repo, "app/settings.py")
    write(repo, "app/settings.py", "API = None\n")  # cleaned in the working tree, not staged
    write(repo, "notes.py", "x = 1\n")
    add(repo, "notes.py")
    write(repo, "notes.py", f'x = "{secret}"\n')  # a secret only in the working tree
    rc, doc, out = staged(sg, repo)
    assert rc == 1
    assert found(doc) == [("app/settings.py", 1, "test-token")]
    os.unlink(repo / "app/settings.py")  # staged, then deleted from the working tree: still caught
    rc, doc, out2 = staged(sg, repo)
    assert rc == 1 and found(doc) == [("app/settings.py", 1, "test-token")]
    assert secret not in out + out2


def test_initial_commit_and_credential_files_by_name(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", test_rule=False)
    write(repo, ".env", "DEBUG=1\nPORT=8080\n")  # harmless values: still a credential file
    write(repo, "deploy/id_rsa", "not even a key\n")
    write(repo, "src/main.py", "print('hi')\n")
    add(repo, ".")
    rc, doc, _ = staged(sg, repo)
    assert rc == 1
    assert found(doc) == [(".env", None, "dotenv-file"), ("deploy/id_rsa", None, "ssh-private-key-file")]
    assert doc["summary"]["files_scanned"] == 3


def test_sha256_repository_initial_commit(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", test_rule=False, object_format="sha256")
    write(repo, "keys/signing", private_key())
    add(repo, ".")
    rc, doc, _ = staged(sg, repo)
    assert rc == 1 and [(f["path"], f.get("file_rule") or f["rule"]) for f in doc["findings"]] == [
        ("keys/signing", "private-key-content")]


def test_only_what_the_commit_changes_unless_paths_are_named(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    write(repo, "old.py", f'K = "{secret}"\n')
    add(repo, "old.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "already there")
    write(repo, "new.py", "y = 2\n")
    add(repo, "new.py")
    rc, doc, _ = staged(sg, repo)
    assert rc == 0 and doc["summary"]["files_scanned"] == 1
    # Named paths (what `pre-commit run --all-files` passes): their staged version, changed or not.
    rc, doc, out = staged(sg, repo, "old.py", "new.py")
    assert rc == 1 and found(doc) == [("old.py", 1, "test-token")]
    rc, doc, _ = staged(sg, repo, ".")
    assert rc == 1 and doc["summary"]["files_scanned"] == 4
    assert secret not in out


def test_renames_and_deletions(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    write(repo, "a/module.py", f'K = "{secret}"\n')
    add(repo, ".")
    git(repo, "commit", "-q", "--no-verify", "-m", "secret")
    (repo / "b").mkdir()
    git(repo, "mv", "a/module.py", "b/renamed.py")
    rc, doc, _ = staged(sg, repo)
    assert rc == 1 and found(doc) == [("b/renamed.py", 1, "test-token")]
    git(repo, "rm", "-q", "--cached", "b/renamed.py")
    rc, doc, _ = staged(sg, repo)  # only a deletion is staged now
    assert rc == 0 and doc["summary"]["files_scanned"] == 0


def test_binary_blobs_and_symlinks(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    write(repo, "assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0" + secret.encode() + b"\0")
    write(repo, "assets/blob.bin", bytes.fromhex("feedfeed00000002") + b"\0" * 64)
    os.symlink("config/real.env", repo / ".env")  # a link named like a credential file
    os.symlink(secret, repo / "link")  # a link's target text is not content
    add(repo, ".")
    rc, doc, out = staged(sg, repo)
    assert rc == 1
    assert found(doc) == [(".env", None, "dotenv-file"), ("assets/blob.bin", None, "java-keystore-content")]
    assert doc["summary"]["binary_files"] == 2 and doc["summary"]["files_scanned"] == 4
    assert secret not in out


def test_a_submodule_is_left_to_its_own_repository(sg, tmp_path: Path) -> None:
    sub = make_repo(tmp_path / "sub", test_rule=False)
    write(sub, ".env", "X=1\n")
    add(sub, ".env")
    git(sub, "commit", "-q", "--no-verify", "-m", "sub")
    repo = make_repo(tmp_path / "r")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    rc, doc, _ = staged(sg, repo)
    assert rc == 0, doc
    assert {"path": "vendor/sub", "reason": "submodule: checked by its own repository's gate"} in doc["excluded"]
    assert doc["summary"]["files_scanned"] == 1  # .gitmodules


def test_names_with_spaces_and_undecodable_bytes(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    write(repo, "dir with space/my file.py", f'K = "{secret}"\n')
    write(repo, b"caf\xe9.py", f'\n\nK = "{secret}"\n')
    add(repo, ".")
    rc, doc, out = staged(sg, repo)
    assert rc == 1
    assert found(doc) == [("caf\\xe9.py", 3, "test-token"), ("dir with space/my file.py", 1, "test-token")]
    rc, doc, _ = staged(sg, repo, os.fsdecode(b"caf\xe9.py"))
    assert found(doc) == [("caf\\xe9.py", 3, "test-token")]
    assert secret not in out


def test_paths_are_relative_to_the_top_level(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    write(repo, "pkg/sub/mod.py", f'K = "{token()}"\n')
    write(repo, "pkg/other.py", f'K = "{token()}"\n')
    add(repo, ".")
    rc, doc, _ = staged(sg, repo, cwd=repo / "pkg")
    assert found(doc) == [("pkg/other.py", 1, "test-token"), ("pkg/sub/mod.py", 1, "test-token")]
    rc, doc, _ = staged(sg, repo, "sub", cwd=repo / "pkg")  # a path relative to the current directory
    assert found(doc) == [("pkg/sub/mod.py", 1, "test-token")]


def test_inline_allow_and_baseline_are_honoured(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    write(repo, "tests/fixture.py", f'K = "{token()}"  # secretguard:allow test fixture\n')
    write(repo, "docs/example.py", f'K = "{token()}"\n')
    add(repo, ".")
    rc, doc, _ = staged(sg, repo)
    assert found(doc) == [("docs/example.py", 1, "test-token")]
    proc = sg("baseline", cwd=repo)  # the accepted way to keep a reviewed false positive
    assert proc.returncode == 0, proc.stderr
    rc, doc, _ = staged(sg, repo)
    assert rc == 0 and doc["findings"] == []
    write(repo, "docs/example.py", f'K = "{token()}"\n')  # a different value is not accepted
    add(repo, "docs/example.py")
    rc, doc, _ = staged(sg, repo)
    assert rc == 1 and found(doc) == [("docs/example.py", 1, "test-token")]


def test_a_baselined_secret_is_not_reported_again_by_another_rule(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", test_rule=False)
    write(repo, "ci/publish.py", f'GITHUB_TOKEN = "{_github_token()}"\n')
    add(repo, ".")
    rc, doc, _ = staged(sg, repo)
    assert rc == 1 and len(doc["findings"]) == 1
    assert sg("baseline", cwd=repo).returncode == 0
    rc, doc, _ = staged(sg, repo)
    assert doc["findings"] == []


def test_a_large_file_is_streamed_and_scanned_to_its_end(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    lines = 200_000  # ~6 MB: more than one scanning window
    write(repo, "data/big.txt", "".join(f"row {i} nothing to see\n" for i in range(lines)) + f"K={secret}\n")
    add(repo, ".")
    rc, doc, out = staged(sg, repo)
    assert rc == 1 and found(doc) == [("data/big.txt", lines + 1, "test-token")]
    assert secret not in out


def test_refusal_text_names_file_line_rule_and_the_ways_out(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    write(repo, "app.py", f'import os\nKEY = "{secret}"\n')
    add(repo, "app.py")
    proc = sg("scan", "--staged", cwd=repo)
    assert proc.returncode == 1
    assert "app.py:2" in proc.stdout and "test-token" in proc.stdout and "sgt_*****" in proc.stdout
    assert "secretguard:allow" in proc.stdout and "secretguard baseline --update" in proc.stdout
    assert secret not in proc.stdout + proc.stderr


def test_nothing_staged_is_clean(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    rc, doc, _ = staged(sg, repo)
    assert rc == 0 and doc["summary"]["files_scanned"] == 0


def test_outside_a_repository_is_a_one_line_error(sg, tmp_path: Path) -> None:
    proc = sg("scan", "--staged", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not inside a git working tree" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("kind", ["github", "aws"])
def test_builtin_content_rules_catch_staged_tokens(sg, tmp_path: Path, kind: str) -> None:
    """With the shipped content rules (no test rule): a real-shaped token in a source file."""
    from secretguard.scan.rules import load_ruleset

    value = _github_token() if kind == "github" else "AKIA" + "".join(
        __import__("secrets").choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    if not load_ruleset().content_rules:
        pytest.skip("no built-in content rules are installed yet")
    repo = make_repo(tmp_path / "r", test_rule=False)
    write(repo, "src/client.py", f'TOKEN = "{value}"\n')
    add(repo, ".")
    rc, doc, out = staged(sg, repo)
    assert rc == 1 and [(p, line) for p, line, _rule in found(doc)] == [("src/client.py", 1)]
    assert value not in out


def _github_token() -> str:
    import secrets
    import zlib

    from secretguard.scan.validators import BASE62, _base62

    body = "".join(secrets.choice(BASE62) for _ in range(30))
    return "ghp_" + body + _base62(zlib.crc32(body.encode()), 6)


def test_many_files_are_scanned_on_every_core(sg, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    secret = token()
    for n in range(450):
        write(repo, f"pkg{n % 9}/m{n}.py", f"VALUE_{n} = {n}\n")
    write(repo, "pkg3/m77.py", f'VALUE_77 = "{secret}"\n')
    add(repo, ".")
    rc, doc, out = staged(sg, repo)
    assert rc == 1 and found(doc) == [("pkg3/m77.py", 1, "test-token")]
    assert doc["summary"]["files_scanned"] == 451
    assert secret not in out
