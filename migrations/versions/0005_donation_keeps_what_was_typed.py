"""a donation keeps its own copy of what was typed; names and messages moderated together

Until a gift is paid it touches no donor: the donor and the Gift Aid declaration are made
(or updated) from the donation's own copy at payment. Display names are moderated with
messages, in one decision ("moderation").

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

def copied() -> list[sa.Column]:
    """The columns a donation now keeps of what was typed (fresh objects for each use)."""
    return [
        sa.Column("title", sa.String(length=20), nullable=True),
        sa.Column("first_name", sa.String(length=35), nullable=True),
        sa.Column("last_name", sa.String(length=35), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("gift_aid", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("house", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("overseas", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("moderation", sa.String(length=10), nullable=False, server_default="none"),
    ]


def _from(table: str, column: str, key: str) -> str:
    return f"(SELECT {table}.{column} FROM {table} WHERE {table}.id = donations.{key})"


def upgrade():
    with op.batch_alter_table("donations", schema=None) as batch_op:
        for column in copied():
            batch_op.add_column(column)

    # Every donation so far had a donor and, with Gift Aid, a declaration: copy from them.
    donor_fields = ", ".join(
        f"{name} = {_from('donors', name, 'donor_id')}"
        for name in ("title", "first_name", "last_name", "email")
    )
    op.execute(f"UPDATE donations SET {donor_fields}")  # noqa: S608  (names fixed above)
    declaration_fields = ", ".join(
        f"{name} = {_from('gift_aid_declarations', name, 'declaration_id')}"
        for name in ("house", "address", "postcode", "overseas")
    )
    op.execute(
        f"UPDATE donations SET gift_aid = TRUE, {declaration_fields}"  # noqa: S608
        " WHERE declaration_id IS NOT NULL"
    )
    # A display name was shown at once until now; from here it waits for staff like a message.
    op.execute(
        "UPDATE donations SET moderation = CASE"
        " WHEN message_status = 'none' AND display_name IS NOT NULL THEN 'pending'"
        " ELSE message_status END"
    )

    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.alter_column("first_name", existing_type=sa.String(35), nullable=False)
        batch_op.alter_column("last_name", existing_type=sa.String(35), nullable=False)
        for name in ("gift_aid", "overseas", "moderation"):
            batch_op.alter_column(name, server_default=None)
        batch_op.alter_column("donor_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_column("message_status")
        batch_op.create_check_constraint(
            "moderation_known", "moderation IN ('none', 'pending', 'approved', 'rejected')"
        )


def downgrade():
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_donations_moderation_known"), type_="check")
        batch_op.add_column(
            sa.Column("message_status", sa.String(10), nullable=False, server_default="none")
        )
    op.execute(
        "UPDATE donations SET message_status = CASE WHEN message IS NULL THEN 'none'"
        " ELSE moderation END"
    )
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.alter_column("message_status", server_default=None)
        for column in copied():
            batch_op.drop_column(column.name)
