"""Test data, made through the domain's own services so it keeps the ledger's rules.

Each factory commits, as a request would, so what it makes is visible to the test client and
its after-commit work (receipts) has run. Amounts are pence.
"""

import itertools
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from donations.extensions import db
from donations.funds import fundraisers
from donations.funds import services as funds
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.gifts import lifecycle, offline
from donations.gifts import services as gifts
from donations.gifts.details import GiftDetails
from donations.gifts.models import Donation
from donations.ledger import services as ledger
from donations.ledger.models import GIFT_KINDS, EntryKind, LedgerEntry
from donations.payments import provider_payments
from donations.payments.checkout import open_checkout
from donations.payments.models import ProviderPayment
from donations.staff import accounts
from donations.transaction import commit
from tests.support import STAFF_PASSWORD

_numbers = itertools.count(1)


def fund(slug: str = "actimus") -> Fund:
    found = funds.by_slug(slug)
    assert found is not None, f"no fund {slug}"
    return found


def appeal(slug: str = "winter-appeal", fund_slug: str = "actimus", **fields) -> Appeal:
    """An open appeal for a fund (made as staff would, audited)."""
    values = {
        "name": "Winter appeal",
        "summary": "A winter push for the trial.",
        "story": "Help us finish the trial.",
        "goal_pence": 1_000_000,
        "fund_id": fund(fund_slug).id,
        **fields,
    }
    made = funds.create(Appeal, slug, **values)
    commit()
    return made


def fundraiser(
    slug: str = "ada-runs",
    given_to: Fund | Appeal | None = None,
    *,
    public: bool = True,
    email: str = "runner@example.org",
    **page,
) -> Fundraiser:
    """A supporter's page (confirmed and approved unless `public` is False)."""
    details = fundraisers.PageDetails(
        **{"name": "Ada runs London", "story": "For my mum.", "goal_pence": 50_000,
           "event_on": None, **page}
    )  # fmt: skip
    made = fundraisers.start(given_to or fund("actimus"), slug, ("Ada", "Runner", email), details)
    if public:
        fundraisers.confirm(made)
        fundraisers.approve(made)
    commit()
    return made


def details(**fields) -> GiftDetails:
    """A gift request as the form would make it; Gift Aid brings a UK home address."""
    gift_aid = fields.get("gift_aid", False)
    values = {
        "amount_pence": 2500,
        "fee_cover_pence": 0,
        "frequency": "one-off",
        "title": None,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "gift_aid": gift_aid,
        "house": "1" if gift_aid else None,
        "address": None,
        "postcode": "SW1A 1AA" if gift_aid else None,
        "overseas": False,
        "anonymous": False,
        "display_name": None,
        "message": None,
        "marketing_consent": False,
        "form_token": f"factory-form-{next(_numbers):06d}",
    }
    values.update(fields)
    return GiftDetails(**values)


def donation(fund_slug: str = "actimus", **fields) -> Donation:
    """A submitted, unpaid donation."""
    made = gifts.start_donation(fund(fund_slug), details(**fields))
    commit()
    return made


def payment(
    fund_slug: str = "actimus",
    source_ref: str | None = None,
    paid_at: datetime | None = None,
    *,
    commit_now: bool = True,
    through: Appeal | Fundraiser | None = None,
    **fields,
) -> Donation:
    """A donation paid in full, in the ledger and the fund's totals, its receipt sent; given
    `through` an appeal or a supporter's page, in its totals too."""
    given_to = through.fund if through is not None else fund(fund_slug)
    made = gifts.start_donation(given_to, details(**fields), *_through(through))
    lifecycle.mark_paid(made, source_ref or f"pi_factory_{next(_numbers):06d}", paid_at)
    if commit_now:
        commit()
    return made


def _through(through) -> tuple:
    """(appeal, page) for start_donation."""
    if isinstance(through, Fundraiser):
        return through.appeal, through
    return through, None


def pending_payment(
    fund_slug: str = "actimus", through: Appeal | None = None, **fields
) -> Donation:
    """A Direct Debit set up but not yet collected."""
    given_to = through.fund if through is not None else fund(fund_slug)
    made = gifts.start_donation(given_to, details(**fields), *_through(through))
    lifecycle.mark_pending(made)
    commit()
    return made


def payment_entry(donation: Donation) -> LedgerEntry:
    """The ledger row of a one-off donation's payment (online, or recorded offline)."""
    return db.session.execute(
        select(LedgerEntry).where(
            LedgerEntry.donation_id == donation.id, LedgerEntry.kind.in_(GIFT_KINDS)
        )
    ).scalar_one()


def refund(donation: Donation, amount_pence: int, source_ref: str | None = None) -> LedgerEntry:
    """A refund of part or all of a paid donation, straight into the ledger."""
    paid = payment_entry(donation)
    entry = ledger.record(
        fund_id=paid.fund_id,
        donation_id=paid.donation_id,
        donor_key=paid.donor_key,
        kind=EntryKind.REFUND,
        amount_pence=-amount_pence,
        source_ref=source_ref or f"re_factory_{next(_numbers):06d}",
        gift_aid=paid.gift_aid,
        against=paid,
    )
    commit()
    return entry


def checkout(fund_slug: str = "actimus", **fields) -> Donation:
    """A donation whose Checkout Session is open: the donor is on the payment page."""
    made = gifts.start_donation(fund(fund_slug), details(**fields))
    with current_app.test_request_context():
        open_checkout(made)
    commit()
    return made


def staff(role: str = "finance", email: str | None = None):
    """A staff account with tests.support.STAFF_PASSWORD."""
    member = accounts.create(email or f"{role}@example.org", STAFF_PASSWORD, role)
    commit()
    return member


def offline_gift(fund: str = "actimus", **changes) -> Donation:
    """An offline gift recorded as finance staff record one: by default a £25 cheque from
    Mary Seacole, received on 2 November 2026, without Gift Aid or an e-mail address."""
    values = {
        "fund": funds.by_slug(fund),
        "amount_pence": 2500,
        "received_on": date(2026, 11, 2),
        "method": "cheque",
        "receipt_reference": f"CHQ-{next(_numbers)}",
        "title": None,
        "first_name": "Mary",
        "last_name": "Seacole",
        "email": None,
        "gift_aid": False,
        "house": None,
        "address": None,
        "postcode": None,
        "overseas": False,
        "declared_on": None,
    }
    donation, _ = offline.record(offline.OfflineGift(**{**values, **changes}))
    commit()  # as a request does: receipts go after it
    return donation


def settled(payment: LedgerEntry, fee_pence: int | None, net_pence: int) -> ProviderPayment:
    """Stripe's fee and net for a payment, as a payout's balance transaction would tell them."""
    provider_payments.note_payment(payment.source_ref)
    known = db.session.execute(
        select(ProviderPayment).where(ProviderPayment.source_ref == payment.source_ref)
    ).scalar_one()
    known.fee_pence, known.net_pence = fee_pence, net_pence
    db.session.flush()
    return known
