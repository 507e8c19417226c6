"""Writing the ledger and keeping each fund's totals current in the same transaction.

The ledger knows funds, amounts, donor keys and source references, never the donation
model: callers say explicitly what a movement is, and the ledger stores on each row all
that its totals need, so they can be recomputed from rows alone.
"""

from datetime import datetime

from sqlalchemy import Row, bindparam, func, or_, select, update

from donations.extensions import db, utcnow
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.ledger.models import (
    GIFT_KINDS,
    RETURNING_KINDS,
    AppealTotals,
    Entry,
    EntryKind,
    FundraiserTotals,
    FundTotals,
    LedgerEntry,
    PendingEntry,
    Totals,
)
from donations.ledger.standing import gift_aid_due
from donations.upserts import insert_new, insert_new_values, read_again_when_used


class LedgerError(ValueError):
    """A movement the ledger refuses: it would not make sense as money."""


TOTALS = {Fund: FundTotals, Appeal: AppealTotals, Fundraiser: FundraiserTotals}


def totals_for(campaign: Fund | Appeal | Fundraiser) -> Totals:
    """A fund's, an appeal's or a page's running totals; all zero before its first movement."""
    model = TOTALS[type(campaign)]
    return db.session.get(model, campaign.id) or model.empty(campaign.id, campaign.created_at)


def locked_totals(model: type[Totals], key: int) -> Totals:
    """Take a totals row for update and load it, for a command that sets it whole."""
    _lock(model, key)
    return db.session.get(model, key, populate_existing=True)


def _locking(model: type[Totals]):
    table = model.__table__
    key = table.c[model.KEY]
    return select(key).where(key == bindparam("key")).with_for_update()


def _moving(model: type[Totals]):
    """Each figure moved by what is given, so the row is never read to be written."""
    table = model.__table__
    return (
        update(table)
        .where(table.c[model.KEY] == bindparam("key"))
        .values(
            raised_pence=table.c.raised_pence + bindparam("by_raised"),
            gift_aid_pence=table.c.gift_aid_pence + bindparam("by_gift_aid"),
            pending_pence=table.c.pending_pence + bindparam("by_pending"),
            donor_count=table.c.donor_count + bindparam("by_donors"),
            donation_count=table.c.donation_count + bindparam("by_donations"),
            updated_at=bindparam("at", type_=table.c.updated_at.type),
        )
    )


#: the statements on the path of every payment, refund and dispute, built once
_LOCK = {model: _locking(model) for model in TOTALS.values()}
_MOVE = {model: _moving(model) for model in TOTALS.values()}


def _lock(model: type[Totals], key: int) -> None:
    """Take a totals row for update (opening it at its first movement), so concurrent
    movements apply one after another."""
    connection = db.session.connection()
    if connection.execute(_LOCK[model], {"key": key}).first() is None:
        # another transaction may open them at this moment: then this waits for it
        insert_new(model, **_empty(model, key))
        connection.execute(_LOCK[model], {"key": key}).one()


def _empty(model: type[Totals], key: int) -> dict:
    figures = dict.fromkeys(("raised_pence", "gift_aid_pence", "pending_pence"), 0)
    counts = dict.fromkeys(("donor_count", "donation_count"), 0)
    return {model.KEY: key, **figures, **counts, "updated_at": utcnow()}


_MOVES = ("raised", "gift_aid", "pending", "donors", "donations")


def _move(model: type[Totals], key: int, **by: int) -> None:
    """Move a locked totals row by these amounts; a copy this session loaded is read again."""
    moves = {f"by_{name}": by.get(name, 0) for name in _MOVES}
    db.session.connection().execute(_MOVE[model], {"key": key, "at": utcnow(), **moves})
    read_again_when_used(model, key)


def _counted_toward(
    fund_id: int, appeal_id: int | None, fundraiser_id: int | None
) -> list[tuple[type[Totals], int]]:
    """The totals a movement moves, each locked: the fund's always, then an appeal's and a
    page's (always in this order, so no two transactions wait on each other)."""
    counted = [(FundTotals, fund_id), (AppealTotals, appeal_id), (FundraiserTotals, fundraiser_id)]
    counted = [(model, key) for model, key in counted if key is not None]
    for model, key in counted:
        _lock(model, key)
    return counted


def _standing(*conditions):
    amount = func.coalesce(func.sum(LedgerEntry.amount_pence), 0)
    return select(amount).where(*conditions).scalar_subquery()


def _donor_in(column):
    return _standing(column == bindparam(column.key), LedgerEntry.donor_key == bindparam("donor"))


