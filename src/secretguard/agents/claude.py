"""Claude Code hook protocol: `secretguard hook claude` for SessionStart, UserPromptSubmit, PreToolUse.

Reads the event JSON on stdin and answers as Claude Code's hooks reference documents:
  SessionStart      exit 0, `hookSpecificOutput.additionalContext` for Claude (+ `systemMessage`
                    for the user when the workspace is dirty). It cannot block a session.
  UserPromptSubmit  `{"decision": "block", "reason": ...}` while the project's verdict is dirty.
  PreToolUse        `hookSpecificOutput.permissionDecision` "deny" or "ask" with a reason. An
                    allowed call gets no decision (`{}`), so Claude Code's own permission rules
                    and prompts still apply: "allow" would skip them, and this guard judges
                    credential access, not whether a command is otherwise safe.
Any internal error: exit 2 with one line on stderr, which blocks the tool call or prompt. Claude
Code lets a call through on exit 1, a crash or a timeout, so this module must not fail open.
"""

from __future__ import annotations

import json
import os
import sys
import time

from secretguard.guard import verdicts
from secretguard.guard.verdicts import ERROR, Verdict

MAX_INPUT = 16 * 1024 * 1024
RESCAN_INTERVAL = 10.0
FILE_TOOLS = {"Read": "file_path", "NotebookRead": "notebook_path", "Write": "file_path", "Edit": "file_path",
              "MultiEdit": "file_path", "NotebookEdit": "notebook_path"}
WRITE_TOOLS = {"Write", "Edit", "MultiEdit", "NotebookEdit"}
PATH_KEYS = ("file_path", "path", "filePath", "notebook_path", "filename", "file", "source", "destination")
ALLOW_MARKERS = ("pragma: allowlist secret", "pragma: allowlist nextline secret", "secretguard:allow",
                 "gitleaks:allow", "nosec", "noqa: s105")
HINT = ("Secrets belong outside the workspace: use `secretguard exec` with an approved profile for a "
        "command that needs one, or ask the user.")
FIX = ("To fix: move these files out of the workspace (keep secrets in Vault/OpenBao and run commands that "
       "need them with `secretguard exec`), replace real values with placeholders, or have a human record "
       "accepted findings in a baseline. secretguard re-checks on every prompt and tool call, so no restart "
       "is needed.")


class HookInputError(Exception):
    """The event on stdin is not what Claude Code sends."""


def run_hook(args: list[str]) -> int:
    """Entry point: event JSON on stdin, decision JSON on stdout, the exit code returned."""
    try:
        if args:
            raise HookInputError(f"unexpected arguments: {' '.join(args)}")
        event = _read_event()
        out, code = handle(event)
    except Exception as exc:  # noqa: BLE001 - fail closed, whatever went wrong
        message = " ".join(str(exc).split()) or type(exc).__name__
        sys.stderr.write(f"secretguard: refused: the guard could not decide ({message[:300]})\n")
        return 2
    if out is not None:
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return code


