"""Confidence tiers as a user sees them: in JSON, SARIF and text, in the exit code under
--min-confidence, and through the cache. Every secret here is generated at run time."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from planted import ec_private_key, github_token, openssh_key, private_key_block, rand, rsa_private_key
from secretguard.scan import confidence


def findings(sg, root: Path, *args: str) -> list[dict]:
    proc = sg("scan", str(root), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def tier(found: list[dict], path: str, rule_prefix: str = "") -> str:
    hits = [f["confidence"] for f in found if f["path"] == path and
            (f["rule"].startswith(rule_prefix) or f.get("file_rule", "").startswith(rule_prefix))]
    assert hits, (path, found)
    return hits[0]


def test_json_carries_confidence_by_where_and_what(tmp_path: Path, sg) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "src" / "deploy.py").write_text(f'TOKEN = "{github_token()}"\n')
    (tmp_path / "src" / "signing.py").write_text(f'KEY = """{rsa_private_key()}"""\n')
    (tmp_path / "src" / "ec.txt").write_text(f"key: |\n  " + ec_private_key().replace("\n", "\n  "))
    (tmp_path / "src" / "legacy.py").write_text(f'KEY = """{private_key_block()}"""\n')  # body is not DER
    (tmp_path / "src" / "settings.py").write_text(f'DB_PASSWORD = "{rand(24)}"\n')
    (tmp_path / "tests" / "test_auth.py").write_text(f'TOKEN = "{github_token()}"\n')
    (tmp_path / "docs" / "setup.md").write_text(f"export GITHUB_TOKEN={github_token()}\n")
    (tmp_path / "src" / "client_test.go").write_text(f'const token = "{github_token()}"\n')
    (tmp_path / "tests" / ".env").write_text(f"API_TOKEN={rand(24)}\n")
    (tmp_path / ".env").write_text(f"API_TOKEN={rand(24)}\n")
    found = findings(sg, tmp_path, "--no-cache")
    assert all(f["confidence"] in ("high", "medium", "low") for f in found)
    assert tier(found, "src/deploy.py") == "high"                 # checksum verifies
    assert tier(found, "src/signing.py", "private-key") == "high"  # DER parses
    assert tier(found, "src/ec.txt", "private-key-ec") == "high"
    assert tier(found, "src/legacy.py", "private-key") == "low"    # header over a body that is no key
    assert tier(found, "src/settings.py") == "medium"
    assert tier(found, "tests/test_auth.py") == "low"
    assert tier(found, "docs/setup.md") == "low"
    assert tier(found, "src/client_test.go") == "low"
    assert tier(found, ".env", "dotenv-file") == "high"
    assert tier(found, "tests/.env", "dotenv-file") == "low"


def test_published_example_values_are_low_not_dropped(tmp_path: Path, sg) -> None:
    exact, _ = confidence._examples()
    azurite = next(v for v in exact if v.startswith("Eby8"))
    (tmp_path / "storage.py").write_text(
        f'CONN = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={azurite};"\n')
    found = findings(sg, tmp_path, "--no-cache")
    assert [f["confidence"] for f in found if f["path"] == "storage.py"] == ["low"]


def test_min_confidence_changes_what_is_reported_and_the_exit_code(tmp_path: Path, sg) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(f'TOKEN = "{github_token()}"\n')
    everything = sg("scan", str(tmp_path), "--format", "json")
    assert everything.returncode == 1  # default: all tiers, CI keeps its strictness
    assert [f["confidence"] for f in json.loads(everything.stdout)["findings"]] == ["low"]
    medium = sg("scan", str(tmp_path), "--format", "json", "--min-confidence", "medium")
    doc = json.loads(medium.stdout)
    assert medium.returncode == 0 and doc["findings"] == [] and doc["summary"]["below_min_confidence"] == 1
    text = sg("scan", str(tmp_path), "--min-confidence", "medium")
    assert text.returncode == 0 and "1 finding below --min-confidence not shown" in text.stdout

    (tmp_path / "app.py").write_text(f'TOKEN = "{github_token()}"\n')
    high = sg("scan", str(tmp_path), "--format", "json", "--min-confidence", "high")
    assert high.returncode == 1
    assert [(f["path"], f["confidence"]) for f in json.loads(high.stdout)["findings"]] == [("app.py", "high")]
    assert sg("scan", str(tmp_path), "--min-confidence", "certain").returncode == 2


def test_text_and_sarif_show_the_tier(tmp_path: Path, sg) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(f'TOKEN = "{github_token()}"\n')
    (tmp_path / "app.py").write_text(f'TOKEN = "{github_token()}"\n')
    text = sg("scan", str(tmp_path)).stdout
    assert "app.py:1  high  github-pat" in text and "tests/test_api.py:1  low  github-pat" in text
    sarif = json.loads(sg("scan", str(tmp_path), "--format", "sarif").stdout)
    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in sarif["runs"][0]["results"]}
    assert results["app.py"]["level"] == "error" and results["tests/test_api.py"]["level"] == "note"
    assert results["app.py"]["rank"] > results["tests/test_api.py"]["rank"]


def test_confidence_survives_the_cache(tmp_path: Path, sg) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(f'TOKEN = "{github_token()}"\n')
    (tmp_path / "app.py").write_text(f'TOKEN = "{github_token()}"\n')
    cold = json.loads(sg("scan", str(tmp_path), "--format", "json").stdout)
    warm = json.loads(sg("scan", str(tmp_path), "--format", "json").stdout)
    assert warm["summary"]["cached_files"] == 2
    assert warm["findings"] == cold["findings"]
    assert sorted(f["confidence"] for f in warm["findings"]) == ["high", "low"]


def test_gate_setting_is_validated(tmp_path: Path, sg) -> None:
    (tmp_path / "secretguard.toml").write_text('gate = "sometimes"\n')
    proc = sg("scan", str(tmp_path))
    assert proc.returncode == 2 and "'gate'" in proc.stderr and "secretguard.toml" in proc.stderr


# -- the structure checks behind "high" for private keys ----------------------------------------
def _der(pem: str) -> bytes:
    return base64.b64decode("".join(pem.strip().splitlines()[1:-1]))


def test_der_checks_accept_keys_and_refuse_truncated_examples() -> None:
    rsa, ec = _der(rsa_private_key()), _der(ec_private_key())
    assert confidence.der_private_key_ok("RSA PRIVATE KEY", rsa)
    assert confidence.der_private_key_ok("EC PRIVATE KEY", ec)
    assert not confidence.der_private_key_ok("RSA PRIVATE KEY", rsa[:len(rsa) // 3])  # header says longer
    assert not confidence.der_private_key_ok("RSA PRIVATE KEY", ec)                   # wrong structure
    assert not confidence.der_private_key_ok("RSA PRIVATE KEY", _der(rsa_private_key(bits=256)))  # too small
    assert confidence.openssh_key_ok(_der(openssh_key()))
    assert not confidence.openssh_key_ok(_der(openssh_key())[:120])


@pytest.mark.parametrize("path, expected", [
    ("tests/x.py", True), ("pkg/tests/unit/x.py", True), ("Docs/x.md", True), ("examples/a/b.js", True),
    ("src/fixtures/k.pem", True), ("test_auth.py", True), ("auth_test.go", True), ("a.spec.ts", True),
    ("a.test.js", True), ("src/app.py", False), ("src/latest/x.py", False), ("contest.py", False),
    ("src/testimony.py", False), ("documentation.md", False), ("t/unit/security/x.py", True),
    ("dummyserver/certs/server.key", True), ("docs_src/app.py", True), ("docker/app.env", False),
    ("data/gateway/examples-1.json", True), (".env.example", False),
])
def test_test_locations(path: str, expected: bool) -> None:
    assert confidence.test_location(path) is expected


def _jwt(claims: dict) -> str:
    def part(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{rand(43)}"


def test_demo_and_expired_jwts_are_low_issued_ones_are_not(tmp_path: Path, sg) -> None:
    import time

    (tmp_path / "session.py").write_text(f'TOKEN = "{_jwt({"sub": rand(8), "exp": int(time.time()) + 86400})}"\n')
    (tmp_path / "expired.py").write_text(f'TOKEN = "{_jwt({"sub": rand(8), "exp": 1500000000})}"\n')
    (tmp_path / "readme_example.py").write_text(f'TOKEN = "{_jwt({"a": "b"})}"\n')
    found = findings(sg, tmp_path, "--no-cache")
    assert tier(found, "session.py") == "medium"
    assert tier(found, "expired.py") == "low"
    assert tier(found, "readme_example.py") == "low"


def test_expired_sas_token_is_low_a_current_one_is_not(tmp_path: Path, sg) -> None:
    import datetime

    def sas(expiry: datetime.datetime) -> str:
        sig = base64.b64encode(bytes(rand(32), "ascii")).decode().replace("+", "%2B").replace("/", "%2F")
        return (f"https://acct.blob.core.windows.net/c?sv=2021-06-08&sr=c&sp=r"
                f"&se={expiry:%Y-%m-%dT%H:%M:%SZ}&sig={sig}")

    now = datetime.datetime.now(datetime.timezone.utc)
    (tmp_path / "old.txt").write_text(f"URL = {sas(now - datetime.timedelta(days=400))}\n")
    (tmp_path / "live.txt").write_text(f"URL = {sas(now + datetime.timedelta(days=30))}\n")
    found = findings(sg, tmp_path, "--no-cache")
    assert tier(found, "old.txt") == "low"
    assert tier(found, "live.txt") == "medium"