_PAYMENT = bindparam("payment")
_PAYMENT_NET = _standing(or_(LedgerEntry.id == _PAYMENT, LedgerEntry.payment_entry_id == _PAYMENT))

#: what stands before a movement, in one statement: the donor's money in the fund, the appeal
#: and the page (0 where there is none), and the payment's after its refunds and disputes
_BEFORE = select(
    _donor_in(LedgerEntry.fund_id),
    _donor_in(LedgerEntry.appeal_id),
    _donor_in(LedgerEntry.fundraiser_id),
    _PAYMENT_NET,
)
_RECORDED = select(LedgerEntry).where(LedgerEntry.source_ref == bindparam("source_ref"))


def _standing_before(counted: list, donor_key: str, against: Entry | None):
    """([the donor's money in each of the counted totals], the payment's net) before."""
    keys = {"fund_id": None, "appeal_id": None, "fundraiser_id": None}
    keys.update({model.KEY: key for model, key in counted})
    payment = against.id if against is not None else None
    fund, appeal, page, net = (
        db.session.connection()
        .execute(_BEFORE, {**keys, "donor": donor_key, "payment": payment})
        .one()
    )
    donors = {FundTotals: fund, AppealTotals: appeal, FundraiserTotals: page}
    return [donors[model] for model, _ in counted], net


def payment_net(payment: LedgerEntry) -> int:
    """What still stands of one payment after its refunds and disputes."""
    return db.session.execute(select(_PAYMENT_NET), {"payment": payment.id}).scalar_one()


def entry(entry_id: int) -> LedgerEntry:
    return db.session.get(LedgerEntry, entry_id)


def already_recorded(source_ref: str) -> LedgerEntry | None:
    return db.session.execute(_RECORDED, {"source_ref": source_ref}).scalar_one_or_none()


def _check(kind: EntryKind, amount_pence: int, against: Entry | None, gift_aid: bool):
    if kind in GIFT_KINDS:
        if amount_pence <= 0 or against is not None:
            raise LedgerError(f"a {kind} is a positive amount standing on its own")
        return
    if against is None or against.kind not in GIFT_KINDS:
        raise LedgerError(f"a {kind} must name the payment it moves")
    if gift_aid != against.gift_aid:
        raise LedgerError("a reversal shares its payment's Gift Aid standing")
    if (amount_pence > 0) != (kind in RETURNING_KINDS) or amount_pence == 0:
        raise LedgerError(f"a {kind} of {amount_pence} moves money the wrong way")


def record(
    *,
    fund_id: int,
    donation_id: int,
    donor_key: str,
    kind: EntryKind,
    amount_pence: int,
    source_ref: str,
    gift_aid: bool,
    fee_cover_pence: int = 0,
    against: Entry | None = None,
    occurred_at: datetime | None = None,
    appeal_id: int | None = None,
    fundraiser_id: int | None = None,
) -> Row | None:
    """Append one movement and move the fund's totals (and its appeal's and page's) by
    exactly it.

    `gift_aid` says whether the money carries a valid Gift Aid declaration; `against` is the
    payment a refund or dispute moves (and the appeal and page it counts toward are that
    payment's).
    Returns None when this source reference is already in the ledger: the same movement is
    never recorded twice, whichever path brings it.
    """
    _check(kind, amount_pence, against, gift_aid)
    if against is not None:
        appeal_id, fundraiser_id = against.appeal_id, against.fundraiser_id
    counted = _counted_toward(fund_id, appeal_id, fundraiser_id)
    before = _standing_before(counted, donor_key, against)
    payment_before = before[1]
    if against is not None and not 0 <= payment_before + amount_pence <= against.amount_pence:
        if already_recorded(source_ref) is not None:
            return None
        raise LedgerError(
            f"a {kind} of {amount_pence} would leave {payment_before + amount_pence} "
            f"of a payment of {against.amount_pence}"
        )
    row = {
        "donation_id": donation_id,
        "fund_id": fund_id,
        "kind": kind,
        "amount_pence": amount_pence,
        "fee_cover_pence": fee_cover_pence,
        "source_ref": source_ref,
        "payment_entry_id": against.id if against is not None else None,
        "donor_key": donor_key,
        "gift_aid": gift_aid,
        "occurred_at": occurred_at or utcnow(),
        "appeal_id": appeal_id,
        "fundraiser_id": fundraiser_id,
    }
    return _append(row, counted, before)


