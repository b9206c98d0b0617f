"""git: what its subcommands print (configuration values, remote URLs, history) and change (the work
tree), configuration keys that run commands, and what would skip the commit gate.

What is printed decides:
  * `git config` reads and `git remote -v/show/get-url` are judged by the entries they would print,
    read from the configuration files here (gitrepo.py), insteadOf applied: a URL with a password or
    a token in it is a credential; a user name (`https://me@host`, `git@github.com:o/r`) is not.
  * History reads (log -p, show, diff REV, archive, cat-file, stash show -p, grep REV, format-patch,
    fast-export) are reads of the files they print: a path they name is judged by the file rules
    (`git show HEAD~3:.env`); otherwise a read-only listing of the names they would print
    (`git log --name-only --format=` with the same revisions) is judged, run with a 2 s bound, and
    a human decides when it could not finish. A blob named by its id asks (its file is unknown).
    `git log --oneline`, `--stat`, `git diff` of the work tree and `git status` run nothing.
  * Work-tree commands (rm, mv, clean, checkout -- PATH, restore, reset --hard, stash) change the
    paths they name and everything under them; clean asks `git clean -n`, checkout/restore/reset/
    stash ask git which protected files differ, and only when a protected path is there at all.
"""

from __future__ import annotations

import os
import re

from secretguard.guard.shell import commands as C
from secretguard.guard.shell.argv import split_opts
from secretguard.guard.shell.paths import abspath, check_read, check_write, display, generic
from secretguard.guard.shell.state import ASK, DENY, Scope, Stdin
from secretguard.guard.shell.words import mark, plain

TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from secretguard.guard.shell.analyze import Analyzer
    from secretguard.guard.shell.gitrepo import Repo


def _gitrepo():
    """gitrepo.py, imported by the subcommands that read configuration or history (not `git status`)."""
    from secretguard.guard.shell import gitrepo

    return gitrepo


def git(a: Analyzer, base: str, args: list[list[str]], lits: list[str | None], scope: Scope,
        stdin: Stdin | None) -> None:
    """git: what it prints (config values, remote URLs, history) and what it changes in the work tree;
    credential helpers, config keys that run commands, --no-verify."""
    i = 0
    sub_scope = scope
    g = _Git(a, scope)
    while i < len(args) and lits[i] and lits[i].startswith("-"):
        t = lits[i]
        if t in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"):
            value = lits[i + 1] if i + 1 < len(args) else None
            if t == "-C":
                sub_scope = Scope(abspath(value, sub_scope) if value else None, scope.vars, scope.positional)
            elif t == "-c" and value is not None:
                key, eq, setting = value.partition("=")
                _config_key(a, key, set_value=True, value=setting if eq else "true", scope=scope, transient=True)
            elif t == "--config-env" and value is not None:
                _config_key(a, value.split("=", 1)[0], set_value=True, transient=True)
            elif t == "-c":
                # `-c http.extraHeader="Authorization: Bearer $TOKEN"`: the key is known, the value is not
                text = plain(args[i + 1][0]) if i + 1 < len(args) and len(args[i + 1]) == 1 else ""
                key, eq, _ = text.partition("=")
                if eq and re.fullmatch(r"[A-Za-z0-9_.-]+", key):
                    _config_key(a, key, set_value=True, value=None, scope=scope, transient=True)
                else:
                    a.hit(ASK, "bash.dynamic", "`git -c` sets configuration computed at run time")
            elif t in ("--git-dir", "--work-tree"):
                g.globals.append(f"{t}={abspath(value, sub_scope)}" if value else t)
            i += 2
        elif t.startswith(("--git-dir=", "--work-tree=")):
            key, _, value = t.partition("=")
            g.globals.append(f"{key}={abspath(value, sub_scope)}")
            i += 1
        else:
            i += 1
    g.scope = sub_scope
    if i >= len(args):
        return
    sub = lits[i]
    rest, rest_lits = args[i + 1:], lits[i + 1:]
    if sub is None:
        a.hit(ASK, "bash.dynamic", "the git subcommand is computed at run time")
        return
    if sub.startswith("credential"):
        a.hit(DENY, "bash.secret-cli", f"`git {sub}` reads stored credentials")
        return
    if sub in ("commit", "push", "merge", "rebase", "am", "cherry-pick", "revert", "pull", "switch", "checkout") and (
            "--no-verify" in rest_lits or (sub == "commit" and any(_short_flag(t, "n", "mFCct") for t in rest_lits))):
        a.hit(DENY, "bash.tamper", f"`git {sub} --no-verify` skips the secretguard commit gate")
        return
    if sub in ("hook",) and rest_lits[:1] == ["run"]:
        return
    judge = _SUBCOMMANDS.get(sub)
    if judge is not None:
        judge(g, sub, rest, rest_lits)
        return
    if sub in ("add", "status", "check-ignore", "ls-files", "init", "fetch", "clone", "branch", "tag",
               "commit", "merge", "rebase", "rev-parse", "describe", "shortlog", "worktree", "submodule", "switch",
               "pull", "push", "gc", "fsck", "count-objects", "bisect", "notes", "version", "help", "rev-list",
               "name-rev", "for-each-ref", "show-ref", "symbolic-ref", "update-index", "sparse-checkout", "lfs",
               "maintenance", "range-diff", "cherry", "blame", "annotate", "ls-tree", "merge-base", "var",
               "verify-commit", "verify-tag", "cherry-pick", "revert", "am", "apply", "mergetool", "difftool"):
        return
    generic(a, f"git {sub}", rest, sub_scope)


