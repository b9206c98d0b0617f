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

import os
import sys

from secretguard.errors import SecretguardError
from secretguard.guard import wall
from secretguard.paths import which

HOOK_FILES = (".claude/settings.json", ".claude/settings.local.json", ".git/hooks", ".cursor/hooks.json",
              ".codex/hooks.json", ".codex/config.toml", ".gemini/settings.json", ".github/hooks",
              "secretguard.toml", ".secretguardignore", ".secretguard-baseline.json", ".pre-commit-config.yaml")
README_HINT = "see the README's 'Sealed sessions' section"
MAX_HIDE_WALK = 5000


class SandboxError(SecretguardError):
    """The wall cannot be built here: say why, never fall back silently."""


class Spec:
    """What one sealed session gets."""

    def __init__(self, project: str, *, allow: tuple[str, ...] = (), allow_env: tuple[str, ...] = (),
                 ssh_agent: bool = False, docker: bool = False, agent: str | None = None,
                 broker_dir: str | None = None, home: str | None = None, inner: bool = False) -> None:
        self.project = os.path.realpath(project)
        self.home = os.path.realpath(home or os.path.expanduser("~"))
        self.allow = tuple(os.path.realpath(os.path.expanduser(p)) for p in allow)
        self.agent = agent
        agent_env = wall.AGENTS.get(agent or "", {}).get("env", ())
        self.allow_env = tuple(dict.fromkeys(tuple(allow_env) + tuple(agent_env)))
        self.ssh_agent, self.docker, self.broker_dir = ssh_agent, docker, broker_dir
        # a sealed tool command (not the agent itself) also loses the agents' own login files
        self.inner = inner


def bwrap_path() -> str:
    found = which("bwrap")
    if not found:
        raise SandboxError(f"cannot seal the session: bubblewrap (bwrap) is not installed "
                           f"(apt-get install bubblewrap; {README_HINT})")
    return found


def check_works(bwrap: str) -> None:
    """bwrap exists but may not start here (no user namespaces in a locked-down container).
    A success is remembered for a while in the cache dir: sealed commands skip the probe."""
    import time

    from secretguard.paths import cache_dir

    stamp = os.path.join(str(cache_dir()), "bwrap-works")
    try:
        if time.time() - os.stat(stamp).st_mtime < 600 and os.stat(stamp).st_mtime > os.stat(bwrap).st_mtime:
            return
    except OSError:
        pass
    _probe(bwrap)
    try:
        from secretguard.paths import ensure_private_dir

        ensure_private_dir(cache_dir())
        with open(stamp, "w", encoding="utf-8"):
            pass
    except OSError:
        pass


def _probe(bwrap: str) -> None:
    import subprocess

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
    if spec.inner:
        for rel in wall.AGENT_LOGIN_FILES:
            path = os.path.join(spec.home, rel)
            if os.path.isfile(path):
                args += ["--ro-bind", "/dev/null", path]
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
    """HOME's mounts. Computing them walks the allowed directories, so they are cached (keyed on the
    allowed directories' mtimes, for a few minutes): a sealed shell command pays only for stats."""
    import hashlib
    import json
    import time

    from secretguard.paths import cache_dir, ensure_private_dir

    user_allow = wall.user_allow_list()
    # Directories change all the time (caches); the files below decide what is shown or masked by
    # name. A credential file created elsewhere in an allowed dir is masked within CACHE_SECONDS.
    stamps = []
    watched = (wall.PUBLIC_FILES + wall.SCANNED_FILES + wall.TOKEN_FILES + (wall.SANITISED_GITCONFIG,))
    for path in [os.path.join(spec.home, p) for p in watched]:
        try:
            st = os.stat(path)
            stamps.append([path, st.st_mtime_ns, st.st_ino])
        except OSError:
            stamps.append([path, None, None])
    key = hashlib.sha256(json.dumps([spec.home, user_allow, CACHE_VERSION]).encode()).hexdigest()[:24]
    cache = os.path.join(str(cache_dir()), f"wall-{key}.json")
    gitconfig = os.path.join(spec.home, wall.SANITISED_GITCONFIG)
    clean = os.path.join(scratch, "gitconfig")
    try:
        with open(cache, encoding="utf-8") as fh:
            doc = json.load(fh)
        if doc["stamps"] == stamps and time.time() - doc["created"] < CACHE_SECONDS:
            return _with_gitconfig(doc["args"], gitconfig, clean)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    args = _home_uncached(spec, user_allow)
    try:
        ensure_private_dir(cache_dir())
        tmp = f"{cache}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            json.dump({"stamps": stamps, "created": time.time(), "args": args}, fh)
        os.replace(tmp, cache)
    except OSError:
        pass  # computed again next time
    return _with_gitconfig(args, gitconfig, clean)


CACHE_VERSION = 1
CACHE_SECONDS = 1800  # known token files (wall.TOKEN_FILES) invalidate it at once; others by age


