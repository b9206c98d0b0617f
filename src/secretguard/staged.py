"""`scan --staged`: scan exactly what a commit would contain — the index, not the working tree.

Three git processes whatever the number of files: `ls-files --stage` lists the index,
`diff-index --cached` says which paths the commit changes, and one `cat-file --batch` streams
every blob. Paths stay bytes until they are shown, so any name git accepts works.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

import pathspec

from secretguard.config import DEFAULT_BASELINE, find_project_table
from secretguard.detect import HEAD_BYTES, Detector, Finding
from secretguard.errors import SecretguardError
from secretguard.scan import ScanOptions, ScanResult, prepare
from secretguard.walk import Excluded, Skipped, display

MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"


class GitError(SecretguardError):
    """git is missing, we are not in a working tree, or a git command failed."""


@dataclass(frozen=True)
class IndexEntry:
    mode: str      # "100644", "100755", "120000" (symlink) or "160000" (submodule)
    sha: str
    path: bytes    # relative to the top level, as git stores it
    unmerged: bool = False


def scan_staged(paths: tuple[Path, ...], options: ScanOptions) -> ScanResult:
    """Scan the staged version of what the next commit changes (or, given paths, of those paths)."""
    started = time.monotonic()
    top = toplevel(Path.cwd())
    settings, ruleset, detector, _digest = prepare(top, _default_baseline(top, options))
    result = ScanResult(root=top, rules=ruleset)
    targets = _targets(paths, top) if paths else None
    entries = index_entries(top)
    if targets is None:
        changed = changed_paths(top)
        entries = [e for e in entries if e.path in changed]
    else:
        entries = [e for e in entries if _under(e.path, targets)]
    exclude = pathspec.GitIgnoreSpec.from_lines(settings.exclude)
    blobs: list[tuple[IndexEntry, str]] = []
    for entry in entries:
        rel = _shown(entry.path)
        if entry.mode == MODE_SUBMODULE:
            result.excluded.append(Excluded(rel, "submodule: checked by its own repository's gate"))
        elif exclude.match_file(os.fsdecode(entry.path)):
            result.excluded.append(Excluded(rel, "excluded by pattern"))
        elif entry.unmerged:
            result.skipped.append(Skipped(rel, "unmerged: resolve the conflict and stage the result"))
        elif entry.mode == MODE_SYMLINK:
            # The blob is the link's target text, not file content: only the name can be a credential file.
            result.findings.extend(detector.file_findings(rel, b""))
            result.files_scanned += 1
        else:
            blobs.append((entry, rel))
    for findings, binary in _scan_blobs(top, blobs, detector):
        result.findings.extend(findings)
        result.files_scanned += 1
        result.binary_files += binary
    result.findings.sort(key=lambda f: (f.path, f.line or 0, f.rule))
    result.skipped.sort(key=lambda s: s.path)
    result.excluded.sort(key=lambda e: e.path)
    result.seconds = time.monotonic() - started
    return result


def _default_baseline(top: Path, options: ScanOptions) -> ScanOptions:
    """`secretguard baseline` writes DEFAULT_BASELINE at the top: the gate honours it unless told otherwise."""
    if options.baseline is not None or not options.use_baseline:
        return options
    table, _source = find_project_table(top)
    default = top / DEFAULT_BASELINE
    if "baseline" in table or not default.is_file():
        return options
    return dataclasses.replace(options, baseline=default)


# -- git -----------------------------------------------------------------------------------
def _git(args: list[str], cwd: Path) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH): cannot read what is staged") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else f'exit {proc.returncode}'}")
    return proc.stdout


def toplevel(cwd: Path) -> Path:
    """The working tree's top level; outside a work tree, a one-line error."""
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except GitError:
        raise GitError(f"{cwd} is not inside a git working tree: --staged scans what is staged for a commit") from None
    top = out.rstrip(b"\n")
    if not top:
        raise GitError(f"{cwd} is not inside a git working tree: --staged scans what is staged for a commit")
    return Path(os.fsdecode(top))


def index_entries(top: Path) -> list[IndexEntry]:
    """Every index entry; a path with conflict stages appears once, marked unmerged."""
    entries: dict[bytes, IndexEntry] = {}
    for record in _git(["ls-files", "--stage", "-z"], top).split(b"\0"):
        if not record:
            continue
        meta, _tab, path = record.partition(b"\t")
        mode, sha, stage = meta.decode("ascii").split(" ")
        entries[path] = IndexEntry(mode, sha, path, unmerged=stage != "0")
    return list(entries.values())


