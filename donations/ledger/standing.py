"""What stands of a payment, and the Gift Aid due on it: one definition of each, read in
Python and in SQL alike by the running totals, the records and exports, the dashboard, the
claims and the statements. (`totals check` keeps arithmetic of its own, by design: it is the
independent proof that these figures are right.)

What stands of a payment is the gift less its refunds (net of refunds that failed) and less
disputes lost (net of disputes won). Refunds come off the gift first, so what stands can go
below nothing only when the fee cover went back too; nothing below nothing carries Gift Aid.
"""

from flask import current_app
from sqlalchemy import Integer, case, func, select, type_coerce

from donations.ledger.models import EntryKind, LedgerEntry

#: the kinds that take from a payment, each with the kind that undoes it
REFUND_KINDS = (EntryKind.REFUND, EntryKind.REFUND_FAILED)
DISPUTE_KINDS = (EntryKind.DISPUTE, EntryKind.DISPUTE_WON)


def gift_aid_due(stands):
    """Gift Aid on what stands of a gift: stands x rate / (100 - rate) at the basic rate of
    income tax (GIFT_AID_BASIC_RATE), rounded down to whole pence; nothing on nothing or less.

    `stands` is whole pence (an int), or a SQL expression giving them: the same arithmetic
    is then done by the database."""
    rate = current_app.config["GIFT_AID_BASIC_RATE"]
    return _not_below_nothing(stands) * rate // (100 - rate)


def _not_below_nothing(pence):
    if isinstance(pence, int):
        return max(pence, 0)
    pence = type_coerce(pence, Integer)
    return case((pence > 0, pence), else_=0)


def what_stands(gift, refunded, disputed):
    """The gift less what was refunded and what was lost to disputes (each given as positive
    pence): ints, or SQL expressions."""
    return gift - refunded - disputed


def reversals(name: str = "reversals"):
    """Per payment (`payment_id`), what its refunds and disputes took from it, as positive
    pence (`refunded`, `disputed`): a subquery to outer-join on the payment's ledger row
    (a payment nothing took from has no row in it)."""
    amount = LedgerEntry.amount_pence
    return (
        select(
            LedgerEntry.payment_entry_id.label("payment_id"),
            (-func.sum(case((LedgerEntry.kind.in_(REFUND_KINDS), amount), else_=0))).label(
                "refunded"
            ),
            (-func.sum(case((LedgerEntry.kind.in_(DISPUTE_KINDS), amount), else_=0))).label(
                "disputed"
            ),
        )
        .where(LedgerEntry.payment_entry_id.is_not(None))
        .group_by(LedgerEntry.payment_entry_id)
        .subquery(name)
    )
