"""Cursor hook protocol: `secretguard hook cursor`.

Followed: Cursor's hooks reference (cursor.com/docs/reference/hooks, as of Cursor 2.x/3.x).
Hooks live in `.cursor/hooks.json` or `~/.cursor/hooks.json` as `{"version": 1, "hooks":
{"beforeShellExecution": [{"command": ..., "timeout": ..., "failClosed": true}]}}`. Every payload
carries `hook_event_name`, `conversation_id`, `generation_id`, `workspace_roots`. Answers are
flat (no wrapper): `{"permission": "allow"|"deny"|"ask", "user_message", "agent_message"}`.
  sessionStart          may answer `{"additional_context"}`; it cannot stop the session.
  beforeSubmitPrompt    {prompt, attachments}: `{"continue": false, "user_message"}` blocks.
  preToolUse            {tool_name: Shell|Read|Write|Grep|Task|MCP:<name>, tool_input, tool_use_id};
                        "ask" is accepted there but not enforced, so an ask is sent as a deny.
  beforeShellExecution  {command, cwd}; "ask" is honoured.
  beforeReadFile        {file_path, content, attachments}: allow/deny only; the content Cursor is
                        about to show is scanned with the content rules too (ToolCall.content).
  beforeMCPExecution    {tool_name, tool_input (a JSON string), url | command}.
One Shell or MCP call fires both preToolUse and its specific event. The first answer is kept for
a minute under (conversation, generation, command or tool input) so the second is answered the
same and audited once; a Read is judged again by beforeReadFile, which also sees the content.
Fail closed: without `failClosed: true` (set by `secretguard install cursor`) Cursor lets a call
through when a hook crashes, times out or prints nothing; with it, those block. So an answer is
always printed, and any internal error prints the deny answer and exits 2 (exit 2 also blocks).
  postToolUse           {tool_name, tool_input, tool_output (a JSON string), tool_use_id, duration}.
                        Cursor replaces a result only for MCP tools (tool_name `MCP:<tool>`):
                        `{"updated_mcp_tool_output": <the result, strings redacted>,
                        "additional_context": <note>}`, the result in its own shape (the parsed
                        tool_output, or the string when it is not JSON). Every other tool (Shell,
                        Read, Grep, ...) cannot be redacted there: Cursor reduces their postToolUse
                        answer to additional_context, so they get `{}` and their output reaches the
                        model as it is: only the before-tool judgement (credential reads, secret-
                        dumping commands) guards them. Nothing found: `{}`. (Not checked end to end:
                        no Cursor CLI here.)
"""

from __future__ import annotations

import os

from secretguard.agents import common
from secretguard.guard.events import AFTER_TOOL, BEFORE_TOOL, MCP, OTHER_EVENT, OTHER_TOOL, PROMPT, READ, SEARCH, \
    SESSION_START, SHELL, WRITE, Decision, Event, EventError, ToolCall

EVENTS = {"sessionStart": SESSION_START, "beforeSubmitPrompt": PROMPT, "preToolUse": BEFORE_TOOL,
          "beforeShellExecution": BEFORE_TOOL, "beforeReadFile": BEFORE_TOOL, "beforeMCPExecution": BEFORE_TOOL,
          "postToolUse": AFTER_TOOL}
ALLOW = {"permission": "allow"}
SEEN_SECONDS = 60


def run_hook(args: list[str]) -> int:
    return common.run(args, lambda doc: (parse(doc), str(doc.get("generation_id") or "")),
                      lambda parsed: answer(*parsed), refuse)


def refuse(reason: str) -> common.Answer:
    return {"permission": "deny", "continue": False, "user_message": reason, "agent_message": reason}, 2


def parse(doc: dict) -> Event:
    name = doc.get("hook_event_name")
    if not isinstance(name, str):
        raise EventError("the event on stdin has no hook_event_name")
    roots = doc.get("workspace_roots")
    root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
    root = root or os.environ.get("CURSOR_PROJECT_DIR")
    event = Event("cursor", EVENTS.get(name, OTHER_EVENT), name, common.text(doc, "cwd") or root, root,
                  str(doc.get("conversation_id") or doc.get("session_id") or ""))
    if event.kind == BEFORE_TOOL:
        event.tool = tool_call(name, doc)
    elif event.kind == PROMPT:
        event.prompt = common.text(doc, "prompt")
    elif event.kind == AFTER_TOOL:
        tool = common.text(doc, "tool_name") or "tool"
        event.tool = ToolCall(tool, MCP if tool.startswith("MCP:") else OTHER_TOOL)
        if event.tool.kind == MCP and "tool_output" in doc:  # the only results Cursor lets a hook replace
            event.output = _parsed(doc["tool_output"])
    return event


def _parsed(output: object) -> object:
    """tool_output is the result as a JSON string; a string that is not JSON stays one."""
    if isinstance(output, str):
        import json

        try:
            return json.loads(output)
        except ValueError:
            return output
    return output


