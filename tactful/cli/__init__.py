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

from collections.abc import Sequence

from tactful.cli.common import (
    EXIT_DATABASE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    check_db_url,
    db_url_of,
    fail,
)
from tactful.cli.offers import cmd_policy_check, cmd_report, cmd_token, cmd_whatif
from tactful.cli.parser import build_parser
from tactful.cli.store import cmd_db_upgrade, cmd_demo_load, cmd_demo_simulate, cmd_import, cmd_mine
from tactful.settings import load_settings

__all__ = ["EXIT_DATABASE", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main"]


HANDLERS = {
    ("db", "upgrade"): cmd_db_upgrade,
    ("import", None): cmd_import,
    ("demo", "load"): cmd_demo_load,
    ("demo", "simulate"): cmd_demo_simulate,
    ("token", None): cmd_token,
    ("policy", "check"): cmd_policy_check,
    ("report", None): cmd_report,
    ("mine", None): cmd_mine,
    ("whatif", None): cmd_whatif,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    action = getattr(args, f"{args.command}_command", None)
    handler = HANDLERS[(args.command, action)]
    if hasattr(args, "db_url"):
        problem = check_db_url(db_url_of(args))
        if problem is not None:
            fail(problem)
            return EXIT_USAGE
    try:
        return handler(args)
    except KeyboardInterrupt:
        fail("interrupted")
        return 130
    except Exception as error:  # noqa: BLE001 - last resort: one line, not a traceback
        if load_settings().debug:
            raise
        fail(f"unexpected {type(error).__name__}: {error} (set TACTFUL_DEBUG=1 for the traceback)")
        return EXIT_INTERNAL
