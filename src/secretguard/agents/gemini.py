"""Gemini CLI hook protocol: `secretguard hook gemini`.

Followed: Gemini CLI's hooks reference (geminicli.com/docs/hooks/reference, docs/hooks/reference.md
in google-gemini/gemini-cli) and its tool names and parameters in the source (checked against
@google/gemini-cli 0.61.0). Hooks live in `.gemini/settings.json` / `~/.gemini/settings.json`
under `hooks`, in Claude Code's shape (timeouts in milliseconds). Payloads carry session_id,
transcript_path, cwd, hook_event_name, timestamp.
  SessionStart  `hookSpecificOutput.additionalContext` (+ `systemMessage`); advisory only.
  BeforeAgent   {prompt}: `{"decision": "deny", "reason"}` blocks the turn and drops the prompt.
  BeforeTool    {tool_name, tool_input, mcp_context?}: `{"decision": "deny", "reason"}` blocks
                the call and the reason goes to the model. There is no "ask": an ask is a deny.
                Tools: run_shell_command, read_file, read_many_files (each include is judged),
                write_file, replace, glob, grep_search (search_file_content before), list_directory,
                web_fetch, and MCP tools (mcp_context, names `mcp__server__tool` in matchers).
  AfterTool     {tool_name, tool_input, tool_response: {llmContent, returnDisplay, error?}}:
                llmContent is what the model gets (text, or parts). Redacted for every tool with
                `{"decision": "deny", "reason"}`: Gemini CLI then sends the model `{"error":
                reason}` instead of the result (and shows the user the reason), here the redacted
                llmContent (text parts joined) and secretguard's note. The reference documents
                `hookSpecificOutput.tool_output` as a replacement too, but 0.61.0 does not read it
                (checked end to end; the decision is applied first in every version seen), so it
                is sent as well, for versions that do. Nothing found: `{}`. An image part of a
                redacted result reaches the model as JSON text; an error exit of this hook (2)
                hides the result.
Fail closed: Gemini treats exit 2 as a block with stderr as the reason, and any other exit code
as a warning that lets the action through; so every internal error here is exit 2 with one line
on stderr. Only JSON is ever written to stdout.
"""

from __future__ import annotations

import os

from secretguard.agents import common
from secretguard.guard.events import AFTER_TOOL, BEFORE_TOOL, FIND, MCP, OTHER_EVENT, OTHER_TOOL, PROMPT, READ, \
    SEARCH, SESSION_START, SHELL, WRITE, Event, EventError, ToolCall

EVENTS = {"SessionStart": SESSION_START, "BeforeAgent": PROMPT, "BeforeTool": BEFORE_TOOL, "AfterTool": AFTER_TOOL}
GLOB_CHARS = "*?[{"


def run_hook(args: list[str]) -> int:
    return common.run(args, lambda doc: (parse(doc), doc), lambda parsed: answer(*parsed), refuse)


def refuse(reason: str) -> common.Answer:
    return None, 2  # the reason is on stderr, where Gemini CLI reads it


def parse(doc: dict) -> Event:
    name = doc.get("hook_event_name")
    if not isinstance(name, str):
        raise EventError("the event on stdin has no hook_event_name")
    root = os.environ.get("GEMINI_PROJECT_DIR")
    event = Event("gemini", EVENTS.get(name, OTHER_EVENT), name, common.text(doc, "cwd"), root,
                  str(doc.get("session_id") or ""))
    if event.kind == PROMPT:
        event.prompt = common.text(doc, "prompt")
    elif event.kind == AFTER_TOOL:
        if not isinstance(doc.get("tool_name"), str) or "tool_response" not in doc:
            raise EventError("AfterTool event without tool_name and tool_response")
        event.tool = ToolCall(doc["tool_name"], OTHER_TOOL)  # the output is judged by its content
        event.output = doc["tool_response"]
    return event


def tool_calls(event: Event, doc: dict) -> list[ToolCall]:
    tool, args = doc.get("tool_name"), doc.get("tool_input")
    if not isinstance(tool, str) or not isinstance(args, dict):
        raise EventError("BeforeTool event without tool_name and tool_input")
    path = common.text(args, "file_path", "absolute_path", "path", "dir_path")
    if tool == "run_shell_command":
        if not isinstance(args.get("command"), str):
            raise EventError("run_shell_command without a command")
        directory = common.text(args, "dir_path", "directory")
        if directory:  # the command runs there, and its relative paths mean files there
            event.cwd = os.path.normpath(os.path.join(event.cwd, directory))
        return [ToolCall(tool, SHELL, command=args["command"])]
    if tool == "read_file":
        if path is None:
            raise EventError("read_file without a file_path")
        return [ToolCall(tool, READ, path=path)]
    if tool in ("write_file", "replace"):
        if path is None:
            raise EventError(f"{tool} without a file_path")
        new = [v for k in ("content", "new_string") if isinstance(v := args.get(k), str)]
        old = [v for k in ("old_string",) if isinstance(v := args.get(k), str)]
        return [ToolCall(tool, WRITE, path=path, new_texts=new, old_texts=old)]
    if tool == "read_many_files":
        entries = args.get("include", args.get("paths"))
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise EventError("read_many_files without an include list")
        # a glob reads every file it selects, as a search under the directory reads them
        return [ToolCall(tool, SEARCH, glob=e, input=args) if any(c in e for c in GLOB_CHARS) else
                ToolCall(tool, READ, path=e) for e in entries]
    if tool in ("grep_search", "search_file_content", "grep"):
        return [ToolCall(tool, SEARCH, path=path, pattern=common.text(args, "pattern"),
                         glob=common.text(args, "include_pattern", "include"), input=args)]
    if tool == "glob":
        return [ToolCall(tool, FIND, path=path, pattern=common.text(args, "pattern"))]
    mcp = tool.startswith("mcp__") or isinstance(doc.get("mcp_context"), dict)
    return [ToolCall(tool, MCP if mcp else OTHER_TOOL, input=args)]


def answer(event: Event, doc: dict) -> common.Answer:
    from secretguard.guard import decide

    if event.kind == SESSION_START:
        return common.session_context(event), 0
    if event.kind == PROMPT:
        d = decide.prompt(event)
        return ({"decision": "deny", "reason": d.reason} if d.decision != "allow" else {}), 0
    if event.kind == BEFORE_TOOL:
        d = common.judge_calls(event, tool_calls(event, doc))
        return ({"decision": "deny", "reason": d.reason} if d.decision != "allow" else {}), 0
    if event.kind == AFTER_TOOL:
        red = decide.after_tool(event)
        if red is None:
            return {}, 0  # nothing found: the original result stands
        shown = red.output.get("llmContent", red.output) if isinstance(red.output, dict) else red.output
        text = common.replaced_text(shown, red.note(event.tool.name))
        return {"decision": "deny", "reason": text,
                "hookSpecificOutput": {"hookEventName": "AfterTool", "tool_output": text}}, 0
    return {}, 0  # the rest: nothing to say


def probe(project: str, target: str) -> dict:
    """A BeforeTool payload as Gemini CLI sends it, reading `target` (for doctor)."""
    return {"session_id": "secretguard-doctor", "transcript_path": "", "cwd": project,
            "hook_event_name": "BeforeTool", "timestamp": "2026-01-01T00:00:00Z", "tool_name": "read_file",
            "tool_input": {"file_path": target}}


def decision_of(returncode: int, stdout: str) -> str:
    return common.nested_decision(returncode, stdout, lambda doc: doc.get("decision") in ("deny", "block"))
