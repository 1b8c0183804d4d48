"""The linking service against a real database (SQLite and PostgreSQL) with demo customers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from tactful.linking.codes import hash_code
from tactful.linking.service import CODE_LIFETIME, MAX_TRIES, LinkingService, PendingDelivery
from tactful.store.models import LinkCode
from tactful.store.unit_of_work import UnitOfWork, uow_for
from tests.linking.support import Clock, Outbox, memory_counter

SECRET = "link-test-secret"
ALICE = "alice@example.com"  # demo customer C001


@pytest.fixture
def service(demo_db_url: str, outbox: Outbox, clock: Clock) -> LinkingService:
    new_uow: Callable[[], UnitOfWork] = lambda: uow_for(demo_db_url)  # noqa: E731
    return LinkingService(new_uow, outbox, SECRET, clock, memory_counter(clock))


def start_and_send(
    service: LinkingService, external_id: str, email: str, channel: str = "telegram"
) -> str | None:
    result = service.start(channel, external_id, email)
    assert result.status == "sent"
    if result.delivery is None:
        return None
    service.deliver(result.delivery)
    return result.delivery.code


def test_a_known_email_gets_a_code_that_links_the_chat(service: LinkingService, outbox: Outbox) -> None:
    code = start_and_send(service, "chat-1", " Alice@Example.com ")
    assert outbox.sent == [(ALICE, code)]
    assert service.linked_customer("telegram", "chat-1") is None
    result = service.verify("telegram", "chat-1", str(code))
    assert (result.status, result.customer_id) == ("linked", "C001")
    assert service.linked_customer("telegram", "chat-1") == "C001"
    # The code is spent.
    assert service.verify("telegram", "chat-1", str(code)).status == "none"


def test_an_unknown_email_looks_the_same_and_can_never_link(service: LinkingService, outbox: Outbox) -> None:
    known = service.start("telegram", "chat-a", ALICE)
    unknown = service.start("telegram", "chat-b", "nobody@example.com")
    assert known.status == unknown.status == "sent"
    assert unknown.delivery is None
    # The unknown chat has a pending code too, so its tries and lock behave alike.
    results = [service.verify("telegram", "chat-b", f"{n:06d}").status for n in range(MAX_TRIES)]
    assert results == ["wrong"] * (MAX_TRIES - 1) + ["locked"]


def test_five_wrong_tries_void_the_code(service: LinkingService) -> None:
    code = str(start_and_send(service, "chat-2", ALICE))
    wrong = "000000" if code != "000000" else "111111"
    tries = [service.verify("telegram", "chat-2", wrong) for _ in range(MAX_TRIES)]
    assert [t.tries_left for t in tries[:-1]] == [4, 3, 2, 1]
    assert tries[-1].status == "locked"
    assert service.verify("telegram", "chat-2", code).status == "locked"
    assert service.linked_customer("telegram", "chat-2") is None


def test_a_locked_chat_waits_for_the_code_to_expire_before_a_new_one(
    service: LinkingService, outbox: Outbox, clock: Clock
) -> None:
    start_and_send(service, "chat-3", ALICE)
    for _ in range(MAX_TRIES):
        service.verify("telegram", "chat-3", "999999")
    assert service.start("telegram", "chat-3", ALICE).status == "locked"
    clock.now += CODE_LIFETIME + timedelta(seconds=1)
    code = start_and_send(service, "chat-3", ALICE)
    assert service.verify("telegram", "chat-3", str(code)).status == "linked"


def test_asking_again_keeps_the_tries_already_used(service: LinkingService, clock: Clock) -> None:
    start_and_send(service, "chat-4", ALICE)
    for _ in range(3):
        service.verify("telegram", "chat-4", "999999")
    clock.now += timedelta(minutes=2)
    code = str(start_and_send(service, "chat-4", ALICE))
    # Restarting buys no extra guesses: 2 tries were left, and still are.
    assert service.verify("telegram", "chat-4", "999999").tries_left == 1
    assert service.verify("telegram", "chat-4", code).status == "linked"


def test_a_repeat_within_a_minute_sends_nothing_new(
    service: LinkingService, outbox: Outbox, clock: Clock
) -> None:
    first = start_and_send(service, "chat-5", ALICE)
    clock.now += timedelta(seconds=20)
    assert start_and_send(service, "chat-5", ALICE) is None
    assert len(outbox.sent) == 1
    assert service.verify("telegram", "chat-5", str(first)).status == "linked"


def test_a_code_expires_after_ten_minutes(service: LinkingService, clock: Clock) -> None:
    code = str(start_and_send(service, "chat-6", ALICE))
    clock.now += CODE_LIFETIME
    assert service.verify("telegram", "chat-6", code).status == "none"


def test_a_code_works_only_in_the_chat_and_channel_that_asked(service: LinkingService) -> None:
    code = str(start_and_send(service, "chat-7", ALICE))
    assert service.verify("telegram", "chat-8", code).status == "none"
    assert service.verify("twilio", "chat-7", code).status == "none"
    assert service.verify("telegram", "chat-7", code).status == "linked"


def test_only_a_keyed_hash_of_the_code_is_stored(service: LinkingService, demo_db_url: str) -> None:
    code = str(start_and_send(service, "chat-9", ALICE))
    with uow_for(demo_db_url) as work:
        row = work.session.scalars(select(LinkCode).where(LinkCode.external_id == "chat-9")).one()
    assert code not in row.code_hash
    assert row.code_hash == hash_code(SECRET, "telegram", "chat-9", code)
    assert row.code_hash != hash_code("another-secret", "telegram", "chat-9", code)


def test_relinking_moves_the_chat_to_the_new_customer(service: LinkingService, clock: Clock) -> None:
    service.verify("telegram", "chat-10", str(start_and_send(service, "chat-10", ALICE)))
    clock.now += timedelta(minutes=2)
    code = str(start_and_send(service, "chat-10", "bob@example.com"))
    assert service.verify("telegram", "chat-10", code).customer_id == "C002"
    assert service.linked_customer("telegram", "chat-10") == "C002"


def test_pending_delivery_never_shows_the_code() -> None:
    assert "123456" not in repr(PendingDelivery("a@example.com", "123456"))


def test_concurrent_guesses_each_count(service: LinkingService) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start_and_send(service, "chat-11", ALICE)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: service.verify("telegram", "chat-11", "999999").status, range(12)))
    # However the guesses interleave, only MAX_TRIES of them were ever weighed.
    assert sorted(results).count("wrong") == MAX_TRIES - 1
    assert results.count("locked") == 12 - (MAX_TRIES - 1)
