"""The wall, built with bubblewrap: what a sealed session sees, as bwrap arguments and an environment.

    system dirs        read-only (`--ro-bind / /`)
    HOME               empty, except the allow-list of guard.wall (agents' own state, toolchains and
                       caches read-write; public halves of credential stores read-only; a sanitised
                       ~/.gitconfig); credential files inside allowed dirs are masked with /dev/null
    the project        read-write; its agent hook settings read-only
    /tmp, /run         private and empty (D-Bus, keyring, ssh-agent, Docker sockets are not there)
    other homes        not there
    /proc              the session's own processes only (a PID namespace)
    secretguard        its installation read-only; its config, state and cache dirs not there

The environment is the caller's minus ambient credentials (exec's filter) and minus any variable
whose value a content rule flags; `allow_env` re-admits names. Kernel confinement (no ptrace, no
abstract sockets outside) is session.confine, applied by the launcher.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile

from secretguard.errors import SecretguardError
from secretguard.guard import wall

HOOK_FILES = (".claude/settings.json", ".claude/settings.local.json", ".git/hooks", ".cursor/hooks.json",
              ".codex/hooks.json", ".codex/config.toml", ".gemini/settings.json", ".github/hooks",
              "secretguard.toml", ".secretguardignore", ".secretguard-baseline.json", ".pre-commit-config.yaml")
README_HINT = "see the README's 'Sealed sessions' section"
MAX_HIDE_WALK = 20000


class SandboxError(SecretguardError):
    """The wall cannot be built here: say why, never fall back silently."""


class Spec:
    """What one sealed session gets."""

    def __init__(self, project: str, *, allow: tuple[str, ...] = (), allow_env: tuple[str, ...] = (),
                 ssh_agent: bool = False, docker: bool = False, agent: str | None = None,
                 broker_dir: str | None = None, home: str | None = None) -> None:
        self.project = os.path.realpath(project)
        self.home = os.path.realpath(home or os.path.expanduser("~"))
        self.allow = tuple(os.path.realpath(os.path.expanduser(p)) for p in allow)
        self.agent = agent
        agent_env = wall.AGENTS.get(agent or "", {}).get("env", ())
        self.allow_env = tuple(dict.fromkeys(tuple(allow_env) + tuple(agent_env)))
        self.ssh_agent, self.docker, self.broker_dir = ssh_agent, docker, broker_dir


def bwrap_path() -> str:
    found = shutil.which("bwrap")
    if not found:
        raise SandboxError(f"cannot seal the session: bubblewrap (bwrap) is not installed "
                           f"(apt-get install bubblewrap; {README_HINT})")
    return found


def check_works(bwrap: str) -> None:
    """bwrap exists but may not start here (no user namespaces in a locked-down container)."""
    try:
        proc = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-pid", "--proc", "/proc", "--dev", "/dev",
                               "--", "/bin/true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxError(f"cannot seal the session: bubblewrap does not start ({exc}; {README_HINT})") from None
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise SandboxError(f"cannot seal the session: bubblewrap cannot start here ({why}; {README_HINT})")


def build(spec: Spec, scratch: str) -> list[str]:
    """bwrap arguments (without the command) for `spec`; `scratch` is a private dir for files we write."""
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--unshare-pid", "--proc", "/proc", "--unshare-ipc",
            "--unshare-cgroup-try", "--die-with-parent", "--cap-drop", "ALL"]
    args += _hide_system(spec)
    args += _home(spec, scratch)
    args += ["--bind", spec.project, spec.project]
    for path in spec.allow:
        if os.path.exists(path):
            args += ["--bind", path, path]
    args += _read_only_inside(spec)
    args += _hidden_own_dirs(spec)
    if spec.broker_dir:
        args += ["--bind", spec.broker_dir, spec.broker_dir]
    args += ["--chdir", _start_dir(spec)]
    return args


def _start_dir(spec: Spec) -> str:
    """Where the command starts: the caller's directory when the session can see it, else the project."""
    cwd = os.path.realpath(os.getcwd())
    if any(_under(cwd, base) for base in (spec.project, *spec.allow)):
        return cwd
    if any(_under(cwd, hidden) for hidden in ("/tmp", "/var/tmp", "/run", "/home", "/root", spec.home)):
        return spec.project
    return cwd


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _hide_system(spec: Spec) -> list[str]:
    args = ["--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run"]
    if os.path.isdir("/var/run") and not os.path.islink("/var/run"):
        args += ["--tmpfs", "/var/run"]
    # name resolution may live under /run (systemd-resolved's stub resolv.conf)
    for keep in ("/run/systemd/resolve", "/run/resolvconf"):
        if os.path.isdir(keep):
            args += ["--ro-bind", keep, keep]
    if spec.docker:
        for sock in wall.DOCKER_SOCKETS:
            if os.path.exists(sock):
                args += ["--bind", sock, sock]
    if spec.ssh_agent and os.environ.get("SSH_AUTH_SOCK"):
        sock = os.path.realpath(os.environ["SSH_AUTH_SOCK"])
        if os.path.exists(sock):
            args += ["--bind", sock, sock]
    # other users' homes (and root's, when it is not ours)
    for base in ("/home", "/root", "/var/lib/docker"):
        if os.path.isdir(base) and not _under(base, spec.home):
            args += ["--tmpfs", base]
    return args


