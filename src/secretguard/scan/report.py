"""Renderers for a ScanResult: human text, JSON (the fixed interface) and SARIF 2.1.0.

Each returns a string; none of them can see a secret value, only redacted excerpts.
"""

from __future__ import annotations

import json

from secretguard import __version__
from secretguard.scan.engine import ScanResult

def summary(result: ScanResult) -> dict:
    return {"files_scanned": result.files_scanned, "binary_files": result.binary_files,
            "cached_files": result.cached_files, "excluded": len(result.excluded),
            "skipped": len(result.skipped), "findings": len(result.findings),
            "baselined": len(result.baselined), "below_min_confidence": result.below_minimum,
            "seconds": round(result.seconds, 3)}


SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
SARIF_RANK = {"high": 90.0, "medium": 60.0, "low": 20.0}
_TIER_COLOR = {"high": "1;31", "medium": "31", "low": "33"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def to_json(result: ScanResult, verbose: bool = False) -> str:
    doc = {
        "version": __version__,
        "root": str(result.root),
        "clean": result.clean,
        "findings": [f.to_dict() for f in result.findings],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "summary": summary(result),
    }
    if verbose:
        doc["excluded"] = [{"path": e.path, "reason": e.reason} for e in result.excluded]
    return _dumps_one_item_a_line(doc)


def _dumps_one_item_a_line(doc: dict) -> str:
    """Readable JSON at C speed: `indent=` would switch json to its pure-Python encoder, which
    costs more than a warm scan itself on a tree with thousands of findings."""
    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"  {json.dumps(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}"


def to_text(result: ScanResult, color: bool = False, verbose: bool = False, hint: bool = True) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    lines = []
    for f in result.findings:
        where = f.path if f.line is None else f"{f.path}:{f.line}"
        rule = f"{f.rule} in a {f.file_rule}" if f.file_rule else f.rule
        lines.append(f"{paint(where, '1')}  {paint(f.confidence, _TIER_COLOR.get(f.confidence, '31'))}  "
                     f"{paint(rule, '31')}  {f.description}  {f.excerpt}")
    for s in result.skipped:
        lines.append(f"{paint(s.path, '1')}  {paint('skipped', '33')}  {s.reason}")
    if verbose:
        for e in result.excluded:
            lines.append(f"{e.path}  {paint('excluded', '2')}  {e.reason}")
    s = summary(result)
    if result.findings:
        verdict = paint(_plural(s["findings"], "finding"), "31")
    elif not result.clean:
        verdict = paint(f"not clean: --strict refuses what it could not scan ({s['skipped']} skipped)", "31")
    else:
        verdict = paint("clean", "32")
    accepted = ""
    if result.below_minimum:
        accepted += f", {_plural(result.below_minimum, 'finding')} below --min-confidence not shown"
    if result.baseline is not None:
        accepted += f", {s['baselined']} accepted by the baseline {_shown_path(result.baseline, result.root)}"
    lines.append(f"secretguard: {verdict}: {_plural(s['files_scanned'], 'file')} scanned ({s['cached_files']} "
                 f"cached, {s['binary_files']} binary), {s['excluded']} excluded, {s['skipped']} skipped"
                 f"{accepted} in {s['seconds']:.2f}s")
    if hint:
        lines += advice(result)
    return "\n".join(lines)


def advice(result: ScanResult) -> list[str]:
    """What to do, by the kind of finding: each line names the findings it is about."""
    out = []
    files = sorted({f.path for f in result.findings if f.credential_file})
    content = sorted({f.path for f in result.findings if not f.credential_file})
    if files:
        out.append(f"Credential files ({_listed(files)}) are refused by name, whatever a baseline or comment "
                   "says: move them out of the tree and keep the secret in Vault (`secretguard exec` hands it to "
                   "the command that needs it); a test fixture can be listed in `exclude` in secretguard.toml.")
    if content:
        command = "secretguard baseline --update " + " ".join(f"--file {_quote(p)}" for p in content[:5])
        out.append(f"To accept a false positive: add `secretguard:allow` in a comment on its line, or run "
                   f"`{command}` to record the findings in {_listed(content)} (and only those).")
    if result.skipped:
        out.append(f"Not scanned ({_listed([s.path for s in result.skipped])}): a path secretguard cannot read "
                   "is reported, not trusted; if it is meant to be there (a link to a data directory, a "
                   "socket), add it to `exclude` in secretguard.toml.")
    return out


def _listed(paths: list[str], limit: int = 5) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)


def _shown_path(path, root) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def to_sarif(result: ScanResult) -> str:
    rules_by_id = {}
    if result.rules is not None:
        for r in (*result.rules.file_rules, *result.rules.content_rules):
            rules_by_id[r.id] = r.description
    used = sorted({f.rule for f in result.findings})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    driver_rules = [{
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": rules_by_id.get(rule_id, rule_id)},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "secret"]},
    } for rule_id in used]
    results = []
    for f in result.findings:
        region = {"startLine": f.line if f.line is not None else 1}
        message = f"{f.description}: {f.excerpt}" if f.line is not None else f"{f.description} (whole file)"
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": SARIF_LEVEL.get(f.confidence, "error"),
            "rank": SARIF_RANK.get(f.confidence, 60.0),
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                "region": region}}],
            "partialFingerprints": {"secretguard/v1": f.fingerprint},
            "properties": {"confidence": f.confidence,
                           "credentialFile": f.file_rule or (f.rule if f.line is None else None)},
        })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "secretguard", "version": __version__,
                                "informationUri": "https://github.com/secretguard/secretguard",
                                "rules": driver_rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": result.root.as_uri() + "/"}},
            "results": results,
            "invocations": [{"executionSuccessful": True,
                             "toolExecutionNotifications": [
                                 {"level": "warning", "message": {"text": f"skipped {s.path}: {s.reason}"}}
                                 for s in result.skipped]}],
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
