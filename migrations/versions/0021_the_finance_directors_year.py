"""the finance director's year: how a Gift Aid declaration was made (paper, phone) and when
a phone declaration's written record was sent, and the earlier gifts a declaration covers;
offline gifts' thank-you letters, printed in batches, each gift once

Revision ID: 0021
Revises: 0020
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letter_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('made_by', sa.String(length=254), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_batches'))
    )
    op.create_table('thank_you_letters',
    sa.Column('ledger_entry_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['letter_batches.id'], name=op.f('fk_thank_you_letters_batch_id_letter_batches')),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entries.id'], name=op.f('fk_thank_you_letters_ledger_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('ledger_entry_id', name=op.f('pk_thank_you_letters'))
    )
    with op.batch_alter_table('thank_you_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thank_you_letters_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('gift_aid_declarations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='online', nullable=False))
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('gift_aid_declaration_covers',
    sa.Column('ledger_entry_id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['gift_aid_declarations.id'], name=op.f('fk_gift_aid_declaration_covers_declaration_id_gift_aid_declarations')),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entries.id'], name=op.f('fk_gift_aid_declaration_covers_ledger_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('ledger_entry_id', name=op.f('pk_gift_aid_declaration_covers'))
    )
    with op.batch_alter_table('gift_aid_declaration_covers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_aid_declaration_covers_declaration_id'), ['declaration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('gift_aid_declaration_covers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_aid_declaration_covers_declaration_id'))

    op.drop_table('gift_aid_declaration_covers')

    with op.batch_alter_table('gift_aid_declarations', schema=None) as batch_op:
        batch_op.drop_column('confirmation_sent_at')
        batch_op.drop_column('source')

    with op.batch_alter_table('thank_you_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thank_you_letters_batch_id'))

    op.drop_table('thank_you_letters')
    op.drop_table('letter_batches')
