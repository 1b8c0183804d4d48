"""``python -m tactful report``: the terminal report, the JSON and CSV files, and bad arguments."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tactful import cli
from tests.analytics.event_log import seed
from tests.support.policies import DEMO_HOLDOUT, write_policy

REPO_ROOT = Path(__file__).resolve().parents[2]
PERIOD = ["--since", "2026-01-01", "--until", "2026-05-01"]


@pytest.fixture()
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write_policy(tmp_path / "policy.yml", holdout=DEMO_HOLDOUT)
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(path))
    return path


def test_the_cli_prints_the_report_and_writes_json_and_csv(
    sqlite_url: str, policy_file: Path, tmp_path: Path
) -> None:
    seed(sqlite_url)
    out_json, out_csv = tmp_path / "out" / "report.json", tmp_path / "out" / "report.csv"
    done = subprocess.run(
        [sys.executable, "-m", "tactful", "report", "--db-url", sqlite_url, *PERIOD]
        + ["--json", str(out_json), "--csv", str(out_csv)],
        cwd=REPO_ROOT,
        env={**os.environ, "TACTFUL_POLICY_FILE": str(policy_file)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Offer report 2026-01-01T00:00:00 to 2026-05-01T00:00:00")
    assert "conversations with a decision  7" in done.stdout
    assert "Against the holdout, revenue within 30 days of the first decision" in done.stdout
    assert "Cross-sell: 2 accepted offers, 1 ended in a paid order within 30 days (50.0%)" in done.stdout
    assert f"wrote {out_json} and {out_csv}" in done.stdout
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(report) >= {
        "generated_at",
        "period",
        "overall",
        "by",
        "acceptance_over_time",
        "holdout",
        "cross_sell",
        "harm",
        "variants",
        "no_offer_reasons",
    }
    assert report["holdout"]["30"]["treated"]["revenue_per_customer"] == 33.33
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"section": "overall", "group": "", "key": "", "measure": "offers", "value": "3"} in rows


def test_the_cli_on_an_empty_store_says_no_data(
    sqlite_url: str, policy_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = ["--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv")]
    assert cli.main(["report", "--db-url", sqlite_url, "--days", "7", *paths]) == 0
    assert "No data for this period" in capsys.readouterr().out
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["empty"] is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "2026-13-01"], "not a date or time"),
        (["--until", "yesterday"], "not a date or time"),
        (["--days", "0"], "must be positive"),
        (["--days", "100000000"], "reaches before the year 1"),
        (["--until", "0005-01-01", "--days", "3000"], "reaches before the year 1"),
        (["--since", "2026-05-01", "--until", "2026-04-01"], "must be before --until"),
        (["--db-url", "mysql://x@y/z"], "unsupported database"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_error(
    arguments: list[str], message: str, sqlite_url: str, policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_db = arguments if "--db-url" in arguments else ["--db-url", sqlite_url, *arguments]
    try:
        code = cli.main(["report", *with_db])
    except SystemExit as exit_:  # argparse rejects a bad value itself
        code = int(exit_.code or 0)
    assert code == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_output_exits_2(
    sqlite_url: str, policy_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    arguments = [
        "report",
        "--db-url",
        sqlite_url,
        "--json",
        str(blocker / "r.json"),
        "--csv",
        str(tmp_path / "r.csv"),
    ]
    assert cli.main(arguments) == 2
    assert f"cannot write {blocker / 'r.json'}" in capsys.readouterr().err
