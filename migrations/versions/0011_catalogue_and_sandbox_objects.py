"""the Stripe catalogue (a Product per fund and for the fee cover, a Customer per donor), and
the sandbox's store of Stripe-shaped objects

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sandbox_objects",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_objects")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_sandbox_objects_idempotency_key")
        ),
    )
    with op.batch_alter_table("sandbox_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_objects_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_sandbox_objects_kind"), ["kind"])
    op.create_table(
        "stripe_catalogue",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("stripe_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stripe_catalogue")),
        sa.UniqueConstraint("stripe_id", name=op.f("uq_stripe_catalogue_stripe_id")),
    )


def downgrade():
    op.drop_table("stripe_catalogue")
    op.drop_table("sandbox_objects")
