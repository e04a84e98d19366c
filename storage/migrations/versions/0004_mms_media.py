"""MMS media: one row per file of a message, in either direction

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("local_path", sa.String(length=500), nullable=True),
        sa.Column("slack_file_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_media_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_media")),
        sa.UniqueConstraint(
            "message_id", "position", name=op.f("uq_message_media_message_id_position")
        ),
    )
    with op.batch_alter_table("message_media", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_media_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_media_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_media_expires_at"))
        batch_op.drop_index(batch_op.f("ix_message_media_message_id"))
    op.drop_table("message_media")
