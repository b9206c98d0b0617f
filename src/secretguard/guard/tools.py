"""Judging one tool call, whatever the agent: which files it would read or change, what a shell
command reads. Returns a Decision; the agent adapter encodes it.
"""

from __future__ import annotations

import os

from secretguard.guard.events import FIND, MCP, OTHER_TOOL, READ, SEARCH, SHELL, WRITE, Decision, Event, \
    EventError, ToolCall

PATH_KEYS = ("file_path", "path", "filePath", "notebook_path", "filename", "file", "source", "destination")
ALLOW_MARKERS = ("pragma: allowlist secret", "pragma: allowlist nextline secret", "secretguard:allow",
                 "gitleaks:allow", "nosec", "noqa: s105")
HINT = ("Secrets belong outside the workspace: use `secretguard exec` with an approved profile for a "
        "command that needs one, or ask the user.")
CLEAN = "no credential access found"


def judge_tool(event: Event, call: ToolCall) -> Decision:
    if call.kind in (READ, WRITE):
        return _file_tool(event, call)
    if call.kind == SHELL:
        if not isinstance(call.command, str):
            raise EventError(f"{call.name} call without a command")
        from secretguard.guard.shell import analyze_command

        return analyze_command(call.command, event.cwd, guard_env(event))
    if call.kind == SEARCH:
        return _search(event, call)
    if call.kind == FIND:
        return _find(event, call)
    assert call.kind in (MCP, OTHER_TOOL)
    return _other_tool(event, call)


def _other_tool(event: Event, call: ToolCall) -> Decision:
    """Any other tool (MCP servers included): judge every path and command string in its input."""
    paths, commands = inputs_of(call.input)
    for value in paths:
        path = _abs(event, value)
        reason = event.judge.secret_path(path)
        if reason:
            return Decision("deny", f"{call.name} would access {show(event, path)}: {reason}", "file.credential")
    if commands:
        from secretguard.guard.shell import analyze_command, decide

        hits = []
        for command in commands:
            hits += analyze_command(command, event.cwd, guard_env(event)).hits
        d = decide(hits)
        if d.decision != "allow":
            return Decision(d.decision, f"{call.name}: {d.reason}", d.rule, d.hits)
    return Decision("allow", CLEAN, "tool.clean")


def inputs_of(doc: object, limit: int = 500) -> tuple[list[str], list[str]]:
    """(paths, command lines) in a tool's input: values under path-like and command-like keys,
    lists of them, `file://` URLs and absolute or home paths anywhere."""
    paths: list[str] = []
    commands: list[str] = []
    stack: list[tuple[str, object]] = [("", doc)]
    seen = 0
    while stack and seen < limit:
        key, value = stack.pop()
        seen += 1
        if isinstance(value, dict):
            stack += [(str(k).lower(), v) for k, v in value.items()]
        elif isinstance(value, list):
            if key in COMMAND_KEYS and value and all(isinstance(v, str) for v in value):
                import shlex

                commands.append(shlex.join(value))
            else:
                stack += [(key, v) for v in value]
        elif isinstance(value, str) and value:
            if value.startswith("file://"):
                from urllib.parse import unquote, urlparse

                paths.append(unquote(urlparse(value).path))
            elif key in COMMAND_KEYS:
                commands.append(value)
            elif value.startswith(("http://", "https://")) or "\n" in value:
                continue
            elif _path_key(key) or value.startswith(("/", "~/")):
                paths.append(value)
    return paths, commands


COMMAND_KEYS = {"command", "cmd", "commands", "script", "shell", "shell_command", "commandline", "command_line",
                "bash", "sh"}


def _path_key(key: str) -> bool:
    return key in PATH_KEYS or key.endswith(("path", "paths", "file", "files", "filename", "dir", "directory",
                                             "root", "cwd", "source", "destination", "target", "uri"))


def _abs(event: Event, path: str) -> str:
    path = os.path.expanduser(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(event.cwd, path))


def show(event: Event, path: str) -> str:
    """A path as the agent would recognise it: relative to its directory or project when inside."""
    for base in (event.cwd, event.root):
        if path.startswith(base.rstrip("/") + "/"):
            return os.path.relpath(path, base)
    return path


def _file_tool(event: Event, call: ToolCall) -> Decision:
    if not isinstance(call.path, str) or not call.path:
        raise EventError(f"{call.name} call without a file path")
    path = _abs(event, call.path)
    judge = event.judge
    tool = call.name
    if call.kind == WRITE:
        protected = judge.protected_path(path)
        if protected:
            return Decision("deny", f"{tool} would change {show(event, path)}: {protected}; an agent must not "
                                    "change its own guard", "file.tamper")
        reason = judge.secret_name(path) if not os.path.lexists(path) else judge.secret_path(path)
        if reason:
            return Decision("deny", f"{tool} would touch {show(event, path)}: {reason}", "file.credential")
        new, old = call.new_texts, call.old_texts
        if os.path.basename(path) == "pyproject.toml" and any("tool.secretguard" in t for t in new + old):
            return Decision("deny", f"{tool} would change the [tool.secretguard] settings in pyproject.toml",
                            "file.tamper")
        added = [m for m in ALLOW_MARKERS if any(m in t.lower() for t in new) and not any(m in t.lower() for t in old)]
        if added:
            return Decision("ask", f"{tool} adds the allow marker {added[0]!r}, which hides a finding from "
                                   "secretguard: a human should confirm", "file.allow-marker")
        return Decision("allow", CLEAN, "file.clean")
    reason = judge.secret_path(path)
    if reason is None and call.content is not None:
        reason = judge.secret_text(path, call.content)
    if reason:
        return Decision("deny", f"{tool} would read {show(event, path)}: {reason}", "file.credential")
    return Decision("allow", CLEAN, "file.clean")


