"""A donor's consent to research updates, kept as evidence: every choice is a record (when,
where, under which words), and the latest choice stands. Only the donor's own choices make
one: ticking the donation form's box (or an offline gift's form, as staff record it), the
preferences page, unsubscribing. A mail server's permanent refusal stops updates to the
address without being a choice of theirs."""

from datetime import datetime

from sqlalchemy import delete, select, update

from donations import keyed
from donations.extensions import db, utcnow
from donations.funds.models import Fund
from donations.gifts.models import Donation, Donor
from donations.ledger.models import GIFT_KINDS, Entry
from donations.updates.models import (
    ConsentRecord,
    ConsentSource,
    FundChoice,
    Subscription,
    SuppressedAddress,
)


def subscription(donor_id: int) -> Subscription | None:
    return db.session.get(Subscription, donor_id)


def consenting(donor_id: int) -> bool:
    """Whether updates may go to this donor today."""
    standing = subscription(donor_id)
    return standing is not None and standing.consenting and standing.undeliverable_at is None


def _suppression(email: str | None) -> SuppressedAddress | None:
    return db.session.get(SuppressedAddress, _digest(email)) if email else None


def _digest(email: str) -> str:
    return keyed.digest("suppressed:" + email.strip().lower(), size=32)


def record(
    donor: Donor,
    given: bool,
    source: ConsentSource,
    *,
    at: datetime | None = None,
    wording_version: str | None = None,
    donation: Donation | None = None,
) -> ConsentRecord:
    """Keep the choice as evidence; it stands unless a later one does already. A consent
    staff recorded never overrides an erased donor's suppressed address: only the donor's
    own choice online does, and lifts it."""
    at = at or utcnow()
    evidence = ConsentRecord(
        donor_id=donor.id,
        given=given,
        at=at,
        source=source,
        wording_version=wording_version if given else None,
        donation_id=donation.id if donation else None,
    )
    db.session.add(evidence)
    suppressed = _suppression(donor.email) if given else None
    if suppressed is not None:
        if source == ConsentSource.OFFLINE:
            return evidence
        db.session.delete(suppressed)
    standing = subscription(donor.id)
    if standing is None:
        db.session.add(Subscription(donor_id=donor.id, consenting=given, changed_at=at))
    elif standing.changed_at <= at:
        standing.consenting, standing.changed_at = given, at
    db.session.flush()
    return evidence


def on_gift_paid(donation: Donation, entry: Entry) -> None:
    """A paid gift whose donor ticked the box is their consent, from when they sent the form
    (a monthly gift's later months add nothing)."""
    if not donation.marketing_consent or donation.donor is None or entry.kind not in GIFT_KINDS:
        return
    already = select(ConsentRecord.id).where(ConsentRecord.donation_id == donation.id)
    if db.session.execute(already).first() is not None:
        return
    online = donation.channel == "online"
    record(
        donation.donor,
        True,
        ConsentSource.DONATION_FORM if online else ConsentSource.OFFLINE,
        at=donation.created_at,
        wording_version=donation.marketing_consent_version,
        donation=donation,
    )


def withdraw(donor: Donor, source: ConsentSource) -> bool:
    """Stop all updates at once; False when they were already stopped."""
    standing = subscription(donor.id)
    if standing is None or not standing.consenting:
        return False
    record(donor, False, source)
    return True


def choose_funds(donor: Donor, wanted: set[int], funds: list[Fund]) -> None:
    """The funds a donor chose on the preferences page, of those it offered."""
    for fund in funds:
        choice = db.session.get(FundChoice, (donor.id, fund.id))
        wants = fund.id in wanted
        if choice is None:
            db.session.add(FundChoice(donor_id=donor.id, fund_id=fund.id, wants=wants))
        elif choice.wants != wants:
            choice.wants, choice.at = wants, utcnow()
    db.session.flush()


def mark_undeliverable(address: str, **_signalled) -> int:
    """A mail server refused the address for good: no more updates to it (connected to the
    outbox's `address_refused`, whose reason is in the message it gave up)."""
    donors = select(Donor.id).where(Donor.email == address.strip().lower())
    found = list(
        db.session.execute(
            select(Subscription).where(
                Subscription.donor_id.in_(donors), Subscription.undeliverable_at.is_(None)
            )
        ).scalars()
    )
    for standing in found:
        standing.undeliverable_at = utcnow()
    return len(found)


def evidence_of(donor_id: int) -> list[ConsentRecord]:
    """Every choice the donor made, newest first (shown on their records)."""
    return list(
        db.session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.donor_id == donor_id)
            .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        ).scalars()
    )


def forget(donors: list[Donor], email: str) -> None:
    """Erasure: the evidence and choices go with the donor. An address that had said no, or
    could not take mail, is kept as a keyed digest only, so it stays suppressed."""
    ids = [donor.id for donor in donors]
    if not ids:
        return
    standings = list(
        db.session.execute(select(Subscription).where(Subscription.donor_id.in_(ids))).scalars()
    )
    reasons = [
        "undeliverable" if s.undeliverable_at else "unsubscribed"
        for s in standings
        if s.undeliverable_at or not s.consenting
    ]
    if reasons and _suppression(email) is None:
        db.session.add(SuppressedAddress(digest=_digest(email), reason=reasons[0]))
    for model in (ConsentRecord, FundChoice, Subscription):
        db.session.execute(delete(model).where(model.donor_id.in_(ids)))


def merge(keep: Donor, merged: Donor, *, takes_address: bool) -> None:
    """Two donor records found to be one person: the evidence of both is kept, under the one
    that stays; the choice that stands is the later one, fund by fund too. Whether mail can
    reach them goes with the address the kept record ends with."""
    db.session.execute(
        update(ConsentRecord).where(ConsentRecord.donor_id == merged.id).values(donor_id=keep.id)
    )
    _merge_standing(keep.id, subscription(keep.id), subscription(merged.id), takes_address)
    kept_choices = {
        c.fund_id: c
        for c in db.session.execute(
            select(FundChoice).where(FundChoice.donor_id == keep.id)
        ).scalars()
    }
    for choice in db.session.execute(
        select(FundChoice).where(FundChoice.donor_id == merged.id)
    ).scalars():
        kept = kept_choices.get(choice.fund_id)
        if kept is None:
            db.session.add(
                FundChoice(
                    donor_id=keep.id, fund_id=choice.fund_id, wants=choice.wants, at=choice.at
                )
            )
        elif choice.at > kept.at:
            kept.wants, kept.at = choice.wants, choice.at
    db.session.execute(delete(FundChoice).where(FundChoice.donor_id == merged.id))
    db.session.execute(delete(Subscription).where(Subscription.donor_id == merged.id))
    db.session.flush()


def _merge_standing(keep_id: int, kept, merged, takes_address: bool) -> None:
    if merged is None:
        return
    if kept is None:
        kept = Subscription(
            donor_id=keep_id, consenting=merged.consenting, changed_at=merged.changed_at
        )
        db.session.add(kept)
    elif merged.changed_at > kept.changed_at:
        kept.consenting, kept.changed_at = merged.consenting, merged.changed_at
    if takes_address:
        kept.undeliverable_at = merged.undeliverable_at
