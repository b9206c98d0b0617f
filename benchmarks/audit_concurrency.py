"""Audit log figures: import cost, per-record latency, a whole hook-like process, 8 writers at once, verify.

Run: python benchmarks/audit_concurrency.py [--records N]. Uses a throwaway XDG_STATE_HOME; prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRITER = """
import sys
from secretguard.audit import log as audit
for n in range(int(sys.argv[1])):
    audit.record("hook", session_id="bench", tool="Bash", decision="allow", n=n)
"""


def _median_ms(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000, help="records per in-process / writer run")
    parser.add_argument("--runs", type=int, default=30, help="process launches per startup figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_STATE_HOME=tmp)
        os.environ["XDG_STATE_HOME"] = tmp
        py = sys.executable
        base = _median_ms([py, "-c", "pass"], args.runs, env)
        imp = _median_ms([py, "-c", "import secretguard.audit.log"], args.runs, env)
        one = _median_ms([py, "-c", "from secretguard.audit import log as audit; audit.record('hook', decision='allow')"],
                         args.runs, env)
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            print("note: PYTHONDONTWRITEBYTECODE is set, so every launch recompiles secretguard's modules")
        print(f"python -c pass (median of {args.runs})          {base:7.1f} ms")
        print(f"import secretguard.audit.log                     {imp:7.1f} ms  (+{imp - base:.1f})")
        print(f"import + one record (a hook's audit cost)    {one:7.1f} ms  (+{one - base:.1f})")

        from secretguard.audit import log as audit

        lat = []
        for n in range(args.records):
            start = time.perf_counter()
            audit.record("hook", session_id="bench", tool="Read", decision="deny", n=n)
            lat.append((time.perf_counter() - start) * 1e6)
        lat.sort()
        print(f"record() in-process, {args.records} records: median {lat[len(lat) // 2]:.0f} us, "
              f"p99 {lat[int(len(lat) * 0.99)]:.0f} us")

        start = time.perf_counter()
        procs = [subprocess.Popen([py, "-c", WRITER, str(args.records)], env=env) for _ in range(8)]
        assert all(p.wait() == 0 for p in procs)
        wall = time.perf_counter() - start
        print(f"8 writers x {args.records} records at once: {wall:.2f} s wall, "
              f"{8 * args.records / wall:,.0f} records/s")

        from secretguard.audit import chain as audit_chain

        start = time.perf_counter()
        verdict = audit_chain.verify()
        took = time.perf_counter() - start
        size = Path(audit.log_path()).stat().st_size
        print(f"verify {verdict.records} records ({size / 1e6:.1f} MB): {took:.2f} s, ok={verdict.ok}")


if __name__ == "__main__":
    main()
