"""Inside a sealed session: talk to the broker outside (hooks and `exec`). Kept to the standard
library and small: a hook runs before every tool call. Any failure fails closed."""

from __future__ import annotations

import os
import signal
import socket
import sys

from secretguard.session.broker import Reader, send

FAILED = 125


class BrokerError(Exception):
    """The broker cannot be reached or answered with an error."""


def _connect() -> socket.socket:
    path = os.environ.get("SECRETGUARD_BROKER", "")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as exc:
        sock.close()
        raise BrokerError(f"the session's broker is not reachable ({exc.strerror or exc})") from None
    return sock


def hook_through_broker(agent: str, args: list[str]) -> int:
    """Forward one hook event; print the broker's answer. Exit 2 (the blocking code) on failure."""
    try:
        data = sys.stdin.buffer.read(16 * 1024 * 1024 + 1).decode("utf-8", "replace")
        with _connect() as sock:
            env = {k: v for k, v in os.environ.items() if k.endswith("_PROJECT_DIR")}
            send(sock, {"op": "hook", "agent": agent, "args": args, "cwd": os.getcwd(), "env": env,
                        "stdin": data})
            answer = Reader(sock).next()
        if not isinstance(answer, dict) or "error" in (answer or {}) or not isinstance(answer.get("code"), int):
            raise BrokerError((answer or {}).get("error", "no answer"))
    except (BrokerError, OSError, ValueError) as exc:
        sys.stderr.write(f"secretguard: refused: the guard could not decide ({exc})\n")
        return 2
    sys.stdout.write(answer.get("stdout", ""))
    sys.stderr.write(answer.get("stderr", ""))
    return answer["code"]


def exec_through_broker(argv: list[str], profile: str | None, mask: bool | None) -> int:
    """`secretguard exec` inside a session: the broker runs it with our stdin/stdout/stderr."""
    try:
        sock = _connect()
    except BrokerError as exc:
        sys.stderr.write(f"secretguard: {exc}\n")
        return FAILED
    sys.stdout.flush()
    sys.stderr.flush()
    forwarded = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
    old = {s: signal.signal(s, lambda signum, _frame: _forward(sock, signum)) for s in forwarded}
    try:
        send(sock, {"op": "exec", "argv": argv, "profile": profile, "mask": mask, "cwd": os.getcwd(),
                    "env": dict(os.environ)}, fds=(0, 1, 2))
        answer = Reader(sock).next()
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"secretguard: the broker failed: {exc}\n")
        return FAILED
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        sock.close()
    if not isinstance(answer, dict) or not isinstance(answer.get("exit"), int):
        sys.stderr.write(f"secretguard: {(answer or {}).get('error', 'the broker gave no exit code')}\n")
        return FAILED
    return answer["exit"]


def _forward(sock: socket.socket, signum: int) -> None:
    try:
        send(sock, {"signal": signum})
    except OSError:
        pass


def exec_main(args: list[str]) -> int:
    """`secretguard exec [--profile NAME] [--mask|--no-mask] -- CMD...` inside a session, parsed by
    hand (the broker checks everything else)."""
    split = args.index("--")
    options, argv = args[:split], args[split + 1:]
    profile, mask = None, None
    while options:
        option = options.pop(0)
        if option in ("--profile", "-p") and options:
            profile = options.pop(0)
        elif option.startswith("--profile="):
            profile = option.split("=", 1)[1]
        elif option in ("--mask", "--no-mask"):
            mask = option == "--mask"
        else:
            sys.stderr.write(f"secretguard: exec: unexpected option {option!r} inside a sealed session\n")
            return FAILED
    if not argv:
        sys.stderr.write("secretguard: exec: no command after --\n")
        return FAILED
    return exec_through_broker(argv, profile, mask)
