"""receipts are written when sent, from the payment they are for (not in the webhook)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ledger_entry_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_ledger_entry_id_ledger_entries"),
            "ledger_entries",
            ["ledger_entry_id"],
            ["id"],
        )
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)
        batch_op.alter_column("subject", existing_type=sa.String(200), nullable=True)


def downgrade():
    op.execute("UPDATE outbox_messages SET body = '', subject = '' WHERE body IS NULL")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("subject", existing_type=sa.String(200), nullable=False)
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_ledger_entry_id_ledger_entries"), type_="foreignkey"
        )
        batch_op.drop_column("ledger_entry_id")
