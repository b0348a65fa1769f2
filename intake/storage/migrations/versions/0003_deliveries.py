"""deliveries: the webhook outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("feed_cursor", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["feed_cursor"], ["feed.cursor"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("feed_cursor"),
    )
    op.create_index("ix_deliveries_document_id", "deliveries", ["document_id"])
    op.create_index("ix_deliveries_state_due", "deliveries", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_state_due", table_name="deliveries")
    op.drop_index("ix_deliveries_document_id", table_name="deliveries")
    op.drop_table("deliveries")
