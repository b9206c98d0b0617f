"""What a git command would print or change, found without running it: the repository around a
directory, its configuration files (read and parsed here: they are text), credentials in URLs, and
a bounded, read-only `git` run for what only git knows cheaply (the names in a commit or a history).

Running git from the hook is kept to listing names (`--name-only`, `ls-tree`, `ls-files`, `status`,
`clean -n`, `cat-file --batch-check`): no patch, no pager, no textconv or external diff, no fsmonitor,
no lazy fetch, no optional locks, a short timeout. A run that fails or times out answers None and
the caller decides (usually: ask).
"""

from __future__ import annotations

import os
import re

GIT_TIMEOUT = 2.0          # seconds a listing may take before a human decides
MAX_OUTPUT = 32 << 20      # bytes of names read from one listing
_SCHEME_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/@\s\"']+)@")
_TOKEN_USERS = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glptt-", "npm_",
                "xoxb-", "xoxp-", "ATBB", "AKIA")
_SECRET_KEY = re.compile(r"(?:pass(?:word|wd)?|token|secret|extraheader|apikey|api-key)$", re.IGNORECASE)
_INLINE_SECRET = re.compile(r"(?:password|token|secret)\s*=\s*[^\s$'\"`;]{6,}", re.IGNORECASE)


class Repo:
    """A repository: its work tree (None for a bare one), its git directory and common directory."""
    __slots__ = ("root", "gitdir", "common")

    def __init__(self, root: str | None, gitdir: str, common: str) -> None:
        self.root, self.gitdir, self.common = root, gitdir, common


def find_repo(cwd: str | None) -> Repo | None:
    """The repository `cwd` is in, found by walking up as git does (a `.git` directory or file)."""
    if not cwd:
        return None
    current = os.path.abspath(cwd)
    while True:
        dotgit = os.path.join(current, ".git")
        gitdir = None
        if os.path.isdir(dotgit):
            gitdir = dotgit
        elif os.path.isfile(dotgit):
            try:
                with open(dotgit, encoding="utf-8", errors="replace") as fh:
                    line = fh.readline().strip()
            except OSError:
                line = ""
            if line.startswith("gitdir:"):
                gitdir = os.path.normpath(os.path.join(current, line[7:].strip()))
        elif os.path.isfile(os.path.join(current, "HEAD")) and os.path.isdir(os.path.join(current, "objects")):
            return Repo(None, current, current)  # a bare repository
        if gitdir:
            common = gitdir
            try:
                with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as fh:
                    common = os.path.normpath(os.path.join(gitdir, fh.read().strip()))
            except OSError:
                pass
            return Repo(current, gitdir, common)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


# -- configuration ----------------------------------------------------------------------------
def config_files(repo: Repo | None, home: str, scope: str | None = None) -> list[str]:
    """The files `git config` reads, in git's order; `scope` is "system", "global", "local" or "worktree"."""
    files: list[str] = []
    if scope in (None, "system"):
        files.append("/etc/gitconfig")
    if scope in (None, "global"):
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        files += [os.path.join(xdg, "git", "config"), os.path.join(home, ".gitconfig")]
    if repo is not None and scope in (None, "local"):
        files.append(os.path.join(repo.common, "config"))
    if repo is not None and scope in (None, "worktree"):
        files.append(os.path.join(repo.gitdir, "config.worktree"))
    return files


