"""The agent-neutral event model: what an agent's hook tells us, and what the guard answers.

Each agent adapter (secretguard.agents.*) turns its own stdin into an Event and encodes the
Decision in its own protocol. Everything between (the gate, the tool judge, the shell analysis)
sees only these classes. Plain classes with __slots__: the hook path is timed, and dataclasses
cost an import of `inspect`.
"""

from __future__ import annotations

import os

# Event kinds
SESSION_END, CONFIG_CHANGE = "session_end", "config_change"  # (session_end: the agent stopped or ended)
SESSION_START, PROMPT, BEFORE_TOOL, AFTER_TOOL, OTHER_EVENT = "session_start", "prompt", "before_tool", \
    "after_tool", "other"
# Tool kinds
SHELL, READ, WRITE, SEARCH, FIND, MCP, OTHER_TOOL = "shell", "read", "write", "search", "find", "mcp", "other"

LEVELS = ("allow", "ask", "deny")


class ToolCall:
    """One tool call, normalised.

    name: the agent's own tool name (for messages); kind: one of the tool kinds above.
    path: the file a read/write tool touches, or the directory a search/find tool starts from.
    command: the shell command line (shell tools). pattern/glob: what a search or find looks for.
    new_texts/old_texts: what a write tool adds and replaces. input: the raw input (other tools).
    content: for a read, the text the agent is about to be shown, when the agent sends it (Cursor).
    """

    __slots__ = ("name", "kind", "path", "command", "pattern", "glob", "new_texts", "old_texts", "input", "content")

    def __init__(self, name: str, kind: str, *, path: str | None = None, command: str | None = None,
                 pattern: str | None = None, glob: str | None = None, new_texts: list[str] | None = None,
                 old_texts: list[str] | None = None, input: dict | None = None, content: str | None = None) -> None:
        self.name, self.kind, self.path, self.command = name, kind, path, command
        self.pattern, self.glob = pattern, glob
        self.new_texts, self.old_texts = new_texts or [], old_texts or []
        self.input = input or {}
        self.content = content


class Event:
    """One hook event of one agent session, with what is known about its project."""

    __slots__ = ("agent", "kind", "name", "cwd", "root", "session", "tool", "prompt", "_judge", "digest", "output",
                 "transcript", "config_file")

    def __init__(self, agent: str, kind: str, name: str, cwd: str | None, root: str | None, session: str = "",
                 tool: ToolCall | None = None, prompt: str | None = None) -> None:
        self.agent, self.kind, self.name = agent, kind, name
        self.cwd = os.path.normpath(cwd) if cwd and os.path.isabs(cwd) else os.getcwd()
        self.root = os.path.normpath(root) if root and os.path.isabs(root) else self.cwd
        self.session, self.tool, self.prompt = session, tool, prompt
        self._judge = None
        self.digest: str | None = None
        self.output: object = None             # after a tool: its output, in the agent's own shape
        self.transcript: str | None = None     # where the agent stores this session, when it says
        self.config_file: str | None = None    # a settings change: the file that changed

    @property
    def judge(self):
        """The project's path judge (guard.paths.Judge), built on first use."""
        if self._judge is None:
            from secretguard.guard.paths import Judge

            self._judge = Judge(self.root, self.digest)
        return self._judge

    def reset_judge(self, digest: str | None) -> None:
        self.digest, self._judge = digest, None


class Decision:
    """allow, ask or deny, why, and the rule id the audit log records."""

    __slots__ = ("decision", "reason", "rule", "hits", "command")

    def __init__(self, decision: str, reason: str, rule: str, hits: list[tuple[int, str, str]] | None = None,
                 command: str | None = None) -> None:
        self.decision, self.reason, self.rule = decision, reason, rule
        self.hits = hits or []
        self.command = command  # an allowed shell call: the command to run instead (sealed)

    def __repr__(self) -> str:
        return f"Decision({self.decision!r}, {self.reason!r}, {self.rule!r})"


class EventError(Exception):
    """The event an agent sent is not what its protocol documents."""
