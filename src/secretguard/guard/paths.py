"""Path judgements for the Claude guard: is this a credential file, and is it secretguard's own?

The hook runs before every tool call, so this avoids the scan engine's imports where it can:
  * file rules by name: a small index of the project's file rules, compiled to regexes with
    gitignore semantics and kept in the cache dir (rebuilt when a rules or settings file changes);
  * content: the workspace scan cache's entry for an unchanged file (SessionStart filled it),
    the rule's own content regex for name hits, and only then `scan.check_file` on the one file.
"""

from __future__ import annotations

import json
import os
import re
import stat

from secretguard.paths import cache_dir, config_dir, ensure_private_dir, state_dir

try:  # the OpenSSL-backed hashlib costs ~15 ms to import; the builtin module does not
    from _sha256 import sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.12+
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef]
    except ImportError:
        from hashlib import sha256  # type: ignore[no-redef]

INDEX_VERSION = 4
HEAD_BYTES = 64 * 1024
MAX_CONTENT_CHECK = 4 * 1024 * 1024
# Name patterns that also fit countless ordinary files: when such a file does not exist there is
# nothing to read, and `cat package.json` is no attempt at a credential.
WEAK_PATTERNS = {"*.json", "config.json", "auth.json", "*.asc", "*.ovpn", "*.ovpn.conf", "my.cnf"}
_PROC_ENVIRON = re.compile(r"^/proc/[^/]+/(?:task/[^/]+/)?environ$")
PROJECT_CONFIG_FILES = ("secretguard.toml", ".secretguardignore", ".secretguard-baseline.json")


def glob_hint(pattern: str) -> tuple[str, str, str]:
    """(head, middle, tail): literals that some segment of every path the glob matches starts
    with, contains and ends with. ("", "", "") when the glob gives no such hint."""
    if "\\" in pattern:
        return "", "", ""  # escapes: no cheap hint, every path is a candidate
    for segment in reversed([seg for seg in pattern.strip("/").split("/") if seg]):
        chunks = re.split(r"\*+|\?|\[[^\]]*\]", segment)
        if any(chunks):
            if len(chunks) == 1:
                return chunks[0], "", ""
            return chunks[0], max(chunks[1:-1], key=len, default=""), chunks[-1]
    return "", "", ""


def _sha(text: str) -> str:
    return sha256(os.fsencode(text)).hexdigest()


def scan_cache_path(root: str) -> str:
    """Where the workspace scan keeps its cache for `root` (same naming as secretguard.scan.cache)."""
    return os.path.join(str(cache_dir()), f"scan-{_sha(os.path.realpath(root))[:24]}.json")


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _stat_key(path: str) -> list:
    try:
        st = os.stat(path)
        return [path, st.st_mtime_ns, st.st_size]
    except OSError:
        return [path, None, None]


class NameIndex:
    """The project's file rules, by name: [(id, description, include, exclude, weak, content...)]."""

    def __init__(self, rules: list[dict]) -> None:
        self.rules = rules
        # One pass over all names first: most paths match no rule at all, and then the ~130
        # per-rule patterns (20 ms to compile) are never compiled.
        # A regex alternation of every pattern costs ~11 ms to compile in each hook process;
        # this necessary condition (some path segment has a pattern's literal head and tail)
        # costs nothing, and the exact per-rule regexes run only on the few paths that pass it.
        self.hints = [tuple(h) for rule in rules for h in rule["hints"]]

    @classmethod
    def load(cls, root: str) -> "NameIndex":
        path = os.path.join(str(cache_dir()), f"claude-names-{_sha(os.path.realpath(root))[:24]}.json")
        try:
            with open(path, "rb") as fh:
                doc = json.load(fh)
            if doc.get("version") == INDEX_VERSION and all(_stat_key(d[0]) == d for d in doc["deps"]):
                return cls(doc["rules"])
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass
        rules, deps = _build_index(root)
        try:
            ensure_private_dir(cache_dir())
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
                json.dump({"version": INDEX_VERSION, "deps": deps, "rules": rules}, fh)
            os.replace(tmp, path)
        except OSError:
            pass  # the index is rebuilt next time: slower, never wrong
        return cls(rules)

    def matches(self, rel: str) -> list[tuple[dict, bool]]:
        """Rules whose names match `rel` (in order), each with: did only weak patterns match?"""
        out = []
        segments = rel.split("/")
        if not any(len(seg) >= len(head) + len(tail) and seg.startswith(head) and seg.endswith(tail)
                   and middle in seg for seg in segments for head, middle, tail in self.hints):
            return out
        for rule in self.rules:
            if "_inc" not in rule:
                rule["_inc"] = [re.compile(r) for r in rule["include"]]
                rule["_exc"] = [re.compile(r) for r in rule["exclude"]]
            hits = [weak for rx, weak in zip(rule["_inc"], rule["weak"]) if rx.match(rel)]
            if hits and not any(rx.match(rel) for rx in rule["_exc"]):
                out.append((rule, all(hits)))
        return out


