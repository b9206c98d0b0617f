"""Run a command with a pseudo-terminal on stdin/stdout, as a human at a terminal would."""

from __future__ import annotations

import os
import select
import subprocess
import time


def _take_terminal() -> None:
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_in_pty(args: list[str], answer: bytes, env: dict[str, str], cwd: str, timeout: float = 60,
               controlling: bool = False) -> tuple[int, str]:
    """Start `args` on a fresh pty, write `answer` once it prompts, return (exit code, what it printed).
    controlling: the pty becomes the process's controlling terminal, as a login shell's is."""
    master, slave = os.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, close_fds=True,
                            start_new_session=True, preexec_fn=_take_terminal if controlling else None)
    os.close(slave)
    out = b""
    sent = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the other side closed
                    break
                if not chunk:
                    break
                out += chunk
                if not sent and b"?" in out:
                    os.write(master, answer)
                    sent = True
            elif proc.poll() is not None:
                break
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode("utf-8", "replace")