class _Git:
    """One git command line being judged: where it runs, the repository, git's global path options."""

    def __init__(self, a: Analyzer, scope: Scope) -> None:
        self.a, self.scope = a, scope
        self.globals: list[str] = []
        self._repo: Repo | None | bool = False

    @property
    def repo(self) -> Repo | None:
        if self._repo is False:
            gitdir = next((x.split("=", 1)[1] for x in self.globals if x.startswith("--git-dir=")), None)
            tree = next((x.split("=", 1)[1] for x in self.globals if x.startswith("--work-tree=")), None)
            gr = _gitrepo()
            self._repo = gr.Repo(tree, gitdir, gitdir) if gitdir else gr.find_repo(self.scope.cwd)
        return self._repo  # type: ignore[return-value]

    def run(self, args: list[str], stdin: str | None = None, sep: str = "\n") -> list[str] | None:
        """Names a read-only git listing prints; None when it could not run."""
        if self.scope.cwd is None or self.repo is None:
            return None
        out = _gitrepo().run_git(self.scope.cwd, [*self.globals, *args], self.a.env.home, stdin)
        return None if out is None else [x for x in out.split(sep) if x]

    def top(self, name: str) -> str:
        """A name git printed relative to the top of the work tree, as an absolute path."""
        root = self.repo.root if self.repo and self.repo.root else (self.scope.cwd or "/")
        return os.path.normpath(os.path.join(root, name))

    def cwd_path(self, text: str) -> str | None:
        return abspath(text, self.scope)


