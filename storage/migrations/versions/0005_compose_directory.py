"""compose: member directory, internal chats, indexed contact search keys

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Byte-ordered on PostgreSQL so prefix range queries mean "starts with" under any locale.
SEARCH_KEY = sa.String(255).with_variant(sa.String(255, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", SEARCH_KEY, nullable=True))
        batch_op.add_column(sa.Column("phone_key", SEARCH_KEY, nullable=True))
        batch_op.create_index("ix_contacts_name_key", ["workspace_id", "name_key"], unique=False)
        batch_op.create_index(
            "ix_contacts_phone_key", ["workspace_id", "phone_key"], unique=False
        )
    # Existing contacts: names came only from people (none from inbound texts), so a plain
    # lower() is the same key the app computes for ASCII names; the app rewrites it on edit.
    op.execute("UPDATE contacts SET phone_key = e164, name_key = lower(name)")

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("handle", sa.String(length=80), nullable=False),
        sa.Column("real_name", sa.String(length=255), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("search_key", SEARCH_KEY, nullable=False),
        sa.Column("handle_key", SEARCH_KEY, nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_members_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", name=op.f("uq_members_workspace_id_slack_user_id")
        ),
    )
    op.create_index("ix_members_search_key", "members", ["workspace_id", "search_key"])
    op.create_index("ix_members_handle_key", "members", ["workspace_id", "handle_key"])

    op.create_table(
        "internal_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("sender_user_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_user_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dm_channel_id", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_internal_chats_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_chats")),
    )
    op.create_index(
        "ix_internal_chats_sender",
        "internal_chats",
        ["workspace_id", "sender_user_id", "created_at"],
    )
    op.create_index(
        "ix_internal_chats_recipient",
        "internal_chats",
        ["workspace_id", "recipient_user_id", "created_at"],
    )
    op.create_index(
        "ix_messages_sender_recent", "messages", ["workspace_id", "sender_user_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_messages_sender_recent", table_name="messages")
    op.drop_table("internal_chats")
    op.drop_table("members")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_phone_key")
        batch_op.drop_index("ix_contacts_name_key")
        batch_op.drop_column("phone_key")
        batch_op.drop_column("name_key")