def take_back(
    payment: Entry,
    kind: EntryKind,
    charged_pence: int,
    source_ref: str,
    occurred_at: datetime | None = None,
) -> tuple[int, Row | None]:
    """Take back `charged_pence` of what a payment charged (a refund or a dispute): the gift
    gives back first, as much as still stands of it, and the fee cover (never counted as
    raised) only beyond it.

    Returns (the gift's part, the new row); the row is None when no part of the gift was left
    to take, or when this source reference is in the ledger already."""
    counted = _counted_toward(payment.fund_id, payment.appeal_id, payment.fundraiser_id)
    before = _standing_before(counted, payment.donor_key, payment)
    gift = min(charged_pence, before[1])
    if gift <= 0:
        return gift, None
    _check(kind, -gift, payment, payment.gift_aid)
    row = {
        "donation_id": payment.donation_id,
        "fund_id": payment.fund_id,
        "kind": kind,
        "amount_pence": -gift,
        "fee_cover_pence": 0,
        "source_ref": source_ref,
        "payment_entry_id": payment.id,
        "donor_key": payment.donor_key,
        "gift_aid": payment.gift_aid,
        "occurred_at": occurred_at or utcnow(),
        "appeal_id": payment.appeal_id,
        "fundraiser_id": payment.fundraiser_id,
    }
    return gift, _append(row, counted, before)


def _append(row: dict, counted: list, before: tuple[list[int], int]) -> Row | None:
    """Insert the row (None when its source reference is in the ledger already) and move the
    counted totals by it, from what stood before. The row comes back as its columns: no model
    is loaded on the path every payment takes."""
    entry = insert_new_values(LedgerEntry, **row)
    if entry is None:
        return None
    amount_pence = row["amount_pence"]
    donors_before, payment_before = before
    payment_after = payment_before + amount_pence
    gift_aid_moved = (
        gift_aid_due(payment_after) - gift_aid_due(payment_before) if row["gift_aid"] else 0
    )
    for (model, key), donor_before in zip(counted, donors_before, strict=True):
        _move(
            model,
            key,
            raised=amount_pence,
            gift_aid=gift_aid_moved,
            donors=_crossing(donor_before, donor_before + amount_pence),
            donations=_crossing(payment_before, payment_after),
        )
    return entry


def _crossing(before: int, after: int) -> int:
    """+1 when money starts standing, -1 when the last of it goes, else 0."""
    if before <= 0 < after:
        return 1
    if after <= 0 < before:
        return -1
    return 0


def open_pending(
    fund_id: int,
    donation_id: int,
    amount_pence: int,
    key: str,
    *,
    appeal_id: int | None = None,
    fundraiser_id: int | None = None,
) -> bool:
    """Count money as pending (promised, not yet collected). False if already opened."""
    toward = (fund_id, appeal_id, fundraiser_id)
    return _pending(toward, donation_id, amount_pence, f"{key}:open")


def close_pending(key: str) -> bool:
    """Stop counting what `key` opened (collected, or failed). False if nothing is open."""
    opened = db.session.execute(
        select(PendingEntry).where(PendingEntry.source_ref == f"{key}:open")
    ).scalar_one_or_none()
    if opened is None:
        return False
    toward = (opened.fund_id, opened.appeal_id, opened.fundraiser_id)
    return _pending(toward, opened.donation_id, -opened.amount_pence, f"{key}:close")


def _pending(toward: tuple, donation_id: int, amount_pence: int, source_ref: str) -> bool:
    fund_id, appeal_id, fundraiser_id = toward
    counted = _counted_toward(fund_id, appeal_id, fundraiser_id)
    exists = db.session.execute(
        select(PendingEntry.id).where(PendingEntry.source_ref == source_ref)
    ).first()
    if exists is not None:
        return False
    db.session.add(
        PendingEntry(
            fund_id=fund_id,
            appeal_id=appeal_id,
            fundraiser_id=fundraiser_id,
            donation_id=donation_id,
            amount_pence=amount_pence,
            source_ref=source_ref,
        )
    )
    for model, key in counted:
        _move(model, key, pending=amount_pence)
    db.session.flush()
    return True


def pseudonymise_donor(old_key: str, new_key: str) -> int:
    """Replace a donor's key (their e-mail address) on every ledger row, when they ask to be
    forgotten. The one change the ledger allows: it moves no money, and the rows stay one
    donor's under the new key, so every total and `totals check` come out the same. Done in
    SQL, past the guard that refuses edits through the ORM; returns the rows changed."""
    return db.session.execute(
        update(LedgerEntry).where(LedgerEntry.donor_key == old_key).values(donor_key=new_key)
    ).rowcount
