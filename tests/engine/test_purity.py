"""The engine stays pure: no Rasa, rasa_sdk or SQLAlchemy, no wall clock, no global
random, and no file I/O (reading files is the adapters' job, tactful/services)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "tactful" / "engine"
FORBIDDEN = ("rasa", "rasa_sdk", "sqlalchemy")
# Calls that reach the file system. ``load``/``safe_load`` count only with a
# file or stream argument: parsing text handed in is fine.
IO_CALLS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "glob"})
IO_MODULES = frozenset({"os", "io", "shutil", "glob", "tempfile", "fileinput", "csv"})
# Known exceptions, each with the reason; the test below fails once an entry is
# stale, so the list only shrinks.
KNOWN_IO = {}


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


def _io_uses(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in IO_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in IO_MODULES:
            found.append(f"from {node.module} import")
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in IO_CALLS:
                found.append(f"{name}(")
            elif name in ("load", "safe_load", "load_all") and any(
                isinstance(arg, ast.Call)
                and getattr(arg.func, "id", getattr(arg.func, "attr", "")) in IO_CALLS
                for arg in node.args
            ):
                found.append(f"{name}(<file>)")
    return found


def test_no_file_io() -> None:
    for path in _modules():
        uses = _io_uses(path)
        if path.name in KNOWN_IO:
            assert uses, f"{path.name} no longer does file I/O: drop it from KNOWN_IO"
            continue
        assert not uses, (
            f"{path.name} does file I/O ({', '.join(uses)}); move it to an adapter in tactful/services"
        )


def test_the_io_scan_sees_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from pathlib import Path\nimport yaml\n"
        "def a(p): return Path(p).read_text()\n"
        "def b(p): return yaml.safe_load(open(p))\n"
        "def c(text): return yaml.safe_load(text)\n",
        encoding="utf-8",
    )
    assert sorted(_io_uses(sample)) == ["open(", "read_text(", "safe_load(<file>)"]


def test_policy_modules_take_text_not_paths() -> None:
    import inspect

    from tactful.engine import policy

    assert list(inspect.signature(policy.parse_policy_text).parameters) == ["text", "source"]
    assert not hasattr(policy, "load_policy") and not hasattr(policy, "check_file")
