"""`python -m tactful mine`: mining as one scheduled job that stores its rules,
on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tactful import cli
from tactful.engine.mining import NON_PRODUCT_CODES, mine_copurchase
from tactful.engine.model import CoPurchaseRule
from tactful.services.policy_file import load_policy
from tactful.store.job_lock import job_key
from tactful.store.repositories.mined_rules import RuleSet
from tactful.store.unit_of_work import uow_for
from tests.support.policies import write_policy
from tests.support.servers import REPO_ROOT

OLD_RULE = CoPurchaseRule("HP-100", "LAP-13", 0.5, 0.9, 3.0)


def _stored(url: str) -> RuleSet | None:
    with uow_for(url) as work:
        return work.mined_rules.current()


def _expected_rules(url: str) -> list[CoPurchaseRule]:
    mining = load_policy(REPO_ROOT / "policy.yml").mining
    with uow_for(url) as work:
        baskets = work.orders.offerable_baskets()
    return mine_copurchase(
        baskets, mining.min_support, mining.min_confidence, mining.min_lift, exclude=NON_PRODUCT_CODES
    )


def _store_old_set(url: str) -> None:
    with uow_for(url) as work:
        work.mined_rules.replace([OLD_RULE], datetime(2020, 1, 1), 7)
        work.commit()


def _run_count(url: str) -> int:
    with uow_for(url) as work:
        return int(work.session.execute(text("SELECT count(*) FROM mining_runs")).scalar_one())


def test_mine_stores_the_rules_with_when_and_from_how_many_baskets(
    demo_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _stored(demo_db_url) is None
    before = datetime.utcnow()
    assert cli.main(["mine", "--db-url", demo_db_url]) == 0
    stored = _stored(demo_db_url)
    assert stored is not None
    expected = _expected_rules(demo_db_url)
    assert expected, "the demo history has co-purchases"
    assert stored.rules == expected
    assert stored.baskets == 11  # every demo order holds an offerable product
    assert before <= stored.mined_at <= datetime.utcnow()
    assert capsys.readouterr().out == f"stored {len(expected)} co-purchase rules mined from 11 baskets\n"


def test_a_second_run_replaces_the_whole_set(demo_db_url: str) -> None:
    _store_old_set(demo_db_url)
    assert cli.main(["mine", "--db-url", demo_db_url]) == 0
    first = _stored(demo_db_url)
    assert first is not None and OLD_RULE not in first.rules
    assert cli.main(["mine", "--db-url", demo_db_url]) == 0
    second = _stored(demo_db_url)
    assert second is not None
    assert second.rules == first.rules and second.mined_at >= first.mined_at
    assert _run_count(demo_db_url) == 1  # the old sets are gone, not piled up


def test_mining_off_in_the_policy_stores_an_empty_set(
    demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_old_set(demo_db_url)
    policy = write_policy(tmp_path / "policy.yml", mining={"enabled": False})
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(policy))
    assert cli.main(["mine", "--db-url", demo_db_url]) == 0
    stored = _stored(demo_db_url)
    assert stored is not None and stored.rules == []
    assert "mining is off in the policy" in capsys.readouterr().out


def test_an_invalid_policy_is_a_clear_error(
    demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "policy.yml"
    bad.write_text("version: 1\nmining: {min_support: lots}\n", encoding="utf-8")
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(bad))
    assert cli.main(["mine", "--db-url", demo_db_url]) == 1
    assert capsys.readouterr().err.startswith(
        "error: the mining thresholds come from the policy, which is invalid"
    )
    assert _stored(demo_db_url) is None


def test_bad_database_urls_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["mine", "--db-url", "not a url"]) == 2
    assert capsys.readouterr().err.startswith("error: not a database URL: 'not a url'")
    assert cli.main(["mine", "--db-url", "mysql://shop@127.0.0.1/shop"]) == 2
    assert "unsupported database 'mysql'" in capsys.readouterr().err
    assert cli.main(["mine", "--db-url", "postgresql://postgres@127.0.0.1:1/nothing"]) == 3
    assert capsys.readouterr().err.startswith("error: cannot mine postgresql://postgres@127.0.0.1:1/nothing:")
    assert cli.main(["mine", "--db-url", f"sqlite:///{tmp_path / 'blank.db'}"]) == 3
    assert "is not migrated; run `python -m tactful db upgrade` first" in capsys.readouterr().err


def test_a_run_while_another_holds_the_job_lock_exits_cleanly(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_old_set(pg_url)
    other = create_engine(pg_url, future=True)
    try:
        with other.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": job_key("mine")})
            assert cli.main(["mine", "--db-url", pg_url]) == 0
            assert "skipped: another `tactful mine` run is mining this database" in capsys.readouterr().out
            stored = _stored(pg_url)
            assert stored is not None and stored.rules == [OLD_RULE]
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": job_key("mine")})
        assert cli.main(["mine", "--db-url", pg_url]) == 0
        assert "stored 0 co-purchase rules" in capsys.readouterr().out
    finally:
        other.dispose()


def test_readers_never_see_a_half_written_set(pg_url: str) -> None:
    """While a replacement is uncommitted, other sessions read the old set whole.

    PostgreSQL only: SQLite serialises every transaction (BEGIN IMMEDIATE), so
    no reader runs while a write is open there.
    """
    demo_db_url = pg_url
    _store_old_set(demo_db_url)
    new = [CoPurchaseRule("CAM-X100", f"SKU-{n}", 0.1, 0.5, 2.0) for n in range(50)]
    with uow_for(demo_db_url) as writer:
        writer.mined_rules.replace(new, datetime(2026, 1, 1), 99)
        writer.session.flush()
        seen = _stored(demo_db_url)
        assert seen == RuleSet(datetime(2020, 1, 1), 7, [OLD_RULE])
        writer.commit()
    assert _stored(demo_db_url) == RuleSet(datetime(2026, 1, 1), 99, new)


def test_two_runs_at_once_leave_one_whole_set(demo_db_url: str) -> None:
    codes: list[int] = []
    runs = [
        threading.Thread(target=lambda: codes.append(cli.main(["mine", "--db-url", demo_db_url])))
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(60)
    assert codes == [0, 0]
    stored = _stored(demo_db_url)
    assert stored is not None and stored.rules == _expected_rules(demo_db_url)
    assert _run_count(demo_db_url) == 1


def test_streamed_baskets_are_the_stored_baskets(demo_db_url: str) -> None:
    with uow_for(demo_db_url) as work:
        listed = sorted(sorted(basket) for basket in work.orders.offerable_baskets())
        streamed = sorted(sorted(basket) for basket in work.orders.stream_offerable_baskets())
    assert streamed == listed and len(streamed) == 11
