"""The hook's fast path must agree with the scan engine it stands in for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secretguard.guard import verdicts
from secretguard.scan.cache import ScanCache
from secretguard.guard.paths import Judge, NameIndex, scan_cache_path
from secretguard.scan.rules import load_ruleset

PATHS = [".env", "a/.env", ".env.local", "x/.env.example", "prod.env", "id_rsa", "keys/id_rsa", "id_rsa.pub",
         "docs/id_rsa.md", ".aws/credentials", "home/u/.aws/credentials", "credentials", "a/b/credentials.json",
         "server.pem", "certs/x.key", "package.json", "config.json", ".docker/config.json", "x/.kube/config",
         "kubeconfig", "my.kubeconfig", "terraform.tfstate", "terraform.tfstate.d/prod/terraform.tfstate",
         ".netrc", ".npmrc", "src/app.py", "README.md", ".git-credentials", "gcloud/credentials.db",
         "a/gcloud/legacy_credentials/u/adc.json", "x.p12", ".envrc", "deploy_key", "ci/github_deploy_key"]


def test_name_index_matches_like_the_rules(tmp_path: Path) -> None:
    index = NameIndex.load(str(tmp_path))
    ruleset = load_ruleset()
    for path in PATHS:
        mine = [r["id"] for r, _ in index.matches(path)]
        theirs = [r.id for r in ruleset.file_rules if not r.any_name and r.names and r.matches_name(path)]
        assert mine == theirs, path
    assert NameIndex.load(str(tmp_path)).rules[0]["id"] == index.rules[0]["id"]  # from the cache file


def test_scan_cache_path_is_the_scan_engines(tmp_path: Path) -> None:
    assert scan_cache_path(str(tmp_path)) == str(ScanCache(tmp_path, "x").path)


def test_judge_uses_the_session_scan_cache(tmp_path: Path, sg) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    assert sg("scan", str(tmp_path)).returncode == 0
    judge = Judge(str(tmp_path))
    assert judge.secret_path(str(tmp_path / "a.py")) is None
    assert judge.slow_checks == 0  # answered from the cache
    (tmp_path / "b.py").write_text("y = 2\n")
    assert judge.secret_path(str(tmp_path / "b.py")) is None and judge.slow_checks == 1


@pytest.mark.parametrize("name,content,secret", [
    (".env", "A=1\n", True), (".env.example", "KEY=<your-key>\n", False), ("package.json", "{}", False),
    ("missing.json", None, False), ("missing.pem", None, True), (".env.example", None, False),
])
def test_names_and_content(tmp_path: Path, name: str, content: str | None, secret: bool) -> None:
    if content is not None:
        (tmp_path / name).write_text(content)
    assert bool(Judge(str(tmp_path)).secret_path(str(tmp_path / name))) is secret


def test_protected_paths(tmp_path: Path) -> None:
    from secretguard.paths import state_dir

    judge = Judge(str(tmp_path))
    assert judge.protected_path(str(tmp_path / ".claude" / "settings.json"))
    assert judge.protected_path(str(tmp_path / ".claude" / "settings.local.json"))
    assert judge.protected_path(str(state_dir() / "audit.jsonl"))
    assert judge.protected_path(str(tmp_path / "secretguard.toml"))
    assert judge.protected_path(str(tmp_path / ".git" / "hooks" / "pre-commit"))
    assert judge.protected_path(str(Path(verdicts.__file__)))
    assert judge.protected_path(str(tmp_path / "src" / "app.py")) is None


def test_verdict_round_trip_and_damage(tmp_path: Path) -> None:
    v = verdicts.Verdict(str(tmp_path), verdicts.DIRTY, [{"path": ".env", "rule": "dotenv-file",
                                                         "description": "d", "line": None}])
    verdicts.save(v)
    loaded = verdicts.load(str(tmp_path))
    assert loaded.status == "dirty" and loaded.findings == v.findings
    assert stat_mode(verdicts.verdict_path(str(tmp_path))) == 0o600
    Path(verdicts.verdict_path(str(tmp_path))).write_text("{oops")
    assert verdicts.load(str(tmp_path)).status == verdicts.ERROR


def stat_mode(path: str) -> int:
    return os.stat(path).st_mode & 0o777
