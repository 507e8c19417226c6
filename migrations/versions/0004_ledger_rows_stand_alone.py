"""ledger rows carry their Gift Aid standing; pending money kept as append-only entries

So the ledger's totals can be recomputed from its own rows, without reading donations.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("donation_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("source_ref", sa.String(length=255), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_pence <> 0", name=op.f("ck_pending_entries_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["donation_id"], ["donations.id"], name=op.f("fk_pending_entries_donation_id_donations")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_pending_entries_fund_id_funds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_entries")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_pending_entries_source_ref")),
    )
    with op.batch_alter_table("pending_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_entries_donation_id"), ["donation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_entries_fund_id"), ["fund_id"], unique=False)

    # Money pending today: one open entry per pending donation, keyed by its reference.
    op.execute(
        "INSERT INTO pending_entries (fund_id, donation_id, amount_pence, source_ref, occurred_at)"
        " SELECT fund_id, id, amount_pence, reference || '\\:open', updated_at"
        " FROM donations WHERE status = 'pending'"
    )

    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gift_aid", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Until now a payment carried Gift Aid when its donation had a declaration.
    op.execute(
        "UPDATE ledger_entries SET gift_aid = TRUE WHERE donation_id IN"
        " (SELECT id FROM donations WHERE declaration_id IS NOT NULL)"
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.alter_column("gift_aid", server_default=None)


def downgrade():
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("gift_aid")
    with op.batch_alter_table("pending_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_entries_fund_id"))
        batch_op.drop_index(batch_op.f("ix_pending_entries_donation_id"))
    op.drop_table("pending_entries")
