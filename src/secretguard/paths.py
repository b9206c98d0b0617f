"""Where secretguard keeps its own files: XDG directories, always outside any workspace."""

from __future__ import annotations

import os
from pathlib import Path


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
