"""`secretguard dev-server`: the README's quick start, end to end."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parts.fixtures import ExecWorld, keyring_session, openbao, planted, world  # noqa: F401


def test_quick_start(world: ExecWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    server = world.popen("dev-server", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        assert server.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, f"dev-server ended early: {''.join(lines)} {server.stderr.read()}"  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Ctrl-C stops"):
                break
        text = "".join(lines)
        addr = next(w.split("=", 1)[1] for w in text.split() if w.startswith("VAULT_ADDR="))
        assert addr.startswith("http://127.0.0.1:") and "[profiles.demo]" in text
        monkeypatch.setenv("VAULT_ADDR", addr)
        from secretguard.vault import keystore

        root_token = keystore.load_login(addr)[0]
        # every user can read every process's command line (`ps`): the root token is not on one
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                assert root_token.encode() not in cmdline.read_bytes(), f"root token in {cmdline}"
            except OSError:
                continue
        world.approve("demo")
        piped = world.run("exec", "--", "printenv", "DEMO_PASSWORD")
        assert piped.returncode == 0 and piped.stdout == "*****\n", piped.stderr
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
        assert server.returncode == 0 and "dev server stopped" in out
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    host, port = addr.removeprefix("http://").split(":")
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
        pass
    from secretguard.vault import keystore

    assert keystore.load_login(addr) is None  # the dead server's token was forgotten
    assert "secretguard approve demo" in text and sys.executable