def _with_gitconfig(args: list[str], gitconfig: str, clean: str) -> list[str]:
    if not os.path.isfile(gitconfig):
        return args
    with open(clean, "w", encoding="utf-8") as fh:
        fh.write(sanitise_gitconfig(gitconfig))
    return args + ["--ro-bind", clean, gitconfig]


def _home_uncached(spec: Spec, user_allow: tuple[str, ...]) -> list[str]:
    home = spec.home
    args = ["--tmpfs", home]
    for rel in wall.home_allowed(user_allow):
        path = rel if os.path.isabs(rel) else os.path.join(home, rel)
        if os.path.lexists(path):
            args += ["--bind", path, path] if not os.path.islink(path) else ["--ro-bind", path, path]
    for rel in wall.PUBLIC_FILES:
        path = os.path.join(home, rel)
        if os.path.isfile(path):
            args += ["--ro-bind", path, path]
    import glob

    for pattern in wall.PUBLIC_GLOBS:
        for path in sorted(glob.glob(os.path.join(home, pattern))):
            if os.path.isfile(path):
                args += ["--ro-bind", path, path]
    for rel in wall.SCANNED_FILES:
        path = os.path.join(home, rel)
        if os.path.isfile(path) and not _holds_secret(path):
            args += ["--ro-bind", path, path]
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
    """Credential files inside allowed HOME dirs, masked with /dev/null: the known places tools keep
    tokens, and whatever the file-rule catalogue names in the top levels of each allowed dir
    (package stores and toolchain trees below that hold code, not credentials)."""
    from secretguard.guard.paths import Judge

    judge = Judge(spec.home, home=spec.home)
    found = [os.path.join(spec.home, rel) for rel in wall.TOKEN_FILES if os.path.isfile(os.path.join(spec.home, rel))]
    seen = 0
    for root in roots:
        if os.path.islink(root) or not os.path.isdir(root):
            if os.path.isfile(root) and judge.secret_name(root):
                found.append(root)
            continue
        base_depth = root.rstrip("/").count("/")
        for dirpath, dirnames, filenames in os.walk(root):
            if dirpath.count("/") - base_depth >= MASK_DEPTH:
                dirnames[:] = []
            else:
                dirnames[:] = [d for d in dirnames if d not in MASK_SKIP]
            for name in filenames:
                seen += 1
                if seen > MAX_HIDE_WALK:
                    break
                path = os.path.join(dirpath, name)
                if judge.secret_name(path):
                    found.append(path)
    return [a for path in sorted(set(found)) if os.path.isfile(path) for a in ("--ro-bind", "/dev/null", path)]


MASK_DEPTH = 3
MASK_SKIP = frozenset({"node_modules", "registry", "git", "pip", "uv", "wheels", "__pycache__", "toolchains",
                       "versions", "pkgs", "site-packages", "_cacache", "objects", "lib", "share", "include"})


def _read_only_inside(spec: Spec) -> list[str]:
    """secretguard's installation and the project's hook settings: visible, never writable."""
    args = []
    # the venv, the interpreter it was made from (pyenv keeps it under HOME), the package itself
    install = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
               os.path.dirname(os.path.dirname(os.path.realpath(__file__)))}
    exe = which("secretguard")
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
    from secretguard.vault.ambient import is_ambient_credential

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
    """Names whose value a content rule flags, whatever the name says. The answer is cached under
    an HMAC of the whole environment (the agent's environment rarely changes between commands)."""
    import hashlib
    import hmac
    import json

    from secretguard.paths import cache_dir, ensure_private_dir, user_key

    digest = hmac.new(user_key(), json.dumps(sorted(env.items())).encode("utf-8", "surrogateescape"),
                      hashlib.sha256).hexdigest()[:32]
    cache = os.path.join(str(cache_dir()), f"env-{digest}.json")
    try:
        with open(cache, encoding="utf-8") as fh:
            return set(json.load(fh))
    except (OSError, ValueError):
        pass
    flagged = _flag_values(env, root)
    try:
        ensure_private_dir(cache_dir())
        with open(cache, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            json.dump(sorted(flagged), fh)
    except OSError:
        pass
    return flagged


def _flag_values(env: dict[str, str], root: str) -> set[str]:
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
    """A private directory for the files a session needs (tempfile.mkdtemp without its imports)."""
    # /tmp first: the broker's socket path must stay under the 108 bytes of a unix socket address,
    # and agents set long TMPDIRs of their own
    base = "/tmp" if os.access("/tmp", os.W_OK) else (os.environ.get("TMPDIR") or "/tmp")
    for _ in range(100):
        path = os.path.join(base, f"secretguard-session-{os.urandom(6).hex()}")
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue
    raise SandboxError(f"cannot create a private directory in {base}")


def remove_scratch(path: str) -> None:
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames + dirnames:
            full = os.path.join(dirpath, name)
            try:
                os.rmdir(full) if name in dirnames and not os.path.islink(full) else os.unlink(full)
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass
