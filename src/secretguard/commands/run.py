"""`secretguard run [OPTIONS] -- CMD [ARG...]`: run an agent (or a shell) in a sealed session.

The strict scan first; then CMD behind a wall the operating system enforces (bubblewrap): HOME
deny-by-default, secret environment variables scrubbed, keyring/ssh-agent/D-Bus unreachable, /proc
limited to the session, secretguard and the agent's hook settings read-only. Exit codes: CMD's own
(128+N for signal N); 125 when secretguard refused or failed; 126/127 when CMD cannot run.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

FAILED = 125


@click.command("run", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The project directory (default: the current directory).")
@click.option("--allow", "allow", multiple=True, metavar="PATH", help="Make PATH visible (read-write) in the session.")
@click.option("--allow-env", "allow_env", multiple=True, metavar="NAME",
              help="Keep the environment variable NAME (e.g. the agent's API key) though it looks secret.")
@click.option("--ssh-agent", is_flag=True, help="Let the session use the ssh-agent socket.")
@click.option("--allow-docker", is_flag=True, help="Let the session reach the Docker socket (root on the host).")
@click.option("--unsealed", is_flag=True, help="No wall: hooks only (announced and audited).")
@click.option("--inner", is_flag=True, hidden=True, help="Seal one command (the hook's form): no scan, output "
              "redacted.")
@click.option("--cwd-file", hidden=True, type=click.Path(dir_okay=False), help="(--inner) write the directory "
              "the shell ended in to this file.")
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True, metavar="-- CMD [ARG...]")
def run(project: Path | None, allow: tuple[str, ...], allow_env: tuple[str, ...], ssh_agent: bool,
        allow_docker: bool, unsealed: bool, inner: bool, cwd_file: str | None, argv: tuple[str, ...]) -> int:
    """Run CMD (an agent CLI or a shell) in a sealed session."""
    from secretguard.errors import SecretguardError
    from secretguard.session import launch, sandbox

    root = str((project or Path.cwd()).absolute())
    try:
        _check_command(argv[0])
        if not inner:
            launch.gate(root)
        if unsealed:
            return _unsealed(list(argv), root)
        spec = sandbox.Spec(root, allow=allow, allow_env=allow_env, ssh_agent=ssh_agent, docker=allow_docker,
                            agent=os.path.basename(argv[0]))
        return launch.run_sealed(list(argv), spec, redact_output=inner, announce=not inner,
                                 cwd_file=cwd_file if inner else None)
    except _Exit as exc:
        click.echo(f"secretguard: {exc}", err=True)
        return exc.code
    except SecretguardError as exc:
        click.echo(f"secretguard: {exc}", err=True)
        return FAILED


class _Exit(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _check_command(argv0: str) -> None:
    import shutil

    if "/" in argv0:
        if not os.path.exists(argv0):
            raise _Exit(f"{argv0}: command not found", 127)
        if not os.access(argv0, os.X_OK) or os.path.isdir(argv0):
            raise _Exit(f"{argv0}: permission denied (not executable)", 126)
    elif shutil.which(argv0) is None:
        raise _Exit(f"{argv0}: command not found", 127)


def _unsealed(argv: list[str], root: str) -> int:
    from secretguard.audit import log

    click.echo("secretguard: running UNSEALED: no wall, the hooks are the only guard (--unsealed)", err=True)
    log.record("session", action="session.start", argv=argv[:1], project=root, sealed=False)
    import subprocess

    rc = subprocess.call(argv)
    log.record("session", action="session.end", argv=argv[:1], project=root, exit_code=rc, sealed=False)
    return 128 - rc if rc < 0 else rc
