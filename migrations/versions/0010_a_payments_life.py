"""the rest of a payment's life: monthly plans and their changes, how each payment is known to
Stripe (with its fee and payout), held events, and refunds that fail

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_KINDS = ("payment", "offline", "refund", "dispute", "dispute_won")
NEW_KINDS = ("payment", "offline", "refund", "refund_failed", "dispute", "dispute_won")


def _in(kinds) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def _sign_rule(incoming) -> str:
    return (
        f"(kind IN ({_in(incoming)}) AND amount_pence > 0)"
        " OR (kind IN ('refund', 'dispute') AND amount_pence < 0)"
    )


def _ledger_kinds(kinds, incoming) -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_entries_kind_known"), type_="check")
        batch_op.drop_constraint(
            op.f("ck_ledger_entries_amount_sign_matches_kind"), type_="check"
        )
        batch_op.create_check_constraint("kind_known", f"kind IN ({_in(kinds)})")
        batch_op.create_check_constraint("amount_sign_matches_kind", _sign_rule(incoming))


def upgrade():
    op.create_table(
        "provider_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_ref", sa.String(length=255), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("charge_id", sa.String(length=255), nullable=True),
        sa.Column("invoice_id", sa.String(length=255), nullable=True),
        sa.Column("balance_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("fee_pence", sa.Integer(), nullable=True),
        sa.Column("net_pence", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.String(length=255), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_payments")),
        sa.UniqueConstraint(
            "balance_transaction_id", name=op.f("uq_provider_payments_balance_transaction_id")
        ),
        sa.UniqueConstraint("charge_id", name=op.f("uq_provider_payments_charge_id")),
        sa.UniqueConstraint(
            "payment_intent_id", name=op.f("uq_provider_payments_payment_intent_id")
        ),
        sa.UniqueConstraint("source_ref", name=op.f("uq_provider_payments_source_ref")),
    )
    with op.batch_alter_table("provider_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_payments_invoice_id"), ["invoice_id"])
        batch_op.create_index(batch_op.f("ix_provider_payments_payout_id"), ["payout_id"])

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donation_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("fee_cover_pence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'past_due', 'cancelled')", name=op.f("ck_plans_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["donation_id"], ["donations.id"], name=op.f("fk_plans_donation_id_donations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("donation_id", name=op.f("uq_plans_donation_id")),
        sa.UniqueConstraint("subscription_id", name=op.f("uq_plans_subscription_id")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_customer_id"), ["customer_id"])

    op.create_table(
        "plan_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_changes_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_changes")),
    )
    with op.batch_alter_table("plan_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_changes_plan_id"), ["plan_id"])

    with op.batch_alter_table("stripe_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_for", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_stripe_events_waiting_for"), ["waiting_for"])

    _ledger_kinds(NEW_KINDS, ("payment", "offline", "refund_failed", "dispute_won"))


def downgrade():
    _ledger_kinds(OLD_KINDS, ("payment", "offline", "dispute_won"))
    with op.batch_alter_table("stripe_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_events_waiting_for"))
        batch_op.drop_column("applied_at")
        batch_op.drop_column("waiting_for")
    op.drop_table("plan_changes")
    op.drop_table("plans")
    op.drop_table("provider_payments")
