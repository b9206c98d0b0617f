"""One module per agent hook protocol. HOOKS is the one table of them: `secretguard hook AGENT`
(entry.py's fast path and commands/hook.py) and `install`/`uninstall`/`doctor` read it."""

HOOKS: dict[str, str] = {
    "claude": "secretguard.agents.claude",
    "copilot": "secretguard.agents.copilot",
    "cursor": "secretguard.agents.cursor",
    "codex": "secretguard.agents.codex",
    "gemini": "secretguard.agents.gemini",
}
