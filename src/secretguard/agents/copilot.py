"""GitHub Copilot CLI hook protocol: `secretguard hook copilot`.

Followed: GitHub's "GitHub Copilot hooks reference" (docs.github.com/en/copilot/reference/
hooks-reference, the page that replaced the CLI hooks reference; checked against CLI 1.0.102).
Hooks live in `.github/hooks/*.json` or `~/.copilot/hooks/*.json` as `{"version": 1, "hooks":
{"preToolUse": [{"type": "command", "bash": ..., "timeoutSec": ...}]}}`. Events configured in
camelCase get camelCase payloads without an event name, so the event is told by its fields:
  sessionStart         {sessionId, timestamp, cwd, source, initialPrompt?}: may answer
                       `{"additionalContext"}`; it cannot stop the session.
  userPromptSubmitted  {sessionId, timestamp, cwd, prompt}: command hooks' output is dropped,
                       so a prompt cannot be blocked here; it is judged and audited, and the
                       session verdict still refuses every tool call while the workspace is dirty.
  preToolUse           {sessionId, timestamp, cwd, toolName, toolArgs}; toolArgs may be a JSON
                       string. Deny: `{"permissionDecision": "deny", "permissionDecisionReason"}`;
                       "ask" prompts (treated as deny in -p mode); allowed: no output (default flow).
  postToolUse          {sessionId, timestamp, cwd, toolName, toolArgs, toolResult: {resultType:
                       "success", textResultForLlm}}, after every tool that succeeded. Redacted for
                       every tool: `{"modifiedResult": <toolResult, strings redacted>,
                       "additionalContext": <note>}`; Copilot sends the model the modified text with
                       the note appended (honoured by command hooks, checked end to end with
                       1.0.102). Nothing found: no output (the original stands). A failed tool fires
                       postToolUseFailure, which can only add context: its output cannot be
                       replaced, and that event is not installed. A PascalCase PostToolUse payload
                       (tool_result) gets no answer. This hook failing (exit 2 or a crash) or timing
                       out lets the original result through: Copilot fails open after a tool.
The PascalCase (VS Code) spelling carries `hook_event_name`, `tool_name`, `tool_input`; read too.
Fail closed: the reference says command `preToolUse` hooks are fail-closed on a crash or any
non-zero exit (exit 2 denies even with an "allow" on stdout) but a timeout lets the call through,
so the installed timeouts are generous. Any internal error here: the deny JSON and exit 2.
"""

from __future__ import annotations

from secretguard.agents import common
from secretguard.guard.events import AFTER_TOOL, BEFORE_TOOL, FIND, MCP, OTHER_EVENT, OTHER_TOOL, PROMPT, READ, \
    SEARCH, SESSION_START, SHELL, WRITE, Event, EventError, ToolCall

PASCAL = {"SessionStart": SESSION_START, "UserPromptSubmit": PROMPT, "PreToolUse": BEFORE_TOOL,
          "PostToolUse": AFTER_TOOL}
# Copilot's tool names (and the Claude names PascalCase payloads use) -> kind
CAMEL = {SESSION_START: "sessionStart", PROMPT: "userPromptSubmitted", BEFORE_TOOL: "preToolUse",
         AFTER_TOOL: "postToolUse", OTHER_EVENT: "other"}
SHELL_TOOLS = {"bash", "powershell", "Bash"}
READ_TOOLS = {"view", "Read"}
WRITE_TOOLS = {"create", "edit", "str_replace_editor", "apply_patch", "Write", "Edit"}


def run_hook(args: list[str]) -> int:
    return common.run(args, parse, answer, refuse)


def refuse(reason: str) -> common.Answer:
    return {"permissionDecision": "deny", "permissionDecisionReason": reason}, 2


def event_kind(doc: dict) -> str:
    name = doc.get("hook_event_name")
    if isinstance(name, str):
        return PASCAL.get(name, OTHER_EVENT)
    if "toolName" in doc:
        if "toolResult" in doc or "error" in doc:
            return AFTER_TOOL
        return BEFORE_TOOL
    if "prompt" in doc and "transformedPrompt" not in doc:
        return PROMPT
    if "source" in doc:
        return SESSION_START
    if "reason" in doc or "stopReason" in doc or "error" in doc or "trigger" in doc or "notification_type" in doc:
        return OTHER_EVENT
    raise EventError("the event on stdin is no Copilot hook payload this guard knows")


