"""funds and appeals run by staff: images, opening and closing days, hiding, appeals with
their own totals, the editor role; the two funds' stories become Markdown that staff edit

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: the characters Markdown would read as markup at the start of a line or inside text
MARKDOWN_SIGNS = ("\\", "*", "_", "`", "[", "]", "<", ">", "#")


def _escaped(text: str) -> str:
    for sign in MARKDOWN_SIGNS:
        text = text.replace(sign, "\\" + sign)
    return text


def _campaign_columns() -> list[sa.Column]:
    return [
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=True),
        sa.Column("image_alt", sa.String(length=250), server_default="", nullable=False),
        sa.Column("goal_pence", sa.BigInteger(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _totals_columns() -> list[sa.Column]:
    return [
        sa.Column("raised_pence", sa.BigInteger(), nullable=False),
        sa.Column("gift_aid_pence", sa.BigInteger(), nullable=False),
        sa.Column("pending_pence", sa.BigInteger(), nullable=False),
        sa.Column("donor_count", sa.Integer(), nullable=False),
        sa.Column("donation_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _roles(*known: str) -> None:
    listed = ", ".join(f"'{role}'" for role in known)
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", f"role IN ({listed})")


def _stories_as_markdown() -> None:
    """The funds' texts were plain paragraphs; from now on staff edit them as Markdown, so
    anything Markdown would read as markup is escaped and the page shows the same words."""
    funds = sa.table(
        "funds",
        sa.column("id", sa.Integer),
        *(sa.column(name, sa.Text) for name in ("story", "gift_buys", "who", "timescale")),
        sa.column("promise", sa.Text),
        sa.column("source", sa.String),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(funds)).mappings().all():
        changed = {
            name: _escaped(row[name] or "")
            for name in ("story", "gift_buys", "who", "timescale", "promise")
        }
        changed["source"] = _escaped(row["source"] or "")
        bind.execute(sa.update(funds).where(funds.c.id == row["id"]).values(**changed))


def upgrade():
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
    )
    op.create_table(
        "image_variants",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"], ["images.id"], name=op.f("fk_image_variants_image_id_images")
        ),
        sa.PrimaryKeyConstraint("image_id", "width", name=op.f("pk_image_variants")),
    )
    with op.batch_alter_table("funds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("image_alt", sa.String(length=250), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("opens_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closes_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_funds_image_id_images"), "images", ["image_id"], ["id"]
        )
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        *_campaign_columns(),
        sa.CheckConstraint("goal_pence > 0", name=op.f("ck_appeals_goal_positive")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_appeals_fund_id_funds")),
        sa.ForeignKeyConstraint(
            ["image_id"], ["images.id"], name=op.f("fk_appeals_image_id_images")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("slug", name=op.f("uq_appeals_slug")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_fund_id"), ["fund_id"], unique=False)
    op.create_table(
        "appeal_totals",
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        *_totals_columns(),
        sa.CheckConstraint(
            "donation_count >= 0", name=op.f("ck_appeal_totals_donations_not_negative")
        ),
        sa.CheckConstraint("donor_count >= 0", name=op.f("ck_appeal_totals_donors_not_negative")),
        sa.CheckConstraint(
            "pending_pence >= 0", name=op.f("ck_appeal_totals_pending_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_totals_appeal_id_appeals")
        ),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_appeal_totals")),
    )
    for table, index in (
        ("donations", None),
        ("pending_entries", "ix_pending_entries_appeal_id"),
        ("ledger_entries", None),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("appeal_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_appeal_id_appeals"), "appeals", ["appeal_id"], ["id"]
            )
            if index:
                batch_op.create_index(batch_op.f(index), ["appeal_id"], unique=False)
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_appeal_donor", ["appeal_id", "donor_key"], unique=False
        )
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_donations_appeal_status_paid_at_id",
            ["appeal_id", "status", "paid_at", "id"],
            unique=False,
        )
    _roles("admin", "finance", "viewer", "editor")
    _stories_as_markdown()


def downgrade():
    _roles("admin", "finance", "viewer")
    for table in ("ledger_entries", "pending_entries", "donations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(
                {
                    "ledger_entries": "ix_ledger_entries_appeal_donor",
                    "donations": "ix_donations_appeal_status_paid_at_id",
                    "pending_entries": "ix_pending_entries_appeal_id",
                }[table]
            )
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_appeal_id_appeals"), type_="foreignkey"
            )
            batch_op.drop_column("appeal_id")
    op.drop_table("appeal_totals")
    op.drop_table("appeals")
    with op.batch_alter_table("funds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_funds_image_id_images"), type_="foreignkey")
        for column in ("hidden", "closed_at", "closes_on", "opens_on", "image_alt", "image_id"):
            batch_op.drop_column(column)
    op.drop_table("image_variants")
    op.drop_table("images")
