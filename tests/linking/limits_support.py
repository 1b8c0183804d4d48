"""Helpers shared by the link-limit modules (test_limits*.py, test_link_keys.py).

The service's link secret and demo customer, ``ask`` (start linking and
deliver at once, as the action does), ``wrong_guess`` (a guess that is none of
the codes sent) and ``code_rows`` (the stored codes of a set of chats). The
``service`` / ``counter`` / ``new_uow`` fixtures built on them are in
conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from tactful.linking.service import LinkingService
from tactful.store.models import LinkCode
from tactful.store.unit_of_work import UnitOfWork
from tests.linking.support import Outbox

SECRET = "link-limits-test-secret"
ALICE = "alice@example.com"  # demo customer C001


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


def code_rows(new_uow: Callable[[], UnitOfWork], prefix: str) -> list[tuple[int, str | None]]:
    with new_uow() as work:
        rows = work.session.scalars(select(LinkCode).where(LinkCode.external_id.like(f"{prefix}-%"))).all()
        return sorted((int(row.attempts), row.account_key) for row in rows)