def config_entries(files: list[str], home: str, includes: bool = True) -> list[tuple[str, str]]:
    """(key, value) of every entry in `files`, following include.path and every includeIf (whatever
    its condition: more entries only make the judgement stricter). Keys: section and name lowercased."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def read(path: str, depth: int) -> None:
        if depth > 5 or path in seen:
            return
        seen.add(path)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(1 << 20)
        except OSError:
            return
        for key, value in parse_config(text):
            out.append((key, value))
            if includes and key.endswith(".path") and (key == "include.path" or key.startswith("includeif.")):
                target = os.path.join(home, value[2:]) if value.startswith("~/") else value
                read(os.path.normpath(os.path.join(os.path.dirname(path), target)), depth + 1)

    for f in files:
        read(f, 0)
    return out


_SECTION = re.compile(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]')
_ENTRY = re.compile(r"([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$")


def parse_config(text: str) -> list[tuple[str, str]]:
    """A git config file's entries, as `git config --list` names them."""
    out: list[tuple[str, str]] = []
    section = ""
    lines = text.replace("\\\r\n", "").replace("\\\n", "").splitlines()
    for line in lines:
        line = line.strip()
        while line.startswith("["):
            m = _SECTION.match(line)
            if not m:
                line = ""
                break
            name, sub = m.group(1), m.group(2)
            if sub is not None:
                section = name.lower() + "." + sub.replace('\\"', '"').replace("\\\\", "\\")
            elif "." in name:  # legacy [section.subsection]
                head, _, tail = name.partition(".")
                section = head.lower() + "." + tail.lower()
            else:
                section = name.lower()
            line = line[m.end():].strip()
        if not line or line[0] in "#;" or not section:
            continue
        m = _ENTRY.match(line)
        if m:
            out.append((f"{section}.{m.group(1).lower()}", _value(m.group(2)) if m.group(2) is not None else "true"))
    return out


def _value(raw: str) -> str:
    out: list[str] = []
    quoted = False
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(raw[i + 1], raw[i + 1]))
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c in "#;" and not quoted:
            break
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()


def url_credential(text: str) -> bool:
    """Does `text` hold a URL with credentials in it (`https://user:token@host`, `https://ghp_…@host`)?
    A bare user name is no credential (`https://me@host`, `ssh://git@host`, `git@github.com:o/r`)."""
    for m in _SCHEME_USERINFO.finditer(text):
        user, colon, password = m.group(1).partition(":")
        if colon:
            if password and not re.fullmatch(r"\$\{?\w+\}?|<[^>]*>|\*+|x+", password):
                return True
        elif user.startswith(_TOKEN_USERS) or (len(user) >= 20 and re.search(r"\d", user) and re.search(r"[A-Za-z]", user)):
            return True
    return False


def entry_secret(key: str, value: str) -> str | None:
    """Why printing this config entry would print a credential, or None."""
    if url_credential(key) or url_credential(value):
        return f"{key} holds a URL with credentials in it"
    if value and value != "true" and _SECRET_KEY.search(key.rsplit(".", 1)[-1]):
        return f"{key} holds a secret"
    if key.startswith("credential") and key.endswith(".helper") and _INLINE_SECRET.search(value):
        return f"{key} is an inline helper holding a secret"
    return None


def rewrite(url: str, entries: list[tuple[str, str]], push: bool = False) -> str:
    """`url` after url.<base>.insteadOf (pushInsteadOf for a push URL), as git prints remote URLs."""
    best = ("", "")
    for key, value in entries:
        if key.startswith("url.") and (key.endswith(".insteadof") or push and key.endswith(".pushinsteadof")):
            if url.startswith(value) and len(value) > len(best[1]):
                best = (key[4:].rsplit(".", 1)[0], value)
    return best[0] + url[len(best[1]):] if best[1] else url


# -- running git ------------------------------------------------------------------------------
def run_git(cwd: str, args: list[str], home: str, stdin: str | None = None) -> str | None:
    """Output of a read-only `git ARGS` in `cwd`, or None (not a repository, failed, too slow)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"HOME": home, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1",
                "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C", "GIT_NO_REPLACE_OBJECTS": "1"})
    argv = ["git", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "-c", "log.showSignature=false",
            "-c", "diff.external=", "--no-pager", *args]
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=GIT_TIMEOUT,
                              text=True, errors="surrogateescape")
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout[:MAX_OUTPUT]