def _search(event: Event, call: ToolCall) -> Decision:
    path = _abs(event, call.path) if call.path else event.cwd
    judge = event.judge
    if not os.path.isdir(path):
        reason = judge.secret_path(path)
        if reason:
            return Decision("deny", f"{call.name} would search {show(event, path)}: {reason}", "file.credential")
        return Decision("allow", CLEAN, "grep.clean")
    found = guard_env(event).secret_files_under(path, hidden=True)
    if found is None:
        return Decision("ask", f"{call.name} would search everything under {show(event, path)}, too much to "
                               "check", "grep.too-broad")
    if call.glob:
        found = [f for f in found if _rg_glob_selects(call.glob, os.path.relpath(f, path))]
    file_type = call.input.get("type")
    if isinstance(file_type, str) and file_type in RG_TYPES:
        found = [f for f in found if any(_rg_glob_selects(g, os.path.relpath(f, path)) for g in RG_TYPES[file_type])]
    if found:
        shown = ", ".join(show(event, f) for f in found[:3])
        return Decision("deny", f"{call.name} would search credential files under {show(event, path)}: {shown}",
                        "file.credential")
    return Decision("allow", CLEAN, "grep.clean")


# ripgrep's --type names for the common languages; an unknown type filters nothing (the safe side).
RG_TYPES = {
    "py": ("*.py", "*.pyi", "*.pyw"), "js": ("*.js", "*.mjs", "*.cjs", "*.jsx", "*.vue"),
    "ts": ("*.ts", "*.tsx", "*.cts", "*.mts"), "go": ("*.go",), "rust": ("*.rs",), "java": ("*.java", "*.jsp"),
    "c": ("*.c", "*.h"), "cpp": ("*.cpp", "*.cc", "*.cxx", "*.hpp", "*.hh", "*.h"), "rb": ("*.rb", "*.gemspec"),
    "ruby": ("*.rb", "*.gemspec"), "php": ("*.php",), "cs": ("*.cs",), "kotlin": ("*.kt", "*.kts"),
    "swift": ("*.swift",), "md": ("*.md", "*.markdown"), "markdown": ("*.md", "*.markdown"),
    "html": ("*.html", "*.htm"), "css": ("*.css", "*.scss"), "sh": ("*.sh", "*.bash", "*.zsh"),
    "yaml": ("*.yaml", "*.yml"), "json": ("*.json",), "toml": ("*.toml",), "sql": ("*.sql",),
    "env": (".env", ".env.*", "*.env"),
}


def _rg_glob_selects(glob: str, rel: str) -> bool:
    """Would ripgrep's --glob GLOB search the file at `rel` (relative to the search root)?
    gitignore semantics: no slash matches at any depth, `**/` matches zero directories too,
    a leading `!` excludes what it matches."""
    import pathspec

    negated = glob.startswith("!")
    patterns = _expand_braces(glob[1:] if negated else glob)
    hit = pathspec.GitIgnoreSpec.from_lines(patterns).match_file(rel)
    return not hit if negated else hit


def _find(event: Event, call: ToolCall) -> Decision:
    import fnmatch

    from secretguard.guard.shell.names import SAMPLE_CREDENTIAL_NAMES

    pattern = call.pattern
    if not isinstance(pattern, str) or not pattern:
        raise EventError(f"{call.name} call without a pattern")
    base = _abs(event, call.path) if call.path else event.cwd
    for pat in _expand_braces(pattern):
        full = pat if os.path.isabs(pat) else os.path.join(base, pat)
        directory, _, name = full.rpartition("/")
        if not any(c in name for c in "*?["):
            reason = event.judge.secret_name(os.path.normpath(full.replace("**/", "")))
            if reason:
                return Decision("deny", f"{call.name} looks for {pat}: {reason}", "file.credential")
            continue
        literal = "".join(c for c in name if c not in "*?[]")
        if len(literal) < 2:
            continue
        for sample in SAMPLE_CREDENTIAL_NAMES:
            if fnmatch.fnmatchcase(sample, name) and (name.startswith(".") or not sample.startswith(".")):
                where = directory.replace("**", "x").replace("*", "x")
                reason = event.judge.secret_name(os.path.join(where, sample))
                if reason:
                    return Decision("deny", f"{call.name} looks for credential files ({pat}): {reason}",
                                    "file.credential")
    return Decision("allow", CLEAN, "glob.clean")


def _expand_braces(pattern: str) -> list[str]:
    from secretguard.guard.shell.words import brace_expand

    return brace_expand(pattern)


def guard_env(event: Event):
    from secretguard.guard.shell import GuardEnv

    judge = event.judge
    return GuardEnv(secret_path=judge.secret_path, secret_name=judge.secret_name,
                    protected_path=judge.protected_path, exec_decision=lambda argv: exec_decision(event, argv),
                    home=judge.home)


def exec_decision(event: Event, argv: list[str]) -> tuple[int, str]:
    """How the guard treats `secretguard exec ...`: the profile's approval mode decides."""
    from pathlib import Path

    from secretguard.errors import SecretguardError
    from secretguard.vault.profiles import find_profile_for_argv

    try:
        profile = find_profile_for_argv(argv, Path(event.root))
    except SecretguardError as exc:
        return 2, f"`secretguard exec`: the profile settings are invalid ({exc})"
    if profile is None:
        return 2, "`secretguard exec`: no profile matches this command, so no secret may be handed to it"
    if getattr(profile, "approval", "ask") == "auto":
        return 0, f"`secretguard exec` with profile {profile.name!r} (approval: auto)"
    return 1, f"`secretguard exec` hands the secrets of profile {profile.name!r} to this command: approve it " \
              "only if you expect this command to need them"
