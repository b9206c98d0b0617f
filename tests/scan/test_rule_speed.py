"""No content rule takes time super-linear in the length of a line (rules/README.md, Linear time).

Python's `re` backtracks: a rule such as `mysql[^\\n]*?[ \\t]-p` scans to the end of the line from
every `mysql` it meets, so a 1.7 MB minified line with 8,000 mentions took two minutes. Each rule
here meets a 2 MB single line made of its own keywords and the literal parts of its regex, joined
by word characters, by punctuation, by blanks and flags, by long runs of blanks and quotes, or far
apart in minified-code filler: the input that gives a keyword-anchored scan the most starts and
the longest runs. Every rule must finish it within RULE_LIMIT seconds, through the compiled
pattern the engine uses (same flags); the whole rule set, through the real Detector (keyword
prefilter, regexes, filters), must scan a line mixing every rule's keywords at
MIXED_LIMIT_PER_MB seconds per megabyte or better.

The lines come from a fixed seed, so a failure is reproducible; a linear rule finishes its line
in a few milliseconds to a few tens of them, far under the limit even on a loaded two-core CI
machine, and a quadratic one takes minutes. Nothing secret-shaped is written here: the lines are
built from the rules themselves at run time.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from secretguard.scan.detect import Detector
from secretguard.scan.rules import ContentRule, load_ruleset

try:  # Python 3.11+
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

RULES = load_ruleset()
MB = 1_000_000
LINE_BYTES = 2 * MB
RULE_LIMIT = 0.5          # seconds per rule on its 2 MB line
MIXED_BYTES = 1 * MB
MIXED_LIMIT_PER_MB = 2.0  # seconds per MB for the whole rule set through the Detector
BLOCK = 4_000             # a random block this long is repeated to make a stretch of a line

# Separators between tokens, by regime: runs of word characters (where `[\w.\-]*` after a keyword
# meets the next keyword), whitespace and flags (where `cmd ... -p` scans meet the next command),
# and any punctuation an assignment, a URL, a header or a quoted string uses.
WORD_SEPS = ("", "", "_", "-", ".", "0", "a", "Z")
SPACE_SEPS = (" ", " ", "\t", " -", " --", " = ", ": ", " -u ", " -p ")
PUNCT_SEPS = (" ", "=", ":", "_", "-", ".", "/", "\t", '"', "'", ",", "", "@", "\\", ";", "(",
              ")", "{", "}", "<", ">", "&", "?", "|", "!", "+", "#", "$", "%", "*", "[", "]", "`",
              "~", ": ", " = ", '="', "='", '": "', "://", "\\\"", "\\n", "=>", ":=")
PADDING = (" ", " ", "\t", '"', "'", "+", ",", "`", "\\", "\\n")  # what sits between the lines of a quoted key
FILLER = "ab(),;= "  # minified code between two mentions: a(b,a);b=a
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def literal_fragments(regex: str) -> list[str]:
    """The runs of literal characters in a regex (`mysql`, ` -p`, `://`, `-----BEGIN `…), from
    every branch, group, repeat and lookaround."""
    out: set[str] = set()

    def walk(items) -> None:
        run = ""
        for op, av in items:
            if op is sre_constants.LITERAL:
                run += chr(av)
                continue
            if run:
                out.add(run)
            run = ""
            if op is sre_constants.SUBPATTERN:
                walk(av[-1])
            elif op is sre_constants.BRANCH:
                for alternative in av[1]:
                    walk(alternative)
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                        getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
                walk(av[2])
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(av[1])
            elif op is getattr(sre_constants, "ATOMIC_GROUP", None):
                walk(av)
        if run:
            out.add(run)

    walk(sre_parse.parse(regex, re.MULTILINE))
    return sorted(out)


def _tokens(rules, literals: bool = True) -> list[str]:
    toks: set[str] = set()
    for rule in rules:
        for t in (*rule.keywords, *(literal_fragments(rule.regex) if literals else ())):
            toks.update((t, t.upper()))
    return sorted(toks)


def _regime(seps, tokens: list[str], keywords: list[str], rng: random.Random, size: int) -> str:
    """`size` characters of tokens joined by `seps`, with now and then a short random value (half
    a secret, a host name); for seps PADDING, joined by long runs of blanks, quotes and escapes;
    for seps None, keywords alone far apart in minified-code filler."""
    parts: list[str] = []
    n = 0
    while n < size:
        if seps is PADDING:
            tok, sep = rng.choice(tokens), "".join(rng.choices(PADDING, k=rng.randint(50, 1000)))
        elif seps is None:
            tok, sep = rng.choice(keywords), "".join(rng.choices(FILLER, k=rng.randint(20, 120)))
        elif rng.random() < 0.15:
            tok, sep = "".join(rng.choices(ALNUM, k=rng.randint(1, 12))), rng.choice(seps)
        else:
            tok, sep = rng.choice(tokens), rng.choice(seps)
        parts += (tok, sep)
        n += len(tok) + len(sep)
    return "".join(parts)


def adversarial_line(rules, size: int, seed: str) -> str:
    """One line of `size` characters (no line break) made of `rules`' keywords and regex literals.

    Its first half is eight stretches, each a random block repeated: keywords run together
    (`passwordpassword…`), joined by `-`, by `_`, by `.` (so that a prefix recurs inside the
    character class that follows it: `sk-sk-sk-…`), then all tokens joined by word characters,
    by punctuation, by whitespace and flags, by long runs of blanks, quotes and escapes (where
    two quantifiers that both take a blank split the run every possible way). Its second half is keywords alone far apart in
    filler, where a scan from each keyword finds nothing that ends it until the end of the line
    (the offender: 8,000 mentions of mysql on a 1.7 MB line, and no -p)."""
    rng = random.Random(seed)
    tokens, keywords = _tokens(rules), _tokens(rules, literals=False)
    regimes = ((("",), keywords), (("-",), keywords), (("_",), keywords), ((".",), keywords),
               (WORD_SEPS, tokens), (PUNCT_SEPS, tokens), (SPACE_SEPS, tokens), (PADDING, tokens))
    part = size // 2 // len(regimes)
    stretches = []
    for seps, toks in regimes:
        block = _regime(seps, toks, keywords, rng, min(BLOCK, part))
        stretches.append((block * (part // len(block) + 1))[:part])
    head = "".join(stretches)
    block = _regime(None, tokens, keywords, rng, min(BLOCK, size - len(head)))
    return head + (block * ((size - len(head)) // len(block) + 1))[:size - len(head)]


def start_kind(regex: str) -> str:
    """How `re` looks for the pattern's start: a literal prefix (fast search), a first-character
    set (cheap skip), or neither (the whole pattern tried at every position)."""
    try:
        from re import _compiler

        parsed = sre_parse.parse(regex, re.MULTILINE)
        flags = _compiler._code(parsed, re.MULTILINE | parsed.state.flags)[2]
    except Exception:  # pragma: no cover - private API moved
        return "unknown"
    if flags & sre_constants.SRE_INFO_PREFIX:
        return "a literal prefix"
    return "a first-character set" if flags & sre_constants.SRE_INFO_CHARSET else "no literal prefix or first-character set"


# CPU time of this process: another process loading the machine does not count against a rule
# (a quadratic rule still takes minutes of it).
def _time_rule(rule: ContentRule, text: str) -> float:
    start = time.process_time()
    for _ in rule.pattern.finditer(text):
        pass
    return time.process_time() - start


@pytest.mark.parametrize("rule", RULES.content_rules, ids=lambda r: r.id)
def test_rule_is_linear_on_a_long_line(rule: ContentRule) -> None:
    text = adversarial_line([rule], LINE_BYTES, rule.id)
    seconds = _time_rule(rule, text)
    if seconds > RULE_LIMIT:  # one retry: a loaded CI machine, not a quadratic rule
        seconds = min(seconds, _time_rule(rule, text))
    assert seconds <= RULE_LIMIT, (
        f"{rule.source}: {rule.id} took {seconds:.2f} s on a {LINE_BYTES // MB} MB line of its own "
        f"keywords (limit {RULE_LIMIT} s); its pattern starts with {start_kind(rule.regex)}: "
        f"see rules/README.md, Linear time")


def test_whole_rule_set_on_a_line_mixing_every_keyword() -> None:
    text = adversarial_line(RULES.content_rules, MIXED_BYTES, "mixed")
    detector = Detector(RULES, key=b"rule-speed")

    def per_mb() -> float:
        start = time.process_time()
        detector.scan_text(text, "mixed.txt")
        return (time.process_time() - start) / (len(text) / MB)

    seconds = per_mb()
    if seconds > MIXED_LIMIT_PER_MB:  # one retry, as above
        seconds = min(seconds, per_mb())
    assert seconds <= MIXED_LIMIT_PER_MB, (
        f"the rule set took {seconds:.2f} s per MB on a line mixing every keyword "
        f"(limit {MIXED_LIMIT_PER_MB} s per MB)")


def test_the_lines_hold_what_they_claim() -> None:
    """The generator really puts each rule's keywords on one long line."""
    rule = RULES.content_rule("generic-mysql-password-arg")
    text = adversarial_line([rule], 200_000, rule.id)
    assert len(text) == 200_000 and "\n" not in text
    assert text.lower().count("mysql") > 1000
    assert " -p" in literal_fragments(rule.regex) or "-p" in literal_fragments(rule.regex)
