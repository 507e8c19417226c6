"""fundraising pages: a supporter's own page for a fund or an appeal, with its own totals;
donations, ledger rows and pending money may name the page they were given through

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fundraisers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.String(length=35), nullable=False),
    sa.Column('last_name', sa.String(length=35), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=True),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('link_version', sa.Integer(), nullable=False),
    sa.Column('notify_gifts', sa.Boolean(), nullable=False),
    sa.Column('target_reached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('image_id', sa.Integer(), nullable=True),
    sa.Column('image_alt', sa.String(length=250), server_default='', nullable=False),
    sa.Column('goal_pence', sa.BigInteger(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('goal_pence > 0', name=op.f('ck_fundraisers_goal_positive')),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_fundraisers_appeal_id_appeals')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_fundraisers_fund_id_funds')),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_fundraisers_image_id_images')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fundraisers')),
    sa.UniqueConstraint('slug', name=op.f('uq_fundraisers_slug'))
    )
    with op.batch_alter_table('fundraisers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fundraisers_appeal_id'), ['appeal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fundraisers_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_fundraisers_fund_id'), ['fund_id'], unique=False)

    op.create_table('fundraiser_totals',
    sa.Column('fundraiser_id', sa.Integer(), nullable=False),
    sa.Column('raised_pence', sa.BigInteger(), nullable=False),
    sa.Column('gift_aid_pence', sa.BigInteger(), nullable=False),
    sa.Column('pending_pence', sa.BigInteger(), nullable=False),
    sa.Column('donor_count', sa.Integer(), nullable=False),
    sa.Column('donation_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('donation_count >= 0', name=op.f('ck_fundraiser_totals_donations_not_negative')),
    sa.CheckConstraint('donor_count >= 0', name=op.f('ck_fundraiser_totals_donors_not_negative')),
    sa.CheckConstraint('pending_pence >= 0', name=op.f('ck_fundraiser_totals_pending_not_negative')),
    sa.ForeignKeyConstraint(['fundraiser_id'], ['fundraisers.id'], name=op.f('fk_fundraiser_totals_fundraiser_id_fundraisers')),
    sa.PrimaryKeyConstraint('fundraiser_id', name=op.f('pk_fundraiser_totals'))
    )
    with op.batch_alter_table('fundraiser_totals', schema=None) as batch_op:
        batch_op.create_index('ix_fundraiser_totals_raised', ['raised_pence'], unique=False)

    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fundraiser_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_donations_fundraiser_status_paid_at_id', ['fundraiser_id', 'status', 'paid_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_donations_fundraiser_id_fundraisers'), 'fundraisers', ['fundraiser_id'], ['id'])

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fundraiser_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_ledger_entries_fundraiser_donor', ['fundraiser_id', 'donor_key'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_fundraiser_id_fundraisers'), 'fundraisers', ['fundraiser_id'], ['id'])

    with op.batch_alter_table('pending_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fundraiser_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_pending_entries_fundraiser_id'), ['fundraiser_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pending_entries_fundraiser_id_fundraisers'), 'fundraisers', ['fundraiser_id'], ['id'])



def downgrade():
    with op.batch_alter_table('pending_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pending_entries_fundraiser_id_fundraisers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pending_entries_fundraiser_id'))
        batch_op.drop_column('fundraiser_id')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_fundraiser_id_fundraisers'), type_='foreignkey')
        batch_op.drop_index('ix_ledger_entries_fundraiser_donor')
        batch_op.drop_column('fundraiser_id')

    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_donations_fundraiser_id_fundraisers'), type_='foreignkey')
        batch_op.drop_index('ix_donations_fundraiser_status_paid_at_id')
        batch_op.drop_column('fundraiser_id')

    with op.batch_alter_table('fundraiser_totals', schema=None) as batch_op:
        batch_op.drop_index('ix_fundraiser_totals_raised')

    op.drop_table('fundraiser_totals')
    with op.batch_alter_table('fundraisers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fundraisers_fund_id'))
        batch_op.drop_index(batch_op.f('ix_fundraisers_email'))
        batch_op.drop_index(batch_op.f('ix_fundraisers_appeal_id'))

    op.drop_table('fundraisers')
