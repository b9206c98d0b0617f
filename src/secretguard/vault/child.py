"""The child process: its environment, its masked output, the signals it receives, its exit code.

secretguard cannot simply `execve` the command: it must stay alive to mask output and to revoke the
token afterwards. So it supervises: stdout/stderr go through masking pipes when they are not a
terminal; SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are forwarded; a second SIGINT or
SIGTERM kills the child. On Linux the signals are taken with sigwaitinfo, which tells a signal the
terminal sent to the whole foreground group (the child already has it) from one sent to us alone.
"""

from __future__ import annotations

import os

import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from types import FrameType, TracebackType

from secretguard.errors import SecretguardError
from secretguard.vault.ambient import is_ambient_credential
from secretguard.vault.masking import Masker
from secretguard.vault.profiles import Profile


class ExecError(SecretguardError):
    """The command cannot be started; `exit_code` follows the wrapper convention (126, 127)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
_SI_KERNEL = 0x80  # Linux si_code of signals the kernel sends, e.g. ^C from the terminal to its group

def build_env(base: Mapping[str, str], profile: Profile, secrets: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: inherited minus ambient credentials (or only the allowlist), plus secrets."""
    allow = set(profile.env_allow)
    if profile.env == "pristine":
        env = {k: v for k, v in base.items() if k in allow}
    else:
        env = {k: v for k, v in base.items() if k in allow or not is_ambient_credential(k)}
    env.update(secrets)
    return env


def resolve_command(argv0: str, env: Mapping[str, str]) -> str:
    """The program that would run, found as execvp would; ExecError 127 (not found) or 126."""
    if "/" in argv0:
        candidates = [argv0]
    else:
        path = env.get("PATH", os.defpath)
        found = shutil.which(argv0, path=path)
        if found:
            return found
        candidates = [os.path.join(d or ".", argv0) for d in path.split(os.pathsep)]
    for candidate in candidates:
        if os.path.isdir(candidate):
            raise ExecError(f"{argv0}: is a directory", 126)
        if os.path.exists(candidate):
            if not os.access(candidate, os.X_OK):
                raise ExecError(f"{argv0}: permission denied (not executable)", 126)
            return candidate
    raise ExecError(f"{argv0}: command not found", 127)


class SignalRelay:
    """Installed for a whole run. Before the child exists signals are remembered (the run then stops
    before starting it); while it runs they are forwarded; a second SIGINT/SIGTERM kills it."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self._proc: subprocess.Popen | None = None
        self._interrupts = 0
        self._old: dict[int, object] = {}

    def __enter__(self) -> SignalRelay:
        for signum in FORWARDED:
            self._old[signum] = signal.signal(signum, self._handler)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        for signum, old in self._old.items():
            signal.signal(signum, old)  # type: ignore[arg-type]

    @property
    def stop_signal(self) -> int | None:
        """A signal that asked secretguard to stop before the child started."""
        stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
        return next((s for s in self.received if s in stops), None)

    def attach(self, proc: subprocess.Popen) -> None:
        """From now on, forward to `proc`; replay what arrived since it was spawned."""
        self._proc = proc
        pending, self.received = self.received, []
        for signum in pending:
            self.deliver(signum, child_has_it=False)

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.deliver(signum, child_has_it=False)

    def deliver(self, signum: int, child_has_it: bool) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            self.received.append(signum)
            return
        if signum in (signal.SIGINT, signal.SIGTERM):
            self._interrupts += 1
            if self._interrupts >= 2:
                proc.kill()
                return
        if not child_has_it:
            try:
                proc.send_signal(signum)
            except ProcessLookupError:
                pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _pump(src: int, dst: int, masker: Masker) -> None:
    """Copy src to dst through the masker. If dst is gone, stop reading: the child then gets EPIPE."""
    try:
        while True:
            data = os.read(src, 65536)
            if not data:
                _write_all(dst, masker.flush())
                break
            out = masker.feed(data)
            if out:
                _write_all(dst, out)
    except OSError:
        pass
    finally:
        os.close(src)


def _supervise_sigwait(proc: subprocess.Popen, relay: SignalRelay, start_pumps: list[threading.Thread]) -> None:
    waitset = {*FORWARDED, signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, waitset)
    try:
        for t in start_pumps:  # started after blocking, so they never take a signal
            t.start()
        same_group = os.getpgid(proc.pid) == os.getpgrp()
        relay.attach(proc)  # replays what arrived between spawn and block
        while proc.poll() is None:
            info = signal.sigwaitinfo(waitset)
            if info.si_signo != signal.SIGCHLD:
                relay.deliver(info.si_signo, child_has_it=same_group and info.si_code == _SI_KERNEL)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, waitset)


def _supervise_handlers(proc: subprocess.Popen, relay: SignalRelay, start_pumps: list[threading.Thread]) -> None:
    for t in start_pumps:
        t.start()
    relay.attach(proc)
    proc.wait()


def run_child(argv: list[str], env: Mapping[str, str], relay: SignalRelay, *,
              mask_values: Iterable[str] = (), mask_stdout: bool = False, mask_stderr: bool = False) -> int:
    """Run the command to its end; return its exit code (128+N when a signal ended it)."""
    values = list(mask_values)
    sys.stdout.flush()
    sys.stderr.flush()
    streams = [(1, mask_stdout), (2, mask_stderr)]
    try:
        proc = subprocess.Popen(argv, env=dict(env), stdout=subprocess.PIPE if mask_stdout else None,
                                stderr=subprocess.PIPE if mask_stderr else None)
    except FileNotFoundError:
        raise ExecError(f"{argv[0]}: command not found", 127) from None
    except PermissionError:
        raise ExecError(f"{argv[0]}: permission denied", 126) from None
    except OSError as exc:
        raise ExecError(f"{argv[0]}: cannot execute: {exc.strerror}", 126) from None
    pumps = []
    for (fd, masked), pipe in zip(streams, (proc.stdout, proc.stderr)):
        if masked and pipe is not None:
            src = os.dup(pipe.fileno())
            pipe.close()
            pumps.append(threading.Thread(target=_pump, args=(src, fd, Masker(values)), daemon=True))
    if hasattr(signal, "sigwaitinfo"):
        _supervise_sigwait(proc, relay, pumps)
    else:  # pragma: no cover - macOS
        _supervise_handlers(proc, relay, pumps)
    for t in pumps:
        # A background grandchild may keep the pipe open: do not wait for it forever.
        t.join(timeout=2.0)
    rc = proc.returncode
    return 128 - rc if rc < 0 else rc
