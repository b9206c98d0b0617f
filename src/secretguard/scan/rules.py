"""Load rules/*.toml into frozen dataclasses.

Two kinds: content rules find secrets inside text; file rules name credential files whatever
they contain. Regexes compile on first use, so a run that needs only a few rules (the Claude
hook, a small commit) pays only for those.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Sequence

from secretguard.errors import RuleError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_VERSION = 1
ALLOW_TARGETS = ("secret", "match", "line")
CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True)
class Example:
    text: str
    path: str = "example.txt"
    data: bytes | None = None  # binary example for file rules (from `hex`)


@dataclass(frozen=True)
class ContentRule:
    id: str
    description: str
    regex: str
    keywords: tuple[str, ...]
    secret_group: int | None = None
    entropy: float | None = None
    validator: str | None = None
    paths: tuple[str, ...] = ()
    allow_regexes: tuple[str, ...] = ()
    allow_target: str = "secret"
    stopwords: tuple[str, ...] = ()
    filters: tuple[str, ...] = ("default",)
    multiline: bool = False
    confidence: str | None = None  # "high", "medium" or "low" when the rule sets it
    positive: tuple[Example, ...] = ()
    negative: tuple[Example, ...] = ()
    source: str = ""
    _compiled: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        if "re" not in self._compiled:
            self._compiled["re"] = re.compile(self.regex, re.MULTILINE)
        return self._compiled["re"]

    @property
    def allow_patterns(self) -> tuple[re.Pattern[str], ...]:
        if "allow" not in self._compiled:
            self._compiled["allow"] = tuple(re.compile(r) for r in self.allow_regexes)
        return self._compiled["allow"]

    @property
    def group(self) -> int:
        if self.secret_group is not None:
            return self.secret_group
        return 1 if self.pattern.groups else 0


@dataclass(frozen=True)
class FileRule:
    id: str
    description: str
    names: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    magic: tuple[bytes, ...] = ()
    content_regex: str | None = None
    require_real_value: bool = False
    any_name: bool = False
    confidence: str | None = None  # "high", "medium" or "low" when the rule sets it
    positive: tuple[Example, ...] = ()
    negative: tuple[Example, ...] = ()
    source: str = ""
    _compiled: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def content_pattern(self) -> re.Pattern[bytes] | None:
        if self.content_regex is None:
            return None
        if "re" not in self._compiled:
            self._compiled["re"] = re.compile(self.content_regex.encode(), re.MULTILINE)
        return self._compiled["re"]

    @property
    def name_regexes(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The include and exclude patterns, each folded into one regex (gitignore semantics)."""
        if "names" not in self._compiled:
            self._compiled["names"] = (fold_globs(self.names), fold_globs(self.exclude))
        return self._compiled["names"]

    def matches_name(self, relpath: str) -> bool:
        include, exclude = self.name_regexes
        return bool(include and include.match(relpath)) and not (exclude and exclude.match(relpath))


def glob_regex(glob: str) -> str | None:
    """A gitignore-style glob as a regex over '/'-separated relative paths (pathspec translates;
    its group names are dropped so that regexes can be joined). None for comments and negations."""
    from pathspec.patterns import GitWildMatchPattern

    regex, include = GitWildMatchPattern.pattern_to_regex(glob)
    if regex is None or not include:
        return None
    return re.sub(r"\(\?P<\w+>", "(?:", regex)


