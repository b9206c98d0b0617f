"""The workspace scan: walk, detect (cached, on both cores for large trees), collect.

Returns values; never prints. The CLI renders a ScanResult.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from secretguard import __version__
from secretguard.scan.baseline import Baseline
from secretguard.settings import DEFAULT_BASELINE, Settings, load_settings
from secretguard.scan.detect import HEAD_BYTES, Detector, Finding
from secretguard.errors import SecretguardError
from secretguard.paths import user_key  # noqa: F401 - the scan's fingerprint key
from secretguard.scan.rules import RuleSet, load_ruleset
from secretguard.scan.walk import Candidate, Excluded, Skipped, Walker, display

PARALLEL_MIN_FILES = 400
PARALLEL_MIN_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class ScanOptions:
    excludes: tuple[str, ...] = ()
    strict: bool = False
    use_cache: bool = True
    baseline: Path | None = None
    use_baseline: bool = True     # False: ignore the configured baseline (to write a new one)
    salt: bytes | None = None     # fingerprint key (a baseline's salt); default: the user's own key
    jobs: int | None = None


@dataclass
class ScanResult:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    files_scanned: int = 0
    binary_files: int = 0
    cached_files: int = 0
    seconds: float = 0.0
    rules: RuleSet | None = None
    digest: str = ""  # what the results depend on (rules, settings, baseline): the cache key
    baseline: Path | None = None  # the baseline applied, if any
    baselined: list[Finding] = field(default_factory=list)  # what it accepted
    gate: str = "medium"          # the settings' `gate`: which confidences block an agent session
    below_minimum: int = 0        # findings left out by `hide_below` (--min-confidence)

    def settle(self) -> None:
        """Set baselined findings apart and sort everything (stable output)."""
        self.baselined += [f for f in self.findings if f.baselined]
        self.findings = [f for f in self.findings if not f.baselined]
        for group in (self.findings, self.baselined):
            group.sort(key=lambda f: (f.path, f.line or 0, f.rule))
        self.skipped.sort(key=lambda s: s.path)
        self.excluded.sort(key=lambda e: e.path)

    strict: bool = False          # anything not scanned is a failure too

    def hide_below(self, minimum: str) -> None:
        """Leave out findings below `minimum` confidence: not reported, not in the exit code."""
        from secretguard.scan.confidence import at_least

        kept = [f for f in self.findings if at_least(f.confidence, minimum)]
        self.below_minimum += len(self.findings) - len(kept)
        self.findings = kept

    @property
    def clean(self) -> bool:
        return not self.findings and not (self.strict and self.skipped)

    def exit_code(self) -> int:
        return 0 if self.clean else 1


def resolve_root(paths: Iterable[Path]) -> tuple[Path, list[Path] | None]:
    """One directory: it is the root. Otherwise the current directory is, and paths are targets."""
    paths = list(paths)
    if not paths:
        return Path.cwd(), None
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0].absolute(), None
    for p in paths:
        if not os.path.lexists(p):
            raise SecretguardError(f"{p}: no such file or directory")
    return Path.cwd(), [p.absolute() for p in paths]


@dataclass(frozen=True)
class Prepared:
    settings: Settings
    ruleset: RuleSet
    detector: Detector
    digest: str                   # what the results depend on: the cache key
    baseline: Path | None         # the baseline file applied, if any


def prepare(root: Path, options: ScanOptions) -> Prepared:
    """Settings, rules and a detector for `root`; also the digest the cache is keyed on."""
    settings = load_settings(root, options.excludes)
    ruleset = load_ruleset(settings.rule_files, settings.disable_rules)
    baseline: Baseline | None = None
    # `secretguard baseline` writes DEFAULT_BASELINE at the root: honoured unless told otherwise.
    default = root / DEFAULT_BASELINE
    baseline_path = options.baseline or settings.baseline or (default if default.is_file() else None)
    if not options.use_baseline or baseline_path is None:
        baseline_path = None
    else:
        from secretguard.scan import baseline as baseline_mod

        baseline_path = baseline_path if baseline_path.is_absolute() else root / baseline_path
        baseline = baseline_mod.load(baseline_path)
    key = options.salt or (baseline.salt if baseline else user_key())
    detector = Detector(ruleset, key, baseline)
    import hashlib

    from secretguard.scan.confidence import examples_digest

    digest = hashlib.sha256("\0".join((
        __version__, ruleset.digest, settings.digest(), baseline.digest if baseline else "",
        hashlib.sha256(key).hexdigest(), examples_digest())).encode()).hexdigest()
    return Prepared(settings, ruleset, detector, digest, baseline_path)


def scan_workspace(paths: Iterable[Path], options: ScanOptions = ScanOptions(),
                   progress: Callable[[int], None] | None = None) -> ScanResult:
    started = time.monotonic()
    root, targets = resolve_root(paths)
    prepared = prepare(root, options)
    settings, detector, digest = prepared.settings, prepared.detector, prepared.digest
    result = ScanResult(root=root, rules=prepared.ruleset, digest=digest, baseline=prepared.baseline,
                        strict=options.strict, gate=settings.gate)
    cache = None
    if options.use_cache:
        from secretguard.scan.cache import ScanCache

        cache = ScanCache(root, digest)
    todo: list[Candidate] = []
    walked = getattr(progress, "walked", None)  # the walk of a big tree takes seconds too
    for seen, item in enumerate(Walker(settings).walk(targets), 1):
        if walked is not None and seen % 500 == 0:
            walked(seen)
        if isinstance(item, Skipped):
            result.skipped.append(item)
        elif isinstance(item, Excluded):
            result.excluded.append(item)
        else:
            entry = cache.get(item.rel, item.key) if cache else None
            if entry is None:
                todo.append(item)
                continue
            result.cached_files += 1
            _collect(result, item, entry[1], [Finding(**f) for f in entry[2]], None)
    for item, binary, findings, skip in _run(todo, detector, settings.max_file_size, options.jobs, progress):
        _collect(result, item, binary, findings, skip)
        if cache is not None and skip is None:
            cache.put(item.rel, item.key, binary, [f.to_dict() for f in findings])
    if cache is not None:
        cache.save()
    result.settle()
    result.seconds = time.monotonic() - started
    return result


def _collect(result: ScanResult, item: Candidate, binary: bool, findings: list[Finding], skip: str | None) -> None:
    result.findings.extend(findings)
    if skip is not None:
        result.skipped.append(Skipped(display(item.rel), skip))
        return
    result.files_scanned += 1
    result.binary_files += binary


# -- scanning files, in this process or in a pool -------------------------------------------
_worker: tuple[Detector, int] | None = None


def scan_candidate(item: Candidate, detector: Detector, max_size: int) -> tuple[bool, list[Finding], str | None]:
    """(binary, findings, skip reason) for one file."""
    rel = display(item.rel) if _needs_escape(item.rel) else item.rel
    try:
        fd = os.open(item.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        from secretguard.scan.walk import _reason

        return False, [], f"cannot open: {_reason(exc)}"
    try:
        import stat

        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced by something else since the walk saw it
            return False, [], "not a regular file: not read"
        with os.fdopen(fd, "rb", closefd=False) as fh:
            if st.st_size > max_size:
                findings = detector.file_findings(rel, fh.read(HEAD_BYTES))
                if item.target:
                    findings = findings or _target_findings(detector, rel, item.target, b"")
                return False, findings, f"too large to scan ({st.st_size} bytes > {max_size})"
            findings, binary = detector.scan_stream(fh.read, rel, st.st_size)
            if item.target and not any(f.line is None for f in findings):
                fh.seek(0)
                findings = _target_findings(detector, rel, item.target, fh.read(HEAD_BYTES)) + findings
            return binary, findings, None
    except OSError as exc:
        return False, [], f"read error: {exc.strerror or exc}"
    finally:
        os.close(fd)


def _target_findings(detector: Detector, rel: str, target: str, head: bytes) -> list[Finding]:
    """A link leaving the root is a credential file if its target's own name says so."""
    found = detector.file_findings(target.lstrip("/"), head)
    return [Finding(f.rule, f.description + f" (symlink to {display(target)})", rel, None, f.excerpt,
                    f.fingerprint, confidence=f.confidence) for f in found]


