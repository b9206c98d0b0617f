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


_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0123456789", "CATEGORY_NOT_DIGIT": "aZ_-. ", "CATEGORY_SPACE": " \t",
    "CATEGORY_NOT_SPACE": "aZ0_-.:", "CATEGORY_WORD": "aZ0_", "CATEGORY_NOT_WORD": " -.:/=\"'",
}
_PRINTABLE = [chr(c) for c in range(32, 127)]


def sample_match(regex: str, rng: random.Random, limit: int = 400) -> str:
    """A random string shaped like a match of `regex` (assertions ignored, repeats kept short):
    its prefixes are partial matches, the text that makes a regex start and then search."""
    out: list[str] = []
    groups: dict[int, str] = {}

    def charset(items) -> list[str]:
        chars: list[str] = []
        negate = False
        for op, av in items:
            name = str(op)
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                chars.append(chr(av))
            elif name == "RANGE":
                chars += [chr(c) for c in range(av[0], min(av[1], av[0] + 60) + 1)]
            elif name == "CATEGORY":
                chars += list(_CATEGORY_CHARS.get(str(av), "a"))
        if negate:
            excluded = set(chars)
            chars = [c for c in _PRINTABLE if c not in excluded]
        return chars or ["a"]

    def walk(items) -> None:
        for op, av in items:
            if len(out) > limit:
                return
            name = str(op)
            if name == "LITERAL":
                out.append(chr(av))
            elif name == "NOT_LITERAL":
                out.append("a" if chr(av) != "a" else "b")
            elif name == "ANY":
                out.append("a")
            elif name == "IN":
                out.append(rng.choice(charset(av)))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = av
                for _ in range(rng.randint(low, min(high, low + 3))):
                    walk(sub)
            elif name == "SUBPATTERN":
                start = len(out)
                walk(av[-1])
                if av[0]:
                    groups[av[0]] = "".join(out[start:])
            elif name == "BRANCH":
                walk(rng.choice(av[1]))
            elif name == "GROUPREF":
                out.append(groups.get(av, ""))
            elif name == "ATOMIC_GROUP":
                walk(av)

    walk(sre_parse.parse(regex, re.MULTILINE))
    return "".join(out)


def _partial_matches(rule: ContentRule, rng: random.Random, count: int = 6) -> list[str]:
    """Prefixes of sample matches: `key="`, `mysql -u app `, `-----BEGIN RSA PRIVATE KEY-----\n`."""
    found = []
    for _ in range(count):
        sample = sample_match(rule.regex, rng)
        # Cut just after punctuation (an opening quote, a `:`, a `<tag>`): the regex is then
        # inside a construct, where a run of keywords keeps it searching.
        found += [sample[:i + 1] for i, ch in enumerate(sample[:-1]) if not ch.isalnum()][:12]
    return found


def _tokens(rules, literals: bool = True) -> list[str]:
    toks: set[str] = set()
    for rule in rules:
        for t in (*rule.keywords, *(literal_fragments(rule.regex) if literals else ())):
            toks.update((t, t.upper()))
    return sorted(toks)


def _regime(seps, pool: list[str], rng: random.Random, size: int, leads: list[str],
            lead_every: int = 1 << 30) -> str:
    """`size` characters of tokens from `pool` joined by `seps`, with now and then a short random
    value (half a secret, a host name); for seps PADDING, joined by long runs of blanks, quotes
    and escapes; for seps None, far apart in minified-code filler. One of `leads` (a literal of
    the regexes, or a partial match) opens the block, and another every `lead_every` characters."""
    parts: list[str] = []
    n = next_lead = 0
    while n < size:
        if n >= next_lead:
            parts.append(rng.choice(leads))
            next_lead = n + lead_every
        if seps is PADDING:
            tok, sep = rng.choice(pool), "".join(rng.choices(PADDING, k=rng.randint(50, 1000)))
        elif seps is None:
            tok, sep = rng.choice(pool), "".join(rng.choices(FILLER, k=rng.randint(20, 120)))
        elif rng.random() < 0.15:
            tok, sep = "".join(rng.choices(ALNUM, k=rng.randint(1, 12))), rng.choice(seps)
        else:
            tok, sep = rng.choice(pool), rng.choice(seps)
        parts += (tok, sep)
        n += len(tok) + len(sep)
    return "".join(parts)


def _stretch(block: str, size: int) -> str:
    return (block * (size // len(block) + 1))[:size]


def adversarial_line(rules, size: int, seed: str) -> str:
    """One line of `size` characters (no line break) made of `rules`' keywords and regex literals.

    Its first half is eight stretches, each a random block repeated: keywords run together
    (`passwordpassword…`), joined by `-`, by `_`, by `.` (so that a prefix recurs inside the
    character class that follows it: `sk-sk-sk-…`; the last two cut every 800 characters by a
    partial match, so that the run sits inside a construct: `key="passpass…`), then all tokens
    joined by word characters, by punctuation, by blanks and flags, by long runs of blanks,
    quotes and escapes (where two quantifiers that both take a blank split the run every possible
    way). Its second half is tokens far apart in minified-code filler, where a scan from each
    start finds nothing that completes it: keywords and literals, then keywords alone to the end
    of the line (the offender: 8,000 mentions of mysql on a 1.7 MB line, and no -p)."""
    rng = random.Random(seed)
    tokens, keywords = _tokens(rules), _tokens(rules, literals=False)
    fragments = [t for t in tokens if t not in keywords] or keywords
    partial = [p for rule in rules for p in _partial_matches(rule, rng, 4 if len(rules) == 1 else 1)]
    regimes = ((("",), keywords, None), (("-",), keywords, None), (("_",), keywords, partial),
               ((".",), keywords, partial), (WORD_SEPS, tokens, None), (PUNCT_SEPS, tokens, None),
               (SPACE_SEPS, tokens, None), (PADDING, tokens, None))
    part = size // 2 // len(regimes)
    stretches = []
    for seps, pool, leads in regimes:
        if leads:
            block = _regime(seps, pool, rng, min(BLOCK, part), leads, 800)
        else:
            block = _regime(seps, pool, rng, min(BLOCK, part), fragments)
        stretches.append(_stretch(block, part))
    # A blank between stretches ends a run of name characters there: otherwise the word-joined
    # stretches make one run that ends in an assignment, and a scan from every keyword succeeds
    # at its end instead of failing (which is what costs).
    head = " ".join(stretches) + " "
    rest = size - len(head)
    mixed = _stretch(_regime(None, tokens, rng, min(BLOCK, rest // 2), keywords), rest // 2)
    alone = _stretch(_regime(None, keywords, rng, min(BLOCK, rest - rest // 2), keywords), rest - rest // 2)
    return head + mixed + alone


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