def fold_globs(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [f"(?:{regex})" for regex in map(glob_regex, globs) if regex is not None]
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class RuleSet:
    content_rules: tuple[ContentRule, ...]
    file_rules: tuple[FileRule, ...]
    digest: str

    def content_rule(self, rule_id: str) -> ContentRule:
        return next(r for r in self.content_rules if r.id == rule_id)


CONTENT_KEYS = {"id", "description", "regex", "secret_group", "keywords", "entropy", "validator",
                "paths", "allow_regexes", "allow_target", "stopwords", "filters", "multiline", "confidence",
                "examples"}
FILE_KEYS = {"id", "description", "names", "exclude", "magic", "content_regex", "require_real_value",
             "any_name", "confidence", "examples"}


def builtin_rules_dir() -> Path:
    """The rules shipped in the wheel, or the repository's rules/ in a development install."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "rules"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "rules"


def load_ruleset(extra_files: Sequence[Path] = (), disabled: Collection[str] = ()) -> RuleSet:
    rules_dir = builtin_rules_dir()
    files = sorted(rules_dir.glob("*.toml"))
    if not files:
        raise RuleError(f"no rule files found in {rules_dir}")
    files += [Path(p) for p in extra_files]
    digest = hashlib.sha256()
    content: list[ContentRule] = []
    file_rules: list[FileRule] = []
    seen: set[str] = set()
    checked = _checked_files()
    for path in files:
        try:
            raw_bytes = path.read_bytes()
        except OSError as exc:
            raise RuleError(f"{path}: cannot read rule file: {exc.strerror}") from None
        digest.update(path.name.encode() + b"\0" + raw_bytes + b"\0")
        file_hash = hashlib.sha256(raw_bytes).hexdigest()
        c, f = parse_rule_file(raw_bytes, str(path), compile_check=file_hash not in checked, file_hash=file_hash)
        if file_hash not in checked:
            _remember_checked(file_hash)
        for rule in (*c, *f):
            if rule.id in seen:
                raise RuleError(f"{path}: rule {rule.id!r}: duplicate rule id")
            seen.add(rule.id)
        content += c
        file_rules += f
    unknown = set(disabled) - seen
    if unknown:
        raise RuleError(f"cannot disable unknown rule(s): {', '.join(sorted(unknown))}")
    digest.update(("\0".join(sorted(disabled))).encode())
    return RuleSet(tuple(r for r in content if r.id not in disabled),
                   tuple(r for r in file_rules if r.id not in disabled), digest.hexdigest())


def _checked_list():
    from secretguard.paths import cache_dir

    return cache_dir() / "rules-checked"


def _checked_files() -> set[str]:
    """Hashes of rule files whose regexes already compiled once: compiling ~350 of them costs
    ~0.2 s, which a warm scan should not pay. A stale or forged list only delays the error to
    first use, which still ends in exit 2."""
    try:
        return set(_checked_list().read_text().split())
    except OSError:
        return set()


def _remember_checked(file_hash: str) -> None:
    from secretguard.paths import ensure_private_dir

    try:
        ensure_private_dir(_checked_list().parent)
        with _checked_list().open("a") as fh:
            fh.write(file_hash + "\n")
    except OSError:
        pass


def _parsed_cache(file_hash: str):
    from secretguard.paths import cache_dir

    return cache_dir() / "rules-parsed" / f"{file_hash}.json"


def _load_toml(raw: bytes, source: str, file_hash: str | None) -> dict:
    """The rule file's table. Parsing ~30 TOML files costs ~0.1 s, paid by every hook that needs the
    rules (redacting a tool's output): a file already parsed once is read back as JSON, keyed by
    the hash of its bytes (a changed file is parsed again)."""
    import json

    cached = _parsed_cache(file_hash) if file_hash else None
    if cached is not None:
        try:
            return json.loads(cached.read_bytes())
        except (OSError, ValueError):
            pass
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{source}: not valid TOML: {exc}") from None
    if cached is not None:
        try:
            from secretguard.paths import ensure_private_dir

            ensure_private_dir(cached.parent)
            tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(doc))
            os.replace(tmp, cached)
        except (OSError, TypeError, ValueError):
            pass  # only a speed-up
    return doc


def parse_rule_file(raw: bytes, source: str, compile_check: bool = True,
                    file_hash: str | None = None) -> tuple[list[ContentRule], list[FileRule]]:
    doc = _load_toml(raw, source, file_hash)
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise RuleError(f"{source}: schema_version must be {SCHEMA_VERSION}")
    extra = set(doc) - {"schema_version", "rules", "files"}
    if extra:
        raise RuleError(f"{source}: unknown top-level key(s): {', '.join(sorted(extra))}")
    content = [_content_rule(r, source, compile_check) for r in _tables(doc.get("rules", []), source, "rules")]
    files = [_file_rule(r, source, compile_check) for r in _tables(doc.get("files", []), source, "files")]
    return content, files


def _tables(value: Any, source: str, key: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RuleError(f"{source}: {key} must be an array of tables ([[{key}]])")
    return value


class _Reader:
    """Typed access to one rule table, with errors that name the file and the rule."""

    def __init__(self, table: dict, source: str, allowed: set[str], compile_check: bool = True) -> None:
        self.table, self.source, self.compile_check = table, source, compile_check
        self.id = table.get("id") if isinstance(table.get("id"), str) else "<no id>"
        unknown = set(table) - allowed
        if unknown:
            self.fail(f"unknown key(s): {', '.join(sorted(unknown))}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", self.id):
            self.fail("id must be kebab-case")

    def fail(self, message: str):
        raise RuleError(f"{self.source}: rule {self.id!r}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if key not in self.table:
            if required:
                self.fail(f"missing required key {key!r}")
            return default
        value = self.table[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float, (int, float)):
            self.fail(f"{key!r} has the wrong type ({type(value).__name__})")
        return value

    def confidence(self) -> str | None:
        value = self.get("confidence", str)
        if value is not None and value not in CONFIDENCES:
            self.fail(f"confidence must be one of {', '.join(CONFIDENCES)}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            self.fail(f"{key!r} must be a list of strings")
        return tuple(value)

    def regex(self, value: str, what: str, flags: int = 0) -> str:
        if not self.compile_check:
            return value
        try:
            re.compile(value, flags)
        except re.error as exc:
            self.fail(f"{what} does not compile: {exc}")
        return value

    def examples(self, binary_ok: bool) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        table = self.get("examples", dict, {})
        if set(table) - {"positive", "negative"}:
            self.fail("examples may only hold 'positive' and 'negative'")
        out = []
        for key in ("positive", "negative"):
            items = table.get(key, [])
            if not isinstance(items, list):
                self.fail(f"examples.{key} must be a list")
            out.append(tuple(self._example(item, binary_ok) for item in items))
        return out[0], out[1]

    def _example(self, item: Any, binary_ok: bool) -> Example:
        if isinstance(item, str):
            return Example(text=item)
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            if "hex" in item and binary_ok:
                try:
                    return Example(text="", path=item["path"], data=bytes.fromhex(item["hex"]))
                except (TypeError, ValueError):
                    self.fail("an example's hex is not valid hex")
            if isinstance(item.get("text"), str):
                return Example(text=item["text"], path=item["path"])
        self.fail("an example must be a string or a table with 'path' and 'text' (or 'hex')")


def _content_rule(table: dict, source: str, compile_check: bool = True) -> ContentRule:
    r = _Reader(table, source, CONTENT_KEYS, compile_check)
    regex = r.regex(r.get("regex", str, required=True), "regex", re.MULTILINE)
    keywords = r.strings("keywords")
    if not keywords:
        r.fail("needs at least one keyword (the prefilter)")
    if any(k != k.lower() or not k for k in keywords):
        r.fail("keywords must be non-empty and lower-case")
    allow_target = r.get("allow_target", str, "secret")
    if allow_target not in ALLOW_TARGETS:
        r.fail(f"allow_target must be one of {', '.join(ALLOW_TARGETS)}")
    group = r.get("secret_group", int)
    if group is not None and compile_check and group > re.compile(regex).groups:
        r.fail(f"secret_group {group} but the regex has {re.compile(regex).groups} group(s)")
    validator = r.get("validator", str)
    if validator is not None:
        from secretguard.scan.validators import VALIDATORS

        if validator not in VALIDATORS:
            r.fail(f"unknown validator {validator!r}")
    filters = r.strings("filters") if "filters" in table else ("default",)
    from secretguard.scan.filters import FILTERS

    for name in filters:
        if name not in FILTERS:
            r.fail(f"unknown filter {name!r}")
    positive, negative = r.examples(binary_ok=False)
    return ContentRule(
        id=r.id, description=r.get("description", str, required=True), regex=regex,
        keywords=keywords, secret_group=group, entropy=r.get("entropy", (int, float)),
        validator=validator, paths=r.strings("paths"),
        allow_regexes=tuple(r.regex(a, "allow_regexes entry") for a in r.strings("allow_regexes")),
        allow_target=allow_target, stopwords=tuple(s.lower() for s in r.strings("stopwords")),
        filters=filters, multiline=r.get("multiline", bool, False), confidence=r.confidence(),
        positive=positive, negative=negative, source=source)


def _file_rule(table: dict, source: str, compile_check: bool = True) -> FileRule:
    r = _Reader(table, source, FILE_KEYS, compile_check)
    names = r.strings("names")
    any_name = r.get("any_name", bool, False)
    if not names and not any_name:
        r.fail("needs 'names' (or any_name = true with a content check)")
    try:
        magic = tuple(bytes.fromhex(m) for m in r.strings("magic"))
    except ValueError:
        r.fail("magic entries must be hex strings")
    content_regex = r.get("content_regex", str)
    if content_regex is not None:
        r.regex(content_regex, "content_regex", re.MULTILINE)
    if any_name and not (magic or content_regex):
        r.fail("any_name needs a content check (magic or content_regex)")
    positive, negative = r.examples(binary_ok=True)
    return FileRule(
        id=r.id, description=r.get("description", str, required=True), names=names,
        exclude=r.strings("exclude"), magic=magic, content_regex=content_regex,
        require_real_value=r.get("require_real_value", bool, False), any_name=any_name,
        confidence=r.confidence(), positive=positive, negative=negative, source=source)
