"""One module per agent hook protocol. HOOKS is the one table of them: `secretguard hook AGENT`
(entry.py's fast path, commands/hook.py and the session broker) and `install`/`uninstall`/`doctor`
read it. Each module has `run_hook(args) -> int`."""

HOOKS: dict[str, str] = {
    "claude": "secretguard.agents.claude",
    "copilot": "secretguard.agents.copilot",
    "cursor": "secretguard.agents.cursor",
    "codex": "secretguard.agents.codex",
    "gemini": "secretguard.agents.gemini",
}


def load_adapter(agent: str):
    """The adapter module for `agent` (KeyError for an unknown agent)."""
    from importlib import import_module

    return import_module(HOOKS[agent])