def _home(spec: Spec, scratch: str) -> list[str]:
    home = spec.home
    args = ["--tmpfs", home]
    user_allow = wall.user_allow_list()
    for rel in wall.home_allowed(user_allow):
        path = rel if os.path.isabs(rel) else os.path.join(home, rel)
        if os.path.lexists(path):
            args += ["--bind", path, path] if not os.path.islink(path) else ["--ro-bind", path, path]
    for rel in wall.PUBLIC_FILES:
        path = os.path.join(home, rel)
        if os.path.isfile(path):
            args += ["--ro-bind", path, path]
    for pattern in wall.PUBLIC_GLOBS:
        for path in sorted(glob.glob(os.path.join(home, pattern))):
            if os.path.isfile(path):
                args += ["--ro-bind", path, path]
    for rel in wall.SCANNED_FILES:
        path = os.path.join(home, rel)
        if os.path.isfile(path) and not _holds_secret(path):
            args += ["--ro-bind", path, path]
    gitconfig = os.path.join(home, wall.SANITISED_GITCONFIG)
    if os.path.isfile(gitconfig):
        clean = os.path.join(scratch, "gitconfig")
        with open(clean, "w", encoding="utf-8") as fh:
            fh.write(sanitise_gitconfig(gitconfig))
        args += ["--ro-bind", clean, gitconfig]
    args += _mask_credential_files(spec, [os.path.join(home, r) for r in wall.home_allowed(user_allow)])
    return args


def _holds_secret(path: str) -> bool:
    from pathlib import Path

    from secretguard.scan.engine import check_file

    try:
        return bool(check_file(Path(path), Path(os.path.dirname(path))))
    except SecretguardError:
        return True  # cannot tell: keep it hidden


def _mask_credential_files(spec: Spec, roots: list[str]) -> list[str]:
    """Credential files by name (the file-rule catalogue) inside allowed HOME dirs: /dev/null over them."""
    from secretguard.guard.paths import Judge

    judge = Judge(spec.home, home=spec.home)
    args: list[str] = []
    seen = 0
    skip = {"node_modules", "registry", "git", "pip", "uv", "wheels", "__pycache__", "toolchains", "versions",
            "pkgs", "site-packages"}
    for root in roots:
        if not os.path.isdir(root) or os.path.islink(root):
            if os.path.isfile(root) and judge.secret_name(root):
                args += ["--ro-bind", "/dev/null", root]
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in skip]
            for name in filenames:
                seen += 1
                if seen > MAX_HIDE_WALK:
                    return args
                path = os.path.join(dirpath, name)
                if judge.secret_name(path) and os.path.isfile(path):
                    args += ["--ro-bind", "/dev/null", path]
    return args


