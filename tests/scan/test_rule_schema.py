"""Rule schema additions: the optional per-rule `confidence`."""

from __future__ import annotations

import pytest

from secretguard.errors import RuleError
from secretguard.scan.rules import load_ruleset, parse_rule_file

CONTENT = """schema_version = 1
[[rules]]
id = "demo-token"
description = "demo"
regex = 'demo_[a-z]{{8}}'
keywords = ["demo_"]
{extra}
"""
FILE = """schema_version = 1
[[files]]
id = "demo-file"
description = "demo"
names = ["*.demo"]
{extra}
"""


@pytest.mark.parametrize("level", ["high", "medium", "low"])
def test_confidence_is_read_for_both_kinds_of_rule(level: str) -> None:
    [rule], _ = parse_rule_file(CONTENT.format(extra=f'confidence = "{level}"').encode(), "x.toml")
    _, [file_rule] = parse_rule_file(FILE.format(extra=f'confidence = "{level}"').encode(), "x.toml")
    assert rule.confidence == file_rule.confidence == level


def test_confidence_defaults_to_unset() -> None:
    [rule], _ = parse_rule_file(CONTENT.format(extra="").encode(), "x.toml")
    _, [file_rule] = parse_rule_file(FILE.format(extra="").encode(), "x.toml")
    assert rule.confidence is None and file_rule.confidence is None


@pytest.mark.parametrize("value", ['"High"', '"certain"', "1", "true"])
def test_a_bad_confidence_names_the_file_and_the_rule(value: str) -> None:
    with pytest.raises(RuleError, match=r"x\.toml: rule 'demo-token': .*confidence"):
        parse_rule_file(CONTENT.format(extra=f"confidence = {value}").encode(), "x.toml")


def test_builtin_confidences_are_valid() -> None:
    rules = load_ruleset()
    assert {r.confidence for r in (*rules.content_rules, *rules.file_rules)} <= {None, "high", "medium", "low"}