def parse(doc: dict) -> Event:
    kind = event_kind(doc)
    cwd = common.text(doc, "cwd")
    event = Event("copilot", kind, str(doc.get("hook_event_name") or CAMEL[kind]), cwd, None,
                  str(doc.get("sessionId") or doc.get("session_id") or ""))
    if kind == BEFORE_TOOL:
        tool = common.text(doc, "toolName", "tool_name")
        if tool is None:
            raise EventError("preToolUse event without toolName")
        raw = doc.get("toolArgs", doc.get("tool_input"))
        event.tool = tool_call(tool, common.object_arg({} if raw is None else raw, "toolArgs"))
        if event.tool.kind == WRITE and event.tool.path is None:  # apply_patch: one write per file
            from secretguard.agents.codex import patch_calls

            event.tool.input = {"calls": patch_calls(common.text(event.tool.input, "input", "patch", "command") or "")}
    elif kind == PROMPT:
        event.prompt = common.text(doc, "prompt")
    elif kind == AFTER_TOOL:
        event.tool = ToolCall(common.text(doc, "toolName", "tool_name") or "tool", OTHER_TOOL)
        result = doc.get("toolResult")  # postToolUseFailure has none: nothing to replace
        event.output = result if isinstance(result, dict) else None
    return event


def tool_call(tool: str, args: dict) -> ToolCall:
    path = common.text(args, "path", "file_path")
    if tool in SHELL_TOOLS:
        command = args.get("command")
        if not isinstance(command, str):
            raise EventError(f"{tool} toolArgs without a command")
        return ToolCall(tool, SHELL, command=command)
    if tool in READ_TOOLS:
        if path is None:
            raise EventError(f"{tool} toolArgs without a path")
        return ToolCall(tool, READ, path=path)
    if tool in ("apply_patch",) and path is None:
        return ToolCall(tool, WRITE, input=args)
    if tool in WRITE_TOOLS and path is not None:
        new = [v for k in ("file_text", "new_str", "content", "new_string") if isinstance(v := args.get(k), str)]
        old = [v for k in ("old_str", "old_string") if isinstance(v := args.get(k), str)]
        return ToolCall(tool, WRITE, path=path, new_texts=new, old_texts=old)
    if tool in ("grep", "rg", "Grep"):
        return ToolCall(tool, SEARCH, path=path, pattern=common.text(args, "pattern"), glob=common.text(args, "glob"),
                        input=args)
    if tool in ("glob", "Glob"):
        return ToolCall(tool, FIND, path=path, pattern=common.text(args, "pattern"))
    return ToolCall(tool, MCP if "/" in tool or tool.startswith("mcp") else OTHER_TOOL, input=args)


def answer(event: Event) -> common.Answer:
    from secretguard.guard import decide

    if event.kind == SESSION_START:
        return {"additionalContext": decide.session_start(event).text}, 0
    if event.kind == PROMPT:
        decide.prompt(event)  # audited; Copilot drops a command hook's answer to a prompt
        return None, 0
    if event.kind == BEFORE_TOOL:
        d = common.judge_calls(event, event.tool.input.get("calls") or [event.tool])
        if d.decision == "allow":
            return None, 0
        return {"permissionDecision": d.decision, "permissionDecisionReason": d.reason}, 0
    if event.kind == AFTER_TOOL and event.output is not None:
        red = decide.after_tool(event)
        if red is None:
            return None, 0  # nothing found: the original result stands
        return {"modifiedResult": red.output, "additionalContext": red.note(event.tool.name)}, 0
    return None, 0  # the rest: nothing to say


def probe(project: str, target: str) -> dict:
    """A preToolUse payload as Copilot sends it, reading `target` (for doctor)."""
    return {"sessionId": "secretguard-doctor", "timestamp": 1704614600000, "cwd": project, "toolName": "view",
            "toolArgs": f'{{"path": "{target}"}}'}


def decision_of(returncode: int, stdout: str) -> str:
    import json

    if returncode != 0:
        return "deny"  # preToolUse command hooks are fail-closed on a non-zero exit
    doc = json.loads(stdout) if stdout.strip() else {}
    return doc.get("permissionDecision") or "allow"