def _needs_escape(rel: str) -> bool:
    try:
        rel.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _init_worker(detector: Detector, max_size: int) -> None:
    global _worker
    _worker = (detector, max_size)


def _scan_in_worker(item: Candidate) -> tuple[Candidate, bool, list[Finding], str | None]:
    detector, max_size = _worker
    binary, findings, skip = scan_candidate(item, detector, max_size)
    return item, binary, findings, skip


def _run(todo: list[Candidate], detector: Detector, max_size: int, jobs: int | None,
         progress: Callable[[int], None] | None):
    jobs = jobs or int(os.environ.get("SECRETGUARD_JOBS") or 0) or min(os.cpu_count() or 1, 8)
    big = len(todo) >= PARALLEL_MIN_FILES or sum(c.size for c in todo) >= PARALLEL_MIN_BYTES
    if jobs > 1 and big:
        import multiprocessing

        # Largest files first: no worker is left with a big file at the end while the others idle
        # (results are sorted afterwards, so order does not matter).
        todo = sorted(todo, key=lambda c: c.size, reverse=True)
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(jobs, initializer=_init_worker, initargs=(detector, max_size)) as pool:
            for done, (item, binary, findings, skip) in enumerate(
                    pool.imap_unordered(_scan_in_worker, todo, chunksize=16), 1):
                if progress:
                    progress(done)
                yield item, binary, findings, skip
        return
    for done, item in enumerate(todo, 1):
        binary, findings, skip = scan_candidate(item, detector, max_size)
        if progress:
            progress(done)
        yield item, binary, findings, skip


def check_file(path: Path, root: Path) -> list[Finding]:
    """Scan one file as the workspace scan would (for the Claude guard). Raises if unreadable."""
    prepared = prepare(root, ScanOptions(use_cache=False))
    settings, detector = prepared.settings, prepared.detector
    abspath = os.path.abspath(path)
    real = os.path.realpath(abspath)
    rel = os.path.relpath(abspath, root).replace(os.sep, "/")
    if rel.startswith("../"):
        rel = abspath.lstrip("/")
    import stat

    try:
        st = os.stat(abspath)
    except OSError as exc:
        from secretguard.scan.walk import _reason

        raise SecretguardError(f"{path}: {_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretguardError(f"{path}: not a regular file")
    item = Candidate(abspath, rel, st.st_size, (), target=real if real != abspath else None)
    _binary, findings, skip = scan_candidate(item, detector, settings.max_file_size)
    if skip is not None:
        raise SecretguardError(f"{path}: {skip}")
    return [f for f in findings if not f.baselined]


def check_text(text: str, relpath: str, root: Path) -> list[Finding]:
    """Content findings in text an agent is about to be shown as the file `relpath` under `root`."""
    detector = prepare(root, ScanOptions(use_cache=False)).detector
    return [f for f in detector.scan_text(text, relpath) if not f.baselined]
