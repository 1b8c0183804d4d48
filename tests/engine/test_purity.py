"""The engine stays pure: no Rasa, rasa_sdk or SQLAlchemy, no wall clock, no global random."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "tactful" / "engine"
FORBIDDEN = ("rasa", "rasa_sdk", "sqlalchemy")


def _modules() -> list[Path]:
    return sorted(ENGINE.glob("*.py"))


def test_no_forbidden_imports() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_no_wall_clock_or_global_random() -> None:
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        for banned in ("datetime.now(", "datetime.utcnow(", "time.time(", "date.today("):
            assert banned not in text, f"{path.name} reads the clock: {banned}"
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id == "random":
                    assert node.func.attr == "Random", f"{path.name} uses random.{node.func.attr}"


def test_importing_the_engine_loads_none_of_them() -> None:
    code = (
        "import sys, tactful.engine, tactful.engine.decide;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('rasa','rasa_sdk','sqlalchemy')];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
