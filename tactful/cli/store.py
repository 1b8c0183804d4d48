"""Commands on the shop database: schema, imports, demo data and the mining job."""

from __future__ import annotations

import argparse
from datetime import datetime

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


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from tactful.store.migrate import current_revision, upgrade

    url = db_url_of(args)
    try:
        upgrade(url)
        revision = current_revision(url)
    except SQLAlchemyError as error:
        fail(f"cannot migrate {shown_url(url)}: {first_line(error)}")
        return EXIT_DATABASE
    print(f"shop database {shown_url(url)} is at revision {revision} (head)")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from tactful.importer.runner import run_import

    return run_import(args.kind, args.files, db_url_of(args), quiet=args.quiet)


def cmd_demo_load(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from tactful.demo.loader import load_demo
    from tactful.store.migrate import is_up_to_date

    url = db_url_of(args)
    try:
        if not is_up_to_date(url):
            fail(f"{shown_url(url)} is not migrated; run `python -m tactful db upgrade` first")
            return EXIT_DATABASE
        summary = load_demo(url)
    except SQLAlchemyError as error:
        fail(f"cannot load the demo into {shown_url(url)}: {first_line(error)}")
        return EXIT_DATABASE
    print(summary)
    return EXIT_OK


def cmd_demo_simulate(args: argparse.Namespace) -> int:
    import random

    from sqlalchemy.exc import SQLAlchemyError

    from tactful.demo.simulate import simulate_month
    from tactful.services.offers import OfferService
    from tactful.services.policy_provider import PolicyProvider
    from tactful.store.migrate import is_up_to_date
    from tactful.store.unit_of_work import uow_for

    settings = load_settings()
    if settings.is_production:
        fail(
            "demo simulate writes made-up customers and orders; it refuses to run with TACTFUL_ENV=production"
        )
        return EXIT_USAGE
    url = db_url_of(args)
    provider = PolicyProvider(settings.policy_file)
    if provider.get() is None:
        fail(f"the offer policy is invalid: {provider.status().detail}")
        return EXIT_PROBLEMS
    try:
        if not is_up_to_date(url):
            fail(f"{shown_url(url)} is not migrated; run `python -m tactful db upgrade` first")
            return EXIT_DATABASE
        offers = OfferService(lambda: uow_for(url), provider, rng=random.Random(args.seed))
        until = datetime.utcnow()
        result = simulate_month(
            lambda: uow_for(url),
            offers,
            until,
            args.days,
            args.customers,
            args.seed,
            follow_up_days=args.follow_up_days,
        )
    except SQLAlchemyError as error:
        fail(f"cannot simulate in {shown_url(url)}: {first_line(error)}")
        return EXIT_DATABASE
    except ValueError as error:
        fail(str(error))
        return EXIT_PROBLEMS
    print(
        f"simulated {args.days} days of chats and {args.follow_up_days} of orders: {result.customers} customers,"
        f" {result.conversations} conversations, {result.offers} offers, {result.orders} orders"
    )
    return EXIT_OK


def cmd_mine(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from tactful.engine.policy import PolicyError
    from tactful.services.mining_job import NotMigrated, describe, mine_database

    url = db_url_of(args)
    try:
        print(describe(mine_database(url, load_settings().policy_file, args.timeout)))
    except PolicyError as error:
        fail(f"the mining thresholds come from the policy, which is invalid: {error}")
        return EXIT_PROBLEMS
    except NotMigrated:
        fail(f"{shown_url(url)} is not migrated; run `python -m tactful db upgrade` first")
        return EXIT_DATABASE
    except SQLAlchemyError as error:
        fail(f"cannot mine {shown_url(url)}: {first_line(error)}")
        return EXIT_DATABASE
    return EXIT_OK
