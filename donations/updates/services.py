"""Writing research updates (drafts, published), who receives one by e-mail, and queueing
its e-mails: once, for every consenting donor of its fund, in one statement whatever their
number (the database copies the recipients into the outbox; nothing is held in memory)."""

import secrets

from sqlalchemy import String, cast, exists, func, insert, literal, select, union, update

from donations.extensions import UTCDateTime, db, utcnow
from donations.funds.models import Fund
from donations.gifts.models import Donation, DonationStatus, Donor
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import queue
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.models import StaffMember
from donations.updates import consent
from donations.updates.models import FundChoice, ResearchUpdate, Subscription

WRITER = "research-update"


class UpdateError(ValueError):
    """A change to an update that cannot be made, in words for staff."""


def by_id(update_id: int) -> ResearchUpdate | None:
    return db.session.get(ResearchUpdate, update_id)


def all_updates() -> list[ResearchUpdate]:
    return list(
        db.session.execute(
            select(ResearchUpdate).order_by(
                ResearchUpdate.created_at.desc(), ResearchUpdate.id.desc()
            )
        ).scalars()
    )


def published_for(fund: Fund, limit: int | None = None) -> list[ResearchUpdate]:
    """A fund's published updates, newest first."""
    query = (
        select(ResearchUpdate)
        .where(ResearchUpdate.fund_id == fund.id, ResearchUpdate.published_at.is_not(None))
        .order_by(ResearchUpdate.published_at.desc(), ResearchUpdate.id.desc())
    )
    return list(db.session.execute(query.limit(limit) if limit else query).scalars())


def save(update_: ResearchUpdate | None, **values) -> ResearchUpdate:
    """Create a draft, or change one (a published update may be corrected: the site shows
    the new words, and e-mails not yet sent carry them)."""
    if update_ is None:
        update_ = ResearchUpdate(**values)
        db.session.add(update_)
        db.session.flush()
        audit.record(Action.UPDATE_WRITTEN, subject=f"update {update_.id}", title=update_.title)
        return update_
    before = {name: getattr(update_, name) for name in values}
    for name, value in values.items():
        setattr(update_, name, value)
    changed = {name: str(before[name]) for name in values if before[name] != values[name]}
    if changed:
        audit.record(Action.UPDATE_CHANGED, subject=f"update {update_.id}", before=changed)
    return update_


def _wanting(fund_id: int):
    """Who wants this fund's updates: those who gave to it and made no choice about it on
    the preferences page, and those who chose it there. One set, worked out once and
    joined: a test per subscriber (EXISTS, or IN on PostgreSQL once the fund's donors
    outgrow work_mem) ran against every gift of the fund for each one."""
    no_choice = ~exists().where(
        FundChoice.donor_id == Donation.donor_id, FundChoice.fund_id == fund_id
    )
    gave = select(Donation.donor_id.label("donor_id")).where(
        Donation.fund_id == fund_id, Donation.status == DonationStatus.PAID, no_choice
    )
    chose = select(FundChoice.donor_id).where(
        FundChoice.fund_id == fund_id, FundChoice.wants.is_(True)
    )
    return union(gave, chose).subquery()


def recipients(fund_id: int):
    """Who an update for this fund goes to: donors who consented and have not withdrawn,
    whose address takes mail, and who chose the fund (or gave to it, and did not turn it
    off). Rows of (donor id, e-mail)."""
    wanting = _wanting(fund_id)
    return (
        select(Subscription.donor_id, Donor.email)
        .join(wanting, wanting.c.donor_id == Subscription.donor_id)
        .join(Donor, Donor.id == Subscription.donor_id)
        .where(
            Subscription.consenting.is_(True),
            Subscription.undeliverable_at.is_(None),
            Donor.email.is_not(None),
        )
    )


def wants(donor_id: int, fund_id: int) -> bool:
    """Whether this donor would receive this fund's update today (as `recipients` says, for
    one donor: asked each time an e-mail is written, so by key lookups alone)."""
    return consent.consenting(donor_id) and wants_fund(donor_id, fund_id)


def wants_fund(donor_id: int, fund_id: int) -> bool:
    """Whether the donor hears about this fund when they receive updates: their choice on
    the preferences page, else whether they gave to it."""
    choice = db.session.get(FundChoice, (donor_id, fund_id))
    if choice is not None:
        return choice.wants
    gave = select(Donation.id).where(
        Donation.donor_id == donor_id,
        Donation.fund_id == fund_id,
        Donation.status == DonationStatus.PAID,
    )
    return db.session.execute(gave.limit(1)).first() is not None


def recipient_count(fund_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(recipients(fund_id).subquery())
    ).scalar_one()


def publish(update_: ResearchUpdate, send: bool) -> int:
    """Publish on the fund's page and feed and, if asked, queue its e-mails; returns how
    many were queued."""
    if update_.published_at is None:
        update_.published_at = utcnow()
        audit.record(Action.UPDATE_PUBLISHED, subject=f"update {update_.id}", title=update_.title)
    return queue_emails(update_) if send else 0


def queue_emails(update_: ResearchUpdate) -> int:
    """Queue one e-mail per recipient, once for the update's whole life (a second press, or
    two staff at once, queue nothing more). Each is written when it is sent."""
    moment = utcnow()
    taken = db.session.execute(
        update(ResearchUpdate)
        .where(ResearchUpdate.id == update_.id, ResearchUpdate.emailed_at.is_(None))
        .values(emailed_at=moment)
    )
    if taken.rowcount != 1:
        raise UpdateError("This update's e-mails were queued already.")
    update_.emailed_at = moment
    now = literal(moment, UTCDateTime)
    chosen = recipients(update_.fund_id).subquery()
    db.session.execute(
        insert(OutboxMessage).from_select(
            [
                "dedupe_key",
                "to_address",
                "donor_id",
                "writer",
                "writer_ref",
                "bulk",
                "created_at",
                "attempts",
            ],
            select(
                literal(f"update:{update_.id}:") + cast(chosen.c.donor_id, String),
                chosen.c.email,
                chosen.c.donor_id,
                literal(WRITER),
                literal(update_.id),
                literal(True),
                now,
                literal(0),
            ),
        )
    )
    # counted, not taken from the INSERT's rowcount (psycopg reports -1 for INSERT … SELECT)
    update_.recipients = sum(progress(update_).values())
    audit.record(
        Action.UPDATE_EMAILED, subject=f"update {update_.id}", recipients=update_.recipients
    )
    return update_.recipients


def send_test(update_: ResearchUpdate, staff: StaffMember) -> None:
    """A copy to the staff member themselves, sent at once (its links are examples)."""
    queue(
        OutboxMessage(
            dedupe_key=f"update-test:{update_.id}:{staff.id}:{secrets.token_hex(6)}",
            to_address=staff.email,
            writer=WRITER,
            writer_ref=update_.id,
        )
    )


def progress(update_: ResearchUpdate) -> dict[str, int]:
    """How its e-mails stand: queued (waiting), sent, and failed (given up)."""
    rows = db.session.execute(
        select(
            func.count().filter(OutboxMessage.sent_at.is_not(None)),
            func.count().filter(
                OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_not(None)
            ),
            func.count().filter(
                OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_(None)
            ),
        ).where(
            OutboxMessage.writer == WRITER,
            OutboxMessage.writer_ref == update_.id,
            OutboxMessage.bulk.is_(True),
        )
    ).one()
    return {"sent": rows[0], "failed": rows[1], "queued": rows[2]}
