"""Account linking: a chat proves it belongs to a customer with an emailed code.

Rules (docs/channels.md, "Linking an account"):

* ``start`` answers the same way whether or not the email belongs to a
  customer. For an unknown email a code row is still written (its code is
  never sent), so what follows (tries, lock, limits) behaves the same too.
* A code lives 10 minutes and allows 5 tries; then it is void, and the chat
  cannot ask for a new one until those 10 minutes are over. Asking for a new
  code keeps the tries already used, so restarting never buys more guesses.
* A repeated request for the same account within a minute sends nothing new
  (the first code still works): nobody can flood a customer's inbox.
* Per-account and per-chat limits (below) hold across chats and replicas:
  they are counted in ``tactful.ratelimit`` counters (Redis when configured)
  under ``account_key``, an HMAC of the normalised email that names known and
  unknown emails alike. Without the counters, linking is refused (fail closed).
* Success writes ``channel_identities``; actions/turn.py reads it from then on.

Sending happens after the reply, through ``deliver`` (see actions/linking.py),
so the answer takes as long whether or not an email goes out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tactful.linking.codes import account_key, chat_key, checked_secret, hash_code, new_code, same_hash
from tactful.linking.delivery import CodeDelivery
from tactful.ratelimit import Counter, CounterUnavailable
from tactful.store.models import LinkCode
from tactful.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(minutes=1)

# Limits per fixed window of an hour, whichever chat or replica a request reaches.
LIMIT_WINDOW_SECONDS = 3600
# Codes issued for one account. Past it a request still answers "sent" but
# sends nothing: the inbox stays quiet and the answer reveals nothing.
CODES_PER_ACCOUNT = 3
# Code tries for one account from all chats together; then every chat is
# refused until the window ends. A right code counts too (see ``_verify``).
TRIES_PER_ACCOUNT = 10
# Code requests from one chat, whatever the email.
REQUESTS_PER_CHAT = 5

StartStatus = Literal["sent", "locked", "chat_limit", "account_limit", "unavailable"]
VerifyStatus = Literal["linked", "wrong", "locked", "none", "account_limit", "unavailable"]


@dataclass(frozen=True)
class PendingDelivery:
    email: str
    code: str

    def __repr__(self) -> str:  # never log a live code
        return "PendingDelivery(<hidden>)"


@dataclass(frozen=True)
class StartResult:
    # "sent": the customer-facing "if the account exists, a code is on its way".
    # "locked": too many wrong tries in this chat; wait until the void code expires.
    # "chat_limit": this chat asked for too many codes this hour.
    # "account_limit": too many tries for this email this hour, from any chat.
    # "unavailable": the limit counters cannot be reached, so nothing is issued.
    status: StartStatus
    delivery: PendingDelivery | None = None


@dataclass(frozen=True)
class VerifyResult:
    status: VerifyStatus
    tries_left: int = 0
    customer_id: str | None = None


class LinkingService:
    """Blocking (callers run it on worker threads); ``counter`` holds the limits."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        delivery: CodeDelivery,
        secret: str,
        now: Callable[[], datetime],
        counter: Counter,
    ) -> None:
        self._new_uow = new_uow
        self._delivery = delivery
        self._secret = checked_secret(secret)
        self._now = now
        self._counter = counter

    def linked_customer(self, channel: str, external_id: str) -> str | None:
        with self._new_uow() as work:
            return work.identities.customer_for(channel, external_id)

    def start(self, channel: str, external_id: str, email: str) -> StartResult:
        try:
            return self._start(channel, external_id, email)
        except CounterUnavailable as error:
            logger.warning("link code not issued, the limit counters are unavailable: %s", error)
            return StartResult("unavailable")

    def verify(self, channel: str, external_id: str, code: str) -> VerifyResult:
        try:
            return self._verify(channel, external_id, code)
        except CounterUnavailable as error:
            logger.warning("link code not checked, the limit counters are unavailable: %s", error)
            return VerifyResult("unavailable")

    def deliver(self, pending: PendingDelivery) -> None:
        self._delivery.send(pending.email, pending.code)

    def _hit(self, kind: str, key: str) -> int:
        return self._counter.hit(f"link:{kind}:{key}", LIMIT_WINDOW_SECONDS)

    def _count(self, kind: str, key: str) -> int:
        return self._counter.count(f"link:{kind}:{key}", LIMIT_WINDOW_SECONDS)

    def _start(self, channel: str, external_id: str, email: str) -> StartResult:
        now = self._now()
        account = account_key(self._secret, email)
        if self._hit("requests", chat_key(self._secret, channel, external_id)) > REQUESTS_PER_CHAT:
            return StartResult("chat_limit")
        with self._new_uow() as work:
            row = work.identities.pending_code(channel, external_id, for_update=True)
            live = row if row is not None and row.expires_at > now else None
            if live is not None and live.attempts >= MAX_TRIES:
                return StartResult("locked")
            if self._count("tries", account) >= TRIES_PER_ACCOUNT:
                return StartResult("account_limit")
            if live is not None and live.account_key == account and _age(live, now) < RESEND_AFTER:
                return StartResult("sent")
            # Past the cap the chat keeps whatever code it already has.
            if self._hit("codes", account) > CODES_PER_ACCOUNT:
                return StartResult("sent")
            customer = work.customers.find_by_email(email)
            code = new_code()
            work.identities.save_code(
                LinkCode(
                    channel=channel,
                    external_id=external_id,
                    customer_id=customer.id if customer is not None else None,
                    code_hash=hash_code(self._secret, channel, external_id, code),
                    attempts=live.attempts if live is not None else 0,
                    expires_at=now + CODE_LIFETIME,
                    account_key=account,
                )
            )
            work.commit()
        if customer is None or not customer.email:
            return StartResult("sent")
        return StartResult("sent", PendingDelivery(customer.email, code))

    def _verify(self, channel: str, external_id: str, code: str) -> VerifyResult:
        now = self._now()
        candidate = hash_code(self._secret, channel, external_id, code.strip())
        with self._new_uow() as work:
            row = work.identities.pending_code(channel, external_id, for_update=True)
            # A code issued before account keys existed (revision 0003) escapes
            # the per-account limit, so it is treated as gone.
            if row is None or row.expires_at <= now or row.account_key is None:
                if row is not None:
                    work.identities.drop_code(channel, external_id)
                    work.commit()
                return VerifyResult("none")
            if row.attempts >= MAX_TRIES:
                return VerifyResult("locked")
            # Counted before the code is weighed: checking first and counting
            # only wrong tries would let every chat racing past the check
            # guess once more. A right code ends linking, so it costs little.
            if self._hit("tries", str(row.account_key)) > TRIES_PER_ACCOUNT:
                return VerifyResult("account_limit")
            # An unknown email's row has no customer: its code can never link.
            if same_hash(row.code_hash, candidate) and row.customer_id is not None:
                customer_id = str(row.customer_id)
                work.identities.link(channel, external_id, customer_id, now)
                work.identities.drop_code(channel, external_id)
                work.commit()
                return VerifyResult("linked", customer_id=customer_id)
            row.attempts = int(row.attempts) + 1
            tries_left = MAX_TRIES - row.attempts
            work.commit()
        return VerifyResult("wrong", tries_left) if tries_left > 0 else VerifyResult("locked")


def _age(row: LinkCode, now: datetime) -> timedelta:
    age: timedelta = now - (row.expires_at - CODE_LIFETIME)
    return age
