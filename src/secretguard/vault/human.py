"""Is a human at this terminal? `approve` asks before it records anything.

An agent cannot approve its own request, so approval refuses when:
  * it runs inside a sealed session (secretguard's wall: pid 1 of its namespace is bubblewrap);
  * stdin is not a terminal (a pipe, a file);
  * an agent CLI (Claude Code, Codex, Gemini CLI, Copilot CLI, Cursor's agent, aider) is among
    its ancestors: a tool call of the agent, whatever pseudo-terminal it set up;
  * an ancestor sits on a different terminal than ours: a pseudo-terminal made by `script`,
    `socat … pty`, `expect` or `unbuffer` under the user's real one.
Linux reads this from /proc; elsewhere only the first two checks apply.
"""

from __future__ import annotations

import os

AGENT_NAMES = ("claude", "codex", "gemini", "copilot", "cursor-agent", "aider")
AGENT_PACKAGES = ("@anthropic-ai/claude-code", "@openai/codex", "@google/gemini-cli", "@github/copilot",
                  "aider-chat", "aider/")


def refusal() -> str | None:
    """Why approval must be refused here, or None when a human at this terminal may approve."""
    if os.environ.get("SECRETGUARD_SESSION") or _comm(1) == "bwrap":
        return "approve runs outside sealed sessions only: run it in your own terminal"
    if not os.isatty(0):
        return "approve needs a human at a terminal (stdin is not a terminal)"
    ours = _tty(os.getpid())
    pid = os.getppid()
    for _ in range(64):
        if pid <= 1:
            break
        if _is_agent(pid):
            return "approve was started by a coding agent: run it yourself, in your own terminal"
        tty = _tty(pid)
        if ours and tty not in (None, 0, ours):
            return "approve is on a pseudo-terminal made under your terminal (script, socat, expect): run it " \
                   "directly in your own terminal"
        pid = _ppid(pid)
    return None


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()  # fields after "pid (comm)": state, ppid, pgrp, session, tty_nr


def _tty(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[4]) if fields else None


def _ppid(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else 0


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _is_agent(pid: int) -> bool:
    if _comm(pid) in AGENT_NAMES:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return False
    head = [os.path.basename(a.decode("utf-8", "replace")) for a in argv[:3]]
    text = b" ".join(argv[:3]).decode("utf-8", "replace")
    return any(h in AGENT_NAMES for h in head) or any(p in text for p in AGENT_PACKAGES)
