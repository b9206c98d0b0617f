"""pytest fixtures for the exec tests: import them into a test module (`from parts.fixtures import *`).

The slow parts (OpenBao, gnome-keyring, PostgreSQL) start once per session even when several
modules import these fixtures: the first start is cached here and stopped at session end.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .keyring_session import KeyringSession
from .openbao import OpenBao
from .tty import run_in_pty

_STARTED: dict[str, object] = {}

USER_POLICY = 'path "auth/token/create" { capabilities = ["update"] }\n'
APP_READ = 'path "secret/data/app" { capabilities = ["read"] }\npath "secret/data/app2" { capabilities = ["read"] }\n'
DB_CREDS = 'path "database/creds/readonly" { capabilities = ["read"] }\n'


def _shared(request: pytest.FixtureRequest, name: str, start, stop):  # noqa: ANN001, ANN202
    if name not in _STARTED:
        _STARTED[name] = start()
        request.session.addfinalizer(lambda: (stop(_STARTED.pop(name)), None)[1])
    return _STARTED[name]


@dataclass
class Planted:
    """Secret values generated for this run (never literals in the test files)."""

    values: dict[str, str] = field(default_factory=dict)

    def new(self, name: str) -> str:
        self.values[name] = "sg" + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
        return self.values[name]


_PLANTED = Planted()  # one per session, shared by every module that imports these fixtures


@pytest.fixture(scope="session")
def planted() -> Planted:
    return _PLANTED


@pytest.fixture(scope="session")
def openbao(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, planted: Planted) -> OpenBao:
    def start() -> OpenBao:
        bao = OpenBao(tmp_path_factory.mktemp("openbao")).start()
        c = bao.client()
        c.sys.create_or_update_policy("sg-user", USER_POLICY)
        c.sys.create_or_update_policy("app-read", APP_READ)
        c.sys.create_or_update_policy("db-creds", DB_CREDS)
        c.secrets.kv.v2.create_or_update_secret(path="app", mount_point="secret", secret={
            "password": planted.new("app_password_v1"), "api_key": planted.new("api_key_v1")})
        c.secrets.kv.v2.create_or_update_secret(path="app", mount_point="secret", secret={
            "password": planted.new("app_password"), "api_key": planted.new("api_key"), "user": planted.new("user")})
        c.secrets.kv.v2.create_or_update_secret(path="forbidden", mount_point="secret",
                                                secret={"password": planted.new("forbidden")})
        return bao

    return _shared(request, "openbao", start, OpenBao.stop)


@pytest.fixture(scope="session")
def keyring_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KeyringSession:
    return _shared(request, "keyring", lambda: KeyringSession(tmp_path_factory.mktemp("keyring-home")).start(),
                   KeyringSession.stop)


def user_token(bao: OpenBao, policies: list[str], ttl: str = "1h") -> str:
    """A non-root login token, as a user's login would give."""
    resp = bao.client().auth.token.create(policies=["sg-user", *policies], ttl=ttl, display_name="tester")
    return resp["auth"]["client_token"]


@dataclass
class ExecWorld:
    """A project directory, an OpenBao, a keyring and the helpers a test needs around them."""

    bao: OpenBao
    keyring: KeyringSession
    project: Path
    xdg: Path
    env: dict[str, str]
    planted: Planted

    def write_profiles(self, toml: str, where: str = "project") -> None:
        path = self.project / "secretguard.toml" if where == "project" else self.xdg / "xdg_config_home/secretguard/config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(toml))

    def login(self, token: str) -> None:
        from secretguard.vault import keystore

        keystore.save_login(self.bao.addr, token, "token")

    def approve(self, name: str) -> None:
        """Approve as a human would: `secretguard approve NAME` on a pseudo-terminal, answering y."""
        code, out = self.approve_tty(name, b"y\n")
        assert code == 0, out

    def approve_tty(self, name: str, answer: bytes) -> tuple[int, str]:
        return run_in_pty([sys.executable, "-m", "secretguard", "approve", name], answer,
                          env=dict(os.environ), cwd=str(self.project))

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "secretguard", *args], cwd=self.project,
                              env={**os.environ, **(env or {})}, capture_output=True, text=True,
                              timeout=timeout, input=input)

    def popen(self, *args: str, **kw) -> subprocess.Popen:  # noqa: ANN003
        return subprocess.Popen([sys.executable, "-m", "secretguard", *args], cwd=self.project,
                                env=dict(os.environ), **kw)

    def audit_records(self) -> list[dict]:
        import json

        log = self.xdg / "xdg_state_home/secretguard/audit.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def files_written(self) -> Iterator[Path]:
        """Every file under the dirs secretguard may write to (XDG dirs, HOME, the project)."""
        for root in (self.xdg, self.keyring.home, self.project):
            for path in root.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    yield path

    def assert_nowhere(self, *values: str, outputs: tuple[str, ...] = ()) -> None:
        for value in values:
            for text in outputs:
                assert value not in text
            for path in self.files_written():
                assert value.encode() not in path.read_bytes(), f"{value[:4]}... found in {path}"


@pytest.fixture
def world(openbao: OpenBao, keyring_session: KeyringSession, planted: Planted, isolated_xdg: Path,
          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ExecWorld:
    for var in ("VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT", "BAO_ADDR", "BAO_TOKEN", "PYTHON_KEYRING_BACKEND",
                "CLAUDE_SESSION_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    for key, value in keyring_session.env.items():
        monkeypatch.setenv(key, value)
    from secretguard.vault import keystore

    keystore.forget_login(openbao.addr)  # the keyring outlives tests: start each one logged out
    project = tmp_path / "project"
    project.mkdir()
    return ExecWorld(bao=openbao, keyring=keyring_session, project=project, xdg=isolated_xdg,
                     env=dict(os.environ), planted=planted)
