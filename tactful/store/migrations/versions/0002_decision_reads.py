"""Index offer events by conversation (the per-conversation cap reads them on
every decision), and drop customers.offer_version: decisions now lock the
customer row with SELECT ... FOR UPDATE instead of bumping a counter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_offer_events_conversation", "offer_events", ["conversation_id"])
    # batch mode: SQLite drops a column by rebuilding the table.
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("offer_version")


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("offer_version", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index("ix_offer_events_conversation", table_name="offer_events")
