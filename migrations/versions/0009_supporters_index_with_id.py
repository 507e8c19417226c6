"""the recent-supporters index covers the query's whole order (paid_at, then id)

On PostgreSQL the old index (fund_id, status, paid_at) left the id tie-break to a sort of every
paid gift of the fund: about 80 ms a fund page at 200,000 donations.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.drop_index("ix_donations_fund_status_paid_at")
        batch_op.create_index(
            "ix_donations_fund_status_paid_at_id", ["fund_id", "status", "paid_at", "id"]
        )


def downgrade():
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.drop_index("ix_donations_fund_status_paid_at_id")
        batch_op.create_index("ix_donations_fund_status_paid_at", ["fund_id", "status", "paid_at"])
