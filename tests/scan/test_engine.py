"""The engine with a rule of the test's own: chunked large files, inline allows, baselines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from planted import rand

RULE = """schema_version = 1
[[rules]]
id = "test-token"
description = "token of the tests' own format"
regex = '''\\b(tst_[A-Za-z0-9]{24})\\b'''
keywords = ["tst_"]
filters = []
examples.positive = ["x = tst_AbCdEfGhIjKlMnOpQrStUvWx"]
examples.negative = ["x = tst_short"]
"""


def token() -> str:
    return "tst_" + rand(24)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "test-rules.toml").write_text(RULE)
    (tmp_path / "secretguard.toml").write_text("rule_files = ['test-rules.toml']\nexclude = ['test-rules.toml']\n")
    return tmp_path


def findings(sg, root: Path, *args: str) -> list[dict]:
    proc = sg("scan", str(root), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_line_numbers_and_redaction(project: Path, sg) -> None:
    t = token()
    (project / "app.py").write_text(f"import os\n\nAPI = '{t}'\n")
    [f] = findings(sg, project)
    assert (f["path"], f["line"], f["rule"]) == ("app.py", 3, "test-token")
    assert t not in json.dumps(f) and f["excerpt"] == "tst_*****"


def test_large_file_secrets_across_chunk_boundaries(project: Path, sg) -> None:
    # ~9 MiB of lines: tokens land near and across the 4 MiB chunk edges.
    line = "x" * 99 + "\n"
    lines = [line] * 95000
    planted = {}
    for n in (1, 41942, 41943, 41944, 83885, 94999):
        t = token()
        lines[n - 1] = f"{'y' * 50} {t}\n"
        planted[n] = t
    (project / "big.log").write_text("".join(lines))
    got = {f["line"] for f in findings(sg, project, "--no-cache")}
    assert got == set(planted)


@pytest.mark.parametrize("marker", ["# secretguard:allow", "# pragma: allowlist secret", "// gitleaks:allow"])
def test_inline_allow_markers(project: Path, sg, marker: str) -> None:
    (project / "a.py").write_text(f"A = '{token()}'  {marker}\nB = '{token()}'\n")
    assert [f["line"] for f in findings(sg, project)] == [2]


def test_allow_next_line(project: Path, sg) -> None:
    (project / "a.py").write_text(f"# pragma: allowlist nextline secret\nA = '{token()}'\nB = '{token()}'\n")
    assert [f["line"] for f in findings(sg, project)] == [3]


def test_baseline_roundtrip(project: Path, sg) -> None:
    old = token()
    (project / "a.py").write_text(f"A = '{old}'\n")
    (project / ".env").write_text("X=1\n")
    assert sg("baseline", str(project)).returncode == 0
    baseline = project / ".secretguard-baseline.json"
    text = baseline.read_text()
    assert old not in text and hashlib.sha1(old.encode()).hexdigest() not in text
    assert hashlib.sha256(old.encode()).hexdigest() not in text
    # a credential file is refused by name whatever a baseline says; the content finding is accepted
    env_only = [(".env", None)]
    assert [(f["path"], f["line"]) for f in findings(sg, project, "--baseline", str(baseline))] == env_only
    assert [(f["path"], f["line"]) for f in findings(sg, project)] == env_only  # honoured without the flag
    (project / ".env").unlink()
    # moving lines keeps it accepted; a new secret is reported
    new = token()
    (project / "a.py").write_text(f"\n\n# moved\nA = '{old}'\nB = '{new}'\n")
    got = findings(sg, project, "--baseline", str(baseline))
    assert [(f["path"], f["line"]) for f in got] == [("a.py", 5)]
    # stable: writing again with --update gives the same file plus the new entry, nothing else changes
    proc = sg("baseline", str(project), "--update")
    assert "kept 1, dropped 0, added 1" in proc.stdout, proc.stdout
    (project / "a.py").write_text(f"B = '{new}'\n")
    proc = sg("baseline", str(project), "--update")
    assert "kept 1, dropped 1, added 0" in proc.stdout, proc.stdout
    doc = json.loads(baseline.read_text())
    assert [e["path"] for e in doc["findings"]] == sorted(e["path"] for e in doc["findings"])
    assert "time" not in baseline.read_text()


def test_baseline_from_settings_and_refuses_overwrite(project: Path, sg) -> None:
    (project / "a.py").write_text(f"A = '{token()}'\n")
    assert sg("baseline", str(project)).returncode == 0
    assert sg("baseline", str(project)).returncode == 2  # exists: needs --update
    (project / "secretguard.toml").write_text(
        "rule_files = ['test-rules.toml']\nexclude = ['test-rules.toml']\nbaseline = '.secretguard-baseline.json'\n")
    assert findings(sg, project) == []


def test_detect_secrets_baseline_false_positives_stay_suppressed(project: Path, sg) -> None:
    fp, real = token(), token()
    (project / "a.py").write_text(f"A = '{fp}'\nB = '{real}'\n")
    ds = {"version": "1.5.0", "plugins_used": [], "filters_used": [], "generated_at": "2024-01-01T00:00:00Z",
          "results": {"a.py": [
              {"type": "Secret Keyword", "filename": "a.py", "hashed_secret": hashlib.sha1(fp.encode()).hexdigest(),
               "is_verified": False, "line_number": 1, "is_secret": False},
              {"type": "Secret Keyword", "filename": "a.py", "hashed_secret": hashlib.sha1(real.encode()).hexdigest(),
               "is_verified": False, "line_number": 2, "is_secret": True}]}}
    (project / ".secrets.baseline").write_text(json.dumps(ds))
    got = findings(sg, project, "--baseline", str(project / ".secrets.baseline"))
    assert [f["line"] for f in got] == [2]
    proc = sg("baseline", str(project), "--import-detect-secrets", str(project / ".secrets.baseline"))
    assert proc.returncode == 0, proc.stderr
    got = findings(sg, project, "--baseline", str(project / ".secretguard-baseline.json"))
    assert [f["line"] for f in got] == [2]


def test_malformed_baseline_is_exit_2(project: Path, sg) -> None:
    (project / "b.json").write_text("{not json")
    proc = sg("scan", str(project), "--baseline", str(project / "b.json"))
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr


def test_rule_examples_of_the_test_rule_hold(project: Path) -> None:
    from secretguard.scan.rules import parse_rule_file

    [rule], _ = parse_rule_file(RULE.encode(), "test-rules.toml")
    assert rule.pattern.search(rule.positive[0].text) and not rule.pattern.search(rule.negative[0].text)
