"""Starting a sealed session: the strict scan, the wall, the broker, the command, the exit code.

    session(argv, spec)         `secretguard run -- AGENT`: the scan gate first, then the agent
                                behind the wall with a broker outside it.
    sealed_command(argv, spec)  `secretguard run --inner -- bash -c CMD`: one shell command behind
                                the same wall (the hook seals an agent's Bash calls with it), its
                                stdout and stderr redacted before the agent reads them.

Exit codes: the command's own (128+N for signal N); 125 when secretguard refused or failed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from secretguard.errors import SecretguardError
from secretguard.session import confine, sandbox

FAILED = 125


class SessionRefused(SecretguardError):
    """The session does not start: a dirty workspace, or no wall can be built here."""


def _start_broker(scratch: str, wall_args: list[str], bwrap: str, preload: bool) -> tuple[int, str]:
    """Fork the broker (before any thread exists); return its pid and socket path."""
    from secretguard.session import broker

    sock_dir = os.path.join(scratch, "broker")
    os.mkdir(sock_dir, 0o700)
    path = os.path.join(sock_dir, broker.SOCKET_NAME)
    server = broker.listen(path)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()  # the terminal's ^C is for the agent, not for the broker
            broker.serve(server, wall_args, bwrap, preload)
        finally:
            os._exit(0)
    server.close()
    return pid, path


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _confined() -> None:
    confine.apply()


def run_sealed(argv: list[str], spec: sandbox.Spec, *, redact_output: bool = False, announce: bool = False,
               cwd_file: str | None = None) -> int:
    """Build the wall, start the broker, run `argv` behind the wall; return its exit code."""
    bwrap = sandbox.bwrap_path()
    sandbox.check_works(bwrap)
    scratch = sandbox.scratch_dir()
    broker_pid = None
    try:
        wall_args = sandbox.build(spec, scratch)
        env, removed = sandbox.scrub_env(dict(os.environ), spec)
        sock = os.environ.get("SECRETGUARD_BROKER", "")
        if not (sock and os.path.exists(sock)):  # a seal inside a session uses the session's broker
            broker_pid, sock = _start_broker(scratch, wall_args, bwrap, preload=not redact_output)
        wall_args += ["--bind", os.path.dirname(sock), os.path.dirname(sock)]
        env["SECRETGUARD_BROKER"] = sock
        env["SECRETGUARD_SESSION"] = "1"
        if announce:
            for line in confine.available():
                sys.stderr.write(f"secretguard: warning: {line}\n")
        if not spec.inner:
            _remember_home_credentials(spec)
        if not spec.inner:  # a sealed tool command is audited by the hook that sealed it
            _audit("session.start", argv=argv[:1], project=spec.project, allowed=list(spec.allow),
                   allowed_env=list(spec.allow_env), removed_env=removed, sealed=True)
        code = _supervise([bwrap, *wall_args, "--", *argv], env, redact_output, spec.project, cwd_file)
        if not spec.inner:
            _audit("session.end", argv=argv[:1], project=spec.project, exit_code=code)
        return code
    finally:
        if broker_pid:
            _stop(broker_pid)
        sandbox.remove_scratch(scratch)


CWD_FD = 9


def _supervise(cmd: list[str], env: dict[str, str], redact_output: bool, project: str,
               cwd_file: str | None = None) -> int:
    pipes = subprocess.PIPE if redact_output else None
    old = {s: signal.signal(s, _ignore) for s in (signal.SIGINT, signal.SIGQUIT)}
    cwd_read = None
    pass_fds: tuple[int, ...] = ()
    if cwd_file and cmd[-3:-1] == ["bash", "-c"]:
        # the shell reports where it ended, so the agent's next call starts there (as `cd` promises)
        cwd_read, cwd_write = os.pipe()
        os.dup2(cwd_write, CWD_FD)
        os.close(cwd_write)
        pass_fds = (CWD_FD,)
        cmd = cmd[:-1] + [f"{cmd[-1]}\n__sg_rc=$?; pwd -P >&{CWD_FD} 2>/dev/null; exit $__sg_rc"]
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=pipes, stderr=pipes, preexec_fn=_confined, pass_fds=pass_fds)
    except OSError as exc:
        raise SessionRefused(f"cannot start bubblewrap: {exc.strerror or exc}") from None
    finally:
        if pass_fds:
            os.close(CWD_FD)
    relay = {s: signal.signal(s, lambda signum, _f: _send(proc, signum)) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        pumps = []
        if redact_output:
            from secretguard.scan.redact import LazyRedactor, StreamRedactor

            redactor = LazyRedactor(project, _known_values)
            for src, dst in ((proc.stdout, 1), (proc.stderr, 2)):
                t = threading.Thread(target=_pump, args=(src, dst, StreamRedactor(redactor)), daemon=True)
                t.start()
                pumps.append(t)
        rc = proc.wait()
        for t in pumps:
            t.join(timeout=2.0)
        if cwd_read is not None:
            _report_cwd(cwd_read, cwd_file)
    finally:
        for s, handler in {**old, **relay}.items():
            signal.signal(s, handler)
    return 128 - rc if rc < 0 else rc


def _report_cwd(fd: int, cwd_file: str) -> None:
    os.set_blocking(fd, False)
    try:
        final = os.read(fd, 4096).decode("utf-8", "surrogateescape").strip()
    except OSError:
        final = ""
    finally:
        os.close(fd)
    if final:
        with open(cwd_file, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(final + "\n")


def _ignore(signum: int, frame) -> None:
    """Not SIG_IGN: a handler is reset on exec, so the command still gets the terminal's signals."""


