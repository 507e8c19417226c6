"""funds say what a gift buys, who does the work, when, and what happens past the goal

Schema only; 0007 writes the two funds' stories (data kept apart, so a test database can be
emptied and its reference data written again by replaying the data revisions).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("gift_buys", "who", "timescale", "promise", "source")


def upgrade():
    with op.batch_alter_table("funds", schema=None) as batch_op:
        for name in COLUMNS:
            kind = sa.String(length=300) if name == "source" else sa.Text()
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("funds", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