def _read_event() -> dict:
    raw = sys.stdin.buffer.read(MAX_INPUT + 1)
    if len(raw) > MAX_INPUT:
        raise HookInputError("the event on stdin is too large")
    try:
        event = json.loads(raw)
    except ValueError:
        raise HookInputError("the event on stdin is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("hook_event_name"), str):
        raise HookInputError("the event on stdin has no hook_event_name")
    return event


class Context:
    """One event and what is known about its project."""

    def __init__(self, event: dict) -> None:
        self.event = event
        self.name = event["hook_event_name"]
        cwd = event.get("cwd")
        self.cwd = os.path.normpath(cwd) if isinstance(cwd, str) and os.path.isabs(cwd) else os.getcwd()
        project = os.environ.get("CLAUDE_PROJECT_DIR")
        self.root = os.path.normpath(project) if project and os.path.isabs(project) else self.cwd
        self.session = str(event.get("session_id") or "")
        self._judge = None
        self.digest: str | None = None

    @property
    def judge(self):
        if self._judge is None:
            from secretguard.guard.paths import Judge

            self._judge = Judge(self.root, self.digest)
        return self._judge


def handle(event: dict) -> tuple[dict | None, int]:
    ctx = Context(event)
    if ctx.name == "SessionStart":
        return session_start(ctx)
    if ctx.name == "UserPromptSubmit":
        return prompt_submit(ctx)
    if ctx.name == "PreToolUse":
        return pre_tool_use(ctx)
    return None, 0  # other events: nothing to say


# -- session verdicts ------------------------------------------------------------------------
def run_scan(root: str) -> Verdict:
    """Strict workspace scan (cached) -> stored verdict. A scan that fails is an error verdict."""
    from pathlib import Path

    from secretguard.errors import SecretguardError
    from secretguard.scan.engine import ScanOptions, scan_workspace

    options = ScanOptions(strict=True, use_cache=True)
    try:
        result = scan_workspace([Path(root)], options)
        verdict = verdicts.from_scan(root, result, result.digest)
    except SecretguardError as exc:
        verdict = Verdict(root, ERROR, error=str(exc))
    verdicts.save(verdict)
    return verdict


def current_verdict(ctx: Context, scan_if_missing: bool) -> Verdict | None:
    verdict = verdicts.load(ctx.root)
    if verdict is None:
        return run_scan(ctx.root) if scan_if_missing else None
    ctx.digest = verdict.digest
    if verdict.blocking:
        verdict = recheck(ctx, verdict)
    return verdict


def recheck(ctx: Context, verdict: Verdict) -> Verdict:
    """Cheap re-check of a dirty verdict: only the files it names; a full scan once they are fixed."""
    if verdict.status == ERROR or verdict.config != verdicts.config_stamp(ctx.root):
        return run_scan(ctx.root)
    remaining = []
    for f in verdict.findings:
        path = os.path.join(ctx.root, f["path"])
        if os.path.lexists(path) and (ctx.judge.secret_path(path) or f.get("line") is None and
                                      ctx.judge.secret_name(path)):
            remaining.append(f)
    skipped = [s for s in verdict.skipped if os.path.lexists(os.path.join(ctx.root, s["path"].rstrip("/")))]
    if remaining:
        if len(remaining) != len(verdict.findings) or len(skipped) != len(verdict.skipped):
            verdict = Verdict(ctx.root, verdict.status, remaining, skipped, None, verdict.digest, verdict.config)
            verdicts.save(verdict)
        return verdict
    if skipped and time.time() - verdict.checked_at < RESCAN_INTERVAL:
        return verdict
    fresh = run_scan(ctx.root)
    ctx.digest = fresh.digest
    ctx._judge = None
    return fresh


# -- events ----------------------------------------------------------------------------------
def session_start(ctx: Context) -> tuple[dict | None, int]:
    verdict = run_scan(ctx.root)
    if verdict.status == ERROR:
        _audit(ctx, "deny", f"workspace scan failed: {verdict.error}", "session.scan")
        raise RuntimeError(f"the workspace scan failed: {verdict.error}")
    if not verdict.blocking:
        _audit(ctx, "allow", "workspace scan clean", "session.scan")
        note = ("secretguard: the workspace scan is clean. Credential files stay off limits for this session "
                "(reads of them are refused); commands that need a secret run through `secretguard exec`.")
        return {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": note}}, 0
    text = f"secretguard: {verdicts.describe(verdict)}. Prompts and tool calls in this project are blocked " \
           f"until this is fixed. {FIX}"
    _audit(ctx, "deny", verdicts.describe(verdict), "session.scan")
    return {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": text},
            "systemMessage": text}, 0


def prompt_submit(ctx: Context) -> tuple[dict | None, int]:
    verdict = current_verdict(ctx, scan_if_missing=True)
    if verdict is not None and verdict.blocking:
        reason = f"secretguard: {verdicts.describe(verdict)}. {FIX}"
        if not _audit(ctx, "deny", verdicts.describe(verdict), "session.verdict"):
            reason = "secretguard: the audit log could not be written, so nothing may proceed."
        return {"decision": "block", "reason": reason}, 0
    if not _audit(ctx, "allow", "workspace clean", "session.verdict"):
        return {"decision": "block", "reason": "secretguard: the audit log could not be written, so nothing "
                                               "may proceed."}, 0
    return None, 0


def pre_tool_use(ctx: Context) -> tuple[dict | None, int]:
    tool = ctx.event.get("tool_name")
    tool_input = ctx.event.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        raise HookInputError("PreToolUse event without tool_name and tool_input")
    verdict = current_verdict(ctx, scan_if_missing=False)
    if verdict is not None and verdict.blocking:
        decision, reason, rule = "deny", f"this workspace is blocked: {verdicts.describe(verdict)}. {FIX}", \
            "session.verdict"
    else:
        decision, reason, rule = judge_tool(ctx, tool, tool_input)
    if not _audit(ctx, decision, reason, rule, tool=tool, target=_target(tool, tool_input)):
        decision, reason, rule = "deny", "the audit log could not be written, so nothing may proceed", "audit.error"
    if decision == "allow":
        return {}, 0
    text = f"secretguard: {reason.rstrip('.')}."
    if decision == "deny" and rule.startswith(("bash.credential", "file.credential", "bash.secret", "bash.env")):
        text += f" {HINT}"
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": decision,
                                   "permissionDecisionReason": text}}, 0


