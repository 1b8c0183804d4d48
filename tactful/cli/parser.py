"""The ``python -m tactful`` argument parser."""

from __future__ import annotations

import argparse

from tactful.cli.common import day_arg, moment_arg, positive_int


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
    simulate = demo_commands.add_parser(
        "simulate",
        parents=[database],
        help="simulate a month of chats by customers SIM0001... (replaces an earlier simulation)",
    )
    simulate.add_argument("--days", type=positive_int, default=30, help="days of chats (default 30)")
    simulate.add_argument(
        "--follow-up-days",
        type=positive_int,
        default=30,
        help="days of orders after the chats, ending now (default 30)",
    )
    simulate.add_argument(
        "--customers", type=positive_int, default=300, help="simulated customers (default 300)"
    )
    simulate.add_argument("--seed", type=int, default=7, help="random seed (default 7)")

    token = commands.add_parser("token", help="print a signed customer token (JWT) for testing")
    token.add_argument("customer_id", metavar="CUSTOMER_ID")
    token.add_argument(
        "--ttl", type=positive_int, default=3600, metavar="SECONDS", help="lifetime (default 3600)"
    )
    token.add_argument("--cart", metavar="CART_ID", help="cart id to carry in the token")

    policy = commands.add_parser("policy", help="offer policy file")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    check = policy_commands.add_parser("check", help="validate a policy file")
    check.add_argument("file", nargs="?", metavar="FILE", help="policy file (default: $TACTFUL_POLICY_FILE)")

    report = commands.add_parser(
        "report",
        parents=[database],
        help="offer analytics: rates, revenue against the holdout, cross-sell, harm, variants",
        description="Print the offer report and write it as JSON and CSV. See docs/analytics.md.",
    )
    report.add_argument(
        "--days",
        type=positive_int,
        default=30,
        help="period length in days when --since is not given (default 30)",
    )
    report.add_argument(
        "--since", type=moment_arg, metavar="DATE", help="start (YYYY-MM-DD or ISO time, UTC)"
    )
    report.add_argument("--until", type=moment_arg, metavar="DATE", help="end, excluded (default: now, UTC)")
    report.add_argument("--json", metavar="PATH", default="var/report.json", help="default var/report.json")
    report.add_argument("--csv", metavar="PATH", default="var/report.csv", help="default var/report.csv")

    mine = commands.add_parser(
        "mine",
        parents=[database],
        help="mine co-purchase rules from the orders and store them (scheduled job)",
    )
    mine.add_argument("--timeout", type=positive_int, default=900, metavar="SECONDS", help="default 900")

    whatif = commands.add_parser(
        "whatif",
        parents=[database],
        help="replay the order history under two policy files and compare them side by side",
        description="Replay every customer's orders as checkout chats under OLD and NEW. See docs/whatif.md.",
    )
    whatif.add_argument("old", metavar="OLD_POLICY", help="the policy file in force")
    whatif.add_argument("new", metavar="NEW_POLICY", help="the changed policy file")
    whatif.add_argument("--since", type=day_arg, metavar="YYYY-MM-DD", help="first order date to replay")
    whatif.add_argument("--until", type=day_arg, metavar="YYYY-MM-DD", help="replay orders before this date")
    whatif.add_argument(
        "--rules",
        choices=["mine", "stored"],
        default="mine",
        help="co-purchase rules: mine them now (default) or use the stored ones",
    )
    whatif.add_argument("--seed", type=int, default=1, help="seed of the simulated answers (default 1)")
    whatif.add_argument(
        "--draws", type=positive_int, default=4000, help="posterior draws for revenue (default 4000)"
    )
    whatif.add_argument("--json", metavar="PATH", help="also write the result as JSON")
    return parser