def _build_index(root: str) -> tuple[list[dict], list[list]]:
    """Compile the project's file rules (slow path: imports the rules engine)."""
    from pathlib import Path

    from secretguard.settings import load_settings
    from secretguard.scan.rules import builtin_rules_dir, glob_regex, load_ruleset

    settings = load_settings(Path(root))
    ruleset = load_ruleset(settings.rule_files, settings.disable_rules)
    rules: list[dict] = []
    for r in ruleset.file_rules:
        if r.any_name or not r.names:
            continue
        include = [glob_regex(p) for p in r.names]
        rules.append({
            "id": r.id, "description": r.description,
            "include": [x for x in include if x], "hints": [glob_hint(p) for p in r.names],
            "weak": [p in WEAK_PATTERNS for p, x in zip(r.names, include) if x],
            "exclude": [x for x in (glob_regex(p) for p in r.exclude) if x],
            "content": bool(r.content_regex or r.magic or r.require_real_value),
            "content_regex": r.content_regex, "magic": [m.hex() for m in r.magic],
            "real_value": r.require_real_value,
        })
    deps = [str(p) for p in sorted(builtin_rules_dir().glob("*.toml"))] + [str(p) for p in settings.rule_files]
    deps += [os.path.join(root, name) for name in ("secretguard.toml", "pyproject.toml")]
    return rules, [_stat_key(p) for p in deps]


