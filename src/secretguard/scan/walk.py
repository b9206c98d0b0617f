"""Workspace traversal: everything an agent could read, gitignored and untracked files included.

Iterative (deep trees cannot hit the recursion limit), never follows a directory symlink, never
opens a FIFO, socket or device. What it does not look at, it says: `Skipped` items are things it
could not check (they fail a strict scan); `Excluded` items were left out on purpose.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pathspec

from secretguard.settings import Settings
from secretguard.scan.rules import fold_globs


@dataclass(frozen=True)
class Candidate:
    path: str            # absolute path to open (for a link leaving the root: the link itself)
    rel: str             # relative to the root, '/' separators
    size: int
    key: tuple[int, ...]  # file identity for the cache: dev, ino, size, mtime_ns, ctime_ns
    target: str | None = None  # resolved target of a symlink that leaves the root


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Excluded:
    path: str
    reason: str


KIND_NAMES = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
              stat.S_IFBLK: "a block device"}


def display(rel: str) -> str:
    """A path for people: undecodable bytes in names shown as \\xNN escapes."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    return KIND_NAMES.get(stat.S_IFMT(mode), "not a regular file")


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _skip_spec(skip_dirs: tuple[str, ...]) -> Callable[[str], bool]:
    # A name with a slash would be anchored at the root by gitignore rules; these apply at any depth.
    lines = [p if p.startswith(("/", "**/")) or "/" not in p.rstrip("/") else "**/" + p for p in skip_dirs]
    return _matcher([p.rstrip("/") + "/" for p in lines])


def _matcher(patterns: list[str]) -> Callable[[str], bool]:
    """gitignore-style matching. Without negations the patterns fold into one regex, which is
    what a 10,000-file walk can afford per entry; with them, pathspec applies gitignore's order."""
    if any(p.lstrip().startswith("!") for p in patterns):
        spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        return spec.match_file
    folded = fold_globs(tuple(patterns))
    return (lambda _path: False) if folded is None else (lambda path: folded.match(path) is not None)


class Walker:
    def __init__(self, settings: Settings) -> None:
        self.root = settings.root
        self.root_real = os.path.realpath(settings.root)
        self.skip = _skip_spec(settings.skip_dirs)
        self._skip_dirs, self._skip_reasons = settings.skip_dirs, settings.skip_reasons
        self.exclude = _matcher(list(settings.exclude))
        self._seen: set[tuple[int, int]] = set()

    def walk(self, targets: list[Path] | None = None) -> Iterator[Candidate | Skipped | Excluded]:
        """Yield what to scan under the root (or under the given targets inside it)."""
        stack: list[tuple[str, str]] = []  # (directory, its path relative to the root)
        for target in targets or [self.root]:
            rel = self._rel(str(target))
            if target != self.root and self._excluded(rel, target.is_dir()):
                yield Excluded(display(rel), "excluded by pattern")
                continue
            try:
                st = os.lstat(target)
            except OSError as exc:
                yield Skipped(display(rel), _reason(exc))
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append((str(target), rel))
            else:
                yield from self._entry(str(target), rel, st)
        while stack:
            directory, dir_rel = stack.pop()
            prefix = "" if dir_rel == "." else dir_rel + "/"
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name, reverse=True)
            except OSError as exc:
                yield Skipped(display(dir_rel) + "/", _reason(exc))
                continue
            for entry in entries:
                rel = prefix + entry.name
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    yield Skipped(display(rel), _reason(exc))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if self.skip(rel + "/"):
                        yield Excluded(display(rel) + "/", f"skipped directory: {self._skip_reason(rel)}")
                        if entry.name == ".git":
                            yield from self._git_config(entry.path)
                    elif self._excluded(rel, True):
                        yield Excluded(display(rel) + "/", "excluded by pattern")
                        if entry.name == ".git":
                            yield from self._git_config(entry.path)
                    else:
                        stack.append((entry.path, rel))
                elif self._excluded(rel, False) and not _is_git_config(rel):
                    yield Excluded(display(rel), "excluded by pattern")
                else:
                    yield from self._entry(entry.path, rel, st)

    def _skip_reason(self, rel: str) -> str:
        """Which skip_dirs entry matched, and why it may be skipped (rare: only for skipped dirs)."""
        for pattern in self._skip_dirs:
            if _skip_spec((pattern,))(rel + "/"):
                return self._skip_reasons.get(pattern) or "third-party dependencies or a cache"
        return "third-party dependencies or a cache"

    def _git_config(self, git_dir: str) -> Iterator[Candidate | Skipped | Excluded]:
        """.git/config is always read: remote URLs carry tokens."""
        path = os.path.join(git_dir, "config")
        try:
            st = os.lstat(path)
        except OSError:
            return
        yield from self._entry(path, self._rel(path), st)

    def _entry(self, path: str, rel: str, st: os.stat_result) -> Iterator[Candidate | Skipped | Excluded]:
        if stat.S_ISLNK(st.st_mode):
            yield from self._link(path, rel)
        elif stat.S_ISREG(st.st_mode):
            if (st.st_dev, st.st_ino) not in self._seen:
                self._seen.add((st.st_dev, st.st_ino))
                yield Candidate(path, rel, st.st_size, _identity(st))
        else:
            yield Skipped(display(rel), f"{_kind(st.st_mode)}: not opened")

    def _link(self, path: str, rel: str) -> Iterator[Candidate | Skipped | Excluded]:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            yield Excluded(display(rel), "dangling symlink")
            return
        except OSError as exc:
            yield Skipped(display(rel), f"symlink cannot be resolved: {_reason(exc)}")
            return
        target = os.path.realpath(path)
        inside = target == self.root_real or target.startswith(self.root_real.rstrip(os.sep) + os.sep)
        if stat.S_ISDIR(st.st_mode):
            if not inside:
                yield Skipped(display(rel), f"symlink to a directory outside the root ({display(target)}): not followed")
            return  # a directory inside the root is walked where it really is
        if not stat.S_ISREG(st.st_mode):
            yield Skipped(display(rel), f"symlink to {_kind(st.st_mode)} ({display(target)}): not opened")
            return
        if inside:
            return  # scanned once, at its real place
        if (st.st_dev, st.st_ino) not in self._seen:
            self._seen.add((st.st_dev, st.st_ino))
            yield Candidate(path, rel, st.st_size, _identity(st), target=target)

    def _rel(self, path: str) -> str:
        rel = os.path.relpath(path, self.root)
        return "." if rel == "." else rel.replace(os.sep, "/")

    def _excluded(self, rel: str, is_dir: bool) -> bool:
        return self.exclude(rel + "/" if is_dir else rel)


def _is_git_config(rel: str) -> bool:
    return rel == ".git/config" or rel.endswith("/.git/config")


def _reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)
