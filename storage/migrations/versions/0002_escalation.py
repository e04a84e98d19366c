"""escalation, take-over and lifecycle

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken_over_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=32), nullable=True))
    op.create_table(
        "escalation_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_escalation_settings_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_settings")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_escalation_settings_workspace_id")),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("escalated_by", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("taken_over_by", sa.String(length=32), nullable=True),
        sa.Column("taken_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"],
            name=op.f("fk_escalations_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_escalations_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalations_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_escalations_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_conversation_id"))
    op.drop_table("escalations")
    op.drop_table("escalation_settings")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
        batch_op.drop_column("taken_over_by")