class Judge:
    """Answers the guard's questions about paths for one project root."""

    def __init__(self, root: str, digest: str | None = None, home: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.root_real = os.path.realpath(self.root)
        self.home = home or os.path.expanduser("~")
        self.digest = digest
        self._index: NameIndex | None = None
        self._cache: dict | None = None
        self._memo: dict[tuple[str, bool], str | None] = {}
        self.slow_checks = 0

    @property
    def index(self) -> NameIndex:
        if self._index is None:
            self._index = NameIndex.load(self.root)
        return self._index

    def rel(self, path: str) -> str:
        for base in (self.root, self.root_real):
            if path == base:
                return "."
            if path.startswith(base.rstrip("/") + "/"):
                return path[len(base.rstrip("/")) + 1:]
        return path.lstrip("/")

    # -- the two predicates --------------------------------------------------------------
    def secret_name(self, path: str) -> str | None:
        return self._judge(path, content=False)

    def secret_path(self, path: str) -> str | None:
        return self._judge(path, content=True)

    def _judge(self, path: str, content: bool) -> str | None:
        path = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.root, path))
        key = (path, content)
        if key not in self._memo:
            self._memo[key] = self._judge_uncached(path, content)
        return self._memo[key]

    def _judge_uncached(self, path: str, content: bool) -> str | None:
        real = os.path.realpath(path)
        if _PROC_ENVIRON.match(path) or _PROC_ENVIRON.match(real):
            return "a process environment (/proc/*/environ): it holds the secrets passed to that process"
        try:
            st = os.stat(real)
            regular = stat.S_ISREG(st.st_mode)
        except OSError:
            st, regular = None, False
        for candidate in dict.fromkeys((path, real)):
            for rule, weak in self.index.matches(self.rel(candidate)):
                reason = self._by_rule(rule, weak, path, real, st, regular)
                if reason:
                    return reason
        if content and regular and st is not None:
            findings = self.findings(path, real, st)
            if findings:
                f = findings[0]
                where = f" line {f['line']}" if f.get("line") else ""
                return f"{f['description']} [{f['rule']}]{where}"
        return None

    def _by_rule(self, rule: dict, weak: bool, path: str, real: str, st, regular: bool) -> str | None:
        if not rule["content"]:
            return f"{rule['description']} [{rule['id']}]"
        if st is None:
            if weak or rule["real_value"]:  # templates are meant to be read; absent, nothing to read
                return None
            return f"{rule['description']} [{rule['id']}]"
        if regular and self._rule_content_matches(rule, path, real, st):
            return f"{rule['description']} [{rule['id']}]"
        return None

    def _rule_content_matches(self, rule: dict, path: str, real: str, st: os.stat_result) -> bool:
        cached = self._cached_findings(path, real, st)
        if cached is not None:
            return any(f.get("rule") == rule["id"] or f.get("line") is None for f in cached)
        if not rule["real_value"]:
            try:
                with open(real, "rb") as fh:
                    head = fh.read(HEAD_BYTES)
            except OSError:
                return True  # cannot look inside: judge by the name
            if rule["magic"] and not any(head.startswith(bytes.fromhex(m)) for m in rule["magic"]):
                return False
            if rule["content_regex"] and not re.search(rule["content_regex"].encode(), head, re.MULTILINE):
                return False
            return True
        findings = self._check_file(path)
        return findings is None or any(f.get("line") is None for f in findings)

    # -- content ---------------------------------------------------------------------------
    def findings(self, path: str, real: str, st: os.stat_result) -> list[dict]:
        """The findings that make a file unreadable. A low-confidence secret in a file's content (a
        test key, a documented example) does not: the agent may read the file, and the context
        firewall redacts the value from what it is shown. Credential files stay unreadable."""
        cached = self._cached_findings(path, real, st)
        if cached is None:
            if st.st_size > MAX_CONTENT_CHECK:
                return []  # large uncached files: the session scan covers them, a per-call scan would not
            cached = self._check_file(path) or []
        return [f for f in cached if f.get("confidence") != "low" or f.get("line") is None or f.get("file_rule")]

    def _cached_findings(self, path: str, real: str, st: os.stat_result) -> list[dict] | None:
        entries = self._load_cache()
        if not entries:
            return None
        want = _identity(st)
        for candidate in dict.fromkeys((path, real)):
            entry = entries.get(self.rel(candidate))
            if entry is not None and list(entry[0]) == want:
                return [f for f in entry[2] if not f.get("baselined")]
        return None

    def _load_cache(self) -> dict:
        if self._cache is None:
            self._cache = {}
            try:
                with open(scan_cache_path(self.root), "rb") as fh:
                    doc = json.load(fh)
                if isinstance(doc.get("files"), dict) and (self.digest is None or doc.get("digest") == self.digest):
                    self._cache = doc["files"]
            except (OSError, ValueError, AttributeError):
                pass
        return self._cache

    def _check_file(self, path: str) -> list[dict] | None:
        """Scan one file with the full engine (slow path). None when it cannot be read."""
        from pathlib import Path

        from secretguard.errors import SecretguardError
        from secretguard.scan.engine import check_file

        self.slow_checks += 1
        inside = self.rel(path) != path.lstrip("/")
        root = Path(self.root) if inside else Path(os.path.dirname(path))
        try:
            return [f.to_dict() for f in check_file(Path(path), root)]
        except SecretguardError:
            return None

    def secret_text(self, path: str, text: str) -> str | None:
        """Does `text`, shown to the agent as the content of `path`, hold a secret? The file on
        disk was judged already: only text that differs from it is scanned (the slow path)."""
        path = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.root, path))
        data = text.encode("utf-8", "surrogateescape")
        try:
            with open(path, "rb") as fh:
                if fh.read(len(data) + 1) == data:
                    return None
        except OSError:
            pass
        from pathlib import Path

        from secretguard.scan.engine import check_text

        inside = self.rel(path) != path.lstrip("/")
        root = self.root if inside else os.path.dirname(path)
        findings = check_text(text, self.rel(path) if inside else os.path.basename(path), Path(root))
        if not findings:
            return None
        f = findings[0]
        return f"{f.description} [{f.rule}] line {f.line}"

    # -- secretguard's own files -----------------------------------------------------------
    def protected_path(self, path: str) -> str | None:
        path = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.root, path))
        for candidate in dict.fromkeys((path, os.path.realpath(path))):
            reason = self._protected(candidate)
            if reason:
                return reason
        return None

    def _protected(self, path: str) -> str | None:
        name = os.path.basename(path)
        parent = os.path.basename(os.path.dirname(path))
        if parent == ".claude" and name.startswith("settings") and name.endswith(".json") or \
                path.startswith("/etc/claude-code/"):
            return "Claude Code settings hold the secretguard hooks"
        if parent == ".claude" and name == ".claude":
            return "Claude Code settings hold the secretguard hooks"
        agent = _agent_hook_file(path, parent, name)
        if agent:
            return f"{agent} settings hold the secretguard hooks"
        for own, what in ((str(config_dir()), "secretguard's configuration"), (str(state_dir()), "secretguard's state "
                          "(approvals, verdicts, audit log)"), (str(cache_dir()), "secretguard's scan cache")):
            if path == own or path.startswith(own.rstrip("/") + "/"):
                return what
        if _under(path, self.root) or _under(path, self.root_real):
            rel = self.rel(path)
            if rel in PROJECT_CONFIG_FILES or rel == ".claude":
                return "the project's secretguard settings"
            if rel == ".git/hooks" or rel.startswith(".git/hooks/") or rel == ".git/config":
                return "git hooks run the secretguard commit gate"
        if path.endswith("/.git/hooks") or "/.git/hooks/" in path:
            return "git hooks run the secretguard commit gate"
        for own in _install_paths():
            if path == own or path.startswith(own.rstrip("/") + "/"):
                return "secretguard itself"
        return None


