"""The layering holds and nothing imports itself back (docs/architecture.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle between modules, if there is any (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(graph.modules):
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph.find_modules_directly_imported_by(start)))]
        state[start] = 1
        path.append(start)
        while stack:
            module, targets = stack[-1]
            if not targets:
                stack.pop()
                path.pop()
                state[module] = 2
                continue
            target = targets.pop()
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append((target, sorted(graph.find_modules_directly_imported_by(target))))
    return None


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("tactful", "actions")
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_layering_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
