"""One-liners: code handed to `python -c`, `node -e`, `ruby -e`, `perl -e`, `php -r`, awk and friends.

We do not parse these languages. We look for what matters to the guard: string literals that
name credential files, the whole environment being dumped, secret-named variables, and the
constructs that make a literal check meaningless (computed file names, spawning commands,
eval) — those get `ask`.
"""

from __future__ import annotations

import re
TYPE_CHECKING = False  # typing costs ~5 ms to import; the hook path is timed
if TYPE_CHECKING:
    from typing import Callable

from secretguard.guard.shell.names import is_secret_var

ASK, DENY = 1, 2
Hit = tuple[int, str, str]  # (level, rule, reason)

_STRING = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`""")
_UPPER_NAME = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")
_LIT = r"""\s*(?:'[^'\\]*'|"[^"\\$]*")\s*"""

# Dumping the whole environment.
_ENV_DUMP = {
    "python": r"\benvironb?\b(?!\s*(?:\[|\.get\s*\(|\.setdefault\s*\(|\.pop\s*\())|\bgetenv\s*\(\s*\)",
    "node": r"\bprocess\s*\.\s*env\b(?!\s*(?:\.\s*[A-Za-z_$]|\[))|\bDeno\s*\.\s*env\s*\.\s*toObject\b",
    "ruby": r"\bENV\b(?!\s*(?:\[|\.fetch\b|\.key\?|\.has_key\?|\.include\?))",
    "perl": r"%ENV\b|\bkeys\s*\(?\s*%ENV|\beach\s*\(?\s*%ENV",
    "php": r"\bgetenv\s*\(\s*\)|\$_ENV\b|\$_SERVER\b",
    "awk": r"\bENVIRON\b(?!\s*\[)",
    "lua": r"\bos\.getenv\s*\(\s*\)",
}
# Reading an environment variable whose name is computed.
_ENV_COMPUTED = {
    "python": r"(?:\benviron\s*\[|\benviron\.get\s*\(|\bgetenv\s*\()(?!" + _LIT + r"[\]),])",
    "node": r"\bprocess\s*\.\s*env\s*\[(?!" + _LIT + r"\])",
    "ruby": r"\bENV\s*(?:\[|\.fetch\s*\(?)(?!" + _LIT + r"[\]),])",
    "perl": r"\$ENV\s*\{(?!\s*['\"]?\w+['\"]?\s*\})",
    "php": r"\bgetenv\s*\((?!" + _LIT + r"\))",
    "awk": r"\bENVIRON\s*\[(?!" + _LIT + r"\])",
}
# Opening a file: the name must be a plain literal (which we then check), else ask.
_OPEN_CALL = {
    "python": r"\b(?:open|io\.open|codecs\.open|Path|PurePath|PosixPath|shutil\.\w+|os\.rename|os\.replace|"
              r"loadtxt|read_csv|read_json|read_table|fromfile|linecache\.getline)\s*\(",
    "node": r"\b(?:readFileSync|readFile|createReadStream|openSync|open|copyFileSync|copyFile|cpSync|cp|"
            r"renameSync|rename|readTextFile|readTextFileSync|readFileStr|file|require|import)\s*\(",
    "ruby": r"\b(?:File|IO|Pathname)\s*\.\s*(?:read|open|readlines|foreach|new|binread|copy_stream)\b\s*\(?|"
            r"\b(?:open|load|require_relative|cp|mv)\s*\(",
    "php": r"\b(?:file_get_contents|fopen|file|readfile|parse_ini_file|copy|rename|include|require|"
           r"include_once|require_once|highlight_file|show_source)\s*\(",
    "awk": r"getline\s*<",
    "lua": r"\bio\.(?:open|lines|input)\s*\(|\bdofile\s*\(|\bloadfile\s*\(",
}
_PERL_OPEN = re.compile(r"\b(?:open|sysopen)\b|<\s*\$?\w*\s*>|\bdo\s+['\"]")
# Running other programs or code: a literal check cannot see what that does.
_SPAWN = {
    "python": r"\b(?:system|popen|subprocess|spawn\w*|exec[lv]p?e?|startfile|pty|commands|"
              r"exec|eval|compile|__import__|importlib|runpy|ctypes|pickle|marshal)\b",
    "node": r"\b(?:child_process|execSync|exec|execFile|execFileSync|spawn|spawnSync|fork|eval|Function|"
            r"vm|Deno\s*\.\s*(?:run|Command)|Bun\s*\.\s*(?:spawn|\$)|worker_threads)\b",
    "ruby": r"`|%x|\b(?:system|exec|spawn|popen|Open3|eval|instance_eval|class_eval|send|__send__|"
            r"public_send|syscall|fork)\b",
    "perl": r"`|\bqx\b|\b(?:system|exec|eval|fork|do|require|syscall)\b|\|\s*['\"]?\s*\)|open\s*\(?[^;]*\|",
    "php": r"`|\b(?:shell_exec|exec|system|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|"
           r"call_user_func\w*)\b",
    "awk": r"\bsystem\s*\(|\|\s*getline|\bprint[f]?\b[^;]*\|",
    "lua": r"\bos\.execute\b|\bio\.popen\b|\bload(?:string)?\s*\(",
}
_KEYRING = re.compile(r"\b(?:keyrings?|secretstorage|SecretService|libsecret|org\.freedesktop\.secrets|"
                      r"gi\.repository\s+import\s+Secret|keytar|jeepney|dbus(?:_next|_fast)?|pydbus|dasbus|sdbus|"
                      r"kwallet|Gio\s*\.\s*DBus\w*)\b|dbus-next|require\s*\(\s*['\"]dbus")
