"""documents.content_sha256: the opened copy of a password-protected PDF

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("content_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("documents", "content_sha256")
