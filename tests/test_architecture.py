"""The package graph follows ARCHITECTURE.md: every import, function-level ones included."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "secretguard"
BASE = {"errors", "paths", "settings", "__init__"}
CLI = {"cli", "entry", "__main__"}


def layer_of(module: str) -> str:
    """secretguard.scan.walk -> scan; secretguard.errors -> base; secretguard -> base."""
    parts = module.split(".")[1:] or ["__init__"]
    head = parts[0]
    if head in BASE:
        return "base"
    if head in CLI:
        return "cli"
    return head


def allowed_layers() -> dict[str, set[str]]:
    text = (REPO / "ARCHITECTURE.md").read_text()
    block = re.search(r"```layers\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no ```layers block"
    table = {}
    for line in block.group(1).splitlines():
        name, _, deps = line.partition("->")
        table[name.strip()] = set(deps.split())
    return table


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def imports_of(module: str, path: Path) -> set[str]:
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and
                   isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # annotations only: never imported at run time
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from secretguard.vault import keystore` imports the submodule keystore, not the package's names
            subs = {f"{base}.{a.name}" for a in node.names
                    if (PACKAGE.parent / base.replace(".", "/") / f"{a.name}.py").exists()}
            found.update(subs if len(subs) == len(node.names) else subs | {base})
    return {m for m in found if m == "secretguard" or m.startswith("secretguard.")}


def test_every_layer_in_the_package_is_in_the_table() -> None:
    table = allowed_layers()
    layers = {layer_of(m) for m, _ in modules()}
    assert layers <= set(table), f"packages missing from ARCHITECTURE.md: {layers - set(table)}"


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_imports_follow_the_layering(module: str, path: Path) -> None:
    table = allowed_layers()
    mine = layer_of(module)
    for target in imports_of(module, path):
        theirs = layer_of(target)
        if theirs == mine:
            continue
        assert theirs in table[mine], f"{module} ({mine}) imports {target} ({theirs})"


def test_no_import_cycles_between_modules() -> None:
    graph = {m: {t for t in imports_of(m, p) if t != m} for m, p in modules()}
    names = set(graph)
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node] & names):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    names = [m for m, _ in modules() if not m.endswith("__main__")]
    code = ("import importlib, sys\nbad = []\nfor name in sys.argv[1:]:\n"
            "    for loaded in [m for m in sys.modules if m.startswith('secretguard')]:\n"
            "        del sys.modules[loaded]\n"
            "    try:\n        importlib.import_module(name)\n"
            "    except Exception as exc:\n        bad.append(f'{name}: {type(exc).__name__}: {exc}')\n"
            "print('\\n'.join(bad)); sys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
