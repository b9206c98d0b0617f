"""Shell command analysis for the guard: allow, ask or deny, with a reason.

    analyze_command("cat .env | base64", cwd, GuardEnv(secret_path=...)) -> Decision("deny", ...)

The analysis knows shells, not rules files: whether a path is a credential file is the
GuardEnv's predicates' business, so tests can drive it with a simple name check.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from typing import Callable

from secretguard.guard.events import LEVELS, Decision
from secretguard.guard.shell.analyze import Analyzer
from secretguard.guard.shell.state import ASK, DENY, Scope, _TooBig

MAX_COMMAND = 100_000
# Dependency and cache directories a recursive read is not followed into (the scan skips them too).
SKIP_DIRS = frozenset({"node_modules", "bower_components", ".venv", "venv", ".virtualenvs", "__pycache__", ".tox",
                       ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".eggs", ".gradle",
                       ".next", ".nuxt", ".parcel-cache", ".turbo", ".svelte-kit", ".pnpm-store"})


class GuardEnv:
    """What the analysis asks the outside world.

    secret_path(path): why the file at this absolute path is a credential file (name rules,
        then its content when it exists), or None.
    secret_name(path): the same judged by name (and, for names that need it, content) only:
        cheap enough to run over every file of a directory walk.
    protected_path(path): why this path must not be changed by the agent (secretguard's own
        settings, state and hooks), or None.
    exec_decision(argv): (level, reason) for a `secretguard exec` command line, level 0-2.
    """

    def __init__(self, secret_path: Callable[[str], str | None],
                 secret_name: Callable[[str], str | None] | None = None,
                 protected_path: Callable[[str], str | None] | None = None,
                 exec_decision: Callable[[list[str]], tuple[int, str]] | None = None,
                 home: str | None = None, walk_limit: int = 20000) -> None:
        self.secret_path = secret_path
        self.secret_name = secret_name or secret_path
        self.protected_path = protected_path or (lambda path: None)
        self.exec_decision = exec_decision
        self.home = home or os.path.expanduser("~")
        self.walk_limit = walk_limit

    def secret_files_under(self, directory: str, hidden: bool = True) -> list[str] | None:
        """Credential files a recursive read of `directory` would reach; None if too many to check."""
        found: list[str] = []
        seen = 0
        stack = [directory]
        while stack:
            current = stack.pop()
            try:
                entries = os.scandir(current)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    seen += 1
                    if seen > self.walk_limit:
                        return None
                    name = entry.name
                    if not hidden and name.startswith("."):
                        continue
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    if is_dir:
                        if name == ".git":
                            # its config holds remote URLs, which may carry a token: judge its content
                            config = os.path.join(entry.path, "config")
                            if self.secret_path(config):
                                found.append(config)
                        elif name not in SKIP_DIRS:
                            stack.append(entry.path)
                    elif (self.secret_path if name == "config" and os.path.basename(current) == ".git"
                          else self.secret_name)(entry.path):
                        found.append(entry.path)
        return sorted(found)


def analyze_command(command: str, cwd: str | None, env: GuardEnv) -> Decision:
    """Judge one Bash tool command run in `cwd`."""
    if len(command) > MAX_COMMAND:
        return Decision("ask", "the command is too long to analyze", "bash.unparsed")
    analyzer = Analyzer(env)
    try:
        analyzer.run_text(command, Scope(cwd), 0)
    except (_TooBig, RecursionError):
        return Decision("ask", "the command is too complex to analyze", "bash.unparsed")
    return decide(analyzer.hits)


def decide(hits: list[tuple[int, str, str]]) -> Decision:
    unique = list(dict.fromkeys(hits))
    if not unique:
        return Decision("allow", "no credential access found", "bash.clean")
    level = max(h[0] for h in unique)
    first = next(h for h in unique if h[0] == level)
    return Decision(LEVELS[level], first[2], first[1], unique)


__all__ = ["ASK", "DENY", "Decision", "GuardEnv", "analyze_command", "decide"]
