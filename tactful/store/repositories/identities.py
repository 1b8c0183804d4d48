from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tactful.store.models import ChannelIdentity, LinkCode


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def customer_for(self, channel: str, external_id: str) -> str | None:
        row = self._session.get(ChannelIdentity, (channel, external_id))
        return row.customer_id if row else None

    def link(self, channel: str, external_id: str, customer_id: str, now: datetime) -> None:
        row = self._session.get(ChannelIdentity, (channel, external_id))
        if row is None:
            self._session.add(
                ChannelIdentity(
                    channel=channel, external_id=external_id, customer_id=customer_id, verified_at=now
                )
            )
        else:
            row.customer_id = customer_id
            row.verified_at = now

    def pending_code(self, channel: str, external_id: str, for_update: bool = False) -> LinkCode | None:
        # for_update: concurrent guesses at one code must each count (row lock on PostgreSQL).
        code: LinkCode | None = self._session.get(
            LinkCode, (channel, external_id), with_for_update=for_update or None
        )
        return code

    def save_code(self, code: LinkCode) -> None:
        self._session.merge(code)

    def drop_code(self, channel: str, external_id: str) -> None:
        row = self._session.get(LinkCode, (channel, external_id))
        if row is not None:
            self._session.delete(row)
