"""Accuracy of `secretguard scan` on a labelled corpus: recall, precision, F1, recall per kind,
the worst false-positive files.

    python3 benchmarks/accuracy.py                 # extract ../shared/corpus/tree.tar.gz to a temp dir
    python3 benchmarks/accuracy.py /tmp/x/tree     # an already extracted tree
    python3 benchmarks/accuracy.py --corpus DIR    # another corpus (tree.tar.gz + labels.jsonl)

Scoring follows the corpus README: a single-line positive needs a finding on its path and line,
a multi-line one a finding in [line-1, end_line+1], a whole-file one any finding on its path; a
finding with line null matches only whole-file positives; precision counts findings de-duplicated
on path+line. The corpus's own evaluate.py is used when it sits next to the labels (its report is
the reference); the same rules are reimplemented here so that this script also runs without it.
Nothing from the scanned files is printed: findings are named by rule, path and line only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def default_corpus() -> Path:
    for candidate in (REPO.parent / "shared" / "corpus", Path("/work/shared/corpus")):
        if (candidate / "labels.jsonl").is_file():
            return candidate
    sys.exit("accuracy: no corpus found (looked for ../shared/corpus); pass --corpus DIR")


def extract(corpus: Path, into: Path) -> Path:
    with tarfile.open(corpus / "tree.tar.gz") as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)
    return into / "tree"


def run_scan(tree: Path) -> tuple[list[dict], float]:
    cmd = [sys.executable, "-m", "secretguard", "scan", str(tree), "--format", "json", "--no-cache"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tree)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"accuracy: secretguard scan failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)["findings"], seconds


def score(labels: list[dict], findings: list[dict]) -> dict:
    """The corpus README's matching rules."""
    seen: set[tuple[str, int | None]] = set()
    unique = []
    for f in findings:
        key = (f["path"], f["line"])
        if key not in seen:
            seen.add(key)
            unique.append(f)
    by_path: dict[str, list[dict]] = defaultdict(list)
    for f in unique:
        by_path[f["path"]].append(f)

    def covers(label: dict, f: dict) -> bool:
        if label["line"] is None:
            return True
        if f["line"] is None:
            return False
        end = label.get("end_line") or label["line"]
        if end == label["line"]:
            return f["line"] == label["line"]
        return label["line"] - 1 <= f["line"] <= end + 1

    positives = [lab for lab in labels if lab["positive"]]
    found_kind: Counter = Counter()
    total_kind: Counter = Counter()
    matched: set[int] = set()
    missed = []
    for lab in positives:
        total_kind[lab["kind"]] += 1
        hits = [i for i, f in enumerate(unique) if f["path"] == lab["path"] and covers(lab, f)] \
            if lab["path"] in by_path else []
        if hits:
            found_kind[lab["kind"]] += 1
            matched.update(hits)
        else:
            missed.append(lab)
    false_pos = [f for i, f in enumerate(unique) if i not in matched]
    tp_findings = len(unique) - len(false_pos)
    recall = sum(found_kind.values()) / len(positives) if positives else 1.0
    precision = tp_findings / len(unique) if unique else 1.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {"recall": recall, "precision": precision, "f1": f1, "findings": len(unique),
            "positives": len(positives), "found": sum(found_kind.values()),
            "per_kind": {k: (found_kind[k], total_kind[k]) for k in sorted(total_kind)},
            "false_positives": false_pos, "missed": missed}


def reference_report(corpus: Path, tree: Path, findings_file: Path) -> dict | None:
    script = corpus / "evaluate.py"
    if not script.is_file():
        return None
    proc = subprocess.run([sys.executable, str(script), str(tree), str(corpus / "labels.jsonl"),
                           str(findings_file), "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree", nargs="?", type=Path, help="an extracted corpus tree (default: extract one)")
    ap.add_argument("--corpus", type=Path, help="directory holding labels.jsonl (and tree.tar.gz, evaluate.py)")
    ap.add_argument("--top", type=int, default=15, help="how many false-positive files to list")
    args = ap.parse_args()
    corpus = args.corpus or default_corpus()
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="sg-accuracy-") as tmp:
        tree = args.tree.resolve() if args.tree else extract(corpus, Path(tmp))
        findings, seconds = run_scan(tree)
        findings_file = Path(tmp) / "findings.json"
        findings_file.write_text(json.dumps({"findings": findings}))
        result = score(labels, findings)
        reference = reference_report(corpus, tree, findings_file)

    print(f"corpus: {corpus}  (scan: {seconds:.2f} s, {result['findings']} findings after path+line de-duplication)")
    print()
    print("| metric | value |\n|---|---|")
    print(f"| recall | {result['recall']:.3f} ({result['found']}/{result['positives']}) |")
    print(f"| precision | {result['precision']:.3f} |")
    print(f"| F1 | {result['f1']:.3f} |")
    print(f"| false positives | {len(result['false_positives'])} |")
    if reference is not None:
        agree = abs(reference["recall"] - result["recall"]) < 1e-9 and abs(reference["precision"] - result["precision"]) < 1e-9
        print(f"| corpus evaluate.py | recall {reference['recall']:.3f}, precision {reference['precision']:.3f}"
              f" ({'agrees' if agree else 'DIFFERS from the figures above'}) |")
    print("\nRecall per kind\n\n| kind | found/total | recall |\n|---|---|---|")
    for kind, (found, total) in sorted(result["per_kind"].items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
        print(f"| {kind} | {found}/{total} | {found / total:.2f} |")
    if result["missed"]:
        print("\nMissed positives\n\n| kind | path | line |\n|---|---|---|")
        for lab in result["missed"]:
            print(f"| {lab['kind']} | {lab['path']} | {lab['line']} |")
    fp_files = Counter(f["path"] for f in result["false_positives"])
    print(f"\nWorst false-positive files (top {args.top})\n\n| path | FPs | rules (line) |\n|---|---|---|")
    for path, n in fp_files.most_common(args.top):
        where = ", ".join(f"{f['rule']} ({f['line']})" for f in result["false_positives"] if f["path"] == path)
        print(f"| {path} | {n} | {where} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