# Loading a .env file: the file it names is judged (`dotenv_values('.env.example')` reads a template);
# without one it is the `.env` beside the code; with a computed one, a human decides.
_DOTENV_CALL = re.compile(r"\b(?:load_dotenv|dotenv_values|DotEnv|Dotenv\s*\.\s*(?:load|overload|parse)|"
                          r"dotenv['\"]?\s*\)?\s*\.\s*config)\s*\(")
_DOTENV_IMPLICIT = re.compile(r"""require\s*\(?\s*['"]dotenv/config|import\s+['"]dotenv/config|\bfind_dotenv\s*\(\s*\)""")
_DOTENV_ARG = re.compile(r"""\s*(?:\{\s*path\s*:\s*|(?:dotenv_path|path)\s*=\s*)?(?:'([^'\\]*)'|"([^"\\]*)")\s*[,)}]""")


def _compiled(table: dict[str, str], lang: str) -> re.Pattern[str] | None:
    pattern = table.get(lang)
    return re.compile(pattern) if pattern else None


def _literal_first_arg(code: str, end: int) -> bool:
    """Is the first argument of the call whose parenthesis ends at `end` a plain string literal?"""
    m = re.compile(_LIT + r"(?:[,)\]]|$)").match(code, end)
    return m is not None


def _dotenv(code: str, lang: str, check_literal: Callable[[str], str | None]) -> list[Hit]:
    """What a dotenv call loads: the file it names, or `.env` when it names none."""
    names: list[str | None] = [".env"] if _DOTENV_IMPLICIT.search(code) else []
    for m in _DOTENV_CALL.finditer(code):
        arg = _DOTENV_ARG.match(code, m.end())
        if arg:
            names.append(arg.group(1) if arg.group(1) is not None else arg.group(2))
        elif re.match(r"\s*\)", code[m.end():]) or re.match(r"\s*(?:find_dotenv\s*\(\s*\)|verbose\s*=)", code[m.end():]):
            names.append(".env")
        else:
            names.append(None)
    for name in names:
        if name is None:
            return [(ASK, "bash.oneliner", f"the {lang} one-liner loads a .env file whose name is computed")]
        reason = check_literal(name)
        if reason:
            return [(DENY, "bash.credential-file", f"the {lang} one-liner loads {reason}")]
    return []


def literals(code: str) -> list[str]:
    out: list[str] = []
    for m in _STRING.finditer(code):
        text = next(g for g in m.groups() if g is not None)
        out.append(text.replace("\\\\", "\\").replace("\\'", "'").replace('\\"', '"'))
    return out


def analyze_code(code: str, lang: str, check_literal: Callable[[str], str | None]) -> list[Hit]:
    """Findings for one-liner `code` in `lang`; `check_literal(text)` names a credential path or None."""
    hits: list[Hit] = []
    dump = _compiled(_ENV_DUMP, lang)
    if dump and dump.search(code):
        hits.append((DENY, "bash.env-dump", f"the {lang} one-liner reads the whole environment"))
    for name in sorted(set(_UPPER_NAME.findall(code))):
        if is_secret_var(name):
            hits.append((DENY, "bash.secret-variable", f"the {lang} one-liner uses the secret-named variable {name}"))
            break
    if _KEYRING.search(code):
        hits.append((DENY, "bash.keyring", f"the {lang} one-liner reaches the OS keyring, where secretguard keeps its credentials"))
    hits += _dotenv(code, lang, check_literal)
    for text in literals(code):
        for candidate in [text, *text.split()] if any(c.isspace() for c in text) else [text]:
            reason = check_literal(candidate)
            if reason:
                hits.append((DENY, "bash.credential-file", f"the {lang} one-liner names {reason}"))
                break
    computed = _compiled(_ENV_COMPUTED, lang)
    if computed and computed.search(code):
        hits.append((ASK, "bash.oneliner", f"the {lang} one-liner reads an environment variable by a computed name"))
    if lang == "perl":
        if _PERL_OPEN.search(code):
            hits.append((ASK, "bash.oneliner", "the perl one-liner opens files"))
    else:
        opener = _compiled(_OPEN_CALL, lang)
        if opener:
            for m in opener.finditer(code):
                if not _literal_first_arg(code, m.end()):
                    hits.append((ASK, "bash.oneliner", f"the {lang} one-liner opens a file whose name is computed"))
                    break
    spawn = _compiled(_SPAWN, lang)
    if spawn and spawn.search(code):
        hits.append((ASK, "bash.oneliner", f"the {lang} one-liner runs other programs or evaluates code"))
    return hits
