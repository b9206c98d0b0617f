"""The walk under hostile trees: nothing hangs, nothing is silently skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planted import private_key_block


def scan_json(sg, root: Path, *args: str) -> tuple[int, dict]:
    proc = sg("scan", str(root), "--format", "json", "--no-cache", *args, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def hostile_tree(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "work"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "README.md").write_text("hello\n")
    os.mkfifo(root / "pipe")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    os.symlink("/dev/zero", root / "zeros")
    (outside / "id_rsa").write_text(private_key_block())
    os.symlink(outside / "id_rsa", root / "innocent.txt")
    os.symlink(outside, root / "outside-dir")
    with open(root / "huge.log", "wb") as fh:
        fh.truncate(1 << 30)  # 1 GiB, sparse
    (root / os.fsdecode(b"caf\xe9-\xff.txt")).write_text("nothing here\n")
    deep = root
    for i in range(300):
        deep = deep / f"d{i % 10}"
    deep.mkdir(parents=True)
    (deep / ".env").write_text("DEBUG=1\n")
    os.symlink(root / "README.md", root / "readme-link")
    return root, outside


def test_hostile_tree_is_reported_not_hung(hostile_tree, sg) -> None:
    root, _outside = hostile_tree
    code, doc = scan_json(sg, root)
    skipped = {s["path"]: s["reason"] for s in doc["skipped"]}
    findings = {(f["path"], f["rule"]) for f in doc["findings"] if f["line"] is None}
    assert "FIFO" in skipped["pipe"]
    assert "loop" in skipped["loop-a"] and "loop" in skipped["loop-b"]
    assert "character device" in skipped["zeros"]
    assert "outside the root" in skipped["outside-dir"]
    assert "too large" in skipped["huge.log"]
    assert {r for p, r in findings if p == "innocent.txt"} & {"ssh-private-key-file", "private-key-content"}
    deep_env = "/".join(f"d{i % 10}" for i in range(300)) + "/.env"
    assert (deep_env, "dotenv-file") in findings
    assert "caf\\xe9-\\xff.txt" not in skipped  # odd names are scanned, shown escaped
    assert code == 1
    # the in-root link is scanned once, at its real place
    assert doc["summary"]["files_scanned"] == 4  # README.md, innocent.txt (link out), odd name, deep .env


def test_strict_turns_skips_into_failure(tmp_path: Path, sg) -> None:
    (tmp_path / "ok.txt").write_text("fine\n")
    os.mkfifo(tmp_path / "pipe")
    code, doc = scan_json(sg, tmp_path)
    assert code == 0 and doc["findings"] == [] and len(doc["skipped"]) == 1
    code, _doc = scan_json(sg, tmp_path, "--strict")
    assert code == 1


def test_odd_names_shown_escaped_in_findings(tmp_path: Path, sg) -> None:
    d = tmp_path / os.fsdecode(b"d\xff")
    d.mkdir()
    (d / ".env").write_text("A=1\n")
    _code, doc = scan_json(sg, tmp_path)
    assert [f["path"] for f in doc["findings"]] == ["d\\xff/.env"]


DROP_DAC = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_unreadable_entries_as_unprivileged_user(tmp_path: Path) -> None:
    # CI runs as root, who reads everything. Dropping the capabilities that bypass file
    # permissions makes this process as unprivileged as any user for the tree below.
    root = tmp_path / "work"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / ".env").write_text("A=1\n")
    (root / "open.txt").write_text("hi\n")
    (root / "private.txt").write_text("x\n")
    (root / "private.txt").chmod(0o000)
    (root / "locked").chmod(0o000)
    try:
        def run(*extra: str) -> subprocess.CompletedProcess:
            return subprocess.run([*DROP_DAC, sys.executable, "-m", "secretguard", "scan", str(root),
                                   "--no-cache", *extra], capture_output=True, text=True, timeout=60)
        proc = run("--format", "json")
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        skipped = {s["path"]: s["reason"] for s in doc["skipped"]}
        assert skipped == {"locked/": "permission denied", "private.txt": "cannot open: permission denied"}
        assert run("--strict").returncode == 1
    finally:
        (root / "locked").chmod(0o755)
        (root / "private.txt").chmod(0o644)


def test_skipped_dirs_are_counted_and_listed_with_verbose(tmp_path: Path, sg) -> None:
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / ".env").write_text("A=1\n")
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    _code, doc = scan_json(sg, tmp_path, "--verbose")
    assert doc["findings"] == []
    assert doc["summary"]["excluded"] == 2
    assert {e["path"] for e in doc["excluded"]} == {"node_modules/", ".git/objects/"}
    text = sg("scan", str(tmp_path), "--verbose", "--no-cache").stdout
    assert "node_modules/" in text and "2 excluded" in text


def test_exclude_flag_and_ignore_file(tmp_path: Path, sg) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / ".env").write_text("A=1\n")
    (tmp_path / "other.env").write_text("B=1\n")
    code, doc = scan_json(sg, tmp_path, "--exclude", "fixtures/")
    assert [f["path"] for f in doc["findings"]] == ["other.env"]
    (tmp_path / ".secretguardignore").write_text("# test data\n*.env\nfixtures/\n")
    code, doc = scan_json(sg, tmp_path)
    assert code == 0 and doc["summary"]["excluded"] == 2


def test_git_config_is_always_read(tmp_path: Path, sg) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".git" / "config").write_text("[core]\n")
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin",
                    "https://bot:" + "Zq" + "x7" * 14 + "@git.example.org/team/app.git"], check=True)
    _code, doc = scan_json(sg, tmp_path, "--exclude", ".git/")
    assert any(f["path"] == ".git/config" for f in doc["findings"]) or \
        not any(r for r in doc["findings"]), "a content rule for URL passwords may not exist yet"
    assert ".git/config" not in {e["path"] for e in doc.get("excluded", [])}


def test_pathological_text_does_not_stall_the_scan(tmp_path: Path, sg) -> None:
    # Whitespace-heavy and repetitive files once drove a rule regex into exponential backtracking.
    (tmp_path / "LICENSE.txt").write_text("\n" + " \n" * 50000 + "   Apache License\n" * 2000)
    (tmp_path / "blob.txt").write_text("a" * 2_000_000 + "\n" + "=" * 500_000 + "\n" + "key=" * 100_000)
    (tmp_path / "kubeconfig").write_text(" \n" * 100000 + "kind: Config\n")
    proc = sg("scan", str(tmp_path), "--format", "json", "--no-cache", timeout=30)
    assert proc.returncode in (0, 1) and json.loads(proc.stdout)["summary"]["files_scanned"] == 3


def test_build_output_is_scanned_and_dependency_stores_are_skipped(tmp_path: Path, sg) -> None:
    """A frontend build inlines environment variables into dist/: the key in a minified bundle is found.
    node_modules/ and caches are still skipped, each with its reason."""
    from planted import github_token

    bundle = "var a=1;" * 400 + f'const env={{VITE_GH_TOKEN:"{github_token()}"}};' + "function f(){return 2}" * 400
    for rel in ("dist/assets/index-4f2a.js", "build/static/js/main.js", "out/_next/static/chunks/app.js",
                ".next/server/app/page.js", "pkg.egg-info/PKG-INFO"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(bundle)
    for rel in ("node_modules/lib/index.js", ".venv/lib/site.js", ".next/cache/webpack/x.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(bundle)
    code, doc = scan_json(sg, tmp_path, "--verbose")
    assert code == 1
    found = {f["path"]: f for f in doc["findings"]}
    assert set(found) == {"dist/assets/index-4f2a.js", "build/static/js/main.js", "out/_next/static/chunks/app.js",
                          ".next/server/app/page.js", "pkg.egg-info/PKG-INFO"}
    assert found["dist/assets/index-4f2a.js"]["rule"] == "github-pat" and found["dist/assets/index-4f2a.js"]["line"] == 1
    excluded = {e["path"]: e["reason"] for e in doc["excluded"]}
    assert "third-party dependencies" in excluded["node_modules/"]
    assert "virtualenv" in excluded[".venv/"] and "cache" in excluded[".next/cache/"]