def _target(tool: str, tool_input: dict) -> str | None:
    key = FILE_TOOLS.get(tool) or ("path" if tool in ("Grep", "Glob") else None)
    value = tool_input.get(key) if key else None
    return value if isinstance(value, str) else None


def _audit(ctx: Context, decision: str, reason: str, rule: str, **extra) -> bool:
    """Record the decision. False when it could not be recorded: the caller then refuses."""
    try:
        from secretguard.audit import log as audit
    except ImportError:  # pragma: no cover - the audit module is part of the package
        return True
    fields = {k: v for k, v in extra.items() if v is not None}
    try:
        audit.record("hook", repo=None, session=ctx.session, hook=ctx.name, decision=decision, reason=reason[:500],
                     rule=rule, project=ctx.root, **fields)
    except audit.AuditError:
        return False
    return True


# -- tool calls ------------------------------------------------------------------------------
def judge_tool(ctx: Context, tool: str, tool_input: dict) -> tuple[str, str, str]:
    if tool in FILE_TOOLS:
        return _file_tool(ctx, tool, tool_input)
    if tool == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            raise HookInputError("Bash tool_input without a command")
        from secretguard.guard.shell import analyze_command

        d = analyze_command(command, ctx.cwd, guard_env(ctx))
        return d.decision, d.reason, d.rule
    if tool == "Grep":
        return _grep(ctx, tool_input)
    if tool == "Glob":
        return _glob(ctx, tool_input)
    # any other tool (MCP servers included): judge the paths it is handed
    for key in PATH_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value and not value.startswith(("http://", "https://")):
            path = _abs(ctx, value)
            reason = ctx.judge.secret_path(path)
            if reason:
                return "deny", f"{tool} would access {_show(ctx, path)}: {reason}", "file.credential"
    return "allow", "no credential access found", "tool.clean"


def _abs(ctx: Context, path: str) -> str:
    path = os.path.expanduser(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(ctx.cwd, path))


def _show(ctx: Context, path: str) -> str:
    for base in (ctx.cwd, ctx.root):
        if path.startswith(base.rstrip("/") + "/"):
            return os.path.relpath(path, base)
    return path


def _file_tool(ctx: Context, tool: str, tool_input: dict) -> tuple[str, str, str]:
    raw = tool_input.get(FILE_TOOLS[tool])
    if not isinstance(raw, str) or not raw:
        raise HookInputError(f"{tool} tool_input without {FILE_TOOLS[tool]}")
    path = _abs(ctx, raw)
    judge = ctx.judge
    if tool in WRITE_TOOLS:
        protected = judge.protected_path(path)
        if protected:
            return "deny", f"{tool} would change {_show(ctx, path)}: {protected}; an agent must not change " \
                           "its own guard", "file.tamper"
        reason = judge.secret_name(path) if not os.path.lexists(path) else judge.secret_path(path)
        if reason:
            return "deny", f"{tool} would touch {_show(ctx, path)}: {reason}", "file.credential"
        new, old = _edit_texts(tool, tool_input)
        if os.path.basename(path) == "pyproject.toml" and any("tool.secretguard" in t for t in new + old):
            return "deny", f"{tool} would change the [tool.secretguard] settings in pyproject.toml", "file.tamper"
        added = [m for m in ALLOW_MARKERS if any(m in t.lower() for t in new) and not any(m in t.lower() for t in old)]
        if added:
            return "ask", f"{tool} adds the allow marker {added[0]!r}, which hides a finding from secretguard: " \
                          "a human should confirm", "file.allow-marker"
        return "allow", "no credential access found", "file.clean"
    reason = judge.secret_path(path)
    if reason:
        return "deny", f"{tool} would read {_show(ctx, path)}: {reason}", "file.credential"
    return "allow", "no credential access found", "file.clean"


