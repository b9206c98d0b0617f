"""Codex CLI hook protocol: `secretguard hook codex`.

Followed: the Codex hooks documentation (developers.openai.com/codex/hooks) and the open source
that implements it (openai/codex, codex-rs/hooks: schema/generated/*.json, events/pre_tool_use.rs,
engine/output_parser.rs, engine/discovery.rs; checked against @openai/codex 0.171.0).
Hooks live in `.codex/hooks.json` / `~/.codex/hooks.json` (or `[hooks]` in config.toml) in
Claude Code's shape. Payloads carry session_id, turn_id, transcript_path, cwd, hook_event_name,
model and, for tools, tool_name, tool_input, tool_use_id.
  SessionStart      `hookSpecificOutput.additionalContext`; it cannot stop the session.
  UserPromptSubmit  `{"decision": "block", "reason"}` blocks the prompt.
  PreToolUse        `hookSpecificOutput.permissionDecision` "deny" + a non-empty reason blocks.
                    Codex refuses "ask" (and a bare "allow") as unsupported output and then runs
                    the call, so an ask is sent as a deny and an allowed call gets no output.
                    tool_name is "Bash" for every shell tool (tool_input.command), "apply_patch"
                    (tool_input.command holds the patch; each file in it is judged) or
                    "mcp__server__tool" (tool_input = the MCP arguments).
  PostToolUse       {tool_name, tool_input, tool_response}: tool_response is the output as the
                    model would get it (a shell tool's text; an MCP tool's result object). Redacted
                    for every tool with `{"decision": "block", "reason"}`: Codex then hands the model
                    `reason` instead of the output (as the tool's error), here the redacted text
                    (an object as JSON) and secretguard's note. Nothing found: no output. Codex
                    0.171.0 has no `updatedToolOutput` (openai/codex#20703 adds it, unmerged),
                    refuses `updatedMCPToolOutput` as unsupported, and rejects unknown fields: an
                    answer carrying either is dropped whole, block and all, and the output goes to
                    the model unredacted (checked end to end), so neither is sent. A command that
                    exits non-zero is redacted too; a call Codex itself fails to run gets no
                    PostToolUse (codex-rs/core tools/registry.rs), so its error is not seen here.
Fail closed: Codex blocks on exit 2 only when stderr holds a reason, and lets the call through
on any other exit code, a timeout or bad JSON; so every internal error here is exit 2 with one
line on stderr. Trust: Codex runs a non-managed hook only once the user has reviewed it
(`/hooks` in the TUI), recording `[hooks.state."<file>:<event>:<group>:<handler>"] trusted_hash`
in config.toml; a changed hook is skipped until trusted again. `secretguard doctor` says so.
"""

from __future__ import annotations

import re

from secretguard.agents import common
from secretguard.guard.events import AFTER_TOOL, BEFORE_TOOL, MCP, OTHER_EVENT, OTHER_TOOL, PROMPT, SESSION_START, \
    SHELL, WRITE, Event, EventError, ToolCall

EVENTS = {"SessionStart": SESSION_START, "UserPromptSubmit": PROMPT, "PreToolUse": BEFORE_TOOL,
          "PostToolUse": AFTER_TOOL}
SHELL_TOOLS = {"Bash", "shell", "local_shell", "shell_command", "exec_command", "unified_exec"}
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$")


def run_hook(args: list[str]) -> int:
    return common.run(args, lambda doc: (parse(doc), doc), lambda parsed: answer(*parsed), refuse)


def refuse(reason: str) -> common.Answer:
    return None, 2  # the reason is on stderr, where Codex reads it


def parse(doc: dict) -> Event:
    name = doc.get("hook_event_name")
    if not isinstance(name, str):
        raise EventError("the event on stdin has no hook_event_name")
    event = Event("codex", EVENTS.get(name, OTHER_EVENT), name, common.text(doc, "cwd"), None,
                  str(doc.get("session_id") or ""))
    if event.kind == PROMPT:
        event.prompt = common.text(doc, "prompt")
    elif event.kind == AFTER_TOOL:
        if not isinstance(doc.get("tool_name"), str) or "tool_response" not in doc:
            raise EventError("PostToolUse event without tool_name and tool_response")
        event.tool = ToolCall(doc["tool_name"], OTHER_TOOL)  # the output is judged by its content
        event.output = doc["tool_response"]
    return event


def tool_calls(doc: dict) -> list[ToolCall]:
    tool, tool_input = doc.get("tool_name"), doc.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        raise EventError("PreToolUse event without tool_name and tool_input")
    if tool in SHELL_TOOLS:
        command = tool_input.get("command")
        if isinstance(command, list) and all(isinstance(c, str) for c in command):
            import shlex

            command = shlex.join(command)
        if not isinstance(command, str):
            raise EventError(f"{tool} tool_input without a command")
        return [ToolCall(tool, SHELL, command=command)]
    if tool == "apply_patch":
        patch = common.text(tool_input, "command", "patch", "input")
        if patch is None:
            raise EventError("apply_patch tool_input without the patch")
        return patch_calls(patch)
    return [ToolCall(tool, MCP if tool.startswith("mcp__") else OTHER_TOOL, input=tool_input)]


def patch_calls(patch: str) -> list[ToolCall]:
    """One write per file of an apply_patch envelope, with the lines it adds and removes."""
    calls: list[ToolCall] = []
    for line in patch.splitlines():
        m = _PATCH_FILE.match(line)
        if m:
            calls.append(ToolCall("apply_patch", WRITE, path=(m.group(1) or m.group(2)).strip()))
        elif calls and line[:1] in "+-" and not line.startswith(("+++", "---")):
            (calls[-1].new_texts if line[0] == "+" else calls[-1].old_texts).append(line[1:])
    if not calls:
        raise EventError("apply_patch without a file")
    return calls


def answer(event: Event, doc: dict) -> common.Answer:
    from secretguard.guard import decide

    if event.kind == SESSION_START:
        return common.session_context(event), 0
    if event.kind == PROMPT:
        d = decide.prompt(event)
        return ({"decision": "block", "reason": d.reason} if d.decision != "allow" else None), 0
    if event.kind == BEFORE_TOOL:
        d = common.judge_calls(event, tool_calls(doc))
        if d.decision == "allow":
            return None, 0
        return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                       "permissionDecisionReason": d.reason}}, 0
    if event.kind == AFTER_TOOL:
        red = decide.after_tool(event)
        if red is None:
            return None, 0  # nothing found: the original output stands
        return {"decision": "block", "reason": common.replaced_text(red.output, red.note(event.tool.name))}, 0
    return None, 0  # the rest: nothing to say


def probe(project: str, target: str) -> dict:
    """A PreToolUse payload as Codex sends it, reading `target` (for doctor)."""
    return {"session_id": "secretguard-doctor", "turn_id": "probe", "transcript_path": None, "cwd": project,
            "hook_event_name": "PreToolUse", "model": "gpt-5", "permission_mode": "default", "tool_name": "Bash",
            "tool_input": {"command": f"cat {target}"}, "tool_use_id": "call_probe"}


def decision_of(returncode: int, stdout: str) -> str:
    return common.nested_decision(returncode, stdout, lambda doc: (doc.get("hookSpecificOutput") or {}).get("permissionDecision") == "deny")
