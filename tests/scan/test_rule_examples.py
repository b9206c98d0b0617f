"""Every example of every shipped rule, run through the real engine.

Each example is scanned twice: by the rule alone (a positive must give a finding of the rule, a
negative none), and by the whole rule set (a positive must still be reported, by this rule or by
a more specific one that claims the same value first). Content and file rules alike; one test id
per example, so a failure names the rule and the example.
"""

from __future__ import annotations

import pytest

from secretguard.scan.detect import Detector
from secretguard.scan.rules import ContentRule, Example, RuleSet, load_ruleset

RULES = load_ruleset()
DETECTOR = Detector(RULES, key=b"rule-examples")
KEY = b"rule-examples"


def _cases() -> list:
    cases = []
    for rule in (*RULES.content_rules, *RULES.file_rules):
        for polarity, examples in (("pos", rule.positive), ("neg", rule.negative)):
            for n, example in enumerate(examples):
                cases.append(pytest.param(rule, example, polarity == "pos", id=f"{rule.id}-{polarity}{n}"))
    return cases


def _findings(detector: Detector, example: Example) -> list:
    data = example.data if example.data is not None else example.text.encode("utf-8")
    findings, _binary = detector.scan_bytes(data, example.path)
    return findings


def _alone(rule) -> Detector:
    if isinstance(rule, ContentRule):
        return Detector(RuleSet((rule,), (), "x"), key=KEY)
    return Detector(RuleSet((), (rule,), "x"), key=KEY)


@pytest.mark.parametrize(("rule", "example", "positive"), _cases())
def test_rule_example(rule, example: Example, positive: bool) -> None:
    own = [f.rule for f in _findings(_alone(rule), example)]
    if not positive:
        assert rule.id not in own, f"{rule.source}: {rule.id} fired on its negative example"
        return
    assert rule.id in own, f"{rule.source}: {rule.id} missed its positive example"
    everyone = _findings(DETECTOR, example)
    if isinstance(rule, ContentRule):
        lines = {f.line for f in _findings(_alone(rule), example)}
        assert lines <= {f.line for f in everyone}, f"{rule.id}: the full rule set drops this example's finding"
    else:  # a credential file: its own whole-file finding, or one finding per secret marked with it
        assert any(f.rule == rule.id or f.file_rule == rule.id for f in everyone) or \
            any(f.credential_file for f in everyone), f"{rule.id}: the full rule set drops this credential file"


def test_every_content_rule_has_examples_both_ways() -> None:
    thin = [r.id for r in RULES.content_rules if len(r.positive) < 1 or len(r.negative) < 1]
    assert not thin, f"rules without positive and negative examples: {thin}"


def test_coverage_is_at_least_sixty_content_rules() -> None:
    assert len([r for r in RULES.content_rules if isinstance(r, ContentRule)]) >= 60
