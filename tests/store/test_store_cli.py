"""``python -m tactful`` commands other than import: db, demo, token, policy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from tactful import cli
from tactful.identity import verify_token
from tactful.store.unit_of_work import uow_for

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-0123456789-0123456789-abcdef"


def tactful(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    for key, value in env.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return subprocess.run(
        [sys.executable, "-m", "tactful", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_load_via_cli(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    done = tactful("demo", "load", TACTFUL_SHOP_DB_URL=sqlite_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("demo store loaded: 15 products, 11 customers, 11 orders")
    assert cli.main(["demo", "load", "--db-url", sqlite_url]) == 0
    assert capsys.readouterr().out.startswith("demo store loaded:")
    with uow_for(sqlite_url) as uow:
        assert len(uow.orders.recent_for_customer("C003", limit=10)) == 2


def test_demo_load_refuses_an_unmigrated_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "load", "--db-url", f"sqlite:///{tmp_path / 'blank.db'}"]) == 3
    assert "is not migrated; run `python -m tactful db upgrade` first" in capsys.readouterr().err


def test_db_upgrade_reports_unreachable_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade", "--db-url", "postgresql://postgres@127.0.0.1:1/nothing"]) == 3
    assert capsys.readouterr().err.startswith(
        "error: cannot migrate postgresql://postgres@127.0.0.1:1/nothing:"
    )


def test_token_is_signed_with_the_configured_secret() -> None:
    done = tactful("token", "C001", "--ttl", "120", "--cart", "cart-C001", TACTFUL_JWT_SECRET=SECRET)
    assert done.returncode == 0, done.stderr
    identity = verify_token(done.stdout.strip(), SECRET)
    assert (identity.customer_id, identity.cart_id) == ("C001", "cart-C001")
    assert 100 <= identity.expires_at - time.time() <= 125


def test_token_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TACTFUL_JWT_SECRET", raising=False)
    assert cli.main(["token", "C001"]) == 2
    assert capsys.readouterr().err == "error: TACTFUL_JWT_SECRET is not set; cannot sign a token\n"
    monkeypatch.setenv("TACTFUL_JWT_SECRET", SECRET)
    with pytest.raises(SystemExit) as exited:
        cli.main(["token", "C001", "--ttl", "0"])
    assert exited.value.code == 2
    assert "must be positive: 0" in capsys.readouterr().err


@pytest.fixture
def stub_policy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Stands in for tactful.services.policy_file (another module's job) so only
    the command's plumbing is under test."""
    answers: dict[str, list[str]] = {}
    module = types.ModuleType("tactful.services.policy_file")
    module.check_file = lambda path: answers.get(Path(path).name, [])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tactful.services.policy_file", module)
    return answers


def test_policy_check(
    stub_policy: dict[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yml"
    good.write_text("caps: {}\n")
    assert cli.main(["policy", "check", str(good)]) == 0
    assert capsys.readouterr().out == f"policy OK: {good}\n"
    bad = tmp_path / "bad.yml"
    bad.write_text("caps: nope\n")
    stub_policy["bad.yml"] = [f"{bad}:1: caps: expected a mapping"]
    assert cli.main(["policy", "check", str(bad)]) == 1
    assert capsys.readouterr().err == f"{bad}:1: caps: expected a mapping\n"
    assert cli.main(["policy", "check", str(tmp_path / "missing.yml")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'missing.yml'}: no such file\n"


def test_policy_check_defaults_to_the_configured_file(
    stub_policy: dict[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configured = tmp_path / "configured.yml"
    configured.write_text("{}\n")
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(configured))
    assert cli.main(["policy", "check"]) == 0
    assert capsys.readouterr().out == f"policy OK: {configured}\n"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "usage: python -m tactful" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "error: not a database URL: 'nonsense'"),
        ("mysql://u@h/db", "error: unsupported database 'mysql': the shop database is SQLite or PostgreSQL"),
    ],
)
def test_bad_database_urls_are_usage_errors(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["db", "upgrade"], ["demo", "load"], ["import", "uci", "x.csv"]):
        assert cli.main([*command, "--db-url", url]) == 2
        assert capsys.readouterr().err.startswith(message)
