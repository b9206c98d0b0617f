"""The handler table: entries name functions by string (their modules load on first use), so check them all."""

from __future__ import annotations

import importlib
import pkgutil

import secretguard.guard.shell.handlers as handlers
from secretguard.guard.shell.handlers import HANDLERS, family, handler


def test_every_entry_names_a_function() -> None:
    for key, target in HANDLERS.items():
        module, _, name = target.partition(".")
        function = getattr(importlib.import_module(f"{handlers.__name__}.{module}"), name, None)
        assert callable(function), f"{key!r} -> {target!r}"


def test_every_handler_module_is_in_the_table() -> None:
    modules = {m.name for m in pkgutil.iter_modules(handlers.__path__)}
    assert modules == {target.partition(".")[0] for target in HANDLERS.values()}


def test_a_command_name_cannot_pass_for_a_family() -> None:
    families = [key for key in HANDLERS if "/" in key]
    assert len(families) == 10  # a command's base name has no "/", so it never looks up one of these
    assert handler("interpreter", []).__name__ == "unknown"
    assert handler("cat", []).__name__ == "reader" and handler("frobnicate", []).__name__ == "unknown"
    assert family("python3.12", []) == "family/interpreter" and family("vault", ["read", "x"]) == "family/secret-store"
