"""Agent hook adapters, registered here: agent name -> module with `run_hook(args) -> int`."""

from __future__ import annotations

import importlib

ADAPTERS: dict[str, str] = {
    "claude": "secretguard.agents.claude",
}


def load_adapter(agent: str):
    """The adapter module for `agent` (KeyError for an unknown agent)."""
    return importlib.import_module(ADAPTERS[agent])
