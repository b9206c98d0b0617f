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

This module only translates: the decisions are secretguard.guard's.
"""

from __future__ import annotations

import json
import os
import sys

from secretguard.guard.events import AFTER_TOOL, BEFORE_TOOL, CONFIG_CHANGE, FIND, MCP, OTHER_EVENT, OTHER_TOOL, \
    PROMPT, READ, SEARCH, SESSION_END, SESSION_START, SHELL, WRITE, Event, EventError, ToolCall

EVENTS = {"SessionStart": SESSION_START, "UserPromptSubmit": PROMPT, "PreToolUse": BEFORE_TOOL,
          "PostToolUse": AFTER_TOOL, "Stop": SESSION_END, "SessionEnd": SESSION_END, "ConfigChange": CONFIG_CHANGE}
FILE_TOOLS = {"Read": ("file_path", READ), "NotebookRead": ("notebook_path", READ),
              "Write": ("file_path", WRITE), "Edit": ("file_path", WRITE), "MultiEdit": ("file_path", WRITE),
              "NotebookEdit": ("notebook_path", WRITE)}


def run_hook(args: list[str]) -> int:
    """Entry point: event JSON on stdin, decision JSON on stdout, the exit code returned."""
    try:
        if args:
            raise EventError(f"unexpected arguments: {' '.join(args)}")
        event = parse(read_stdin())
        out = answer(event)
    except Exception as exc:  # noqa: BLE001 - fail closed, whatever went wrong
        message = " ".join(str(exc).split()) or type(exc).__name__
        sys.stderr.write(f"secretguard: refused: the guard could not decide ({message[:300]})\n")
        return 2
    if out is not None:
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


def read_stdin() -> dict:
    from secretguard.agents.common import read_stdin as read_json

    doc = read_json()
    if not isinstance(doc.get("hook_event_name"), str):
        raise EventError("the event on stdin has no hook_event_name")
    return doc


def parse(doc: dict) -> Event:
    name = doc["hook_event_name"]
    cwd = doc.get("cwd")
    event = Event("claude", EVENTS.get(name, OTHER_EVENT), name, cwd if isinstance(cwd, str) else None,
                  os.environ.get("CLAUDE_PROJECT_DIR"), str(doc.get("session_id") or ""))
    transcript = doc.get("transcript_path")
    event.transcript = transcript if isinstance(transcript, str) and os.path.isabs(transcript) else None
    if event.kind in (BEFORE_TOOL, AFTER_TOOL):
        tool, tool_input = doc.get("tool_name"), doc.get("tool_input")
        if not isinstance(tool, str) or not isinstance(tool_input, dict):
            raise EventError(f"{name} event without tool_name and tool_input")
        event.tool = tool_call(tool, tool_input)
        if event.kind == AFTER_TOOL:
            if "tool_response" not in doc:
                raise EventError("PostToolUse event without tool_response")
            event.output = doc["tool_response"]
    elif event.kind == PROMPT:
        prompt = doc.get("prompt")
        event.prompt = prompt if isinstance(prompt, str) else None
    elif event.kind == CONFIG_CHANGE:
        path = doc.get("file_path")
        event.config_file = path if isinstance(path, str) else None
    return event


def tool_call(tool: str, tool_input: dict) -> ToolCall:
    """Claude Code's tool names and input fields -> the guard's normalised call."""
    def text(key: str) -> str | None:
        value = tool_input.get(key)
        return value if isinstance(value, str) and value else None

    if tool in FILE_TOOLS:
        key, kind = FILE_TOOLS[tool]
        if text(key) is None:
            raise EventError(f"{tool} tool_input without {key}")
        new, old = _edit_texts(tool_input)
        return ToolCall(tool, kind, path=text(key), new_texts=new, old_texts=old)
    if tool == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            raise EventError("Bash tool_input without a command")
        return ToolCall(tool, SHELL, command=command, input=tool_input)
    if tool == "Grep":
        return ToolCall(tool, SEARCH, path=text("path"), pattern=text("pattern"), glob=text("glob"),
                        input=tool_input)
    if tool == "Glob":
        return ToolCall(tool, FIND, path=text("path"), pattern=text("pattern"))
    return ToolCall(tool, MCP if tool.startswith("mcp__") else OTHER_TOOL, input=tool_input)


def _edit_texts(tool_input: dict) -> tuple[list[str], list[str]]:
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


def answer(event: Event) -> dict | None:
    from secretguard.guard import decide

    if event.kind == SESSION_START:
        note = decide.session_start(event)
        out: dict = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": note.text}}
        if note.dirty:
            out["systemMessage"] = note.text
        return out
    if event.kind == PROMPT:
        d = decide.prompt(event)
        return {"decision": "block", "reason": d.reason} if d.decision != "allow" else None
    if event.kind == BEFORE_TOOL:
        d = decide.before_tool(event)
        if d.decision == "allow" and d.command:
            # no permissionDecision: Claude Code's own permission rules and prompts still apply
            sealed = {**event.tool.input, "command": d.command}
            return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "updatedInput": sealed}}
        if d.decision == "allow":
            return {}
        return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": d.decision,
                                       "permissionDecisionReason": d.reason}}
    if event.kind == AFTER_TOOL:
        red = decide.after_tool(event)
        if red is None:
            return None  # nothing found: the original output stands
        # the tool's own output shape, strings replaced: Claude Code ignores any other shape
        return {"hookSpecificOutput": {"hookEventName": "PostToolUse", "updatedToolOutput": red.output,
                                       "additionalContext": red.note(event.tool.name)}}
    if event.kind == SESSION_END:
        decide.session_end(event)
        return None
    if event.kind == CONFIG_CHANGE:
        d = decide.config_change(event, _hooks_removed(event.config_file))
        return {"decision": "block", "reason": d.reason} if d.decision != "allow" else None
    return None  # other events: nothing to say


def _hooks_removed(path: str | None) -> str | None:
    """Why the changed settings file no longer runs secretguard as installed, or None."""
    if not path or not os.path.basename(path).startswith("settings") or not path.endswith(".json"):
        return None
    from pathlib import Path

    from secretguard.agents import claude_settings as cs

    before = cs.snapshot_of(Path(path))
    if before is None:
        return None  # secretguard did not install into this file
    try:
        data, _raw = cs.load(Path(path))
    except cs.SettingsError as exc:
        return f"{path} is no longer valid settings ({exc})"
    now = cs.installed_commands(data)
    missing = [event for event in before if not now.get(event)]
    if missing:
        return f"the change to {path} removes secretguard's {', '.join(missing)} hook(s)"
    if any(sorted(tuple(x) for x in now.get(e, [])) != sorted(before[e]) for e in before):
        return f"the change to {path} alters secretguard's hooks"
    return None


def probe(project: str, target: str) -> dict:
    """A PreToolUse payload as Claude Code sends it, reading `target` (for doctor)."""
    return {"session_id": "secretguard-doctor", "transcript_path": os.path.join(project, "t.jsonl"), "cwd": project,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Read",
            "tool_input": {"file_path": target}}


def decision_of(returncode: int, stdout: str) -> str:
    from secretguard.agents.common import nested_decision

    def verdict(doc: dict) -> str:
        return (doc.get("hookSpecificOutput") or {}).get("permissionDecision") or "allow"
    d = nested_decision(returncode, stdout, lambda doc: verdict(doc) == "deny")
    return verdict(json.loads(stdout or "{}")) if d == "allow" else d
