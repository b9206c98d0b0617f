"""A real, encrypted keyring: gnome-keyring's Secret Service on a private D-Bus session bus.

`dbus-daemon --session --fork` gives a private bus; `gnome-keyring-daemon --foreground --unlock
--components=secrets` reads the keyring password on stdin and serves org.freedesktop.secrets on it.
Processes that should see it get DBUS_SESSION_BUS_ADDRESS (and HOME/XDG_DATA_HOME pointing at the
directory that holds the encrypted keyring file).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path


class KeyringSession:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env: dict[str, str] = {}
        self._dbus_pid: int | None = None
        self._daemon: subprocess.Popen | None = None

    def start(self) -> KeyringSession:
        self.home.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY")}
        base.update(HOME=str(self.home), XDG_DATA_HOME=str(self.home / "data"),
                    XDG_RUNTIME_DIR=str(self.home / "run"))
        (self.home / "run").mkdir(mode=0o700, exist_ok=True)
        try:
            out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                                 capture_output=True, text=True, env=base, timeout=20, check=True).stdout.split()
        except (OSError, subprocess.SubprocessError) as exc:
            raise RuntimeError(f"cannot start a D-Bus session bus (apt-get install dbus-x11): {exc}") from None
        address, self._dbus_pid = out[0], int(out[1])
        base["DBUS_SESSION_BUS_ADDRESS"] = address
        self._daemon = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=base)
        assert self._daemon.stdin is not None
        self._daemon.stdin.write(secrets.token_hex(16).encode())
        self._daemon.stdin.close()
        self.env = {"DBUS_SESSION_BUS_ADDRESS": address, "HOME": str(self.home),
                    "XDG_DATA_HOME": base["XDG_DATA_HOME"], "XDG_RUNTIME_DIR": base["XDG_RUNTIME_DIR"]}
        self._wait_ready(base)
        return self

    def _wait_ready(self, env: dict[str, str]) -> None:
        probe = ("from keyring.backends.SecretService import Keyring as K; k = K(); "
                 "k.set_password('secretguard-test', 'probe', 'ok'); assert k.get_password('secretguard-test', 'probe') == 'ok'")
        deadline = time.monotonic() + 20
        error = ""
        while time.monotonic() < deadline:
            if self._daemon is not None and self._daemon.poll() is not None:
                break
            r = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=20)
            if r.returncode == 0:
                return
            error = r.stderr.strip().splitlines()[-1:] or [""]
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gnome-keyring did not come up on the private bus: {error}; "
                           "apt-get install gnome-keyring dbus-x11")

    def stop(self) -> None:
        if self._daemon is not None and self._daemon.poll() is None:
            self._daemon.terminate()
            try:
                self._daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._daemon.kill()
                self._daemon.wait()
        if self._dbus_pid is not None:
            try:
                os.kill(self._dbus_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self._dbus_pid = None
