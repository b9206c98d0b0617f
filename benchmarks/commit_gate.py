"""Commit gate figures: `secretguard scan --staged` on an initial commit of many files.

Run: python benchmarks/commit_gate.py [--files 5000] [--runs 3] [--corpus synthetic|stdlib].
Builds a throwaway repository, stages every file, and prints the wall time of the scan as a
user's commit would pay it (a fresh process each run), plus a one-file commit. Corpora:
`synthetic`, generated source-like files of a few KB; `stdlib`, the running Python's standard
library .py files (real code, ~17 KB each), repeated in copies until there are enough.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE_WORDS = ["def", "return", "self", "value", "config", "items", "result", "import", "for", "in",
              "if", "else", "None", "True", "name", "path", "data", "key_name", "count", "url"]


def _source(rng: random.Random, lines: int) -> str:
    out = []
    for i in range(lines):
        words = " ".join(rng.choice(LINE_WORDS) for _ in range(rng.randint(3, 10)))
        out.append(f"    {words}  # {i}" if i % 3 else f"def f_{i}(x): {words}")
    return "\n".join(out) + "\n"


def _build(root: Path, files: int, env: dict[str, str], corpus: str) -> None:
    rng = random.Random(4)
    if corpus == "stdlib":
        import sysconfig

        stdlib = Path(sysconfig.get_paths()["stdlib"])
        sources = sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)
    for n in range(files):
        d = root / f"pkg{n % 50}" / f"mod{n % 7}"
        d.mkdir(parents=True, exist_ok=True)
        if corpus == "stdlib":
            (d / f"file_{n}.py").write_bytes(sources[n % len(sources)].read_bytes())
        else:
            (d / f"file_{n}.py").write_text(_source(rng, rng.randint(40, 120)))
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(cmd, cwd=root, env=env, check=True)


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(cmd: list[str], cwd: Path, env: dict[str, str], runs: int) -> tuple[float, float, str]:
    """Median wall time and CPU time (all processes: on a busy machine, the steadier figure)."""
    times, cpus, last = [], [], ""
    for _ in range(runs):
        start, cpu = time.perf_counter(), _cpu()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
        summary = [line for line in proc.stdout.splitlines() if line.startswith("secretguard: ")]
        last = summary[-1] if summary else proc.stderr.strip()
    return statistics.median(times), statistics.median(cpus), last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", choices=["synthetic", "stdlib"], default="synthetic")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_STATE_HOME=f"{tmp}/state", XDG_CACHE_HOME=f"{tmp}/cache",
                   XDG_CONFIG_HOME=f"{tmp}/config", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
                   GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
        repo = Path(tmp) / "repo"
        repo.mkdir()
        start = time.perf_counter()
        _build(repo, args.files, env, args.corpus)
        size = sum(f.stat().st_size for f in repo.rglob("*.py"))
        print(f"cores: {os.cpu_count()}, load average now: {os.getloadavg()[0]:.1f}")
        print(f"built {args.files} {args.corpus} files ({size / 1e6:.1f} MB) and staged them in {time.perf_counter() - start:.1f}s")
        cmd = [sys.executable, "-m", "secretguard", "scan", "--staged"]
        seconds, cpu, summary = _time(cmd, repo, env, args.runs)
        print(f"scan --staged, initial commit of {args.files} files: {seconds:.2f}s wall, {cpu:.2f}s CPU "
              f"(median of {args.runs})")
        print(f"  {summary}")
        subprocess.run(["git", "commit", "-q", "--no-verify", "-m", "all"], cwd=repo, env=env, check=True)
        (repo / "pkg0" / "new.py").write_text("x = 1\n")
        subprocess.run(["git", "add", "pkg0/new.py"], cwd=repo, env=env, check=True)
        seconds, cpu, summary = _time(cmd, repo, env, args.runs)
        print(f"scan --staged, one changed file in that repository: {seconds:.2f}s wall, {cpu:.2f}s CPU "
              f"(median of {args.runs})")
        print(f"  {summary}")
        start = time.perf_counter()
        subprocess.run(["git", "ls-files", "--stage", "-z"], cwd=repo, env=env, capture_output=True, check=True)
        print(f"  of which `git ls-files --stage`: {time.perf_counter() - start:.3f}s")


if __name__ == "__main__":
    main()
