"""Where secretguard keeps its own files: XDG directories, always outside any workspace."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from secretguard.errors import ConfigError


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    base = Path(value) if value and os.path.isabs(value) else Path.home() / default
    return base / "secretguard"


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state")


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache")


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def find_executable() -> str:
    """The absolute path of the installed `secretguard`, so a changed PATH cannot disable the hook."""
    candidates: list[str] = []
    if sys.argv and os.path.basename(sys.argv[0]) == "secretguard":
        candidates.append(sys.argv[0])
    candidates.append(os.path.join(os.path.dirname(sys.executable), "secretguard"))
    found = which("secretguard")
    if found:
        candidates.append(found)
    for candidate in candidates:
        path = os.path.abspath(candidate)
        if "/shims/" in path:  # pyenv/asdf shims re-resolve on every call, through PATH
            continue
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.realpath(path) if not _is_venv_script(path) else path
    raise ConfigError("cannot find the installed `secretguard` executable; install the package first")


def _is_venv_script(path: str) -> bool:
    # a venv's bin/ may be a symlink farm: keep the script's own path, which names the venv's python
    return os.path.exists(os.path.join(os.path.dirname(path), "activate"))


def user_key() -> bytes:
    """The user's own fingerprint key, for scans without a baseline. Kept in the state dir."""
    path = state_dir() / "fingerprint.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        import secrets

        key = secrets.token_bytes(32)
        try:
            ensure_private_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(key.hex())
        except OSError:
            pass  # fingerprints then differ from run to run; findings are still right
        return key


def which(name: str) -> str | None:
    """shutil.which without importing shutil (and bz2, lzma): the hooks run before every tool call."""
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(directory or ".", name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None
