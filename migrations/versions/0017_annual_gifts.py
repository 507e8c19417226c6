"""a gift may recur every year as well as every month: frequency 'annual'

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _frequencies(*known: str) -> None:
    listed = ", ".join(f"'{frequency}'" for frequency in known)
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_donations_frequency_known"), type_="check")
        batch_op.create_check_constraint("frequency_known", f"frequency IN ({listed})")


def upgrade():
    _frequencies("one-off", "monthly", "annual")


def downgrade():
    _frequencies("one-off", "monthly")
