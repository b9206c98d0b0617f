"""Output formats, exit codes, configuration errors, the cache and the built wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest


from planted import github_token as token, private_key_block, rand

REPO = Path(__file__).resolve().parents[2]


def make_dirty_tree(root: Path) -> str:
    key = private_key_block()
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hello')\n")
    (root / ".env").write_text(f"SESSION_SECRET={rand(40)}\n")
    (root / "deploy.key").write_text(key)
    return key


@pytest.fixture(scope="session")
def sarif_schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The official SARIF 2.1.0 schema, as Microsoft ships it in an npm package."""
    npm = shutil.which("npm")
    assert npm, "npm is needed to fetch the SARIF 2.1.0 schema from the npm registry"
    where = tmp_path_factory.mktemp("sarif")
    subprocess.run([npm, "pack", "-q", "@microsoft/jest-sarif@1.0.0-beta.0"], cwd=where, check=True,
                   capture_output=True, timeout=120)
    with tarfile.open(next(where.glob("*.tgz"))) as tar:
        member = tar.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json")
        return json.load(member)


def test_sarif_validates_against_the_schema(tmp_path: Path, sg, sarif_schema: dict) -> None:
    import jsonschema

    key = make_dirty_tree(tmp_path)
    proc = sg("scan", str(tmp_path), "--format", "sarif")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, sarif_schema)
    results = doc["runs"][0]["results"]
    # one result per secret; a secret in a credential file names that file rule too
    assert {r["properties"].get("credentialFile") for r in results} >= {"dotenv-file", "private-key-file"}
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    assert key.splitlines()[1] not in proc.stdout


def test_json_interface(tmp_path: Path, sg) -> None:
    make_dirty_tree(tmp_path)
    proc = sg("scan", str(tmp_path), "--format", "json")
    doc = json.loads(proc.stdout)
    for f in doc["findings"]:
        assert {"rule", "path", "line", "excerpt"} <= set(f)
        assert not f["path"].startswith("/")
    credential = {(f["path"], f.get("file_rule") or f["rule"]) for f in doc["findings"] if f.get("file_rule")
                  or f["line"] is None}
    assert credential == {("deploy.key", "private-key-file"), (".env", "dotenv-file")}
    assert len(doc["findings"]) == 2  # one finding per secret, not a file finding besides it
    assert doc["skipped"] == [] and doc["summary"]["findings"] == len(doc["findings"])


def test_text_output_is_plain_without_tty(tmp_path: Path, sg) -> None:
    make_dirty_tree(tmp_path)
    proc = sg("scan", str(tmp_path))
    assert proc.returncode == 1
    assert "\033[" not in proc.stdout
    assert any(line.startswith("deploy.key:1  ") and " in a private-key-file " in line
               for line in proc.stdout.splitlines())
    summary = [line for line in proc.stdout.splitlines() if line.startswith("secretguard: ")]
    assert len(summary) == 1 and " findings: " in summary[0]


def test_clean_tree_exits_zero(tmp_path: Path, sg) -> None:
    (tmp_path / "main.py").write_text("print('hi')\n")
    proc = sg("scan", str(tmp_path))
    assert proc.returncode == 0 and "clean" in proc.stdout


