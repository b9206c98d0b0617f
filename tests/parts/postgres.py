"""A throwaway PostgreSQL cluster (Debian's package) on 127.0.0.1 and a free port.

initdb refuses to run as root, so the cluster belongs to the `postgres` user, reached with `runuser`.
Its directory is made with mkdtemp outside pytest's private tmp tree, which `postgres` cannot enter.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .openbao import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class Postgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sg-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.pid: int | None = None

    def _as_postgres(self, *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True,
                              check=check, timeout=60, cwd=self.dir, **kw)

    def start(self) -> Postgres:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError("PostgreSQL 15 not installed: apt-get install -y postgresql")
        os.chmod(self.dir, 0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password)
        shutil.chown(pwfile, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--no-sync",
                          "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}")
        pwfile.unlink()
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        r = self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                              str(self.dir / "pg.log"), "-w", "-t", "30", "start", check=False)
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {r.stderr} {(self.dir / 'pg.log').read_text()[-2000:]}")
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        return self

    def sql(self, query: str) -> str:
        """Run SQL as the superuser over the unix socket."""
        r = self._as_postgres(str(PG_BIN / "psql"), "-h", str(self.dir), "-p", str(self.port), "-d", "postgres",
                              "-tAc", query)
        return r.stdout.strip()

    def can_login(self, user: str, password: str) -> tuple[bool, str]:
        """Try a password login over TCP, as a client would."""
        env = {"PATH": os.environ.get("PATH", ""), "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"}
        r = subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d",
                            "postgres", "-tAc", "select current_user"], capture_output=True, text=True, env=env,
                           timeout=30)
        return r.returncode == 0, r.stderr.strip()

    def stop(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGINT)  # fast shutdown
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    os.kill(self.pid, 0)
                    time.sleep(0.05)
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None
        shutil.rmtree(self.dir, ignore_errors=True)
