"""Dynamic PostgreSQL credentials through OpenBao's database secrets engine, checked against PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from parts.fixtures import ExecWorld, keyring_session, openbao, planted, user_token, world  # noqa: F401
from parts.postgres import Postgres

CREATE = ["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
          "GRANT CONNECT ON DATABASE postgres TO \"{{name}}\";"]

PROFILE = """
[profiles.db]
command = ["sh", "-c", "*"]
policies = ["db-creds"]
ttl = "2m"
[profiles.db.secrets]
DB_USER = "read:database/creds/readonly#username"
DB_PASSWORD = "read:database/creds/readonly#password"
"""


@pytest.fixture(scope="module")
def postgres(openbao):  # noqa: ANN001, ANN201, F811
    pg = Postgres().start()
    c = openbao.client()
    if "database/" not in c.sys.list_mounted_secrets_engines()["data"]:
        c.sys.enable_secrets_engine("database")
    c.secrets.database.configure(
        name="pg", plugin_name="postgresql-database-plugin", allowed_roles=["readonly"],
        connection_url=f"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{pg.port}/postgres?sslmode=disable",
        username="postgres", password=pg.password, verify_connection=True)
    c.secrets.database.create_role(name="readonly", db_name="pg", creation_statements=CREATE,
                                   default_ttl="5m", max_ttl="10m")
    yield pg
    pg.stop()


def test_dynamic_postgres_credentials_live_only_as_long_as_the_command(world: ExecWorld, postgres: Postgres,
                                                                        tmp_path: Path) -> None:
    world.write_profiles(PROFILE)
    world.login(user_token(world.bao, ["db-creds"]))
    world.approve("db")
    creds = tmp_path / "creds"
    psql = "/usr/lib/postgresql/15/bin/psql"
    script = (f'printf "%s\\n%s\\n" "$DB_USER" "$DB_PASSWORD" > {creds}; '
              f'PGPASSWORD="$DB_PASSWORD" {psql} -h 127.0.0.1 -p {postgres.port} -U "$DB_USER" -d postgres '
              '-tAc "select current_user"')
    r = world.run("exec", "--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    user, password = creds.read_text().split()
    # The child logged in as the dynamic role; what came back through the pipe is masked.
    assert r.stdout.strip() == "*****" and user not in r.stdout
    world.assert_nowhere(password, outputs=(r.stdout, r.stderr))
    lease = [x for x in world.audit_records() if x.get("outcome") == "started"][-1]["leases"]
    assert len(lease) == 1 and lease[0].startswith("database/creds/readonly/")
    # Revoking the child token revoked the lease: OpenBao drops the role in the background.
    deadline = time.monotonic() + 30
    while postgres.sql(f"select count(*) from pg_roles where rolname = '{user}'") != "0":
        assert time.monotonic() < deadline, "the dynamic role still exists"
        time.sleep(0.1)
    ok, error = postgres.can_login(user, password)
    assert not ok and ("does not exist" in error or "authentication failed" in error)
