"""Sealed sessions: what the wall costs (issue: sealed agent session).

Prints medians over interleaved runs (so load on a shared machine hits every variant alike):
  session start   `secretguard run -- true` over `true` (strict scan from the cache + the wall)
                  target <= 300 ms
  sealed command  `secretguard run --inner -- bash -c true` over `bash -c true` (what the hook adds
                  to every Bash call)                                           target <= 30 ms
  exec, broker    `secretguard exec -- true` (three KV v2 secrets) inside a session, timed inside it,
                  over `true` inside it                                         target <= 50 ms
  exec, direct    the same outside a session (benchmarks/exec_overhead.py too)  target <= 150 ms
Starts an OpenBao dev server and gnome-keyring like the tests. Usage:
    python benchmarks/session_overhead.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exec_overhead import _time_interleaved, secretguard_argv, setup  # noqa: E402


def ms(xs: list[float]) -> float:
    return statistics.median(xs) * 1000


def inside_session(sg: list[str], env: dict[str, str], project: Path, runs: int) -> tuple[list[float], list[float]]:
    """exec through the broker and plain `true`, both timed inside one sealed session."""
    exec_cmd = " ".join(sg) + " exec -- true"
    script = (f"for i in $(seq {runs}); do "
              f"a=$(date +%s%N); {exec_cmd} >/dev/null; b=$(date +%s%N); true; c=$(date +%s%N); "
              "echo $((b-a)) $((c-b)); done")
    proc = subprocess.run([*sg, "run", "--project", str(project), "--", "bash", "-c", script], env=env, cwd=project,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"the session failed: {proc.stderr}")
    pairs = [line.split() for line in proc.stdout.splitlines() if line.strip()]
    return [int(a) / 1e9 for a, _ in pairs], [int(b) / 1e9 for _, b in pairs]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    if shutil.which("bwrap") is None:
        raise SystemExit("bubblewrap is not installed (apt-get install bubblewrap)")
    tmp = Path(tempfile.mkdtemp(prefix="sg-session-bench-"))
    bao, keyring, env, project = setup(tmp)
    try:
        sg = secretguard_argv()
        commands = {
            "session": [*sg, "run", "--project", str(project), "--", "true"],
            "true": ["true"],
            "sealed": [*sg, "run", "--inner", "--project", str(project), "--", "bash", "-c", "true"],
            "bash": ["bash", "-c", "true"],
            "exec": [*sg, "exec", "--", "true"],
        }
        _time_interleaved(commands, env, project, 2)  # warm: bytecode, scan cache, wall cache
        t = _time_interleaved(commands, env, project, runs)
        brokered, plain_inside = inside_session(sg, env, project, runs)
        print(f"runs: {runs}; load average {os.getloadavg()[0]:.2f}")
        print(f"session start overhead  {ms(t['session']) - ms(t['true']):7.1f} ms  (run -- true {ms(t['session']):.1f} ms;"
              " target <= 300)")
        print(f"sealed bash -c true     {ms(t['sealed']) - ms(t['bash']):7.1f} ms  over unsealed "
              f"({ms(t['sealed']):.1f} vs {ms(t['bash']):.1f} ms; target <= 30)")
        print(f"exec through the broker {ms(brokered) - ms(plain_inside):7.1f} ms  over `true` inside the session "
              "(target <= 50)")
        print(f"exec directly           {ms(t['exec']) - ms(t['true']):7.1f} ms  over `true` (target <= 150)")
        print(f"CPU: session {ms(t['session cpu']):.1f} ms, sealed {ms(t['sealed cpu']):.1f} ms, "
              f"exec {ms(t['exec cpu']):.1f} ms")
    finally:
        keyring.stop()
        bao.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
