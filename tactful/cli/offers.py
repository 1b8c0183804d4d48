"""Commands about offers: tokens, the policy check, the report and the what-if."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path

from tactful.cli.common import (
    EXIT_DATABASE,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    db_url_of,
    fail,
    first_line,
    shown_url,
)
from tactful.settings import load_settings


def cmd_token(args: argparse.Namespace) -> int:
    from tactful.identity import IdentityError, issue_token

    secret = load_settings().jwt_secret
    if not secret:
        fail("TACTFUL_JWT_SECRET is not set; cannot sign a token")
        return EXIT_USAGE
    if not args.customer_id.strip() or len(args.customer_id) > 64:
        fail(f"not a customer id: {args.customer_id!r}")
        return EXIT_USAGE
    try:
        print(issue_token(args.customer_id, secret, ttl_seconds=args.ttl, cart_id=args.cart))
    except IdentityError as error:
        fail(str(error))
        return EXIT_USAGE
    return EXIT_OK


def cmd_policy_check(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else load_settings().policy_file
    if not path.is_file():
        fail(f"{path}: no such file")
        return EXIT_USAGE
    try:
        from tactful.services.policy_file import check_file
    except ImportError as error:
        fail(f"the policy checker is not available: {error}")
        return EXIT_USAGE
    errors = check_file(path)
    if errors:
        for message in errors:
            print(message, file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"policy OK: {path}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy.exc import SQLAlchemyError

    from tactful.analytics.render import format_report, to_csv
    from tactful.analytics.report import ReportError, build_report
    from tactful.engine.policy import PolicyError
    from tactful.services.policy_file import load_policy
    from tactful.store.unit_of_work import uow_for

    settings = load_settings()
    until = args.until or datetime.utcnow()
    try:
        since = args.since or until - timedelta(days=args.days)
    except OverflowError:  # a --days reaching before the year 1
        fail(f"--days {args.days} reaches before the year 1: give a smaller --days or a --since")
        return EXIT_USAGE
    if since >= until:
        fail(f"--since ({since:%Y-%m-%d %H:%M}) must be before --until ({until:%Y-%m-%d %H:%M})")
        return EXIT_USAGE
    try:
        policy = load_policy(settings.policy_file)
    except PolicyError as error:
        fail(f"the holdout group comes from the policy, which is invalid: {error}")
        return EXIT_PROBLEMS
    url = db_url_of(args)
    try:
        report = build_report(lambda: uow_for(url), policy, since, until)
    except ReportError as error:
        fail(str(error))
        return EXIT_USAGE
    except SQLAlchemyError as error:
        fail(f"cannot read {shown_url(url)}: {first_line(error)}")
        return EXIT_DATABASE
    print(format_report(report))
    outputs = ((Path(args.json), json.dumps(report, indent=2) + "\n"), (Path(args.csv), to_csv(report)))
    for path, text in outputs:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {path}: {error.strerror or error}")
            return EXIT_USAGE
    print(f"\nwrote {args.json} and {args.csv}")
    return EXIT_OK


def cmd_whatif(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy.exc import SQLAlchemyError

    from tactful.engine.policy import PolicyError
    from tactful.services.policy_file import load_policy
    from tactful.store.unit_of_work import uow_for
    from tactful.whatif.render import render
    from tactful.whatif.run import WhatIfOptions, run_whatif

    try:
        old, new = load_policy(args.old), load_policy(args.new)
    except PolicyError as error:
        fail(f"invalid policy: {error}")
        return EXIT_PROBLEMS
    options = WhatIfOptions(
        since=args.since, until=args.until, rules=args.rules, seed=args.seed, draws=args.draws
    )
    url = db_url_of(args)
    try:
        result = run_whatif(lambda: uow_for(url), old, new, options, (args.old, args.new)).to_dict()
    except SQLAlchemyError as error:
        fail(f"cannot read {shown_url(url)}: {first_line(error)}")
        return EXIT_DATABASE
    except LookupError as error:
        fail(str(error))
        return EXIT_PROBLEMS
    print(render(result))
    if args.json:
        try:
            Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {args.json}: {error.strerror or error}")
            return EXIT_USAGE
    return EXIT_OK
