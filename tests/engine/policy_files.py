"""Policy files for the policy validation tests: a good offer rule, and helpers that
write a policy to a file, load it through the adapter (``tactful.services.policy_file``,
as ``python -m tactful policy check`` does) and return its problems as printed lines,
checking that every line names the file and, where known, the line.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tactful.engine.policy import PolicyError
from tactful.services.policy_file import check_file, load_policy

GOOD_RULE = """\
  - id: sleeve
    kind: cross_sell
    trigger: {owns_sku: [LAP-13]}
    target: {sku: SLV-13}
    message: "The {target_name} fits your {trigger_name}: {final_price}."
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    lines = [str(issue) for issue in info.value.errors]
    assert lines == check_file(path)
    for issue in info.value.errors:
        assert issue.file == str(path)
        # file:line: key: message, as `policy check` prints it.
        assert str(issue).startswith(f"{path}:{issue.line}: " if issue.line else f"{path}: ")
    return lines


def _offer_errors(tmp_path: Path, rule: str) -> list[str]:
    # The rule starts on line 3 of the file.
    return _errors(tmp_path, "version: 1\noffers:\n" + textwrap.dedent(rule))
