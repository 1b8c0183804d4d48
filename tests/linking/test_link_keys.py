"""The keys behind the link-code limits, and the link secret they are made with.

Account keys are the same for any spelling of an email and name no email;
counter keys name no email or chat; a code stored before account keys no
longer links; and there is no link secret without TACTFUL_LINK_SECRET (or
the JWT secret as the fallback): nothing hashes with an empty key.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tactful.linking.codes import LinkSecretMissing, account_key, chat_key, hash_code, link_secret
from tactful.linking.service import CODE_LIFETIME, LinkingService
from tactful.ratelimit import MemoryCounter
from tactful.settings import load_settings
from tactful.store.models import LinkCode
from tactful.store.unit_of_work import UnitOfWork, uow_for
from tests.linking.limits_support import ALICE, SECRET, ask, code_rows
from tests.linking.support import Clock, Outbox, memory_counter


def test_the_account_key_is_the_same_for_any_spelling_of_the_email(service: LinkingService) -> None:
    assert ask(service, "chat-a", " Alice@Example.COM ") == "sent"
    assert account_key(SECRET, " Alice@Example.COM ") == account_key(SECRET, ALICE)
    assert account_key(SECRET, ALICE) != account_key("another-secret", ALICE)
    assert ALICE not in account_key(SECRET, ALICE)


def test_counter_keys_name_no_email_or_chat(service: LinkingService, counter: MemoryCounter) -> None:
    ask(service, "+447700900123", ALICE)
    keys = " ".join(counter._counts)
    assert ALICE not in keys and "+447700900123" not in keys
    assert chat_key(SECRET, "telegram", "+447700900123") in keys


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
