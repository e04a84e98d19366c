"""opt-outs and audit filter columns (issue 6)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_COLUMNS = (("number_e164", 20), ("contact_e164", 20), ("member_id", 32))


def upgrade() -> None:
    op.create_table(
        "opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("keyword", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_opt_outs_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_opt_outs_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_outs")),
        sa.UniqueConstraint("contact_id", "scope", name=op.f("uq_opt_outs_contact_id_scope")),
    )
    with op.batch_alter_table("opt_outs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opt_outs_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opt_outs_workspace_id"), ["workspace_id"], unique=False
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for name, length in AUDIT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_audit_log_{name}"), [name], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for name, _ in AUDIT_COLUMNS:
            batch_op.drop_index(batch_op.f(f"ix_audit_log_{name}"))
            batch_op.drop_column(name)
    op.drop_table("opt_outs")
