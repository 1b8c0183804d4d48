"""Account linking: a chat proves it belongs to a customer with an emailed code.

Rules (docs/channels.md, "Linking an account"):

* ``start`` answers the same way whether or not the email belongs to a
  customer. For an unknown email a code row is still written (its code is
  never sent), so what follows (tries, lock) behaves the same too.
* A code lives 10 minutes and allows 5 tries; then it is void, and the chat
  cannot ask for a new one until those 10 minutes are over. Asking for a new
  code keeps the tries already used, so restarting never buys more guesses.
* A repeated request for the same account within a minute sends nothing new
  (the first code still works): nobody can flood a customer's inbox.
* Success writes ``channel_identities``; actions/turn.py reads it from then on.

Sending happens after the reply, through ``deliver`` (see actions/linking.py),
so the answer takes as long whether or not an email goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tactful.linking.codes import hash_code, new_code, same_hash
from tactful.linking.delivery import CodeDelivery
from tactful.store.models import LinkCode
from tactful.store.unit_of_work import UnitOfWork

CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class PendingDelivery:
    email: str
    code: str

    def __repr__(self) -> str:  # never log a live code
        return "PendingDelivery(<hidden>)"


@dataclass(frozen=True)
class StartResult:
    # "sent": the customer-facing "if the account exists, a code is on its way".
    # "locked": too many wrong tries; wait until the void code expires.
    status: Literal["sent", "locked"]
    delivery: PendingDelivery | None = None


@dataclass(frozen=True)
class VerifyResult:
    status: Literal["linked", "wrong", "locked", "none"]
    tries_left: int = 0
    customer_id: str | None = None


class LinkingService:
    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        delivery: CodeDelivery,
        secret: str,
        now: Callable[[], datetime],
    ) -> None:
        self._new_uow = new_uow
        self._delivery = delivery
        self._secret = secret
        self._now = now

    def linked_customer(self, channel: str, external_id: str) -> str | None:
        with self._new_uow() as work:
            return work.identities.customer_for(channel, external_id)

    def start(self, channel: str, external_id: str, email: str) -> StartResult:
        now = self._now()
        with self._new_uow() as work:
            row = work.identities.pending_code(channel, external_id, for_update=True)
            live = row if row is not None and row.expires_at > now else None
            if live is not None and live.attempts >= MAX_TRIES:
                return StartResult("locked")
            customer = work.customers.find_by_email(email)
            customer_id = customer.id if customer is not None else None
            address = customer.email if customer is not None else None
            issued_at = live.expires_at - CODE_LIFETIME if live is not None else None
            if (
                live is not None
                and customer_id is not None
                and live.customer_id == customer_id
                and issued_at is not None
                and now - issued_at < RESEND_AFTER
            ):
                return StartResult("sent")
            code = new_code()
            work.identities.save_code(
                LinkCode(
                    channel=channel,
                    external_id=external_id,
                    customer_id=customer_id,
                    code_hash=hash_code(self._secret, channel, external_id, code),
                    attempts=live.attempts if live is not None else 0,
                    expires_at=now + CODE_LIFETIME,
                )
            )
            work.commit()
        if not address:
            return StartResult("sent")
        return StartResult("sent", PendingDelivery(address, code))

    def deliver(self, pending: PendingDelivery) -> None:
        self._delivery.send(pending.email, pending.code)

    def verify(self, channel: str, external_id: str, code: str) -> VerifyResult:
        now = self._now()
        candidate = hash_code(self._secret, channel, external_id, code.strip())
        with self._new_uow() as work:
            row = work.identities.pending_code(channel, external_id, for_update=True)
            if row is None or row.expires_at <= now:
                if row is not None:
                    work.identities.drop_code(channel, external_id)
                    work.commit()
                return VerifyResult("none")
            if row.attempts >= MAX_TRIES:
                return VerifyResult("locked")
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
