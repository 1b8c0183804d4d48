"""Add link_codes.account_key: per-account limits on link codes count wrong
tries under it, across chats and replicas. Nullable, because codes issued
before this revision have none; the linking service treats such a code as
gone (codes live 10 minutes, so this only asks a few users for a new one).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_codes") as batch:
        batch.add_column(sa.Column("account_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # batch mode: SQLite drops a column by rebuilding the table.
    with op.batch_alter_table("link_codes") as batch:
        batch.drop_column("account_key")