def _edit_texts(tool: str, tool_input: dict) -> tuple[list[str], list[str]]:
    new: list[str] = []
    old: list[str] = []
    for key, bucket in (("content", new), ("new_string", new), ("new_source", new), ("old_string", old)):
        value = tool_input.get(key)
        if isinstance(value, str):
            bucket.append(value)
    for edit in tool_input.get("edits") or []:
        if isinstance(edit, dict):
            for key, bucket in (("new_string", new), ("old_string", old)):
                if isinstance(edit.get(key), str):
                    bucket.append(edit[key])
    return new, old


def _grep(ctx: Context, tool_input: dict) -> tuple[str, str, str]:
    raw = tool_input.get("path")
    path = _abs(ctx, raw) if isinstance(raw, str) and raw else ctx.cwd
    judge = ctx.judge
    if not os.path.isdir(path):
        reason = judge.secret_path(path)
        if reason:
            return "deny", f"Grep would search {_show(ctx, path)}: {reason}", "file.credential"
        return "allow", "no credential access found", "grep.clean"
    found = guard_env(ctx).secret_files_under(path, hidden=True)
    if found is None:
        return "ask", f"Grep would search everything under {_show(ctx, path)}, too much to check", "grep.too-broad"
    pattern = tool_input.get("glob")
    if isinstance(pattern, str) and pattern:
        import fnmatch

        pats = _expand_braces(pattern)
        found = [f for f in found if any(fnmatch.fnmatch(os.path.basename(f), p) or
                                         fnmatch.fnmatch(os.path.relpath(f, path), p) for p in pats)]
    if found:
        shown = ", ".join(_show(ctx, f) for f in found[:3])
        return "deny", f"Grep would search credential files under {_show(ctx, path)}: {shown}", "file.credential"
    return "allow", "no credential access found", "grep.clean"


def _glob(ctx: Context, tool_input: dict) -> tuple[str, str, str]:
    import fnmatch

    from secretguard.guard.shell.names import SAMPLE_CREDENTIAL_NAMES

    pattern = tool_input.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise HookInputError("Glob tool_input without a pattern")
    raw = tool_input.get("path")
    base = _abs(ctx, raw) if isinstance(raw, str) and raw else ctx.cwd
    for pat in _expand_braces(pattern):
        full = pat if os.path.isabs(pat) else os.path.join(base, pat)
        directory, _, name = full.rpartition("/")
        if not any(c in name for c in "*?["):
            reason = ctx.judge.secret_name(os.path.normpath(full.replace("**/", "")))
            if reason:
                return "deny", f"Glob looks for {pat}: {reason}", "file.credential"
            continue
        literal = "".join(c for c in name if c not in "*?[]")
        if len(literal) < 2:
            continue
        for sample in SAMPLE_CREDENTIAL_NAMES:
            if fnmatch.fnmatchcase(sample, name) and (name.startswith(".") or not sample.startswith(".")):
                where = directory.replace("**", "x").replace("*", "x")
                reason = ctx.judge.secret_name(os.path.join(where, sample))
                if reason:
                    return "deny", f"Glob looks for credential files ({pat}): {reason}", "file.credential"
    return "allow", "no credential access found", "glob.clean"


def _expand_braces(pattern: str) -> list[str]:
    from secretguard.guard.shell.words import brace_expand

    return brace_expand(pattern)


def guard_env(ctx: Context):
    from secretguard.guard.shell import GuardEnv

    judge = ctx.judge
    return GuardEnv(secret_path=judge.secret_path, secret_name=judge.secret_name,
                    protected_path=judge.protected_path, exec_decision=lambda argv: exec_decision(ctx, argv),
                    home=judge.home)


def exec_decision(ctx: Context, argv: list[str]) -> tuple[int, str]:
    """How the guard treats `secretguard exec ...`: the profile's approval mode decides."""
    from pathlib import Path

    from secretguard.errors import SecretguardError

    try:
        from secretguard.vault.profiles import find_profile_for_argv
    except ImportError:  # pragma: no cover
        return 1, "`secretguard exec` hands secrets to a command: a human decides"
    try:
        profile = find_profile_for_argv(argv, Path(ctx.root))
    except SecretguardError as exc:
        return 2, f"`secretguard exec`: the profile settings are invalid ({exc})"
    if profile is None:
        return 2, "`secretguard exec`: no profile matches this command, so no secret may be handed to it"
    if getattr(profile, "approval", "ask") == "auto":
        return 0, f"`secretguard exec` with profile {profile.name!r} (approval: auto)"
    return 1, f"`secretguard exec` hands the secrets of profile {profile.name!r} to this command: approve it " \
              "only if you expect this command to need them"