@pytest.mark.parametrize("config, message", [
    ("[tool.secretguard]\nexclude = 'x'\n", "'exclude' must be a list"),
    ("[tool.secretguard]\nexlude = ['x']\n", "unknown key 'exlude'"),
    ("[tool.secretguard\n", "not valid TOML"),
    ("[tool.secretguard]\ndisable_rules = ['no-such-rule']\n", "unknown rule"),
])
def test_bad_configuration_is_one_line_and_exit_2(tmp_path: Path, sg, config: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(config)
    proc = sg("scan", str(tmp_path))
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_bad_rule_file_names_file_and_rule(tmp_path: Path, sg) -> None:
    (tmp_path / "extra.toml").write_text(
        "schema_version = 1\n[[rules]]\nid = 'my-rule'\ndescription = 'x'\nregex = '(unclosed'\nkeywords = ['x']\n")
    (tmp_path / "secretguard.toml").write_text("rule_files = ['extra.toml']\n")
    proc = sg("scan", str(tmp_path))
    assert proc.returncode == 2
    assert "extra.toml" in proc.stderr and "'my-rule'" in proc.stderr and "does not compile" in proc.stderr


def test_usage_errors_exit_2(tmp_path: Path, sg) -> None:
    assert sg("scan", str(tmp_path / "missing")).returncode == 2
    assert sg("scan", "--format", "xml", str(tmp_path)).returncode == 2


def test_config_disables_rules_and_excludes(tmp_path: Path, sg) -> None:
    make_dirty_tree(tmp_path)
    (tmp_path / "secretguard.toml").write_text("disable_rules = ['dotenv-file']\nexclude = ['*.key']\n")
    doc = json.loads(sg("scan", str(tmp_path), "--format", "json").stdout)
    assert not any(f["path"] in (".env", "deploy.key") and f["line"] is None for f in doc["findings"])


def test_warm_cache_gives_same_result_and_holds_no_secret(tmp_path: Path, sg, isolated_xdg: Path) -> None:
    key = make_dirty_tree(tmp_path)
    first = json.loads(sg("scan", str(tmp_path), "--format", "json").stdout)
    second = json.loads(sg("scan", str(tmp_path), "--format", "json").stdout)
    assert second["summary"]["cached_files"] == second["summary"]["files_scanned"] > 0
    assert first["findings"] == second["findings"]
    # a changed file is rescanned
    (tmp_path / "src" / "app.py").write_text("print('changed')\n")
    third = json.loads(sg("scan", str(tmp_path), "--format", "json").stdout)
    assert third["summary"]["cached_files"] == third["summary"]["files_scanned"] - 1
    written = b"".join(p.read_bytes() for p in isolated_xdg.rglob("*") if p.is_file())
    for line in key.splitlines()[1:-1]:
        assert line.encode() not in written


def test_wheel_installs_and_finds_its_rules(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a fresh venv, scan with it."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
                   check=True, timeout=300)
    wheel = next(dist.glob("secretguard_agents-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    # Dependencies come from the test environment's site-packages, after the venv's own.
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    import click

    Path(site, "zz-test-deps.pth").write_text(str(Path(click.__file__).parents[1]) + "\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text("A=1\n")
    env = {**os.environ, "PYTHONPATH": ""}
    exe = venv / "bin" / "secretguard"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, cwd=work)
    assert version.returncode == 0 and "secretguard" in version.stdout
    assert subprocess.run([str(exe), "--help"], capture_output=True, text=True, env=env, cwd=work).returncode == 0
    proc = subprocess.run([str(exe), "scan", "--format", "json", "--no-cache"], capture_output=True, text=True,
                          env=env, cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["rule"] == "dotenv-file"
    where = subprocess.run([str(py), "-c", "import secretguard.scan.rules as r; print(r.builtin_rules_dir())"],
                           capture_output=True, text=True, env=env, cwd=work).stdout.strip()
    assert where.startswith(str(venv)), where


def test_strict_names_what_it_refused_instead_of_clean(tmp_path: Path, sg) -> None:
    os.mkfifo(tmp_path / "pipe")
    proc = sg("scan", "--strict", str(tmp_path))
    assert proc.returncode == 1
    summary = [line for line in proc.stdout.splitlines() if line.startswith("secretguard: ")][0]
    assert "clean" not in summary.replace("not clean", "") and "--strict" in summary and "1 skipped" in summary
    doc = json.loads(sg("scan", "--strict", "--format", "json", str(tmp_path)).stdout)
    assert doc["clean"] is False


def test_a_baseline_found_at_the_root_says_what_it_accepted(tmp_path: Path, sg) -> None:
    (tmp_path / "a.py").write_text(f"A = '{token()}'\n")
    assert sg("baseline", str(tmp_path)).returncode == 0
    (tmp_path / ".env").write_text("X=1\n")
    proc = sg("scan", str(tmp_path))
    assert proc.returncode == 1 and ".env" in proc.stdout
    summary = [line for line in proc.stdout.splitlines() if line.startswith("secretguard: ")][0]
    assert "1 accepted by the baseline .secretguard-baseline.json" in summary
    assert json.loads(sg("scan", "--format", "json", str(tmp_path)).stdout)["summary"]["baselined"] == 1


def test_a_link_to_a_directory_outside_is_advised_exclude_not_a_baseline(tmp_path: Path, sg) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "proj"
    root.mkdir()
    os.symlink(outside, root / "data")
    proc = sg("scan", "--strict", str(root))
    assert proc.returncode == 1
    advice = [line for line in proc.stdout.splitlines() if "data" in line and "exclude" in line]
    assert advice and "baseline" not in advice[0]


def test_usage_errors_and_unwritable_reports_are_one_line_and_exit_2(tmp_path: Path, sg) -> None:
    for args in (["scan", "--format", "nope"], ["scan", "-o", str(tmp_path / "missing" / "r.txt"), str(tmp_path)],
                 ["scan", str(tmp_path), "--debug", "--no-such-option"], ["no-such-command"]):
        proc = sg(*args)
        assert proc.returncode == 2, args
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("secretguard: error: "), proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_report_written_to_a_file_still_says_the_verdict(tmp_path: Path, sg) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    out = tmp_path / "report.json"
    proc = sg("scan", "--format", "json", "-o", str(out), str(tmp_path))
    assert proc.returncode == 0 and proc.stdout == ""
    assert "clean: 1 file scanned" in proc.stderr and str(out) in proc.stderr
    assert json.loads(out.read_text())["clean"] is True


def test_progress_shows_on_a_terminal_only(tmp_path: Path) -> None:
    """A long scan says it is alive on a terminal's stderr; piped output carries no progress."""
    from parts.tty import run_in_pty

    for n in range(3000):
        (tmp_path / f"f{n}.py").write_text(f"x = {n}\n")
    code, out = run_in_pty([sys.executable, "-c", "import time, sys; from secretguard.commands.scan import _Progress;"
                            "p = _Progress(); p.started -= 5; p.walked(500); p(100); p.close()"], b"",
                           env=dict(os.environ), cwd=str(tmp_path))
    assert code == 0 and "found 500 files" in out and "scanned 100 files" in out
    piped = subprocess.run([sys.executable, "-m", "secretguard", "scan", "--no-cache", str(tmp_path)],
                           capture_output=True, text=True, timeout=120)
    assert "files…" not in piped.stderr + piped.stdout