# -- what git config and git remote print -------------------------------------------------------------
def _config(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git config: setting keys that run commands; reading values that are credentials."""
    a = g.a
    words = [t for t in lits if t is not None]
    if words[:1] in (["get"], ["list"], ["set"], ["unset"]):  # git 2.46's subcommands
        verb, words = words[0], words[1:]
    else:
        verb = None
    flags = [t for t in words if t.startswith("-")]
    valued = {"-f", "--file", "--blob", "--type", "--default", "--comment", "--value", "--url"}
    keys: list[str] = []
    skip = False
    file_value = None
    for t in words:
        if skip:
            skip = False
            if file_value == "":
                file_value = t
            continue
        if t in valued:
            skip = True
            file_value = "" if t in ("-f", "--file") else file_value
            continue
        if t.startswith(("--file=",)):
            file_value = t.split("=", 1)[1]
        if not t.startswith("-"):
            keys.append(t)
    if file_value:
        check_read(a, mark(file_value), g.scope, "`git config --file`", dyn=ASK)
    getting = verb == "get" or any(t in ("--get", "--get-all", "--get-regexp", "--get-urlmatch") for t in flags)
    listing = verb == "list" or any(t in ("-l", "--list") for t in flags)
    setting = verb == "set" or (not getting and not listing and len(keys) >= 2)
    if keys and not listing:
        _config_key(a, keys[0], set_value=setting, value=keys[1] if setting and len(keys) > 1 else None,
                    scope=g.scope)
    if setting or not (keys or listing) or any(t in ("--unset", "--unset-all", "--add", "--replace-all",
                                                    "--rename-section", "--remove-section") for t in flags):
        if any(t in ("-e", "--edit") for t in flags):
            a.hit(ASK, "bash.dynamic", "`git config --edit` opens the configuration in an editor")
        return
    scope_name = next((s[2:] for s in ("--global", "--system", "--local", "--worktree") if s in flags), None)
    gr = _gitrepo()
    if file_value:
        files = [abspath(file_value, g.scope) or file_value]
    else:
        files = gr.config_files(g.repo, a.env.home, scope_name)
    entries = gr.config_entries(files, a.env.home, includes=not (file_value or scope_name) or "--includes" in flags)
    if listing:
        chosen = entries
    elif "--get-regexp" in flags or (verb == "get" and "--regexp" in flags):
        try:
            rx = re.compile(keys[0], re.IGNORECASE) if keys else None
        except re.error:
            rx = None
        chosen = [e for e in entries if rx is None or rx.search(e[0])]
    elif "--get-urlmatch" in flags:
        chosen = [e for e in entries if keys and e[0].split(".", 1)[0] == keys[0].split(".", 1)[0].lower()]
    else:
        want = keys[0].lower() if keys else ""
        head, _, name = want.rpartition(".")
        chosen = [e for e in entries if e[0].lower() == want or (e[0].rpartition(".")[2] == name and
                                                                 e[0].rpartition(".")[0].lower() == head)]
    names_only = "--name-only" in flags
    for key, value in chosen:
        reason = gr.entry_secret(key, "" if names_only else value)
        if reason:
            a.hit(DENY, "bash.secret-cli", f"`git config` would print a credential: {reason}")
            return


def _remote(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git remote -v / show / get-url, git ls-remote --get-url: the URLs they print, credentials and all."""
    words = [t for t in lits if t is not None]
    operands = [t for t in words if not t.startswith("-")]
    if sub == "ls-remote":
        if "--get-url" not in words:
            return
        names = operands[:1] or ["origin"]
    elif not operands:
        if not any(t in ("-v", "--verbose") for t in words):
            return  # names only
        names = None
    elif operands[0] in ("show", "get-url"):
        names = operands[1:] or None
        if operands[0] == "show" and not names:
            return  # names only
    else:
        return  # add, rename, remove, set-url, prune, update: nothing printed
    gr = _gitrepo()
    entries = gr.config_entries(gr.config_files(g.repo, g.a.env.home), g.a.env.home)
    for key, value in entries:
        if not key.startswith("remote.") or not key.endswith((".url", ".pushurl")):
            continue
        name = key[7:].rsplit(".", 1)[0]
        if names is not None and name not in names:
            continue
        shown = gr.rewrite(value, entries, push=key.endswith(".pushurl"))
        if gr.url_credential(shown):
            g.a.hit(DENY, "bash.secret-cli", f"`git {sub}` would print the URL of remote {name!r}, which holds "
                                             "credentials")
            return
    if names is not None and sub == "ls-remote":
        for name in names:
            if gr.url_credential(gr.rewrite(name, entries)):
                g.a.hit(DENY, "bash.secret-cli", "`git ls-remote --get-url` would print a URL with credentials")
                return


# -- history: what git log -p, show, diff REV, archive, cat-file, stash show -p print ---------------------
_NO_PATCH = {"--stat", "--numstat", "--shortstat", "--name-only", "--name-status", "--no-patch", "-s", "--summary",
             "--dirstat", "--raw", "--quiet", "--check", "--compact-summary"}
_PATCH = {"-p", "-u", "--patch", "--patch-with-stat", "--patch-with-raw", "--cc", "-c", "--color-words",
          "--full-diff", "-W", "--function-context"}
_LOG_VALUED = {"-n", "-S", "-G", "-L", "-O", "--author", "--grep", "--committer", "--since", "--until", "--after",
               "--before", "--format", "--pretty", "--skip", "--max-count", "--date", "--output", "--diff-filter",
               "--encoding", "--prefix", "-o", "--remote", "--exec", "--format", "--output-directory", "-e",
               "--max-depth", "--threads", "--context", "-A", "-B", "-C", "-m", "-f", "--src-prefix",
               "--dst-prefix", "--relative-date", "--abbrev", "--since-as-filter"}
# Options of `git log` that choose which commits, passed on to the listing that stands in for it.
_LOG_SELECT = ("--all", "--branches", "--tags", "--remotes", "--glob=", "--exclude=", "--reflog", "--first-parent",
               "--no-merges", "--merges", "--since=", "--until=", "--after=", "--before=", "--max-count=", "--skip=",
               "--author=", "--committer=", "--ancestry-path", "--simplify-by-decoration", "--not", "-n")


def _split(g: _Git, rest: list[list[str]], lits: list[str | None], valued: set[str] = _LOG_VALUED
           ) -> tuple[list[str], list[str], list[str]]:
    """(options, revisions, paths) the way git tells them apart: after `--` or existing, a path."""
    flags: list[str] = []
    revs: list[str] = []
    paths: list[str] = []
    only_paths = False
    skip = False
    for i, t in enumerate(lits):
        if t is None:
            continue
        if skip:
            skip = False
            flags[-1] = f"{flags[-1]}={t}" if flags[-1].startswith("--") else flags[-1] + t
            continue
        if only_paths:
            paths.append(t)
        elif t == "--":
            only_paths = True
        elif t.startswith("-") and t != "-":
            flags.append(t)
            skip = t in valued and i + 1 < len(lits)
        else:
            path = g.cwd_path(t.split(":", 1)[1] if t.startswith(":(") else t)
            (paths if path is not None and os.path.lexists(path) else revs).append(t)
    return flags, revs, paths


def _judge_names(g: _Git, names: list[str], what: str, under_top: bool = True) -> bool:
    """Refuse when one of `names` is a credential file by the file rules; True when one was."""
    for name in dict.fromkeys(names):
        path = g.top(name) if under_top else (g.cwd_path(name) or name)
        reason = g.a.env.secret_name(path)
        if reason:
            g.a.hit(DENY, "bash.credential-file", f"{what} would print {name}: {reason}")
            return True
    return False


def _object_paths(g: _Git, objects: list[str], what: str) -> tuple[bool, list[str]]:
    """Judge `REV:path` objects by their path; (refused, the objects that are revisions)."""
    out: list[str] = []
    for obj in objects:
        rev, colon, path = obj.partition(":")
        if colon and rev and not rev.startswith(":"):
            if path.startswith(("./", "../")):
                full = g.cwd_path(path)
                if full and _judge_names(g, [full], what, under_top=False):
                    return True, out
            elif path and _judge_names(g, [path], what):
                return True, out
        elif colon and not rev:  # `:path` (the index) or `:N:path`
            if _judge_names(g, [obj.rsplit(":", 1)[1]], what):
                return True, out
        else:
            out.append(obj)
    return False, out


def _unknown(g: _Git, what: str) -> None:
    """The listing that stands in for the command could not run (or took too long)."""
    if g.repo is not None:
        g.a.hit(ASK, "bash.git-history", f"{what}: what it would print could not be checked quickly")


def _blobs(g: _Git, revs: list[str], what: str) -> bool:
    """Ask when a revision is a blob named by its id (its file is unknown); True when one is."""
    if not revs:
        return False
    types = g.run(["cat-file", "--batch-check=%(objecttype)"], stdin="\n".join(revs) + "\n")
    if types is not None and "blob" in types:
        g.a.hit(ASK, "bash.git-history", f"{what} prints a file given by its object id: which file is not known")
        return True
    return False


def _history(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """log -p, show, diff REV, whatchanged, format-patch, fast-export, reflog -p: reads of the files they print."""
    flags, revs, paths = _split(g, rest, lits)
    what = f"`git {sub}`"
    if sub == "diff" and "--no-index" in flags:
        generic(g.a, "git diff --no-index", rest, g.scope)
        return
    refused, revs = _object_paths(g, revs, what)
    if refused:
        return
    patch = any(f in _PATCH or f.startswith(("-L", "--word-diff", "-U", "--unified")) for f in flags)
    quiet = any(f in _NO_PATCH for f in flags)
    if sub in ("log", "whatchanged", "reflog"):
        printing = patch
    elif sub in ("show", "diff"):
        printing = patch or not quiet
    else:  # format-patch (to stdout or to files the agent reads next), fast-export
        printing = True
    if not printing or (sub == "diff" and not revs):
        return  # no patch, or the work tree against the index: what the agent can read anyway
    if None in lits:
        g.a.hit(ASK, "bash.dynamic", f"{what} prints history chosen at run time")
        return
    if paths and _judge_names(g, paths, what, under_top=False):
        return
    if sub == "show" and _blobs(g, revs, what):
        return
    if sub in ("show",):
        listing = ["show", "--no-ext-diff", "--no-textconv", "--name-only", "--format=", "--end-of-options",
                   *(revs or ["HEAD"]), "--", *paths]
    elif sub == "diff":
        listing = ["diff", "--no-ext-diff", "--no-textconv", "--name-only", "--end-of-options", *revs, "--", *paths]
    else:
        select = [f for f in flags if f.startswith(_LOG_SELECT) or re.fullmatch(r"-\d+", f)]
        if sub == "reflog":
            select.append("--walk-reflogs")
        listing = ["log", "--no-ext-diff", "--no-textconv", "--name-only", "--format=", "--no-renames", *select,
                   "--end-of-options", *revs, "--", *paths]
    names = g.run(listing)
    if names is None:
        _unknown(g, what)
        return
    _judge_names(g, names, f"{what} (history)")


def _archive(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git archive REV [PATH...]: every file of the tree goes into the archive."""
    flags, revs, paths = _split(g, rest, lits, {"-o", "--output", "--format", "--prefix", "--remote", "--exec",
                                                "--add-file", "--add-virtual-file"})
    for f in flags:
        if f.startswith(("-o", "--output=")) and len(f) > 2:
            check_write(g.a, mark(f.split("=", 1)[1] if "=" in f else f[2:]), g.scope, "`git archive -o`")
    if any(f.startswith("--remote") for f in flags):
        g.a.hit(ASK, "bash.git-history", "`git archive --remote` packs a repository that cannot be checked here")
        return
    if not revs:
        return
    refused, revs = _object_paths(g, revs[:1], "`git archive`")
    if refused or not revs:
        return
    names = g.run(["ls-tree", "-r", "--name-only", "--full-tree", revs[0], "--",
                   *paths + revs[1:]])
    if names is None:
        _unknown(g, "`git archive`")
        return
    _judge_names(g, names, "`git archive`")


def _cat_file(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git cat-file -p/blob OBJECT: a blob's content; by `REV:path` the path is known."""
    words = [t for t in lits if t is not None]
    if any(t in ("-t", "-s", "-e") or t.startswith("--batch-check") for t in words):
        return
    if any(t.startswith(("--batch", "--batch-command")) for t in words):
        g.a.hit(ASK, "bash.git-history", "`git cat-file --batch` prints objects named on its input")
        return
    objects = [t for t in words if not t.startswith("-") and t not in ("blob", "tree", "commit", "tag")]
    refused, revs = _object_paths(g, objects, "`git cat-file`")
    if not refused:
        _blobs(g, revs, "`git cat-file`")


def _stash(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git stash show -p (untracked files too with -u); stash push/pop change the work tree."""
    words = [t for t in lits if t is not None]
    verb = words[0] if words and not words[0].startswith("-") else "push"
    untracked = any(t in ("-u", "--include-untracked", "--only-untracked", "-a", "--all") for t in words)
    if verb == "show":
        if not any(t in ("-p", "--patch") for t in words):
            return
        refs = [t for t in words[1:] if not t.startswith("-")]
        extra = [t for t in words if t in ("--include-untracked", "--only-untracked")] or (["--include-untracked"]
                                                                                            if "-u" in words else [])
        names = g.run(["stash", "show", "--name-only", *extra, *refs[:1]])
        if names is None:
            _unknown(g, "`git stash show -p`")
        else:
            _judge_names(g, names, "`git stash show -p`")
        return
    if verb in ("pop", "apply"):
        refs = [t for t in words[1:] if not t.startswith("-")]
        names = g.run(["stash", "show", "--name-only", "--include-untracked", *refs[:1]])
        for name in names or []:
            _touch(g, g.top(name), "`git stash " + verb + "`", recursive=False)
        return
    if verb in ("push", "save") or verb.startswith("-"):
        paths = words[words.index("--") + 1:] if "--" in words else []
        _changed(g, [g.cwd_path(p) or p for p in paths] or [g.repo.root if g.repo and g.repo.root else g.scope.cwd],
                 "`git stash`", untracked=untracked, ignored=any(t in ("-a", "--all") for t in words))


# -- the work tree: git rm, mv, clean, checkout -- PATH, restore, reset --hard --------------------------
def _touch(g: _Git, path: str | None, what: str, recursive: bool) -> bool:
    """Refuse when changing `path` (everything under it too, if `recursive`) touches a protected path."""
    if path is None:
        return False
    reason = g.a.env.protected_path(path)
    shown = path
    if not reason and recursive and os.path.isdir(path) and not os.path.islink(path):
        found = g.a.env.protected_under(path)
        if found:
            shown, reason = found[0]
    if reason:
        g.a.hit(DENY, "bash.tamper", f"{what} would change {display(g.a, shown, g.scope)}: {reason}")
        return True
    return False


def _pathspecs(g: _Git, specs: list[str]) -> list[str]:
    """Paths a pathspec list names (magic stripped, git's globs matched against protected paths too)."""
    out: list[str] = []
    for spec in specs:
        top = False
        if spec.startswith(":(") and ")" in spec:
            magic, spec = spec[2:spec.index(")")], spec[spec.index(")") + 1:]
            if "exclude" in magic:
                continue
            top = "top" in magic
        elif spec.startswith(":/"):
            spec, top = spec[2:], True
        root = g.repo.root if top and g.repo and g.repo.root else g.scope.cwd
        if root is None:
            continue
        if any(c in spec for c in "*?["):
            import fnmatch
            import glob as globmod

            out += [os.path.join(root, m) for m in globmod.glob(spec, root_dir=root, recursive=True)][:500]
            base = spec.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0].rsplit("/", 1)[0] if "/" in spec else ""
            for path, _ in g.a.env.protected_under(os.path.join(root, base)) if os.path.isdir(
                    os.path.join(root, base)) else []:
                if fnmatch.fnmatch(os.path.relpath(path, root), spec):
                    out.append(path)
        else:
            out.append(os.path.normpath(os.path.join(root, spec)))
    return out


def _rm_mv(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    words = [t for t in lits if t is not None]
    flags = [t for t in words if t.startswith("-") and t != "--"]
    if any(t in ("--cached", "-n", "--dry-run") for t in flags):
        return
    operands = [t for t in words if not t.startswith("-") or words.index(t) > words.index("--")] \
        if "--" in words else [t for t in words if not t.startswith("-")]
    operands = [t for t in operands if t != "--"]
    recursive = sub == "mv" or "-r" in flags
    targets = operands[:-1] if sub == "mv" else operands
    for path in _pathspecs(g, targets):
        if _touch(g, path, f"`git {sub}`", recursive):
            return
    if sub == "mv" and operands:
        _touch(g, g.cwd_path(operands[-1]), "`git mv`", recursive=False)


def _clean(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git clean: what a dry run with the same options says it would remove."""
    words = [t for t in lits if t is not None]
    if any(t in ("-n", "--dry-run") for t in words) or g.scope.cwd is None or g.repo is None:
        return
    if not _protected_near(g, [g.repo.root or g.scope.cwd]):
        return  # nothing of secretguard's or the hooks' there: no need to ask git
    passed: list[str] = []
    skip = False
    for t in words:
        if skip:
            passed.append(t)
            skip = False
        elif t in ("-e", "--exclude"):
            passed.append(t)
            skip = True
        elif t.startswith("--exclude=") or t in ("-d", "-x", "-X", "--"):
            passed.append(t)
        elif re.fullmatch(r"-[dfiqxX]+", t):
            passed += [f"-{c}" for c in t[1:] if c in "dxX"]
        elif not t.startswith("-"):
            passed.append(t)
    out = g.run(["clean", "-n", *passed])
    if out is None:
        _unknown(g, "`git clean`")
        return
    for line in out:
        if line.startswith("Would remove "):
            name = line[len("Would remove "):]
            if _touch(g, g.cwd_path(name.rstrip("/")), "`git clean`", recursive=name.endswith("/")):
                return


def _protected_near(g: _Git, paths: list[str | None]) -> list[str]:
    """Protected paths at or under `paths` (what a work-tree command could change there)."""
    out: list[str] = []
    for path in paths:
        if path is None:
            continue
        if g.a.env.protected_path(path):
            out.append(path)
        elif os.path.isdir(path):
            out += [p for p, _ in g.a.env.protected_under(path)]
    return out


def _changed(g: _Git, paths: list[str | None], what: str, rev: str | None = None, untracked: bool = False,
             ignored: bool = False) -> None:
    """Refuse when a protected path under `paths` differs from the index (or from `rev`): the command
    would put the other version in its place."""
    candidates = _protected_near(g, paths)
    if not candidates or g.scope.cwd is None:
        return
    if rev is not None:
        names = g.run(["diff", "--no-ext-diff", "--no-textconv", "--name-only", "--end-of-options", rev, "--",
                       *candidates])
        changed = [g.top(n) for n in names] if names is not None else None
    else:
        status = g.run(["status", "--porcelain", "-z", "--untracked-files=all",
                        "--ignored" if ignored else "--ignored=no", "--", *candidates], sep="\0")
        changed = None if status is None else [
            g.top(e[3:]) for e in status if len(e) > 3 and (e[:2] not in ("??", "!!") or
                                                            (e[:2] == "??" and untracked) or (e[:2] == "!!" and ignored))]
    if changed is None:
        _unknown(g, what)
        return
    for path in changed:
        reason = g.a.env.protected_path(path)
        if reason:
            g.a.hit(DENY, "bash.tamper", f"{what} would change {display(g.a, path, g.scope)}: {reason}")
            return


def _checkout(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git checkout [REV] -- PATH, git restore [--source REV] PATH, git reset --hard [REV]."""
    words = [t for t in lits if t is not None]
    if sub == "reset":
        if "--hard" not in words:
            return
        revs = [t for t in words if not t.startswith("-")]
        _changed(g, [g.repo.root if g.repo and g.repo.root else g.scope.cwd], "`git reset --hard`",
                 rev=revs[0] if revs else "HEAD")
        return
    if sub == "restore":
        flags, _, paths = _split(g, rest, lits, {"-s", "--source", "--pathspec-from-file"})
        if any(f in ("-S", "--staged") for f in flags) and not any(f in ("-W", "--worktree") for f in flags):
            return
        source = next((f.split("=", 1)[1] if "=" in f else f[2:] for f in flags if f.startswith(("-s", "--source"))),
                      None)
        operands = [t for t in words if not t.startswith("-")]
        _changed(g, _pathspecs(g, paths or operands), "`git restore`", rev=source or None)
        return
    if any(t in ("-b", "-B", "--orphan") for t in words):
        return
    if "--" in words:
        before = [t for t in words[:words.index("--")] if not t.startswith("-")]
        paths = words[words.index("--") + 1:]
        rev = before[0] if before else None
    else:
        operands = [t for t in words if not t.startswith("-")]
        if not operands:
            return
        first = g.cwd_path(operands[0])
        if first is not None and os.path.lexists(first):
            rev, paths = None, operands
        else:
            rev, paths = operands[0], operands[1:]
        if not paths:
            return  # a branch switch: what it checks out was committed, and approved there
    _changed(g, _pathspecs(g, paths), f"`git {sub} -- PATH`", rev=rev)


def _grep(g: _Git, sub: str, rest: list[list[str]], lits: list[str | None]) -> None:
    """git grep: tracked files of the work tree (untracked ones with --untracked), or the trees of revisions."""
    a = g.a
    spec = C.Spec("efABCm", ("regexp", "file", "after-context", "before-context", "context", "max-count",
                             "max-depth", "threads", "open-files-in-pager"))
    opts, operands = split_opts(rest, lits, spec)
    names = {o for o, _ in opts}
    for o, vals in opts:
        if o in ("f", "file"):
            for val in vals:
                for v in val:
                    check_read(a, v, g.scope, "`git grep -f`", dyn=None)
    if not names & {"e", "f", "regexp", "file"} and operands:
        operands = operands[1:]
    after_dashdash = "--" in lits
    texts = [plain(op[0]) for op in operands if op]
    if after_dashdash:
        n_before = sum(1 for t in lits[:lits.index("--")] if t and not t.startswith("-")) - (
            0 if names & {"e", "f", "regexp", "file"} else 1)
        revs, paths = texts[:max(n_before, 0)], texts[max(n_before, 0):]
    else:
        revs = [t for t in texts if not os.path.lexists(g.cwd_path(t) or t)]
        paths = [t for t in texts if t not in revs]
    if "no-index" in names or g.repo is None:
        for p in paths or ["."]:
            check_read(a, mark(p), g.scope, "`git grep`", dyn=ASK, recursive=True, hidden=True)
        return
    if revs:
        if len(revs) > 20:
            a.hit(ASK, "bash.git-history", "`git grep` searches too many revisions to check")
            return
        refused, revs = _object_paths(g, revs, "`git grep`")
        for rev in revs:
            listed = g.run(["ls-tree", "-r", "--name-only", "--full-tree", rev, "--", *paths])
            if listed is None:
                _unknown(g, "`git grep REV`")
                return
            if _judge_names(g, listed, "`git grep` (history)"):
                return
        return
    found: list[str] = []
    for p in paths or ["."]:
        path = g.cwd_path(p)
        if path is None:
            continue
        if os.path.isdir(path):
            under = a.env.secret_files_under(path, hidden=True)
            if under is None:
                a.hit(ASK, "bash.too-broad", "`git grep` searches more files than can be checked")
                return
            found += under
        elif a.env.secret_name(path):
            found.append(path)
    if not found:
        return
    listing = ["ls-files", "-z", "--cached"]
    if "untracked" in names:
        listing += ["--others"] + ([] if "no-exclude-standard" in names else ["--exclude-standard"])
    searched = g.run([*listing, "--", *found], sep="\0")
    if searched is None:
        _unknown(g, "`git grep`")
        return
    _judge_names(g, searched, "`git grep`", under_top=False)


_SUBCOMMANDS = {
    "config": _config, "remote": _remote, "ls-remote": _remote,
    "log": _history, "show": _history, "diff": _history, "whatchanged": _history, "reflog": _history,
    "format-patch": _history, "fast-export": _history, "archive": _archive, "cat-file": _cat_file,
    "stash": _stash, "grep": _grep, "rm": _rm_mv, "mv": _rm_mv, "clean": _clean,
    "checkout": _checkout, "restore": _checkout, "reset": _checkout,
}


_COMMAND_KEYS = {"core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "diff.external",
                 "sequence.editor", "core.askpass", "gpg.program", "gpg.ssh.program", "credential.helper"}


def _config_key(a: Analyzer, key: str, set_value: bool, value: str | None = None, scope: Scope | None = None,
                transient: bool = False) -> None:
    """A config key that holds credentials, or that makes git run a command when set.

    A command key set to a command known now (`-c core.sshCommand='ssh -i KEY'`) is judged as that
    command, like GIT_SSH_COMMAND; set to something computed at run time, a human decides."""
    low = key.lower()
    if low.startswith("credential") and low.endswith(".helper") and set_value and value != "":
        a.hit(DENY, "bash.secret-cli", f"setting `{key}` decides who receives git's stored credentials")
        return
    if any(w in low for w in ("extraheader", "password", "token", "passwd")) and not (set_value and transient):
        a.hit(DENY, "bash.secret-cli", f"`git config {key}` reads or changes stored credentials")
        return
    if not set_value or low.startswith("credential"):
        return
    if low == "core.hookspath":
        a.hit(DENY, "bash.tamper", "changing core.hooksPath would disable the secretguard commit gate")
        return
    if low in ("include.path",) or low.startswith("includeif.") and low.endswith(".path"):
        if value is not None and scope is not None:
            check_read(a, mark(value), scope, f"`git -c {key}`", dyn=ASK)
        return
    command = None
    if low in _COMMAND_KEYS or low.endswith((".textconv", ".command", ".clean", ".smudge", ".process", ".cmd")):
        command = value
    elif low.startswith("alias."):
        command = None if value is None else (value[1:] if value.startswith("!") else "git " + value)
    else:
        return
    if command is None or scope is None:
        a.hit(ASK, "bash.dynamic", f"`git -c {key}=...` makes git run a command computed at run time")
    elif command.strip().lower() not in ("", "true", "false", "cat", "less", "vi", "vim", "nano"):
        a.run_text(command, scope.child(), 1, f"the command `{key}` runs")


def _short_flag(t: str | None, flag: str, valued: str) -> bool:
    """Is `flag` set in the short-option cluster `t` (before any option that takes a value)?"""
    if not t or not re.fullmatch(r"-[A-Za-z]+", t):
        return False
    for ch in t[1:]:
        if ch == flag:
            return True
        if ch in valued:
            return False
    return False
