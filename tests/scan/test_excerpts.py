"""Excerpts show where a secret is, never what follows the start of its value."""

from __future__ import annotations

import json
from pathlib import Path

from planted import ec_private_key, github_token, rsa_private_key


def _windows(value: str, size: int = 8) -> set[str]:
    return {value[i:i + size] for i in range(len(value) - size + 1)}


def _key_body(block: str) -> str:
    """The base64 body after its DER header, which is the same in every key of a type (and so also in
    the rule files' own examples, which secretguard caches)."""
    return "".join(line for line in block.splitlines() if not line.startswith("-----"))[24:]


def test_a_key_written_on_one_line_shows_only_its_type(sg, tmp_path: Path, isolated_xdg: Path) -> None:
    ec, rsa = ec_private_key(), rsa_private_key()
    (tmp_path / "ec.json").write_text(json.dumps({"key": ec}) + "\n")
    (tmp_path / "deploy.yaml").write_text("tls:\n  key: " + json.dumps(rsa) + "\n")
    proc = sg("scan", "--format", "json", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    excerpts = {f["path"]: f["excerpt"] for f in json.loads(proc.stdout)["findings"]}
    assert excerpts == {"ec.json": "-----BEGIN EC PRIVATE KEY-----",
                        "deploy.yaml": "-----BEGIN RSA PRIVATE KEY-----"}
    base = sg("baseline", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    sarif = sg("scan", "--no-cache", "--format", "sarif", "--baseline", "/dev/null", str(tmp_path)).stdout
    written = [proc.stdout, sarif, (tmp_path / ".secretguard-baseline.json").read_text()]
    written += [p.read_text(errors="replace") for p in isolated_xdg.rglob("*") if p.is_file()]
    everything = "\n".join(written)
    for key in (ec, rsa):
        body = _key_body(key)
        assert not any(w in everything for w in _windows(body)), "a piece of the key body was written"


def test_a_token_excerpt_ends_at_the_mask(sg, tmp_path: Path) -> None:
    token = github_token()
    (tmp_path / "app.py").write_text(f'TOKEN = "{token}"  # deploy\n')
    finding = json.loads(sg("scan", "--format", "json", str(tmp_path)).stdout)["findings"][0]
    assert finding["excerpt"] == "ghp_*****"
    assert token[4:12] not in json.dumps(finding)
