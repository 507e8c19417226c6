"""What was kept before events lost their personal fields loses them now (an event not ours
keeps only what it was), and a donor's Customer is kept under a keyed digest of the e-mail
address, not the address (data only)

Revision ID: 0016
Revises: 0015
"""

import json

import sqlalchemy as sa
from alembic import op

from donations.payments.catalogue import customer_key
from donations.payments.objects import outline, without_personal_data

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

events = sa.table(
    "stripe_events",
    sa.column("id", sa.String),
    sa.column("outcome", sa.String),
    sa.column("payload", sa.Text),
)
catalogue = sa.table("stripe_catalogue", sa.column("key", sa.String))


def upgrade():
    connection = op.get_bind()
    for event_id, outcome, payload in connection.execute(
        sa.select(events.c.id, events.c.outcome, events.c.payload)
    ).all():
        event = json.loads(payload)
        kept = outline(event) if outcome == "ignored" else without_personal_data(event)
        connection.execute(
            events.update().where(events.c.id == event_id).values(payload=json.dumps(kept))
        )
    for (key,) in connection.execute(
        sa.select(catalogue.c.key).where(catalogue.c.key.like("customer:%@%"))
    ).all():
        connection.execute(
            catalogue.update()
            .where(catalogue.c.key == key)
            .values(key=customer_key(key.removeprefix("customer:")))
        )


def downgrade():
    """Nothing to restore: what was removed was never needed."""