def changed_paths(top: Path) -> set[bytes]:
    """Paths the commit adds or changes (deleted ones too; they are simply not in the index)."""
    base = "HEAD" if _has_head(top) else _empty_tree(top)
    out = _git(["diff-index", "--cached", "--name-only", "--no-renames", "-z", base, "--"], top)
    return {p for p in out.split(b"\0") if p}


def _has_head(top: Path) -> bool:
    try:
        _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], top)
        return True
    except GitError:
        return False


def _empty_tree(top: Path) -> str:
    # Computed, not hard-coded: SHA-256 repositories have a different empty tree.
    return _git(["hash-object", "-t", "tree", "--stdin"], top).decode("ascii").strip()


def _scan_blobs(top: Path, blobs: list[tuple[IndexEntry, str]],
                detector: Detector) -> Iterator[tuple[list[Finding], bool]]:
    """Stream every blob through one `git cat-file --batch`, scanning each as it arrives."""
    if not blobs:
        return
    # The requests go in through a file, not a pipe: no writer thread, no pipe deadlock.
    with tempfile.TemporaryFile() as requests:
        requests.write("".join(e.sha + "\n" for e, _rel in blobs).encode("ascii"))
        requests.seek(0)
        try:
            proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=top, stdin=requests,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH): cannot read what is staged") from None
        try:
            for entry, rel in blobs:
                yield _scan_one(proc.stdout, entry.sha, rel, detector)
        finally:
            proc.stdout.close()
            stderr = proc.stderr.read()
            proc.stderr.close()
            if proc.wait() != 0 and stderr:
                raise GitError(f"git cat-file failed: {stderr.decode('utf-8', 'replace').strip()}")


def _scan_one(out: IO[bytes], sha: str, rel: str, detector: Detector) -> tuple[list[Finding], bool]:
    header = out.readline().split()
    if len(header) != 3 or header[1] != b"blob":
        # Fail closed: a staged file that cannot be read cannot be said to be clean.
        raise GitError(f"cannot read the staged content of {rel} (object {sha}: "
                       f"{b' '.join(header[1:]).decode('ascii', 'replace') or 'no answer'})")
    remaining = int(header[2])

    def read(n: int) -> bytes:
        nonlocal remaining
        data = out.read(min(n, remaining)) if remaining else b""
        remaining -= len(data)
        return data

    if remaining <= HEAD_BYTES:
        findings, binary = detector.scan_bytes(read(remaining), rel)
    else:
        findings, binary = detector.scan_stream(read, rel)
    while remaining:  # a binary blob is left unread after its head
        read(1 << 20)
    out.read(1)  # the newline after each object
    return findings, binary


# -- paths -----------------------------------------------------------------------------------
def _shown(path: bytes) -> str:
    """A repository-relative path for reports: undecodable bytes shown as \\xNN escapes."""
    return display(os.fsdecode(path))


def _targets(paths: Iterable[Path], top: Path) -> list[bytes]:
    """The given paths (relative to the current directory) as index paths relative to the top."""
    prefix = os.fsdecode(_git(["rev-parse", "--show-prefix"], Path.cwd()).rstrip(b"\n"))
    top_real = os.path.realpath(top)
    targets = []
    for p in paths:
        raw = os.fspath(p)
        if os.path.isabs(raw):
            # Resolve the directory only: the file itself may be a symlink, which git stores as is.
            parent = os.path.realpath(os.path.dirname(raw) or "/")
            rel = os.path.relpath(os.path.join(parent, os.path.basename(raw)), top_real)
        else:
            rel = posixpath.normpath(prefix + raw.replace(os.sep, "/"))
        if rel == ".." or rel.startswith("../"):
            raise SecretguardError(f"{p}: outside the repository {top}")
        targets.append(b"" if rel == "." else os.fsencode(rel.replace(os.sep, "/")))
    return targets


def _under(path: bytes, targets: list[bytes]) -> bool:
    return any(not t or path == t or path.startswith(t.rstrip(b"/") + b"/") for t in targets)
