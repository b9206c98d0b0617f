"""The broker: secretguard outside the wall, serving one sealed session through a unix socket.

Inside the session the keyring, secretguard's state (verdicts, audit log) and config (profiles) are
out of reach by design, so two things cross the wall through the broker:
  hook   an agent's hook event: answered here, with the real state, audit log and profiles;
  exec   `secretguard exec`: the approval is checked, the secrets are read and the command runs in a
         sandbox of its own (the session's view, its own PID namespace), its output masked and
         written to the caller's own stdout/stderr (passed over the socket), signals forwarded,
         the exit code returned, the child token revoked.
Each connection is served in a forked copy of the broker, which imported hvac and keyring once.
Only processes of our own user may connect (SO_PEERCRED); the socket lives in a directory that is
bound into this one session only.

Messages are JSON lines; file descriptors travel as SCM_RIGHTS with the request.
"""

from __future__ import annotations

import array
import json
import os
import socket
import struct
import sys

MAX_MESSAGE = 32 * 1024 * 1024
SOCKET_NAME = "broker.sock"


def send(sock: socket.socket, doc: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(doc).encode() + b"\n"
    if fds:
        sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        sock.sendall(data)


class Reader:
    """Reads JSON lines (and the fds that came with them) from a stream socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.buffer, self.fds = sock, b"", []

    def next(self) -> dict | None:
        while b"\n" not in self.buffer:
            data, ancdata, _flags, _addr = self.sock.recvmsg(65536, socket.CMSG_SPACE(3 * 4))
            for level, kind, payload in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds = array.array("i")
                    fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
                    self.fds += list(fds)
            if not data:
                return None
            self.buffer += data
            if len(self.buffer) > MAX_MESSAGE:
                raise ValueError("message too large")
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def listen(path: str) -> socket.socket:
    """The broker's socket, bound before the broker forks: the session can connect at once."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(16)
    return server


def serve(server: socket.socket, wall_args: list[str], bwrap: str, preload: bool) -> None:
    """Accept connections until the parent kills us."""
    import signal

    if preload:
        _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked handlers are reaped by the kernel
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                _handle(conn, wall_args, bwrap)
            finally:
                os._exit(0)
        conn.close()


def _preload() -> None:
    """What every exec needs, imported once: a forked handler then starts warm."""
    try:
        import hvac  # noqa: F401
        import keyring  # noqa: F401
        import requests  # noqa: F401

        from secretguard.guard import decide  # noqa: F401
        from secretguard.vault import client, keystore, run  # noqa: F401

        keystore.get_backend()  # the backend is chosen once, here, not in every handler
        client.settings_from_env()
    except Exception:  # noqa: BLE001 - a missing piece surfaces as a refusal when it is needed
        pass


def _handle(conn: socket.socket, wall_args: list[str], bwrap: str) -> None:
    reader = Reader(conn)
    try:
        if peer_uid(conn) != os.getuid():
            send(conn, {"error": "refused: the broker serves its own user only"})
            return
        request = reader.next()
        if not isinstance(request, dict):
            return
        if request.get("op") == "hook":
            send(conn, _hook(request))
        elif request.get("op") == "exec" and len(reader.fds) == 3:
            _exec(conn, reader, request, wall_args, bwrap)
        else:
            send(conn, {"error": "refused: unknown request"})
    except Exception as exc:  # noqa: BLE001 - the client fails closed on any error answer
        try:
            send(conn, {"error": f"the broker failed: {type(exc).__name__}: {exc}"[:300]})
        except OSError:
            pass


def _hook(request: dict) -> dict:
    """Run the agent's hook here, with the real state: stdin in, stdout/stderr/exit code out."""
    import io

    from secretguard.agents import HOOKS, load_adapter

    agent = request.get("agent")
    if agent not in HOOKS:
        return {"error": f"refused: unknown agent {agent!r}"}
    for name, value in (request.get("env") or {}).items():
        if name in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR") and isinstance(value, str):
            os.environ[name] = value
    cwd = request.get("cwd")
    if isinstance(cwd, str) and os.path.isdir(cwd):
        os.chdir(cwd)
    os.environ["SECRETGUARD_SEALED"] = "1"
    sys.stdin = io.TextIOWrapper(io.BytesIO(str(request.get("stdin", "")).encode()))
    out, err = io.StringIO(), io.StringIO()
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = load_adapter(agent).run_hook(list(request.get("args") or []))
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code}


def _exec(conn: socket.socket, reader: Reader, request: dict, wall_args: list[str], bwrap: str) -> None:
    import signal
    import threading

    stdin, stdout, stderr = reader.fds[:3]
    for target, fd in ((0, stdin), (1, stdout), (2, stderr)):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - click writes to sys.stdout/err
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    cwd = request.get("cwd")
    if isinstance(cwd, str) and os.path.isdir(cwd):
        os.chdir(cwd)
    # the child starts from the caller's environment; Vault's address and the keyring's bus are ours
    env = request.get("env")
    child_env = {k: v for k, v in env.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(env, dict) else {}

    def signals() -> None:  # the client forwards what it receives; SignalRelay passes it on
        try:
            while True:
                message = reader.next()
                if message is None:
                    os.kill(os.getpid(), signal.SIGTERM)  # the caller is gone: stop the command
                    return
                if isinstance(message.get("signal"), int):
                    os.kill(os.getpid(), message["signal"])
        except (OSError, ValueError):
            return

    threading.Thread(target=signals, daemon=True).start()
    from secretguard.vault.run import run_exec

    # the child runs in a wall of its own: the session's view, its own PID namespace
    def wrap(argv: list[str]) -> list[str]:
        return [bwrap, *wall_args, "--chdir", os.getcwd(), "--", *argv]

    argv = [a for a in request.get("argv") or [] if isinstance(a, str)]
    code = run_exec(argv, request.get("profile"), request.get("mask"), False, wrap=wrap, child_env=child_env)
    sys.stdout.flush()
    sys.stderr.flush()
    send(conn, {"exit": code})
