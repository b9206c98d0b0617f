"""The context firewall's cost per tool call: `secretguard hook claude` answering PostToolUse.

Median wall time (interpreter start included) for a Bash output of 20 KB and of 1 MB, clean and with
one token in it (the token case answers with the redacted output). Targets: 20 KB <= 60 ms,
1 MB <= 300 ms. Usage: python benchmarks/firewall_latency.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from planted import github_token  # noqa: E402

LINE = "INFO request served in 12 ms for /api/items?page=3 by worker-7\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("secretguard") or str(Path(sys.executable).parent / "secretguard")
    with tempfile.TemporaryDirectory(prefix="sg-firewall-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "README.md").write_text("# bench\n")
        env = {**os.environ, "CLAUDE_PROJECT_DIR": str(project), "XDG_CACHE_HOME": f"{tmp}/cache",
               "XDG_STATE_HOME": f"{tmp}/state", "XDG_CONFIG_HOME": f"{tmp}/config"}
        cases = {}
        for size in (20_000, 1_000_000):
            clean = (LINE * (size // len(LINE) + 1))[:size]
            for label, text in (("clean", clean), ("one token", clean + f"\nDEBUG auth={github_token()}\n")):
                doc = {"session_id": "bench", "cwd": str(project), "hook_event_name": "PostToolUse",
                       "tool_name": "Bash", "tool_input": {"command": "tail log"},
                       "tool_response": {"stdout": text, "stderr": "", "interrupted": False, "isImage": False}}
                cases[f"{size // 1000} KB, {label}"] = json.dumps(doc)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for round_ in range(args.runs + 1):  # interleaved; the first round warms caches and is dropped
            for name, payload in cases.items():
                start = time.perf_counter()
                proc = subprocess.run([exe, "hook", "claude"], input=payload, env=env, cwd=project,
                                      capture_output=True, text=True)
                if round_:
                    times[name].append(time.perf_counter() - start)
                if proc.returncode != 0:
                    raise SystemExit(f"{name}: the hook failed: {proc.stderr}")
                if ("token" in name) != ("updatedToolOutput" in proc.stdout):
                    raise SystemExit(f"{name}: unexpected answer {proc.stdout[:200]}")
    print(f"runs: {args.runs}; load average {os.getloadavg()[0]:.2f}")
    for name, values in times.items():
        target = 60 if name.startswith("20 KB") else 300
        print(f"PostToolUse {name:16} median {statistics.median(values) * 1000:6.1f} ms  (target {target} ms)")


if __name__ == "__main__":
    main()
