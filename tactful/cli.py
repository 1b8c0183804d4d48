"""The ``tactful`` command line (``python -m tactful ...``).

Exit codes: 0 success; 1 the work ran but found problems (rejected rows,
policy errors); 2 usage errors (bad arguments, missing file, unreadable
header, missing secret, bad database URL); 3 the database cannot be used
(unreachable, not migrated, failed statement); 70 an unexpected error (a bug).
Errors are one clear line, never a traceback (TACTFUL_DEBUG=1 shows it).
Commands import their modules lazily, so ``token`` does not load Alembic
and ``policy check`` fails clearly if the engine is not installed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tactful.settings import load_settings

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
EXIT_INTERNAL = 70  # a bug: EX_SOFTWARE from sysexits.h


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tactful",
        description="Tactful shop database, importers, demo data, tokens and policy checks.",
    )
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db-url",
        metavar="URL",
        help="shop database URL (default: $TACTFUL_SHOP_DB_URL, else sqlite:///var/shop.db)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = commands.add_parser("db", help="manage the shop database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser(
        "upgrade", parents=[database], help="migrate the shop database to the latest revision"
    )

    importer = commands.add_parser(
        "import",
        parents=[database],
        help="import CSV files (shop format or UCI Online Retail)",
        description="Import CSV files. See docs/import.md for every column and rule.",
    )
    importer.add_argument("kind", choices=["products", "customers", "orders", "uci"], help="file format")
    importer.add_argument("files", nargs="+", metavar="FILE", help="CSV file(s) to import")
    importer.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    demo = commands.add_parser("demo", help="demo store data")
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    demo_commands.add_parser(
        "load", parents=[database], help="load (or refresh) the demo catalog and customers C001-C011"
    )

    token = commands.add_parser("token", help="print a signed customer token (JWT) for testing")
    token.add_argument("customer_id", metavar="CUSTOMER_ID")
    token.add_argument(
        "--ttl", type=_positive_int, default=3600, metavar="SECONDS", help="lifetime (default 3600)"
    )
    token.add_argument("--cart", metavar="CART_ID", help="cart id to carry in the token")

    policy = commands.add_parser("policy", help="offer policy file")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    check = policy_commands.add_parser("check", help="validate a policy file")
    check.add_argument("file", nargs="?", metavar="FILE", help="policy file (default: $TACTFUL_POLICY_FILE)")

    report = commands.add_parser(
        "report",
        parents=[database],
        help="offer analytics: offer, accept, decline and opt-out rates; revenue against the holdout",
    )
    report.add_argument("--days", type=_positive_int, default=30, help="period length in days (default 30)")
    return parser


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def _db_url(args: argparse.Namespace) -> str:
    return args.db_url or load_settings().shop_db_url


def _check_db_url(url: str) -> str | None:
    """Why ``url`` cannot be used, or None. Checked once, up front, so no
    command fails later with a driver import error and a traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        return f"not a database URL: {url!r} (e.g. sqlite:///var/shop.db or postgresql://user@host/db)"
    if backend not in SUPPORTED_BACKENDS:
        return f"unsupported database {backend!r}: the shop database is SQLite or PostgreSQL"
    return None


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    shown: str = make_url(url).render_as_string(hide_password=True)
    return shown


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from tactful.store.migrate import current_revision, upgrade

    url = _db_url(args)
    try:
        upgrade(url)
        revision = current_revision(url)
    except SQLAlchemyError as error:
        _error(f"cannot migrate {_shown(url)}: {_first_line(error)}")
        return EXIT_DATABASE
    print(f"shop database {_shown(url)} is at revision {revision} (head)")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from tactful.importer.runner import run_import

    return run_import(args.kind, args.files, _db_url(args), quiet=args.quiet)


def cmd_demo_load(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from tactful.demo.loader import load_demo
    from tactful.store.migrate import is_up_to_date

    url = _db_url(args)
    try:
        if not is_up_to_date(url):
            _error(f"{_shown(url)} is not migrated; run `python -m tactful db upgrade` first")
            return EXIT_DATABASE
        summary = load_demo(url)
    except SQLAlchemyError as error:
        _error(f"cannot load the demo into {_shown(url)}: {_first_line(error)}")
        return EXIT_DATABASE
    print(summary)
    return EXIT_OK


def cmd_token(args: argparse.Namespace) -> int:
    from tactful.identity import IdentityError, issue_token

    secret = load_settings().jwt_secret
    if not secret:
        _error("TACTFUL_JWT_SECRET is not set; cannot sign a token")
        return EXIT_USAGE
    if not args.customer_id.strip() or len(args.customer_id) > 64:
        _error(f"not a customer id: {args.customer_id!r}")
        return EXIT_USAGE
    try:
        print(issue_token(args.customer_id, secret, ttl_seconds=args.ttl, cart_id=args.cart))
    except IdentityError as error:
        _error(str(error))
        return EXIT_USAGE
    return EXIT_OK


def cmd_policy_check(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else load_settings().policy_file
    if not path.is_file():
        _error(f"{path}: no such file")
        return EXIT_USAGE
    try:
        from tactful.services.policy_file import check_file
    except ImportError as error:
        _error(f"the policy checker is not available: {error}")
        return EXIT_USAGE
    errors = check_file(path)
    if errors:
        for message in errors:
            print(message, file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"policy OK: {path}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta

    from sqlalchemy.exc import SQLAlchemyError

    from tactful.engine.policy import PolicyError
    from tactful.services.analytics import format_report, offer_report
    from tactful.services.policy_file import load_policy
    from tactful.store.unit_of_work import uow_for

    settings = load_settings()
    try:
        policy = load_policy(settings.policy_file)
    except PolicyError as error:
        _error(f"the holdout group comes from the policy, which is invalid: {error}")
        return EXIT_PROBLEMS
    until = datetime.utcnow()
    url = _db_url(args)
    try:
        report = offer_report(lambda: uow_for(url), policy, until - timedelta(days=args.days), until)
    except SQLAlchemyError as error:
        _error(f"cannot read {_shown(url)}: {_first_line(error)}")
        return EXIT_DATABASE
    print(format_report(report))
    return EXIT_OK


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


HANDLERS = {
    ("db", "upgrade"): cmd_db_upgrade,
    ("import", None): cmd_import,
    ("demo", "load"): cmd_demo_load,
    ("token", None): cmd_token,
    ("policy", "check"): cmd_policy_check,
    ("report", None): cmd_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    action = getattr(args, f"{args.command}_command", None)
    handler = HANDLERS[(args.command, action)]
    if hasattr(args, "db_url"):
        problem = _check_db_url(_db_url(args))
        if problem is not None:
            _error(problem)
            return EXIT_USAGE
    try:
        return handler(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as error:  # noqa: BLE001 - last resort: one line, not a traceback
        if load_settings().debug:
            raise
        _error(f"unexpected {type(error).__name__}: {error} (set TACTFUL_DEBUG=1 for the traceback)")
        return EXIT_INTERNAL
