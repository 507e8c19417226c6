"""Gift Aid claims: claim batches, the gifts each locks (one claim per gift, held by a
unique key), over-claims owed back; donations may be sponsorship

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gift_aid_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=254), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'discarded')",
            name=op.f("ck_gift_aid_claims_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_aid_claims")),
        sa.UniqueConstraint("reference", name=op.f("uq_gift_aid_claims_reference")),
    )
    op.create_table(
        "gift_aid_claim_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("donation_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("gift_aid_pence", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("sponsored", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "amount_pence > 0", name=op.f("ck_gift_aid_claim_items_amount_positive")
        ),
        sa.CheckConstraint(
            "gift_aid_pence >= 0", name=op.f("ck_gift_aid_claim_items_gift_aid_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["gift_aid_claims.id"],
            name=op.f("fk_gift_aid_claim_items_claim_id_gift_aid_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["gift_aid_declarations.id"],
            name=op.f("fk_gift_aid_claim_items_declaration_id_gift_aid_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["donation_id"],
            ["donations.id"],
            name=op.f("fk_gift_aid_claim_items_donation_id_donations"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_gift_aid_claim_items_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_aid_claim_items")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_gift_aid_claim_items_entry_id")),
    )
    op.create_index(op.f("ix_gift_aid_claim_items_claim_id"), "gift_aid_claim_items", ["claim_id"])
    op.create_index(
        op.f("ix_gift_aid_claim_items_donation_id"), "gift_aid_claim_items", ["donation_id"]
    )
    op.create_table(
        "gift_aid_over_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("gift_aid_pence", sa.Integer(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "gift_aid_pence > 0", name=op.f("ck_gift_aid_over_claims_gift_aid_positive")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["gift_aid_claims.id"],
            name=op.f("fk_gift_aid_over_claims_claim_id_gift_aid_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["gift_aid_claim_items.id"],
            name=op.f("fk_gift_aid_over_claims_item_id_gift_aid_claim_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_aid_over_claims")),
    )
    op.create_index(op.f("ix_gift_aid_over_claims_claim_id"), "gift_aid_over_claims", ["claim_id"])
    op.create_index(op.f("ix_gift_aid_over_claims_item_id"), "gift_aid_over_claims", ["item_id"])
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sponsored", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.alter_column("sponsored", server_default=None)


def downgrade():
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.drop_column("sponsored")
    op.drop_table("gift_aid_over_claims")
    op.drop_table("gift_aid_claim_items")
    op.drop_table("gift_aid_claims")
