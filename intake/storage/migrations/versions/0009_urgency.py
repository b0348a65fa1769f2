"""documents.urgency: the queue a document is read from (interactive photos, batch PDFs)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 04:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("urgency", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("urgency")
