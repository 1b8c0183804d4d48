"""Per-account and per-chat limits on link codes, on real SQLite and PostgreSQL.

The review's attack: 200 chats each asked for a code for one customer and made
5 guesses, so she got 200 emails and faced 1,000 guesses. The counters here
are real (in memory, or a real Redis shared by two "replicas"); only the clock
and the mailer are the test's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from tactful.linking.codes import LinkSecretMissing, account_key, chat_key, hash_code, link_secret
from tactful.linking.service import (
    CODE_LIFETIME,
    CODES_PER_ACCOUNT,
    LIMIT_WINDOW_SECONDS,
    MAX_TRIES,
    REQUESTS_PER_CHAT,
    TRIES_PER_ACCOUNT,
    LinkingService,
)
from tactful.ratelimit import KEY_PREFIX, Counter, MemoryCounter, RedisCounter
from tactful.settings import load_settings
from tactful.store.models import LinkCode
from tactful.store.unit_of_work import UnitOfWork, uow_for
from tests.linking.support import Clock, Outbox, memory_counter
from tests.support.redis import scratch_prefix
from tests.support.servers import free_port

SECRET = "link-limits-test-secret"
ALICE = "alice@example.com"  # demo customer C001
NOBODY = "nobody-at-all@example.com"
REDIS_URL = "redis://127.0.0.1:6379/0"
ATTACKING_CHATS = 200


@pytest.fixture
def counter(clock: Clock) -> MemoryCounter:
    return memory_counter(clock)


@pytest.fixture
def new_uow(demo_db_url: str) -> Callable[[], UnitOfWork]:
    return lambda: uow_for(demo_db_url)


@pytest.fixture
def service(
    new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, counter: MemoryCounter
) -> LinkingService:
    return LinkingService(new_uow, outbox, SECRET, clock, counter)


def ask(service: LinkingService, chat: str, email: str) -> str:
    """Start linking and deliver at once, as the action does after its reply."""
    result = service.start("telegram", chat, email)
    if result.delivery is not None:
        service.deliver(result.delivery)
    return result.status


def wrong_guess(outbox: Outbox, n: int) -> str:
    """A guess that is none of the codes actually sent."""
    sent = {code for _, code in outbox.sent}
    return next(g for g in (f"{(n * 7919 + k) % 10**6:06d}" for k in range(10)) if g not in sent)


@dataclass
class Attack:
    starts: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)


def attack(service: LinkingService, outbox: Outbox, clock: Clock, prefix: str, email: str) -> Attack:
    """As in the review: every chat asks for a code, then makes MAX_TRIES guesses.

    A second a step, so all of it falls within one code lifetime and one window.
    """
    chats = [f"{prefix}-{number}" for number in range(ATTACKING_CHATS)]
    seen = Attack()
    for chat in chats:
        seen.starts.append(ask(service, chat, email))
        clock.now += timedelta(seconds=1)
    for chat in chats:
        for n in range(MAX_TRIES):
            seen.guesses.append(service.verify("telegram", chat, wrong_guess(outbox, n)).status)
        clock.now += timedelta(seconds=1)
    assert clock.now - Clock().now < CODE_LIFETIME
    return seen


def weighed(statuses: list[str]) -> int:
    # "wrong" and the per-chat "locked" at a fifth try are guesses that were checked;
    # "account_limit" and "none" were refused before any code was compared.
    return statuses.count("wrong") + statuses.count("locked")


def account_counts(counter: Counter, email: str) -> tuple[int, int]:
    key = account_key(SECRET, email)
    return (
        counter.count(f"link:codes:{key}", LIMIT_WINDOW_SECONDS),
        counter.count(f"link:tries:{key}", LIMIT_WINDOW_SECONDS),
    )


def code_rows(new_uow: Callable[[], UnitOfWork], prefix: str) -> list[tuple[int, str | None]]:
    with new_uow() as work:
        rows = work.session.scalars(select(LinkCode).where(LinkCode.external_id.like(f"{prefix}-%"))).all()
        return sorted((int(row.attempts), row.account_key) for row in rows)


def test_two_hundred_chats_get_three_emails_and_ten_guesses(
    service: LinkingService, outbox: Outbox, clock: Clock
) -> None:
    seen = attack(service, outbox, clock, "attacker", ALICE)
    # Every chat hears the same "sent", yet only three emails went out.
    assert seen.starts == ["sent"] * ATTACKING_CHATS
    assert len(outbox.sent) == CODES_PER_ACCOUNT == 3
    assert {to for to, _ in outbox.sent} == {ALICE}
    assert weighed(seen.guesses) <= TRIES_PER_ACCOUNT == 10
    first_refusal = seen.guesses.index("account_limit")
    assert weighed(seen.guesses[:first_refusal]) == TRIES_PER_ACCOUNT
    # From then on, every chat holding a code for her is refused, and
    # the chats past the email cap never had a code at all.
    assert seen.guesses[first_refusal:] == ["account_limit"] * MAX_TRIES + ["none"] * (
        (ATTACKING_CHATS - CODES_PER_ACCOUNT) * MAX_TRIES
    )
    # Nor can a new chat start over while the account is paused.
    assert ask(service, "one-more", ALICE) == "account_limit"
    assert len(outbox.sent) == 3


def test_guessing_while_asking_pauses_the_account_sooner(
    service: LinkingService, outbox: Outbox, clock: Clock
) -> None:
    seen = Attack()
    for number in range(ATTACKING_CHATS):
        chat = f"chat-{number}"
        seen.starts.append(ask(service, chat, ALICE))
        seen.guesses += [service.verify("telegram", chat, wrong_guess(outbox, n)).status for n in range(5)]
        clock.now += timedelta(seconds=1)
    # Two chats used up the account's ten tries; nobody gets a code after that.
    assert len(outbox.sent) == 2
    assert weighed(seen.guesses) == TRIES_PER_ACCOUNT
    assert seen.starts == ["sent"] * 2 + ["account_limit"] * (ATTACKING_CHATS - 2)
    assert set(seen.guesses[2 * MAX_TRIES :]) == {"none"}


def test_the_lockout_refuses_even_the_right_code_until_the_window_ends(
    service: LinkingService, outbox: Outbox, clock: Clock
) -> None:
    chats = [f"chat-{n}" for n in range(3)]
    for chat in chats:
        assert ask(service, chat, ALICE) == "sent"
    codes = dict(zip(chats, (code for _, code in outbox.sent), strict=True))
    tries = [service.verify("telegram", chats[n % 3], wrong_guess(outbox, n)).status for n in range(10)]
    assert tries.count("wrong") == TRIES_PER_ACCOUNT
    assert service.verify("telegram", "chat-2", codes["chat-2"]).status == "account_limit"
    assert service.linked_customer("telegram", "chat-2") is None
    # The refused guesses did not use up the chat's own tries either.
    assert service.verify("telegram", "chat-0", wrong_guess(outbox, 99)).status == "account_limit"

    clock.now += timedelta(seconds=LIMIT_WINDOW_SECONDS)
    assert ask(service, "chat-3", ALICE) == "sent"
    assert service.verify("telegram", "chat-3", outbox.sent[-1][1]).status == "linked"


def test_an_unknown_email_is_answered_and_counted_exactly_alike(
    service: LinkingService,
    outbox: Outbox,
    clock: Clock,
    counter: MemoryCounter,
    new_uow: Callable[[], UnitOfWork],
) -> None:
    known = attack(service, outbox, clock, "known", ALICE)
    clock.now = Clock().now
    unknown = attack(service, outbox, clock, "unknown", NOBODY)
    assert unknown == known
    assert account_counts(counter, NOBODY) == account_counts(counter, ALICE)
    assert account_counts(counter, ALICE)[0] > CODES_PER_ACCOUNT  # every request was counted
    assert [attempts for attempts, _ in code_rows(new_uow, "unknown")] == [
        attempts for attempts, _ in code_rows(new_uow, "known")
    ]
    assert {key for _, key in code_rows(new_uow, "unknown")} == {account_key(SECRET, NOBODY)}
    assert [to for to, _ in outbox.sent] == [ALICE] * CODES_PER_ACCOUNT


def test_the_account_key_is_the_same_for_any_spelling_of_the_email(service: LinkingService) -> None:
    assert ask(service, "chat-a", " Alice@Example.COM ") == "sent"
    assert account_key(SECRET, " Alice@Example.COM ") == account_key(SECRET, ALICE)
    assert account_key(SECRET, ALICE) != account_key("another-secret", ALICE)
    assert ALICE not in account_key(SECRET, ALICE)


def test_a_fourth_code_in_the_hour_is_answered_as_sent_but_not_sent(
    service: LinkingService, outbox: Outbox, clock: Clock
) -> None:
    for chat in ("chat-1", "chat-2", "chat-3"):
        assert ask(service, chat, ALICE) == "sent"
    result = service.start("telegram", "chat-4", ALICE)
    assert (result.status, result.delivery) == ("sent", None)
    assert service.verify("telegram", "chat-4", "123456").status == "none"
    # The codes already sent still work.
    assert service.verify("telegram", "chat-3", outbox.sent[2][1]).status == "linked"
    clock.now += timedelta(seconds=LIMIT_WINDOW_SECONDS)
    assert service.start("telegram", "chat-4", ALICE).delivery is not None


def test_a_chat_may_ask_for_five_codes_an_hour(
    service: LinkingService, outbox: Outbox, clock: Clock, counter: MemoryCounter
) -> None:
    emails = ["alice@example.com", "bob@example.com", "carol@example.com", "x1@example.com", "x2@example.com"]
    assert [ask(service, "chat-1", email) for email in emails] == ["sent"] * REQUESTS_PER_CHAT
    # The sixth is refused whatever the email, so the refusal reveals nothing.
    assert ask(service, "chat-1", "dave@example.com") == "chat_limit"
    assert ask(service, "chat-1", "nobody-else@example.com") == "chat_limit"
    assert len(outbox.sent) == 3
    assert account_counts(counter, "dave@example.com") == (0, 0)
    # Other chats are not affected, and the chat may ask again next hour.
    assert ask(service, "chat-2", "dave@example.com") == "sent"
    clock.now += timedelta(seconds=LIMIT_WINDOW_SECONDS)
    assert ask(service, "chat-1", "dave@example.com") == "sent"


def test_repeats_within_a_minute_still_count_as_requests(service: LinkingService, outbox: Outbox) -> None:
    statuses = [ask(service, "chat-1", ALICE) for _ in range(REQUESTS_PER_CHAT + 1)]
    assert statuses == ["sent"] * REQUESTS_PER_CHAT + ["chat_limit"]
    assert len(outbox.sent) == 1


def test_counter_keys_name_no_email_or_chat(service: LinkingService, counter: MemoryCounter) -> None:
    ask(service, "+447700900123", ALICE)
    keys = " ".join(counter._counts)
    assert ALICE not in keys and "+447700900123" not in keys
    assert chat_key(SECRET, "telegram", "+447700900123") in keys


# --------------------------------------------------------------------------- Redis


class Prefixed:
    """A real counter under a per-test key prefix, so parallel runs never meet."""

    def __init__(self, counter: Counter, prefix: str) -> None:
        self._counter = counter
        self._prefix = prefix

    def hit(self, key: str, window_seconds: int) -> int:
        return self._counter.hit(self._prefix + key, window_seconds)

    def count(self, key: str, window_seconds: int) -> int:
        return self._counter.count(self._prefix + key, window_seconds)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    with scratch_prefix("test-linking", match_prefix=KEY_PREFIX, url=REDIS_URL) as prefix:
        yield prefix


def replica(new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, prefix: str) -> LinkingService:
    """One replica: its own service and Redis connection, the shared database and Redis."""
    counter = Prefixed(RedisCounter(REDIS_URL, clock.epoch), prefix)
    return LinkingService(new_uow, outbox, SECRET, clock, counter)


def test_two_replicas_share_the_limits_through_redis(
    new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, redis_prefix: str
) -> None:
    first = replica(new_uow, outbox, clock, redis_prefix)
    second = replica(new_uow, outbox, clock, redis_prefix)
    assert (
        ask(first, "chat-1", ALICE) == ask(second, "chat-2", ALICE) == ask(first, "chat-3", ALICE) == "sent"
    )
    assert second.start("telegram", "chat-4", ALICE).delivery is None
    assert len(outbox.sent) == CODES_PER_ACCOUNT

    tries = [
        (first if n % 2 else second).verify("telegram", f"chat-{1 + n % 3}", wrong_guess(outbox, n)).status
        for n in range(TRIES_PER_ACCOUNT)
    ]
    assert tries.count("wrong") == TRIES_PER_ACCOUNT
    assert first.verify("telegram", "chat-1", outbox.sent[0][1]).status == "account_limit"
    assert second.verify("telegram", "chat-1", outbox.sent[0][1]).status == "account_limit"
    assert second.start("telegram", "chat-9", ALICE).status == "account_limit"


def test_a_chat_limit_holds_across_replicas(
    new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, redis_prefix: str
) -> None:
    replicas = [replica(new_uow, outbox, clock, redis_prefix) for _ in range(2)]
    statuses = [ask(replicas[n % 2], "chat-1", f"user{n}@example.com") for n in range(REQUESTS_PER_CHAT + 1)]
    assert statuses == ["sent"] * REQUESTS_PER_CHAT + ["chat_limit"]


def test_linking_fails_closed_when_redis_is_down(
    new_uow: Callable[[], UnitOfWork],
    outbox: Outbox,
    clock: Clock,
    service: LinkingService,
) -> None:
    assert ask(service, "chat-1", ALICE) == "sent"
    [(_, code)] = outbox.sent
    down = LinkingService(
        new_uow, outbox, SECRET, clock, RedisCounter(f"redis://127.0.0.1:{free_port()}/0", clock.epoch)
    )
    result = down.start("telegram", "chat-2", ALICE)
    assert (result.status, result.delivery) == ("unavailable", None)
    assert [down.verify("telegram", "chat-1", "000000").status for _ in range(20)] == ["unavailable"] * 20
    # Not even the right code links while the limits cannot be counted.
    assert down.verify("telegram", "chat-1", code).status == "unavailable"
    assert down.linked_customer("telegram", "chat-1") is None
    assert len(outbox.sent) == 1
    assert code_rows(new_uow, "chat") == [(0, account_key(SECRET, ALICE))]
    # Back up, the untouched code still works.
    assert service.verify("telegram", "chat-1", code).status == "linked"


def test_a_code_from_before_account_keys_is_gone(
    service: LinkingService, new_uow: Callable[[], UnitOfWork], clock: Clock
) -> None:
    with new_uow() as work:
        work.identities.save_code(
            LinkCode(
                channel="telegram",
                external_id="old-chat",
                customer_id="C001",
                code_hash=hash_code(SECRET, "telegram", "old-chat", "123456"),
                attempts=0,
                expires_at=clock.now + CODE_LIFETIME,
            )
        )
        work.commit()
    assert service.verify("telegram", "old-chat", "123456").status == "none"
    assert service.linked_customer("telegram", "old-chat") is None
    assert code_rows(new_uow, "old") == []


# --------------------------------------------------------------------------- secret


def test_no_secret_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TACTFUL_LINK_SECRET", raising=False)
    monkeypatch.delenv("TACTFUL_JWT_SECRET", raising=False)
    with pytest.raises(LinkSecretMissing, match="TACTFUL_LINK_SECRET"):
        link_secret(load_settings())
    monkeypatch.setenv("TACTFUL_LINK_SECRET", "   ")
    with pytest.raises(LinkSecretMissing, match="TACTFUL_LINK_SECRET"):
        link_secret(load_settings())


def test_the_jwt_secret_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TACTFUL_LINK_SECRET", raising=False)
    monkeypatch.setenv("TACTFUL_JWT_SECRET", "jwt-secret")
    assert link_secret(load_settings()) == "jwt-secret"
    monkeypatch.setenv("TACTFUL_LINK_SECRET", "link-secret")
    assert link_secret(load_settings()) == "link-secret"


def test_nothing_hashes_with_an_empty_key(outbox: Outbox, clock: Clock) -> None:
    with pytest.raises(LinkSecretMissing):
        hash_code("", "telegram", "chat-1", "123456")
    with pytest.raises(LinkSecretMissing):
        account_key("", ALICE)
    with pytest.raises(LinkSecretMissing):
        LinkingService(lambda: uow_for("sqlite://"), outbox, "", clock, memory_counter(clock))
