"""the charity's two restricted funds, as reference data

Revision ID: 0002
Revises: 0001
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Copied here, not imported, so this revision stays as it was written whatever the code becomes.
FUNDS = [
    {
        "slug": "stem-cell-audit",
        "name": "UK MS stem cell service audit",
        "goal_pence": 5_000_000,
        "position": 1,
        "summary": (
            "The first audit of a real-world UK stem cell service for MS, "
            "run outside a clinical trial."
        ),
        "story": (
            "Some people with MS in the UK are now treated with autologous haematopoietic "
            "stem cell transplantation (AHSCT) as part of their routine care. This is the "
            "first audit of a real-world UK stem cell service for MS, run outside a clinical "
            "trial. It will learn how people with MS should be assessed and selected for "
            "AHSCT, and what safe, high-quality services need, so that everyone who could "
            "benefit is treated well and safely."
        ),
    },
    {
        "slug": "actimus",
        "name": "ACTiMuS trial",
        "goal_pence": 25_000_000,
        "position": 2,
        "summary": (
            "Testing whether a person's own mesenchymal stem cells can protect nerve "
            "cells in progressive MS."
        ),
        "story": (
            "ACTiMuS tests whether a person's own mesenchymal stem cells, taken from the "
            "bone marrow of the hip and returned to the bloodstream, can protect nerve "
            "cells and help repair damage in progressive MS, without chemotherapy. "
            "Progressive MS has too few treatments; your gift helps find out whether this "
            "one works."
        ),
    },
]

funds = sa.table(
    "funds",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("summary", sa.String),
    sa.column("story", sa.Text),
    sa.column("goal_pence", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
totals = sa.table(
    "fund_totals",
    sa.column("fund_id", sa.Integer),
    sa.column("raised_pence", sa.Integer),
    sa.column("gift_aid_pence", sa.Integer),
    sa.column("pending_pence", sa.Integer),
    sa.column("donor_count", sa.Integer),
    sa.column("donation_count", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade():
    now = datetime.now(UTC)
    connection = op.get_bind()
    for fund in FUNDS:
        fund_id = connection.execute(
            sa.insert(funds).values(**fund, created_at=now).returning(funds.c.id)
        ).scalar_one()
        connection.execute(
            sa.insert(totals).values(
                fund_id=fund_id, raised_pence=0, gift_aid_pence=0, pending_pence=0,
                donor_count=0, donation_count=0, updated_at=now,
            )
        )


def downgrade():
    connection = op.get_bind()
    slugs = [fund["slug"] for fund in FUNDS]
    ids = sa.select(funds.c.id).where(funds.c.slug.in_(slugs))
    connection.execute(sa.delete(totals).where(totals.c.fund_id.in_(ids)))
    connection.execute(sa.delete(funds).where(funds.c.slug.in_(slugs)))
