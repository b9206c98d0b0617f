"""Project settings: `secretguard.toml` at the scanned root, or `[tool.secretguard]` in pyproject.toml.

Validated strictly: an unknown key or a wrong type is a ConfigError naming the file and the key.
Built-in defaults (skipped directories, size limit) are data in `defaults.toml`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretguard.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT_FILE = "secretguard.toml"
IGNORE_FILE = ".secretguardignore"
DEFAULT_BASELINE = ".secretguard-baseline.json"

# key -> expected type; "profiles" belongs to `secretguard exec`, which validates it when it reads it.
SCAN_KEYS: dict[str, type] = {
    "exclude": list, "skip_dirs": list, "disable_rules": list, "rule_files": list,
    "baseline": str, "max_file_size": int, "profiles": dict, "gate": str,
}
# `gate`: which findings block an agent session, by confidence (see scan/confidence.py)
GATE_VALUES = ("all", "medium", "high")


TYPE_NAMES = {list: "a list", str: "a string", int: "an integer", dict: "a table"}


@dataclass(frozen=True)
class Settings:
    root: Path
    exclude: tuple[str, ...] = ()           # gitignore-style, from config, ignore file and --exclude
    skip_dirs: tuple[str, ...] = ()
    disable_rules: tuple[str, ...] = ()
    rule_files: tuple[Path, ...] = ()
    baseline: Path | None = None
    max_file_size: int = 100 * 1024 * 1024
    source: str | None = None               # the settings file, for messages
    profiles: dict[str, Any] = field(default_factory=dict)
    gate: str = "medium"                    # all | medium (high and medium block) | high
    skip_reasons: dict[str, str] = field(default_factory=dict)  # skip_dirs pattern -> why (defaults.toml)

    def digest(self) -> str:
        """What the scan results depend on, for the cache key."""
        doc = [self.exclude, self.skip_dirs, self.disable_rules, [str(p) for p in self.rule_files],
               self.max_file_size]
        return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def find_project_table(root: Path) -> tuple[dict[str, Any], Path | None]:
    """The project's raw settings table and the file it came from (secretguard.toml wins)."""
    own = root / PROJECT_FILE
    if own.is_file():
        return read_toml(own), own
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = read_toml(pyproject).get("tool", {}).get("secretguard")
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError(f"{pyproject}: [tool.secretguard] must be a table")
            return table, pyproject
    return {}, None


def load_settings(root: Path, extra_excludes: tuple[str, ...] = ()) -> Settings:
    defaults = tomllib.loads((Path(__file__).parent / "defaults.toml").read_text())
    table, source = find_project_table(root)
    where = f"{source}" + (": [tool.secretguard]" if source and source.name == "pyproject.toml" else "")
    for key, value in table.items():
        expected = SCAN_KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{where}: unknown key {key!r}")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ConfigError(f"{where}: {key!r} must be {TYPE_NAMES[expected]}")
        if expected is list and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: {key!r} must be a list of strings")
    if table.get("gate", "medium") not in GATE_VALUES:
        raise ConfigError(f"{where}: 'gate' must be one of {', '.join(repr(v) for v in GATE_VALUES)} "
                          f"(which findings block an agent session: all, high and medium, or high only)")
    base = source.parent if source else root
    baseline = table.get("baseline")
    return Settings(
        root=root,
        exclude=tuple(table.get("exclude", [])) + read_ignore_file(root) + tuple(extra_excludes),
        skip_dirs=tuple(defaults["skip_dirs"]) + tuple(table.get("skip_dirs", [])),
        disable_rules=tuple(table.get("disable_rules", [])),
        rule_files=tuple(base / p for p in table.get("rule_files", [])),
        baseline=base / baseline if baseline else None,
        max_file_size=table.get("max_file_size", defaults["max_file_size"]),
        source=where or None,
        profiles=table.get("profiles", {}),
        gate=table.get("gate", "medium"),
        skip_reasons={**dict(defaults["skip_dirs"]), **{p: "skip_dirs in the project's settings"
                                                         for p in table.get("skip_dirs", [])}},
    )


def read_ignore_file(root: Path) -> tuple[str, ...]:
    path = root / IGNORE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return tuple(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
