"""Shell command analysis for the guard: allow, ask or deny, with a reason.

    analyze_command("cat .env | base64", cwd, GuardEnv(secret_path=...)) -> Decision("deny", ...)

The analysis knows shells, not rules files: whether a path is a credential file is the
GuardEnv's predicates' business, so tests can drive it with a simple name check.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from typing import Callable, Iterator

from secretguard.guard.events import LEVELS, Decision
from secretguard.guard.shell.analyze import Analyzer
from secretguard.guard.shell.state import ASK, DENY, Scope, _TooBig

MAX_COMMAND = 100_000
# Dependency and cache directories a recursive read is not followed into (the scan skips them too).
SKIP_DIRS = frozenset({"node_modules", "bower_components", ".venv", "venv", ".virtualenvs", "__pycache__", ".tox",
                       ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".eggs", ".gradle",
                       ".next", ".nuxt", ".parcel-cache", ".turbo", ".svelte-kit", ".pnpm-store"})

# Where agents keep hook settings (and git its hooks): the directory name, the children that matter.
_HOOK_DIRS = {".claude": (), ".codex": ("hooks.json", "config.toml"), ".cursor": ("hooks.json",),
              ".gemini": ("settings.json",), ".copilot": ("settings.json", "hooks"), ".github": ("hooks",),
              ".git": ("hooks", "config")}
_PROJECT_FILES = {"secretguard.toml", ".secretguardignore", ".secretguard-baseline.json"}
_HOME_HOOK_FILES = (".claude/settings.json", ".claude/settings.local.json", ".codex/hooks.json", ".codex/config.toml",
                    ".cursor/hooks.json", ".gemini/settings.json", ".copilot/settings.json", ".copilot/hooks")
MAX_PROTECTED_DEPTH = 6


class GuardEnv:
    """What the analysis asks the outside world.

    secret_path(path): why the file at this absolute path is a credential file (name rules,
        then its content when it exists), or None.
    secret_name(path): the same judged by name (and, for names that need it, content) only:
        cheap enough to run over every file of a directory walk.
    protected_path(path): why this path must not be changed by the agent (secretguard's own
        settings, state and hooks), or None.
    exec_decision(argv): (level, reason) for a `secretguard exec` command line, level 0-2.
    path: the PATH commands are looked up in (`$(which secretguard)`); the process's PATH by default.
    """

    def __init__(self, secret_path: Callable[[str], str | None],
                 secret_name: Callable[[str], str | None] | None = None,
                 protected_path: Callable[[str], str | None] | None = None,
                 exec_decision: Callable[[list[str]], tuple[int, str]] | None = None,
                 home: str | None = None, walk_limit: int = 20000, path: str | None = None) -> None:
        self.secret_path = secret_path
        self.secret_name = secret_name or secret_path
        self.protected_path = protected_path or (lambda path: None)
        self.exec_decision = exec_decision
        self.home = home or os.path.expanduser("~")
        self.walk_limit = walk_limit
        self.path = path if path is not None else os.environ.get("PATH", os.defpath)
        self._anchors: list[str] | None = None

    def which(self, name: str) -> str | None:
        """Where `name` is found on this PATH, or None."""
        import shutil

        return shutil.which(name, path=self.path)

    def protected_under(self, directory: str, limit: int = 20) -> list[tuple[str, str]]:
        """(path, reason) for the protected paths a recursive change of `directory` would reach.

        The directory itself; then the places secretguard and the agents' hook settings are known to
        live (its executable and package, its XDG directories, the hook files in HOME); then a bounded
        walk for the names hook settings and git hooks have (`.claude`, `.git`...), in other projects too.
        """
        out: list[tuple[str, str]] = []
        reason = self.protected_path(directory)
        if reason:
            out.append((directory, reason))
        name = os.path.basename(directory.rstrip("/"))
        if name in _HOOK_DIRS:
            out += self._protected_entry(directory, name)
        prefix = directory.rstrip("/") + "/"
        for anchor in self.anchors():
            if anchor.startswith(prefix):
                reason = self.protected_path(anchor)
                if reason:
                    out.append((anchor, reason))
        if os.path.basename(directory) in SKIP_DIRS:
            return out  # a virtualenv or node_modules: what secretguard keeps there is an anchor above
        def descend(name: str, is_dir: bool, depth: int) -> bool:
            return is_dir and depth < MAX_PROTECTED_DEPTH and name not in SKIP_DIRS and name not in _HOOK_DIRS

        for item in self._walk(directory, descend):
            if item is None or len(out) >= limit:
                break  # the anchors were checked; what is beyond is the wall's to hold
            entry, _ = item
            if entry.name in _HOOK_DIRS or entry.name in _PROJECT_FILES:
                out += self._protected_entry(entry.path, entry.name)
        return list(dict.fromkeys(out))[:limit]

    def _protected_entry(self, path: str, name: str) -> list[tuple[str, str]]:
        candidates = [path]
        if name in _HOOK_DIRS:
            try:
                children = sorted(os.listdir(path))
            except OSError:
                children = []
            candidates += [os.path.join(path, c) for c in children if c in _HOOK_DIRS[name] or
                           (name == ".claude" and c.startswith("settings") and c.endswith(".json"))]
        out = []
        for candidate in candidates:
            reason = self.protected_path(candidate)
            if reason:
                out.append((candidate, reason))
        return out

    def anchors(self) -> list[str]:
        """Paths where secretguard's own files and the agents' hook settings are known to be."""
        if self._anchors is None:
            import sys

            import secretguard
            from secretguard.paths import cache_dir, config_dir, state_dir

            found = [self.which("secretguard"), os.path.join(os.path.dirname(sys.executable), "secretguard"),
                     sys.argv[0] if sys.argv and os.path.basename(sys.argv[0]) == "secretguard" else None,
                     os.path.dirname(os.path.abspath(secretguard.__file__)),
                     str(config_dir()), str(state_dir()), str(cache_dir())]
            found += [os.path.join(self.home, rel) for rel in _HOME_HOOK_FILES]
            found += ["/etc/claude-code", "/etc/codex", "/etc/cursor", "/etc/gemini-cli", "/etc/github-copilot"]
            out: list[str] = []
            for path in found:
                if path:
                    out += [os.path.abspath(path), os.path.realpath(path)]
            self._anchors = list(dict.fromkeys(out))
        return self._anchors

    def _walk(self, directory: str, descend: Callable[[str, bool, int], bool]) -> Iterator[tuple | None]:
        """(entry, is_dir) for what is under `directory`, into the directories `descend(name, is_dir,
        depth)` allows; a last None once more than walk_limit entries were seen."""
        seen = 0
        stack = [(directory, 0)]
        while stack:
            current, depth = stack.pop()
            try:
                entries = os.scandir(current)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    seen += 1
                    if seen > self.walk_limit:
                        yield None
                        return
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    yield entry, is_dir
                    if descend(entry.name, is_dir, depth):
                        stack.append((entry.path, depth + 1))

    def secret_files_under(self, directory: str, hidden: bool = True) -> list[str] | None:
        """Credential files a recursive read of `directory` would reach; None if too many to check."""
        found: list[str] = []

        def descend(name: str, is_dir: bool, depth: int) -> bool:
            return is_dir and name != ".git" and name not in SKIP_DIRS and (hidden or not name.startswith("."))

        for item in self._walk(directory, descend):
            if item is None:
                return None
            entry, is_dir = item
            name = entry.name
            if not hidden and name.startswith("."):
                continue
            if is_dir:
                if name == ".git":
                    # its config holds remote URLs, which may carry a token: judge its content
                    config = os.path.join(entry.path, "config")
                    if self.secret_path(config):
                        found.append(config)
            elif (self.secret_path if name == "config" and os.path.basename(os.path.dirname(entry.path)) == ".git"
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
