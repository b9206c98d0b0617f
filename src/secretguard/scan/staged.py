"""`scan --staged`: scan exactly what a commit would contain — the index, not the working tree.

Three git processes whatever the number of files: `ls-files --stage` lists the index,
`diff-index --cached` says which paths the commit changes, and one `cat-file --batch` streams
every blob. Paths stay bytes until they are shown, so any name git accepts works.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

import pathspec

from secretguard.scan.detect import CHUNK, Detector, Finding
from secretguard.errors import SecretguardError
from secretguard.scan.engine import ScanOptions, ScanResult, prepare
from secretguard.scan.walk import Excluded, Skipped, display

PARALLEL_MIN_FILES = 400          # fewer blobs than this: forking workers costs more than it saves
IN_MEMORY_MAX = CHUNK             # larger blobs are scanned as they stream, in this process
MAX_IN_FLIGHT = 256               # blobs read ahead of the workers (bounds memory)
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
    prepared = prepare(top, options)
    settings, detector = prepared.settings, prepared.detector
    result = ScanResult(root=top, rules=prepared.ruleset, baseline=prepared.baseline, strict=options.strict)
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
    for findings, binary in _scan_blobs(top, blobs, detector, options.jobs):
        result.findings.extend(findings)
        result.files_scanned += 1
        result.binary_files += binary
    result.settle()
    result.seconds = time.monotonic() - started
    return result


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


def _scan_blobs(top: Path, blobs: list[tuple[IndexEntry, str]], detector: Detector,
                jobs: int | None) -> Iterator[tuple[list[Finding], bool]]:
    """Stream every blob through one `git cat-file --batch`; scan them here or on every core."""
    if not blobs:
        return
    jobs = jobs or min(os.cpu_count() or 1, 8)
    pool = None
    if jobs > 1 and len(blobs) >= PARALLEL_MIN_FILES:
        import multiprocessing

        # Forked before cat-file starts, so the workers hold none of its pipes.
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_init_worker, initargs=(detector,))
    try:
        with _cat_file(top, blobs) as out:
            if pool is None:
                for item in _read_blobs(out, blobs, detector):
                    yield _scan_item(item, detector)
                return
            in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)
            for result in pool.imap(_scan_in_worker, _read_blobs(out, blobs, detector, in_flight), chunksize=16):
                in_flight.release()
                if isinstance(result, str):
                    raise GitError(result)
                yield result
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


@contextlib.contextmanager
def _cat_file(top: Path, blobs: list[tuple[IndexEntry, str]]) -> Iterator[IO[bytes]]:
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
            yield proc.stdout
        except BaseException:
            proc.kill()
            raise
        finally:
            proc.stdout.close()
            stderr = proc.stderr.read()
            proc.stderr.close()
            code = proc.wait()
        if code != 0:
            raise GitError(f"git cat-file failed: {stderr.decode('utf-8', 'replace').strip() or f'exit {code}'}")


# A work item: a small blob to scan (rel, data), a large one already scanned while it streamed
# (findings, binary), or the reason a blob could not be read.
_Item = tuple[str, bytes] | tuple[list[Finding], bool] | str


def _read_blobs(out: IO[bytes], blobs: list[tuple[IndexEntry, str]], detector: Detector,
                in_flight: threading.BoundedSemaphore | None = None) -> Iterator[_Item]:
    for entry, rel in blobs:
        if in_flight is not None:
            in_flight.acquire()
        header = out.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            yield (f"cannot read the staged content of {rel} (object {entry.sha}: "
                   f"{b' '.join(header[1:]).decode('ascii', 'replace') or 'no answer'})")
            return
        size = int(header[2])
        if size <= IN_MEMORY_MAX:
            data = out.read(size)
            out.read(1)  # the newline after each object
            yield (rel, data)
        else:
            yield _stream_one(out, size, rel, detector)


def _stream_one(out: IO[bytes], size: int, rel: str, detector: Detector) -> tuple[list[Finding], bool]:
    """Scan a large blob as it streams, never holding more than the detector's window."""
    remaining = size

    def read(n: int) -> bytes:
        nonlocal remaining
        data = out.read(min(n, remaining)) if remaining else b""
        remaining -= len(data)
        return data

    findings, binary = detector.scan_stream(read, rel)
    while remaining:  # a binary blob is left unread after its head
        read(1 << 20)
    out.read(1)
    return findings, binary


def _scan_item(item: _Item, detector: Detector) -> tuple[list[Finding], bool]:
    if isinstance(item, str):
        # Fail closed: a staged file that cannot be read cannot be said to be clean.
        raise GitError(item)
    if isinstance(item[1], bytes):
        return detector.scan_bytes(item[1], item[0])
    return item


_worker_detector: Detector | None = None


def _init_worker(detector: Detector) -> None:
    global _worker_detector
    _worker_detector = detector


def _scan_in_worker(item: _Item) -> tuple[list[Finding], bool] | str:
    if isinstance(item, str):
        return item
    return _scan_item(item, _worker_detector)


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