def _send(proc: subprocess.Popen, signum: int) -> None:
    try:
        proc.send_signal(signum)
    except ProcessLookupError:
        pass


def _pump(src, dst: int, stream) -> None:
    fd = src.fileno()
    try:
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            out = stream.feed(data)
            if out:
                _write_all(dst, out)
        _write_all(dst, stream.flush())
    except OSError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _known_values():
    """The known-values index, when the context firewall has one for this user (else None)."""
    try:
        from secretguard.scan.known import KnownValues
    except ImportError:
        return None
    return KnownValues.load()


def _remember_home_credentials(spec: sandbox.Spec) -> None:
    """Values in the credential files the wall hides are known secrets: should one reach the
    model anyway (pasted, fetched), the context firewall redacts it."""
    from secretguard.guard import wall
    from secretguard.scan.known import KnownValues, values_in_credential_file

    values: list[str] = []
    for rel in wall.CREDENTIAL_FILES + wall.TOKEN_FILES:
        path = os.path.join(spec.home, rel)
        if os.path.isfile(path):
            values += values_in_credential_file(path)
    try:
        KnownValues.add(values, ttl=12 * 3600)
    except OSError:
        pass


def _audit(event: str, **fields) -> None:
    from secretguard.audit import log

    log.record("session", action=event, **fields)


def gate(project: str) -> None:
    """The strict scan of the project before a session: dirty means nothing starts."""
    from pathlib import Path

    from secretguard.guard import verdicts
    from secretguard.scan import report
    from secretguard.scan.engine import ScanOptions, scan_workspace

    result = scan_workspace([Path(project)], ScanOptions(strict=True, use_cache=True))
    verdict = verdicts.from_scan(project, result, result.digest)
    try:
        verdicts.save(verdict)
    except OSError:
        pass
    if verdict.blocking:
        sys.stderr.write(report.to_text(result) + "\n")
        raise SessionRefused("refusing to start: the workspace holds credential material or files that could "
                             "not be checked (see above)")


def inner_main(args: list[str]) -> int:
    """`secretguard run --inner [--project DIR] [--cwd-file FILE] -- CMD...` without click: the hook
    seals every shell call with it, so its start-up is on the agent's critical path."""
    options: dict[str, str] = {}
    while args and args[0] != "--":
        if args[0] in ("--project", "--cwd-file") and len(args) > 1:
            options[args[0]], args = args[1], args[2:]
        else:
            sys.stderr.write(f"secretguard: run --inner: unexpected argument {args[0]!r}\n")
            return FAILED
    argv = args[1:]
    if not argv:
        sys.stderr.write("secretguard: run --inner: no command after --\n")
        return FAILED
    project = os.path.abspath(options.get("--project") or os.getcwd())
    try:
        spec = sandbox.Spec(project, inner=True)
        return run_sealed(argv, spec, redact_output=True, cwd_file=options.get("--cwd-file"))
    except SecretguardError as exc:
        sys.stderr.write(f"secretguard: {exc}\n")
        return FAILED
