"""Commands that reach elsewhere: ssh, containers (docker/kubectl exec), secret stores (vault, aws...)."""

from __future__ import annotations

import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import split_opts
from secretguard.guard.shell.paths import check_read, tool_args
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin
from secretguard.guard.shell.words import is_static, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer


def ssh(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """ssh: the remote command (or script on stdin) is judged too, in an unknown directory."""
    opts, operands = split_opts(args, lits, C.Spec("BbcDEeFIiJLlmOoPpQRSWw", ()), stop_at_operand=True)
    for o, vals in opts:
        for val in vals:
            for v in val:
                if o == "o" and re.match(r"(?i)^\s*(proxycommand|localcommand|knownhostscommand)", plain(v)):
                    a.hit(ASK, "bash.dynamic", "`ssh -o ...Command=` runs a local command")
                elif o == "F":
                    check_read(a, v, scope, "`ssh -F`", dyn=None)
    if len(operands) > 1:
        remote = operands[1:]
        if any(len(arg) != 1 or not is_static(arg[0]) for arg in remote):
            a.hit(ASK, "bash.dynamic", "`ssh` runs a remote command computed at run time")
            return
        a.run_text(" ".join(plain(arg[0]) for arg in remote), Scope(None, {}, None), 1, "the remote command")
    elif stdin is not None and stdin.text is not None:
        a.run_text(stdin.text, Scope(None, {}, None), 1, "the remote script")


def container_exec(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
                   stdin: Stdin | None) -> None:
    """docker/kubectl exec and run: the command inside; `compose config` prints .env values."""
    positional = [i for i, t in enumerate(lits) if t is not None and not t.startswith("-")]
    if not positional:
        return
    sub = lits[positional[0]]
    words = [t for t in lits if t is not None and not t.startswith("-")]
    if ((base == "docker-compose" and words[:1] in (["config"], ["convert"])) or
            (sub == "compose" and words[1:2] in (["config"], ["convert"]))) and not any(
            t in _COMPOSE_LISTS for t in lits):
        a.hit(DENY, "bash.secret-cli", "`docker compose config` prints the configuration with the .env "
                                       "values filled in")
        return
    if base in ("docker", "podman", "nerdctl") and sub in ("exec", "run") or \
            base in ("kubectl", "oc") and sub == "exec":
        if "--" in lits:
            rest = args[lits.index("--") + 1:]
        elif base in ("kubectl", "oc"):
            rest = []
        else:
            value_opts = {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "-v", "--volume",
                          "--name", "-p", "--publish", "--network", "--entrypoint", "--mount", "-l", "--label",
                          "--platform", "--pull", "-m", "--memory", "--cpus", "--gpus", "--add-host", "--hostname",
                          "-h", "--restart", "--user", "--detach-keys", "--cidfile", "--log-driver", "--shm-size"}
            i = positional[0] + 1
            while i < len(args) and lits[i] and lits[i].startswith("-"):
                t = lits[i]
                if t in ("--env-file",) and i + 1 < len(args):
                    check_read(a, args[i + 1][0], scope, f"`{base} {sub} --env-file`", dyn=None)
                i += 2 if t in value_opts else 1
            rest = args[i + 1:]  # skip the container or image
        if rest:
            a.run_args(rest, Scope(None, {}, None), stdin)
        tool_args(a, base, args[:len(args) - len(rest)], lits[:len(args) - len(rest)], scope)
        return
    found = C.secret_cli(base, lits)
    if found:
        a.hit(found[0], "bash.secret-cli", found[1])
        return
    tool_args(a, base, args, lits, scope)


# `compose config` with these prints names, hashes or nothing: no value from the .env file
_COMPOSE_LISTS = {"--services", "--volumes", "--profiles", "--images", "--networks", "-q", "--quiet", "--hash"}


def secret_store(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
                 stdin: Stdin | None) -> None:
    """vault, aws, gcloud...: the subcommands that print a secret (commands.secret_cli names them)."""
    level, reason = C.secret_cli(base, lits)
    a.hit(level, "bash.secret-cli", reason)
