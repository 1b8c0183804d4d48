"""Offer decision latency on a small (10k lines) and a large (10M lines) store.

    .venv/bin/python bench/bench_decision.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/bench_decision.py --backends sqlite --large-lines 1000000

Each sample is one real decision for a random customer through
OfferService.decide_locked (lock + reads + engine choice), rolled back so
every sample sees the same history; a second pass times the durable write
(decision + impression events, commit) on its own. The large
figure is compared with the small one measured the same way, because absolute
times drift on shared machines. Generated stores are kept in var/bench (SQLite)
or databases named tactful_bench_<lines> (PostgreSQL) and reused.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.generate_store import customer_id, generate  # noqa: E402
from tactful.engine.model import ConversationContext  # noqa: E402
from tactful.services.offers import OfferService  # noqa: E402
from tactful.services.policy_provider import PolicyProvider  # noqa: E402
from tactful.settings import load_settings  # noqa: E402
from tactful.store.database import get_engine, is_sqlite, session_factory  # noqa: E402
from tactful.store.migrate import upgrade  # noqa: E402
from tactful.store.unit_of_work import UnitOfWork, uow_for  # noqa: E402

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WARM_UP = 300  # caches, connection pool, page cache


def store_url(backend: str, lines: int) -> str:
    if backend == "sqlite":
        path = REPO_ROOT / "var" / "bench" / f"shop-{lines}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    return f"postgresql://postgres@127.0.0.1:5432/tactful_bench_{lines}"


def existing_lines(url: str) -> int | None:
    try:
        with get_engine(url, 30).connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM order_lines")).scalar_one())
    except Exception:  # noqa: BLE001 - a missing database just means "generate it"
        return None


def settle(url: str) -> None:
    """Bring a reused store to the schema head and to the state autovacuum keeps
    a production database in: tuples frozen and hint bits set (otherwise the
    first reads of freshly copied rows dirty every page they touch) and the
    visibility map current, so the covering indexes answer without the table."""
    upgrade(url)
    if not is_sqlite(url):
        with get_engine(url, 3600).connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE)"))


def prepare(backend: str, customers: int, lines: int, regenerate: bool) -> str:
    url = store_url(backend, lines)
    if not regenerate and (existing_lines(url) or 0) >= lines:
        settle(url)
        return url
    if backend == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            name = url.rsplit("/", 1)[1]
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    get_engine.cache_clear()
    session_factory.cache_clear()
    seconds = generate(url, customers, lines)
    print(f"  generated {backend} store: {customers:,} customers, {lines:,} lines in {seconds:.0f} s")
    settle(url)
    return url


def prewarm(url: str) -> str:
    """Reads the store's indexes and visibility maps into the OS page cache, as a
    database that serves decisions all day keeps them. Without this the figure
    depends on what else this shared machine read last (a full test run evicts
    the store), which measures the disk, not the decision."""
    if is_sqlite(url):
        return "not prewarmed (SQLite)"
    with get_engine(url, 3600).connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        except Exception as error:  # noqa: BLE001 - the figure is still worth having, marked as cold
            return f"not prewarmed ({type(error).__name__}: pg_prewarm unavailable)"
        # Every index; every table's visibility map (index-only scans read it);
        # the heap of the small tables (customers, products ...).
        blocks = connection.execute(
            text(
                "SELECT coalesce(sum(pg_prewarm(c.oid::regclass, 'read', f.fork)), 0)"
                " FROM pg_class c CROSS JOIN (VALUES ('main'), ('vm')) AS f(fork)"
                " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('i', 'r')"
                " AND pg_relation_size(c.oid, f.fork) > 0"
                " AND (f.fork = 'vm' OR c.relkind = 'i' OR pg_relation_size(c.oid) < :small)"
            ),
            {"small": 128 * 1024 * 1024},
        ).scalar_one()
    return f"prewarmed: {int(blocks) * 8 // 1024:,} MB of indexes, visibility maps and small tables read (pg_prewarm)"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _context(customer: str, index: int) -> ConversationContext:
    return ConversationContext(
        customer_id=customer,
        conversation_id=f"bench-{time.time_ns()}-{index}",
        channel="rest",
        stage="support",
        user_turns=2,
        moment="resolved_request",
    )


def measure(url: str, customers: int, samples: int, seed: int = 7) -> dict[str, float]:
    """Decision latency (lock + reads + choice, rolled back so every sample sees
    the same history) and, in a second pass, the durable write of a decision."""
    with get_engine(url, 30).begin() as connection:
        connection.execute(text("DELETE FROM offer_events"))
    warmth = prewarm(url)
    policy_provider = PolicyProvider(REPO_ROOT / "policy.yml")
    policy = policy_provider.get()
    assert policy is not None, policy_provider.status().detail
    # As the composition root does (Root.new_uow): the timeout is passed, so no
    # unit of work reads the settings again.
    timeout = load_settings().db_timeout_seconds

    def new_uow() -> UnitOfWork:
        return uow_for(url, timeout)

    service = OfferService(new_uow, policy_provider, rng=random.Random(seed))
    # Decisions read the stored rule set once per cache period; mining itself
    # is the scheduled job, benchmarked on its own (bench_mining.py).
    service.inputs.mined.put([])
    rng = random.Random(seed)
    decide_ms: list[float] = []
    offers = 0
    for index in range(samples + WARM_UP):
        context = _context(customer_id(rng.randrange(customers)), index)
        start = time.perf_counter()
        with new_uow() as work:
            decision, context = service.decide_locked(work, policy, context, datetime.utcnow())
            chosen = time.perf_counter()
        if index >= WARM_UP:
            decide_ms.append((chosen - start) * 1000)
            offers += decision.offer is not None
    write_ms: list[float] = []
    for index in range(samples // 2 + WARM_UP):
        context = _context(customer_id(rng.randrange(customers)), index)
        now = datetime.utcnow()
        with new_uow() as work:
            decision, context = service.decide_locked(work, policy, context, now)
            start = time.perf_counter()
            service.record_decision(work, context, decision, now)
            work.commit()
            done = time.perf_counter()
        if index >= WARM_UP:
            write_ms.append((done - start) * 1000)
    return {
        "decide_p50": statistics.median(decide_ms),
        "decide_p99": percentile(decide_ms, 0.99),
        "write_p50": statistics.median(write_ms),
        "write_p99": percentile(write_ms, 0.99),
        "offer_rate": offers / samples,
        "warmth": warmth,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--small-customers", type=int, default=1_000)
    parser.add_argument("--small-lines", type=int, default=10_000)
    parser.add_argument("--large-customers", type=int, default=1_000_000)
    parser.add_argument("--large-lines", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--regenerate", action="store_true")
    # A new seed samples other customers: pages an earlier run read are no longer warm.
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = []
    for backend in args.backends.split(","):
        results = {}
        for label, customers, lines in (
            ("small", args.small_customers, args.small_lines),
            ("large", args.large_customers, args.large_lines),
        ):
            url = prepare(backend, customers, lines, args.regenerate)
            results[label] = measure(url, customers, args.samples, args.seed)
            rows.append((backend, lines, results[label]))
            print(f"  {backend} {lines:,} lines: {results[label]['warmth']}")
        ratio = results["large"]["decide_p99"] / results["small"]["decide_p99"]
        print(f"{backend}: decision p99 large/small = {ratio:.2f} (goal < 1.5)")
    print()
    print(
        f"{'backend':<11}{'lines':>12}{'decide p50':>12}{'decide p99':>12}{'write p50':>11}{'write p99':>11}{'offers':>8}"
    )
    for backend, lines, r in rows:
        print(
            f"{backend:<11}{lines:>12,}{r['decide_p50']:>10.3f}ms{r['decide_p99']:>10.3f}ms"
            f"{r['write_p50']:>9.3f}ms{r['write_p99']:>9.3f}ms{r['offer_rate']:>8.1%}"
        )


if __name__ == "__main__":
    main()