def tool_call(name: str, doc: dict) -> ToolCall:
    if name == "beforeShellExecution":
        if not isinstance(doc.get("command"), str):
            raise EventError("beforeShellExecution without a command")
        return ToolCall("Shell", SHELL, command=doc["command"])
    if name == "beforeReadFile":
        path = common.text(doc, "file_path")
        if path is None:
            raise EventError("beforeReadFile without a file_path")
        content = doc.get("content")
        return ToolCall("Read", READ, path=path, content=content if isinstance(content, str) else None)
    if name == "beforeMCPExecution":
        tool = common.text(doc, "tool_name") or "MCP"
        args = common.object_arg(doc.get("tool_input") or {}, "tool_input")
        return ToolCall(f"MCP:{tool}", MCP, input={**args, **({"command": doc["command"]} if "command" in doc else {})})
    tool = common.text(doc, "tool_name")
    if tool is None:
        raise EventError("preToolUse without a tool_name")
    args = common.object_arg(doc.get("tool_input") or {}, "tool_input")
    if tool == "Shell":
        if not isinstance(args.get("command"), str):
            raise EventError("Shell tool_input without a command")
        return ToolCall(tool, SHELL, command=args["command"])
    path = common.text(args, "file_path", "path", "target_file")
    if tool in ("Read", "TabRead") and path:
        return ToolCall(tool, READ, path=path)
    if tool in ("Write", "Edit", "StrReplace", "Delete", "TabWrite") and path:
        new = [v for k in ("contents", "content", "new_string", "code_edit") if isinstance(v := args.get(k), str)]
        old = [v for k in ("old_string",) if isinstance(v := args.get(k), str)]
        return ToolCall(tool, WRITE, path=path, new_texts=new, old_texts=old)
    if tool == "Grep":
        return ToolCall(tool, SEARCH, path=path, pattern=common.text(args, "pattern"), glob=common.text(args, "glob"),
                        input=args)
    return ToolCall(tool, MCP if tool.startswith("MCP:") else OTHER_TOOL, input=args)


def answer(event: Event, generation: str = "") -> common.Answer:
    from secretguard.guard import decide

    if event.kind == SESSION_START:
        return {"additional_context": decide.session_start(event).text}, 0
    if event.kind == PROMPT:
        d = decide.prompt(event)
        return ({"continue": True} if d.decision == "allow" else {"continue": False, "user_message": d.reason}), 0
    if event.kind == BEFORE_TOOL:
        d = _seen_or_judged(event, generation)
        if d.decision == "allow":
            return ALLOW, 0
        ask = d.decision == "ask" and event.name in ("beforeShellExecution", "beforeMCPExecution")
        # Cursor hands the model user_message (observed), and the reference says agent_message
        return {"permission": "ask" if ask else "deny", "user_message": d.reason, "agent_message": d.reason}, 0
    if event.kind == AFTER_TOOL and event.output is not None:
        red = decide.after_tool(event)
        if red is not None:
            return {"updated_mcp_tool_output": red.output, "additional_context": red.note(event.tool.name)}, 0
    return ({"permission": "allow"} if event.name.startswith("before") else {}), 0  # always an answer


def _seen_or_judged(event: Event, generation: str) -> Decision:
    """The generic and the specific event of one call get one judgement (and one audit record)."""
    from secretguard.guard import decide

    key = _call_key(event, generation)
    if key is None:
        return decide.before_tool(event)
    import json

    from secretguard.paths import state_dir
    try:  # the OpenSSL-backed hashlib costs ~15 ms to import; the builtin module does not
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - Python 3.12+
        from hashlib import sha256
    import time

    path = os.path.join(str(state_dir()), "cursor-seen", sha256(key.encode()).hexdigest()[:32])
    try:
        with open(path) as fh:
            seen = json.load(fh)
        if time.time() - os.stat(path).st_mtime < SEEN_SECONDS:
            return Decision(seen["decision"], seen["reason"], seen["rule"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    d = decide.before_tool(event)
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(path, "w") as fh:
            json.dump({"decision": d.decision, "reason": d.reason, "rule": d.rule}, fh)
    except OSError:
        pass  # only the second audit record is lost, never the decision
    return d


def _call_key(event: Event, generation: str) -> str | None:
    call = event.tool
    if call is None or not generation or not event.session:
        return None
    if call.kind == SHELL:
        return f"{event.session}\0{generation}\0shell\0{call.command}"
    if call.kind == MCP:
        import json

        return f"{event.session}\0{generation}\0mcp\0{call.name.removeprefix('MCP:')}\0" \
               f"{json.dumps(call.input, sort_keys=True)}"
    return None


def probe(project: str, target: str) -> dict:
    """A beforeReadFile payload as Cursor sends it, reading `target` (for doctor)."""
    return {"conversation_id": "secretguard-doctor", "generation_id": "probe", "hook_event_name": "beforeReadFile",
            "workspace_roots": [project], "file_path": target, "content": "", "attachments": []}


def decision_of(returncode: int, stdout: str) -> str:
    import json

    if returncode != 0:
        return "deny"  # failClosed: a failing hook blocks
    doc = json.loads(stdout) if stdout.strip() else {}
    return doc.get("permission") or "no answer (failClosed blocks)"
