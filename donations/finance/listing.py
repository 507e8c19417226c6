"""The finance records: one row per gift received (each payment in the ledger, each month
of a monthly gift, each offline gift) and one per donation that has not been paid (pending,
failed, expired or abandoned), with what became of the money. The list, its totals, the
exports and the command line all read the same query, so they always agree."""

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from donations.claims.models import ClaimItem, GiftAidClaim
from donations.extensions import db
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.funds.services import all_appeals, fundraiser_by_slug
from donations.gifts.models import STATUSES, Donation, DonationStatus, Frequency
from donations.ledger import standing
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.payments.models import ProviderPayment
from donations.text import CONTROL
from donations.uk_time import uk_midnight

#: the channel filter; a donation's own channel is "online" or how an offline gift came
#: (cheque, cash, bank_transfer, event)
CHANNELS = ("online", "offline")
ONLINE = "online"
PAGE_SIZE = 50
MAX_QUERY = 100


class FilterError(ValueError):
    """A filter that cannot be used; `field` names it, as the query parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Filters:
    """What a member of staff asked for, by docs/CONTRACT.md's query parameters."""

    start: date | None = None
    end: date | None = None
    fund: str | None = None
    appeal: str | None = None
    fundraiser: str | None = None
    status: str | None = None
    channel: str | None = None
    frequency: str | None = None
    gift_aid: bool | None = None
    q: str | None = None
    #: whether q may match names and e-mails: not for someone who may not see them, who
    #: could otherwise read them back one letter at a time
    q_reaches_people: bool = True

    def as_query(self) -> dict[str, str]:
        """The query parameters that ask for these filters again (for links and exports)."""
        names = {"start": "from", "end": "to"}
        out = {}
        for key, value in asdict(self).items():
            if value is None or key == "q_reaches_people":
                continue
            text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            out[names.get(key, key)] = text
        return out

    @property
    def any(self) -> bool:
        return any(
            getattr(self, f.name) is not None for f in fields(self) if f.name != "q_reaches_people"
        )


def _date(args, name: str) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(name, "Enter a date as YYYY-MM-DD, for example 2026-04-06.") from None


def _one_of(args, name: str, allowed, what: str) -> str | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if text not in allowed:
        raise FilterError(name, f"Choose {what} from the list.")
    return text


def _fundraiser(args) -> str | None:
    text = (args.get("fundraiser") or "").strip()
    if not text:
        return None
    if fundraiser_by_slug(text) is None:
        raise FilterError("fundraiser", "Enter the web address of a fundraising page.")
    return text


def parse_filters(args, fund_slugs, *, personal: bool = True) -> Filters:
    """Filters from query parameters; FilterError names the first that cannot be used."""
    start, end = _date(args, "from"), _date(args, "to")
    if start and end and end < start:
        raise FilterError("to", "The end date must be the same as or after the start date.")
    gift_aid = _one_of(args, "gift_aid", ("yes", "no"), "yes or no for Gift Aid")
    q = (args.get("q") or "").strip() or None
    if q is not None and (len(q) > MAX_QUERY or CONTROL.search(q)):
        raise FilterError("q", f"Search for at most {MAX_QUERY} ordinary characters.")
    return Filters(
        start=start,
        end=end,
        fund=_one_of(args, "fund", fund_slugs, "a fund"),
        appeal=_one_of(args, "appeal", [a.slug for a in all_appeals()], "an appeal"),
        fundraiser=_fundraiser(args),
        status=_one_of(args, "status", STATUSES, "a status"),
        channel=_one_of(args, "channel", CHANNELS, "online or offline"),
        frequency=_one_of(args, "frequency", tuple(Frequency), "one-off, monthly or annual"),
        gift_aid=None if gift_aid is None else gift_aid == "yes",
        q=q,
        q_reaches_people=personal,
    )


PERSONAL = (
    Donation.title,
    Donation.first_name,
    Donation.last_name,
    Donation.email,
    Donation.house,
    Donation.postcode,
    Donation.anonymous,
    Donation.marketing_consent,
)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: Filters, at, gift_aid, fund_id):
    conditions = []
    if filters.start:
        conditions.append(at >= uk_midnight(filters.start))
    if filters.end:
        conditions.append(at < uk_midnight(filters.end + timedelta(days=1)))
    if filters.fund:
        conditions.append(
            fund_id == select(Fund.id).where(Fund.slug == filters.fund).scalar_subquery()
        )
    if filters.appeal:
        conditions.append(
            Donation.appeal_id
            == select(Appeal.id).where(Appeal.slug == filters.appeal).scalar_subquery()
        )
    if filters.fundraiser:
        conditions.append(
            Donation.fundraiser_id
            == select(Fundraiser.id).where(Fundraiser.slug == filters.fundraiser).scalar_subquery()
        )
    if filters.channel == "online":
        conditions.append(Donation.channel == ONLINE)
    elif filters.channel == "offline":
        conditions.append(Donation.channel != ONLINE)
    if filters.frequency:
        conditions.append(Donation.frequency == filters.frequency)
    if filters.gift_aid is not None:
        conditions.append(gift_aid.is_(filters.gift_aid))
    if filters.q and not filters.q_reaches_people:
        conditions.append(Donation.reference == filters.q.upper())
    elif filters.q:
        like = f"%{_like_escaped(filters.q.lower())}%"
        conditions.append(
            or_(
                Donation.reference == filters.q.upper(),
                func.lower(Donation.first_name).like(like, escape="\\"),
                func.lower(Donation.last_name).like(like, escape="\\"),
                Donation.email.like(like, escape="\\"),
                (func.lower(Donation.first_name) + " " + func.lower(Donation.last_name)).like(
                    like, escape="\\"
                ),
            )
        )
    return conditions


