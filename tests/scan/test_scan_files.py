"""Credential files: one whole-file finding per file, by the right rule, gitignored or not."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from planted import aws_key_id, openssh_key, password, private_key_block, rand

# path -> (content, rule that must name it)
def credential_tree() -> dict[str, tuple[bytes, str]]:
    pw = password()
    return {
        ".env": (b"DEBUG=true\n", "dotenv-file"),
        "web/.env.local": (f"SESSION_KEY={rand(32)}\n".encode(), "dotenv-file"),
        "deploy/.env.production": (b"PORT=80\n", "dotenv-file"),
        "config/app.env": (b"LOG=debug\n", "dotenv-file"),
        ".envrc": (f"export API_TOKEN={rand(24)}9\n".encode(), "envrc-with-values"),
        ".env.example": (f"DB_PASSWORD={pw}1a\n".encode(), "dotenv-template-with-values"),
        ".ssh/id_rsa": (private_key_block().encode(), "ssh-private-key-file"),
        "keys/id_ed25519": (openssh_key().encode(), "ssh-private-key-file"),
        "ci/deploy_key": (openssh_key().encode(), "ssh-private-key-file"),
        "tls/server.pem": (private_key_block("EC").encode(), "private-key-file"),
        "tls/server.key": (private_key_block("").encode(), "private-key-file"),
        "signing/release.asc": (b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGX" + rand(60).encode()
                                + b"\n-----END PGP PRIVATE KEY BLOCK-----\n", "private-key-file"),
        "notes/backup-key.txt": (private_key_block().encode(), "private-key-content"),
        "certs/client.p12": (b"\x30\x82\x09\xe1\x02\x01\x03" + rand(40).encode(), "pkcs12-file"),
        "certs/client.pfx": (b"\x30\x82\x04\x00" + rand(40).encode(), "pkcs12-file"),
        "android/release.keystore": (bytes.fromhex("feedfeed00000002") + rand(30).encode(), "java-keystore-file"),
        "java/trust.jks": (bytes.fromhex("feedfeed00000002") + rand(30).encode(), "java-keystore-file"),
        "assets/data.bin": (bytes.fromhex("feedfeed00000002") + rand(30).encode(), "java-keystore-content"),
        "vault.kdbx": (bytes.fromhex("03d9a29a67fb4bb5") + rand(30).encode(), "keepass-file"),
        "misc/db.dat": (bytes.fromhex("03d9a29a67fb4bb5") + rand(30).encode(), "keepass-content"),
        ".aws/credentials": (f"[default]\naws_access_key_id = {aws_key_id()}\naws_secret_access_key = {rand(40)}\n".encode(),
                             "aws-credentials-file"),
        ".aws/config": (f"[profile ci]\nregion = eu-west-1\naws_secret_access_key = {rand(40)}\n".encode(),
                        "aws-credentials-file"),
        "gcp/sa.json": (json.dumps({"type": "service_account", "project_id": "p", "private_key_id": rand(40),
                                    "private_key": private_key_block(""), "client_email": "a@p.iam"}).encode(),
                        "gcloud-credentials-file"),
        ".config/gcloud/application_default_credentials.json": (
            json.dumps({"type": "authorized_user", "client_id": "x", "client_secret": rand(24),
                        "refresh_token": "1//0" + rand(60)}).encode(), "gcloud-credentials-file"),
        ".azure/msal_token_cache.json": (b"{\"AccessToken\": {}}", "azure-token-cache"),
        ".netrc": (f"machine api.example.org login bot password {pw}\n".encode(), "netrc-file"),
        "_netrc": (f"machine api.example.org login bot password {pw}\n".encode(), "netrc-file"),
        ".pgpass": (f"db.internal:5432:app:app:{pw}\n".encode(), "pgpass-file"),
        ".my.cnf": (f"[client]\nuser=app\npassword={pw}\n".encode(), "mysql-option-file"),
        ".npmrc": (f"//registry.npmjs.org/:_authToken={rand(36)}\n".encode(), "npmrc-auth"),
        ".yarnrc.yml": (f"npmRegistries:\n  //npm.pkg.github.com:\n    npmAuthToken: {rand(36)}\n".encode(), "npmrc-auth"),
        ".pypirc": (f"[pypi]\nusername = __token__\npassword = pypi-{rand(60)}\n".encode(), "pypirc-password"),
        ".docker/config.json": (json.dumps({"auths": {"ghcr.io": {"auth": rand(24)}}}).encode(), "docker-config-auth"),
        ".git-credentials": (f"https://bot:{rand(36)}@github.com\n".encode(), "git-credentials-file"),
        ".kube/config": (f"apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: {rand(40)}\n".encode(),
                         "kubeconfig-credentials"),
        "clusters/prod-kubeconfig.yaml": (f"kind: Config\nusers:\n- user:\n    client-key-data: {rand(60)}\n".encode(),
                                          "kubeconfig-credentials"),
        "infra/terraform.tfstate": (b"{\"version\": 4, \"resources\": []}", "terraform-state"),
        "infra/terraform.tfstate.backup": (b"{\"version\": 4}", "terraform-state"),
        "nginx/.htpasswd": (b"admin:$apr1$" + rand(8).encode() + b"$" + rand(22).encode() + b"\n", "htpasswd-file"),
        "vpn/office.ovpn": (b"client\n<key>\n" + private_key_block().encode() + b"</key>\n", "openvpn-inline-key"),
        ".vault-token": (("hvs." + rand(24)).encode(), "vault-token-file"),
    }


def write_tree(root: Path, tree: dict[str, tuple[bytes, str]]) -> None:
    for rel, (content, _rule) in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def file_findings(output: str) -> dict[str, list[str]]:
    """path -> the credential-file rules it is refused under: a whole-file finding, or the file
    rule named by the findings of the secrets inside it (one finding per secret)."""
    doc = json.loads(output)
    out: dict[str, list[str]] = {}
    for f in doc["findings"]:
        rule = f.get("file_rule") or (f["rule"] if f["line"] is None else None)
        if rule and rule not in out.get(f["path"], []):
            out.setdefault(f["path"], []).append(rule)
    return out


@pytest.mark.parametrize("gitignored", [False, True], ids=["plain", "gitignored"])
def test_each_credential_file_is_refused_under_its_file_rule(tmp_path: Path, sg, gitignored: bool) -> None:
    tree = credential_tree()
    write_tree(tmp_path, tree)
    (tmp_path / "README.md").write_text("# project\n")
    (tmp_path / ".env.sample").write_text("API_KEY=<your-api-key>\nDB_PASSWORD=changeme\nPORT=3000\n")
    if gitignored:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        (tmp_path / ".gitignore").write_text("*\n!.gitignore\n")
    proc = sg("scan", str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    found = file_findings(proc.stdout)
    expected = {rel: [rule] for rel, (_c, rule) in tree.items()}
    assert found == expected


def test_placeholder_only_env_example_is_clean(tmp_path: Path, sg) -> None:
    (tmp_path / ".env.example").write_text(
        "# copy to .env\nAPI_KEY=<your-api-key>\nDB_PASSWORD=changeme\nSECRET_KEY=\nTOKEN=${TOKEN}\n"
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nSTRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxx\nPORT=3000\n")
    proc = sg("scan", str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["findings"] == []


def test_secret_values_never_in_output(tmp_path: Path, sg) -> None:
    tree = credential_tree()
    write_tree(tmp_path, tree)
    for fmt in ("text", "json", "sarif"):
        proc = sg("scan", str(tmp_path), "--format", fmt)
        for content, _rule in tree.values():
            for token in content.split():
                if len(token) >= 12 and token.isalnum():
                    assert token.decode(errors="ignore") not in proc.stdout + proc.stderr


def test_agent_configs_with_literal_secrets_are_findings(tmp_path: Path, sg) -> None:
    """MCP server env/args and 'always allow' rules with inline tokens, in the project and in HOME."""
    from planted import rand

    token, password, arg = rand(30), rand(22), rand(26)
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"gh": {
        "command": "npx", "args": ["-y", "server-github", "--token", arg],
        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": token, "LOG_LEVEL": "debug"}}}}))
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.local.json").write_text(json.dumps({"permissions": {"allow": [
        f"Bash(PGPASSWORD={password} psql -h db -c 'select 1')", "Bash(npm test:*)"]}}))
    proc = sg("scan", str(tmp_path), "--format", "json", "--no-cache")
    rules = {(f["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"]}
    assert (".mcp.json", "mcp-config-env-secret") in rules and (".mcp.json", "mcp-config-arg-secret") in rules
    assert any(p == ".claude/settings.local.json" for p, _ in rules)
    assert not any(v in proc.stdout for v in (token, password, arg))
    home = tmp_path / "home"
    home.mkdir()
    (home / ".claude.json").write_text((tmp_path / ".mcp.json").read_text())
    proc = sg("scan", "--agent-config", "--format", "json", "--no-cache", env={"HOME": str(home)})
    assert proc.returncode == 1
    assert {f["path"] for f in json.loads(proc.stdout)["findings"]} == {".claude.json"}
