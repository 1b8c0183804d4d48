"""How policy problems are reported: YAML syntax errors and duplicate keys with their
line, every problem of a file (or of one rule) in one run and in file order, empty and
unreadable files, and ``python -m tactful policy check`` printing file:line: key: message
like docs/policy.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful import cli
from tactful.engine.policy import PolicyError
from tactful.services.policy_file import check_file, load_policy
from tests.engine.policy_files import GOOD_RULE, _errors, _offer_errors, _write


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "caps:\n  per_conversation: [1\noffers: []\n")
    assert len(errors) == 1
    assert "YAML syntax" in errors[0]
    assert ":3:" in errors[0] or ":4:" in errors[0]


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "caps:\n  per_conversation: 1\n  per_conversation: 2\noffers: []\n")
    assert len(errors) == 1 and ":3:" in errors[0]
    assert "YAML syntax" in errors[0]


def test_every_problem_is_listed_in_file_order(tmp_path: Path) -> None:
    text = "caps:\n  per_conversation: -1\nholdout:\n  share: 7\nchannels:\n  slack: on\noffers: []\n"
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert message.startswith("invalid offer policy (3 problems):")
    assert [issue.line for issue in info.value.errors] == [2, 4, 6]
    assert [issue.path for issue in info.value.errors] == [
        "caps.per_conversation",
        "holdout.share",
        "channels.slack",
    ]


def test_every_problem_of_one_rule_in_one_run(tmp_path: Path) -> None:
    rule = (
        GOOD_RULE.replace("kind: cross_sell", "kind: bundle")
        .replace("The {target_name}", "Hurry! The {target_name}")
        .replace("{sku: SLV-13}", "{sku: SLV-13, upgrade: true}")
    )
    errors = _offer_errors(tmp_path, rule + "    colour: red\n")
    assert [line.split(": ", 1)[1] for line in errors] == [
        "offers[0].kind: must be one of upsell, cross_sell, got 'bundle'",
        "offers[0].target: needs exactly one of sku or upgrade: true",
        "offers[0].message: fake urgency is not allowed: 'Hurry'",
        "offers[0].colour: unknown key (known: accept_label, channels, discount_percent, exclusions, id, "
        "kind, message, reason, stages, target, trigger, variants)",
    ]


def test_unknown_key_names_the_line_of_the_key(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "caps:\n  per_conversation: 1\n  per_day:\n    - 3\noffers: []\n")
    assert errors == [
        f"{tmp_path / 'policy.yml'}:3: caps.per_day: unknown key "
        "(known: per_conversation, per_customer_window, same_offer_days)"
    ]


def test_policy_check_prints_file_line_key_message_like_the_docs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The three problems of the example in docs/policy.md.
    rules = "".join(GOOD_RULE.replace("id: sleeve", f"id: sleeve-{n}") for n in range(3))
    rules = rules.replace("The {target_name}", "Hurry: the {target_name}", 3)
    rules = rules.replace("Hurry: the {target_name}", "The {target_name}", 2)
    text = "caps:\n  per_conversation: -1\nchannels:\n  slack: off\noffers:\n" + rules
    path = _write(tmp_path, text)
    assert cli.main(["policy", "check", str(path)]) == cli.EXIT_PROBLEMS
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:2: caps.per_conversation: must be at least 0, got -1",
        f"{path}:4: channels.slack: expected true or false, got a string 'off'",
        f"{path}:20: offers[2].message: fake urgency is not allowed: 'Hurry'",
    ]
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).splitlines()[0] == "invalid offer policy (3 problems):"


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    assert any("the file is empty" in e for e in _errors(tmp_path, ""))
    assert any("top level must be a mapping" in e for e in _errors(tmp_path, "- 1\n- 2\n"))
    missing = tmp_path / "nope.yml"
    assert "cannot read file" in check_file(missing)[0]
