"""secretguard's own repository passes its own scan."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_repository_scans_clean(sg) -> None:
    proc = sg("scan", str(REPO), "--format", "json", "--no-cache")
    doc = json.loads(proc.stdout)
    assert doc["findings"] == [], [(f["path"], f["line"], f["rule"]) for f in doc["findings"]]
    assert proc.returncode == 0
