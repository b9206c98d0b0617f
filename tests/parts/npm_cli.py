"""Agent CLIs from the npm registry, installed once per machine into a cache folder.

`npm install --prefix DIR PACKAGE@VERSION` in a folder with its own package.json (npm otherwise
walks up to the nearest parent that has one). Returns the path of the CLI, or None with the
reason when npm or the registry is not there, so a test can fail saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

PINNED = {"@openai/codex": ("0.171.0", "codex"), "@google/gemini-cli": ("0.61.0", "gemini"),
          "@github/copilot": ("1.0.102", "copilot")}


def cache_root() -> Path:
    return Path(os.environ.get("SECRETGUARD_NPM_CACHE") or Path.home() / ".cache" / "secretguard-test-clis")


def install(package: str, timeout: float = 300) -> tuple[str | None, str]:
    """(path of the CLI, "") or (None, why not)."""
    version, binary = PINNED[package]
    folder = cache_root() / f"{package.replace('/', '_').lstrip('@')}-{version}"
    exe = folder / "node_modules" / ".bin" / binary
    if exe.exists():
        return str(exe), ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not installed"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps({"name": "secretguard-test-cli", "private": True}))
    try:
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--save-exact", f"{package}@{version}"],
                              cwd=folder, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"npm install {package} timed out"
    if proc.returncode != 0 or not exe.exists():
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"npm install {package}@{version} failed: {tail}"
    return str(exe), ""
