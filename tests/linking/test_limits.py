"""Per-account and per-chat limits on link codes, on real SQLite and PostgreSQL.

The review's attack: 200 chats each asked for a code for one customer and made
5 guesses, so she got 200 emails and faced 1,000 guesses. Here the account
gets three emails and ten guesses an hour whatever the number of chats, an
unknown email is answered and counted exactly alike, and one chat may ask for
five codes an hour. The counters are real (in memory); only the clock and the
mailer are the test's own. The same limits across replicas through Redis are
in test_limits_redis.py; keys and the link secret in test_link_keys.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tactful.linking.codes import account_key
from tactful.linking.service import (
    CODE_LIFETIME,
    CODES_PER_ACCOUNT,
    LIMIT_WINDOW_SECONDS,
    MAX_TRIES,
    REQUESTS_PER_CHAT,
    TRIES_PER_ACCOUNT,
    LinkingService,
)
from tactful.ratelimit import Counter, MemoryCounter
from tactful.store.unit_of_work import UnitOfWork
from tests.linking.limits_support import ALICE, SECRET, ask, code_rows, wrong_guess
from tests.linking.support import Clock, Outbox

NOBODY = "nobody-at-all@example.com"
ATTACKING_CHATS = 200


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
