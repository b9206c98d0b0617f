"""Renderers for a ScanResult: human text, JSON (the fixed interface) and SARIF 2.1.0.

Each returns a string; none of them can see a secret value, only redacted excerpts.
"""

from __future__ import annotations

import json

from secretguard import __version__
from secretguard.scan.engine import ScanResult

ACCEPT_HINT = ("To accept a false positive: add `secretguard:allow` in a comment on its line, or record "
               "it with `secretguard baseline --update`.")


def summary(result: ScanResult) -> dict:
    return {"files_scanned": result.files_scanned, "binary_files": result.binary_files,
            "cached_files": result.cached_files, "excluded": len(result.excluded),
            "skipped": len(result.skipped), "findings": len(result.findings),
            "seconds": round(result.seconds, 3)}


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
        lines.append(f"{paint(where, '1')}  {paint(f.rule, '31')}  {f.description}  {f.excerpt}")
    for s in result.skipped:
        lines.append(f"{paint(s.path, '1')}  {paint('skipped', '33')}  {s.reason}")
    if verbose:
        for e in result.excluded:
            lines.append(f"{e.path}  {paint('excluded', '2')}  {e.reason}")
    s = summary(result)
    verdict = paint("clean", "32") if result.clean else paint(f"{s['findings']} finding(s)", "31")
    lines.append(f"secretguard: {verdict}: {s['files_scanned']} files scanned ({s['cached_files']} cached, "
                 f"{s['binary_files']} binary), {s['excluded']} excluded, {s['skipped']} skipped "
                 f"in {s['seconds']:.2f}s")
    if result.findings and hint:
        lines.append(ACCEPT_HINT)
    return "\n".join(lines)


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
            "level": "error",
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                "region": region}}],
            "partialFingerprints": {"secretguard/v1": f.fingerprint},
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