def _read_only_inside(spec: Spec) -> list[str]:
    """secretguard's installation and the project's hook settings: visible, never writable."""
    args = []
    install = {os.path.realpath(sys.prefix), os.path.dirname(os.path.dirname(os.path.realpath(__file__)))}
    exe = shutil.which("secretguard")
    if exe:
        install.add(os.path.dirname(os.path.realpath(exe)))
    for path in sorted(install):
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    for rel in HOOK_FILES:
        path = os.path.join(spec.project, rel)
        if os.path.lexists(path) and not os.path.islink(path):
            args += ["--ro-bind", path, path]
    return args


def _hidden_own_dirs(spec: Spec) -> list[str]:
    from secretguard.paths import cache_dir, config_dir, state_dir

    args = []
    for path in (config_dir(), state_dir(), cache_dir()):
        path = os.path.realpath(path)
        if os.path.isdir(path) and not _under(spec.project, path):
            args += ["--tmpfs", path]
    return args


def sanitise_gitconfig(path: str) -> str:
    """Identity, aliases and harmless core settings only: no credential helpers, no URLs with
    userinfo, no includes (they could pull in anything)."""
    out: list[str] = []
    keep_sections = {"user", "alias", "core", "color", "init", "pull", "push", "merge", "diff", "rebase",
                     "fetch", "log", "status", "branch", "advice", "safe"}
    keep = False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped[1:].split("]", 1)[0].split()[0].strip('"').lower() if stripped[1:] else ""
            keep = section in keep_sections
            if keep:
                out.append(stripped)
            continue
        if keep and stripped and not stripped.startswith(("#", ";")):
            key = stripped.split("=", 1)[0].strip().lower()
            if key in ("sshcommand", "askpass", "hookspath", "fsmonitor", "editor", "pager") or "@" in stripped \
                    and "://" in stripped:
                continue
            out.append("\t" + stripped)
    return "\n".join(out) + "\n"


def scrub_env(env: dict[str, str], spec: Spec, rules_root: str | None = None) -> tuple[dict[str, str], list[str]]:
    """(the session's environment, the names removed). Never returns a removed value."""
    from secretguard.vault.child import is_ambient_credential

    drop = {"SSH_AUTH_SOCK", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SSH_AGENT_PID",
            "GPG_AGENT_INFO", "KRB5CCNAME", "DOCKER_HOST"}
    if spec.ssh_agent:
        drop.discard("SSH_AUTH_SOCK")
    removed: list[str] = []
    kept: dict[str, str] = {}
    flagged = _flagged_by_rules(env, rules_root or spec.project)
    for name, value in env.items():
        upper = name.upper()
        if name in spec.allow_env:
            kept[name] = value
        elif name in drop or upper.startswith(("VAULT_", "BAO_", "AWS_", "SECRETGUARD_")) or \
                is_ambient_credential(name) or name in flagged:
            removed.append(name)
        else:
            kept[name] = value
    return kept, sorted(removed)


def _flagged_by_rules(env: dict[str, str], root: str) -> set[str]:
    """Names whose value a content rule flags, whatever the name says."""
    from secretguard.scan.redact import detector_for

    detector = detector_for(root)
    names = list(env)
    text = "\n".join(f"{n}={env[n]!r}" for n in names)
    flagged = set()
    starts = []
    pos = 0
    for n in names:
        starts.append(pos)
        pos += len(f"{n}={env[n]!r}") + 1
    import bisect

    for start, _end, _rule, _m in detector.secret_spans(text, "environment"):
        flagged.add(names[bisect.bisect_right(starts, start) - 1])
    return flagged


def scratch_dir() -> str:
    return tempfile.mkdtemp(prefix="secretguard-session-")
