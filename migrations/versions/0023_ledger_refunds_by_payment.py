"""a payment's refunds and disputes found by index: what stands of a payment was a scan of
the whole ledger for each refund or dispute

Revision ID: 0023
Revises: 0022
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_ledger_entries_payment_entry_id'), ['payment_entry_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_payment_entry_id'))