def _fields(gift: bool, taken=None) -> list:
    """Each record's fields, in the one order both kinds of record share (they are one
    UNION): for a gift received, from its ledger row; for a donation not paid, from the
    donation alone, with nothing received, refunded or known to Stripe."""
    entry = LedgerEntry
    nothing_int, nothing_text = cast(null(), Integer), cast(null(), String)

    def either(label: str, received, unpaid):
        return (received if gift else unpaid).label(label)

    return [
        either("at", entry.occurred_at, Donation.created_at),
        either("entry_id", entry.id, nothing_int),
        Donation.reference,
        Fund.slug.label("fund"),
        Donation.frequency,
        Donation.status,
        Donation.channel,
        either("amount", entry.amount_pence, Donation.amount_pence),
        either("fees_covered", entry.fee_cover_pence, Donation.fee_cover_pence),
        either("refunded", func.coalesce(taken.c.refunded, 0) if gift else None, literal(0)),
        either("disputed", func.coalesce(taken.c.disputed, 0) if gift else None, literal(0)),
        either("stripe_fee", ProviderPayment.fee_pence, nothing_int),
        either("net_received", ProviderPayment.net_pence, nothing_int),
        either("gift_aid", entry.gift_aid, Donation.gift_aid),
        *PERSONAL,
        either("source_ref", entry.source_ref, nothing_text),
        either("payout", ProviderPayment.payout_id, nothing_text),
        either("claim", GiftAidClaim.reference, nothing_text),
        Appeal.slug.label("appeal"),
        Fundraiser.slug.label("fundraiser"),
    ]


def _received(filters: Filters) -> Select:
    gift = LedgerEntry
    taken = standing.reversals()
    conditions = _conditions(filters, gift.occurred_at, gift.gift_aid, gift.fund_id)
    return (
        select(*_fields(True, taken))
        .select_from(gift)
        .join(Donation, Donation.id == gift.donation_id)
        .join(Fund, Fund.id == gift.fund_id)
        .outerjoin(Appeal, Appeal.id == gift.appeal_id)
        .outerjoin(Fundraiser, Fundraiser.id == gift.fundraiser_id)
        .outerjoin(taken, taken.c.payment_id == gift.id)
        .outerjoin(ProviderPayment, ProviderPayment.source_ref == gift.source_ref)
        .outerjoin(ClaimItem, ClaimItem.entry_id == gift.id)
        .outerjoin(GiftAidClaim, GiftAidClaim.id == ClaimItem.claim_id)
        .where(gift.kind.in_(GIFT_KINDS), *conditions)
    )


def _unpaid(filters: Filters) -> Select:
    conditions = _conditions(filters, Donation.created_at, Donation.gift_aid, Donation.fund_id)
    if filters.status:
        conditions.append(Donation.status == filters.status)
    return (
        select(*_fields(False))
        .select_from(Donation)
        .join(Fund, Fund.id == Donation.fund_id)
        .outerjoin(Appeal, Appeal.id == Donation.appeal_id)
        .outerjoin(Fundraiser, Fundraiser.id == Donation.fundraiser_id)
        .where(Donation.status != DonationStatus.PAID, *conditions)
    )


def records_subquery(filters: Filters):
    """Every record the filters ask for: a paid donation is one row per gift received (each
    month of a monthly gift is its own row); any other is one row."""
    parts = []
    if filters.status in (None, DonationStatus.PAID):
        parts.append(_received(filters))
    if filters.status != DonationStatus.PAID:
        parts.append(_unpaid(filters))
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("records")


def records_query(filters: Filters) -> Select:
    """The records, oldest first."""
    records = records_subquery(filters)
    return select(records).order_by(records.c.at, records.c.entry_id)


@dataclass(frozen=True)
class Totals:
    rows: int
    received_pence: int
    fees_covered_pence: int
    refunded_pence: int
    disputed_pence: int
    gift_aid_pence: int

    @property
    def kept_pence(self) -> int:
        return standing.what_stands(self.received_pence, self.refunded_pence, self.disputed_pence)


def totals(filters: Filters) -> Totals:
    """The filtered records' count, and the money of those received."""
    received = (
        _received(filters).subquery() if filters.status in (None, DonationStatus.PAID) else None
    )
    rows = db.session.execute(
        select(func.count()).select_from(records_query(filters).subquery())
    ).scalar_one()
    if received is None:
        return Totals(rows, 0, 0, 0, 0, 0)
    kept = standing.what_stands(received.c.amount, received.c.refunded, received.c.disputed)
    gift_aid = case((received.c.gift_aid == true(), standing.gift_aid_due(kept)), else_=0)
    money = db.session.execute(
        select(
            func.coalesce(func.sum(received.c.amount), 0),
            func.coalesce(func.sum(received.c.fees_covered), 0),
            func.coalesce(func.sum(received.c.refunded), 0),
            func.coalesce(func.sum(received.c.disputed), 0),
            func.coalesce(func.sum(gift_aid), 0),
        )
    ).one()
    return Totals(rows, *(int(value) for value in money))


def page(filters: Filters, number: int) -> list:
    """One page of the records, newest first."""
    query = records_query(filters)
    newest_first = query.order_by(None).order_by(
        query.selected_columns.at.desc(), query.selected_columns.entry_id.desc()
    )
    return list(db.session.execute(newest_first.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
