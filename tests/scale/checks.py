"""What the scale-out test reads back: trackers, offer events, nginx's log, /metrics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tactful.services.clock import utcnow
from tactful.store.kinds import ACCEPTED, DECLINED, IMPRESSION


def user_texts(tracker_db_url: str, conversation_ids: list[str]) -> dict[str, list[str]]:
    """Every user message Rasa stored, per conversation, in storage order."""
    engine = create_engine(tracker_db_url, future=True, poolclass=NullPool)
    found: dict[str, list[str]] = defaultdict(list)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id")
            )
            for sender_id, data in rows:
                if sender_id in conversation_ids:
                    found[sender_id].append(json.loads(data).get("text"))
    finally:
        engine.dispose()
    return found


@dataclass(frozen=True)
class OfferEvent:
    id: int
    customer_id: str | None
    kind: str
    offer_id: str | None
    conversation_id: str | None
    at_age_days: float


def offer_events(shop_db_url: str) -> list[OfferEvent]:
    engine = create_engine(shop_db_url, future=True, poolclass=NullPool)
    now = utcnow().replace(tzinfo=None)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, customer_id, kind, offer_id, conversation_id, at FROM offer_events ORDER BY id"
                )
            ).all()
    finally:
        engine.dispose()
    return [
        OfferEvent(
            r.id, r.customer_id, r.kind, r.offer_id, r.conversation_id, (now - r.at) / timedelta(days=1)
        )
        for r in rows
    ]


def kinds_after(events: list[OfferEvent], first_id: int) -> Counter[str]:
    return Counter(e.kind for e in events if e.id > first_id and e.kind in (IMPRESSION, ACCEPTED, DECLINED))


@dataclass(frozen=True)
class Access:
    status: int
    method: str
    uri: str
    upstream: str
    affinity: str


def access_log(path: str) -> list[Access]:
    """nginx's access log in the test's own format (nginx.conf.template)."""
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            status, method, uri, rest = line.split(" ", 3)
            quoted = rest.split('"')
            entries.append(Access(int(status), method, uri, quoted[1], quoted[3]))
    return entries


async def broker_user_texts(amqp_url: str, queue_name: str) -> dict[str, list[tuple[float, str]]]:
    """Every user message the event broker published to the run's queue, per
    conversation, in arrival order, as (event timestamp, text).

    Reads the queue empty (the fixture deletes it afterwards).
    """
    import aio_pika

    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    connection = await aio_pika.connect(amqp_url, timeout=10)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, passive=True)
        while (message := await queue.get(no_ack=True, fail=False, timeout=10)) is not None:
            event = json.loads(message.body)
            if event.get("event") == "user":
                found[str(event.get("sender_id"))].append((float(event["timestamp"]), event.get("text")))
    return found


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
    """Every sample of ``url``'s Prometheus page; None when the process has no /metrics."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read().decode()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise AssertionError(f"{url} answered {error.code}") from None
    samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(
    pages: list[dict[tuple[str, tuple[tuple[str, str], ...]], float]], name: str, **labels: str
) -> float:
    """A counter summed over processes and over every label not given."""
    return sum(
        value
        for page in pages
        for (sample, sample_labels), value in page.items()
        if sample == name and all(dict(sample_labels).get(k) == v for k, v in labels.items())
    )
