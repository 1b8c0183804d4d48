"""What every command shares: exit codes, argument types and one-line errors (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from tactful.settings import load_settings

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
EXIT_INTERNAL = 70  # a bug: EX_SOFTWARE from sysexits.h


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return value


def moment_arg(text: str) -> datetime:
    """A date or an ISO time, as naive UTC (how the store keeps times)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or time (YYYY-MM-DD[THH:MM]): {text!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def day_arg(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def db_url_of(args: argparse.Namespace) -> str:
    return args.db_url or load_settings().shop_db_url


def check_db_url(url: str) -> str | None:
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


def shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    shown: str = make_url(url).render_as_string(hide_password=True)
    return shown


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