def _agent_hook_file(path: str, parent: str, name: str) -> str | None:
    """The agent whose hook configuration `path` is (Copilot, Cursor, Codex, Gemini), if any."""
    if "/.github/hooks/" in path or "/.copilot/hooks/" in path or path.startswith("/etc/github-copilot/") or \
            parent in (".copilot", "copilot") and name.startswith("settings") and name.endswith(".json"):
        return "GitHub Copilot"
    if parent == ".cursor" and name == "hooks.json" or path.startswith("/etc/cursor/"):
        return "Cursor"
    if parent == ".codex" and name in ("hooks.json", "config.toml", "requirements.toml") or \
            path.startswith("/etc/codex/"):
        return "Codex"
    if parent == ".gemini" and name == "settings.json" or path.startswith("/etc/gemini-cli/"):
        return "Gemini CLI"
    return None


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _install_paths() -> list[str]:
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = [package, os.path.realpath(package)]
    import sys

    from secretguard.paths import which

    exes = [sys.argv[0] if sys.argv and os.path.basename(sys.argv[0]) == "secretguard" else None,
            os.path.join(os.path.dirname(sys.executable), "secretguard"), which("secretguard")]
    for exe in exes:
        if exe and os.path.exists(exe):
            out += [os.path.abspath(exe), os.path.realpath(exe)]
    return out
