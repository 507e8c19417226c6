"""Synthetic donations for benchmarks: bulk inserted, but kept to the ledger's rules.

Every gift gets its ledger row (refunds too), and the funds' (and the demo appeal's) totals
are then recomputed from the ledger with the same rules `totals check` uses, so a generated
database passes it. A share of one fund's gifts is given through a demo appeal, so the
appeal's pages are measured at scale too.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, exists, func, insert, literal, select, text

from donations.extensions import db
from donations.funds import fundraisers
from donations.funds import services as funds
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.gift_aid.models import GiftAidDeclaration
from donations.gift_aid.wording import WORDING_VERSION, declaration_wording
from donations.gifts.consent import FORM_WORDING, OFFLINE_WORDING
from donations.gifts.models import Donation, Donor, donor_key
from donations.gifts.services import fee_cover_for
from donations.ledger.models import (
    LedgerEntry,
    PendingEntry,
)
from donations.ledger.services import TOTALS, locked_totals
from donations.ledger.totals import recompute
from donations.updates.models import ConsentRecord, ConsentSource, Subscription

PRESETS = (1000, 2500, 5000, 10000)
OFFLINE_CHANNELS = ("cheque", "cash", "bank_transfer", "event")
FIRST_NAMES = ("Ada", "Ben", "Cara", "Dev", "Esi", "Finn", "Grace", "Hari", "Isla", "Jon")
LAST_NAMES = ("Smith", "Jones", "Patel", "Khan", "Brown", "Evans", "Okafor", "Wilson", "Lee")
POSTCODES = ("SW1A 1AA", "M1 1AE", "EC1A 1BB", "B33 8TH", "CR2 6XH", "DN55 1PT", "LS1 4AP")


@dataclass(frozen=True)
class DemoDonor:
    id: int
    key: str
    declaration_id: int | None
    #: what each of their gifts carries as typed (names, e-mail, Gift Aid address)
    typed: dict


@dataclass
class Batch:
    donors: list = field(default_factory=list)
    declarations: list = field(default_factory=list)
    donations: list = field(default_factory=list)
    ledger: list = field(default_factory=list)
    pending: list = field(default_factory=list)

    def flush(self, connection) -> None:
        for model, rows in (
            (Donor, self.donors),
            (GiftAidDeclaration, self.declarations),
            (Donation, self.donations),
            (LedgerEntry, self.ledger),
            (PendingEntry, self.pending),
        ):
            if rows:
                connection.execute(model.__table__.insert(), rows)
                rows.clear()


class Generator:
    def __init__(self, count: int, seed: int, charity: str, now: datetime):
        self.count = count
        self.rng = random.Random(seed)  # noqa: S311  (repeatable demo data, not secrets)
        self.wording = declaration_wording(charity)
        self.now = now
        self.funds = list(db.session.execute(select(Fund.id).order_by(Fund.position)).scalars())
        #: a share of the last fund's gifts is given through its demo appeal, and a smaller
        #: one through a supporter's page (about 16,000 of 1,000,000)
        self.appeal = demo_appeal(self.funds[-1]).id
        self.fundraiser = demo_fundraiser(self.funds[-1]).id
        self.next = {
            model: self._max_id(model) + 1
            for model in (Donor, GiftAidDeclaration, Donation, LedgerEntry, PendingEntry)
        }
        self.returning: list[DemoDonor] = []  # donors who give again

    @staticmethod
    def _max_id(model) -> int:
        return db.session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()

    def _id(self, model) -> int:
        value = self.next[model]
        self.next[model] += 1
        return value

    def _amount(self) -> int:
        if self.rng.random() < 0.75:
            return self.rng.choice(PRESETS)
        return self.rng.randint(100, 50_000)

    def _donor(self, batch: Batch, offline: bool, when: datetime) -> "DemoDonor":
        if self.returning and self.rng.random() < 0.4:
            return self.rng.choice(self.returning)
        donor_id = self._id(Donor)
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = None if offline and self.rng.random() < 0.3 else f"demo{donor_id}@example.invalid"
        batch.donors.append(
            {
                "id": donor_id,
                "email": email,
                "title": None,
                "first_name": first,
                "last_name": last,
                "created_at": when,
            }
        )
        typed = {
            "title": None,
            "first_name": first,
            "last_name": last,
            "email": email,
            "gift_aid": False,
            "house": None,
            "address": None,
            "postcode": None,
            "overseas": False,
        }
        declaration_id = None
        if self.rng.random() < 0.45:
            declaration_id = self._id(GiftAidDeclaration)
            address = {
                "house": str(self.rng.randint(1, 200)),
                "postcode": self.rng.choice(POSTCODES),
            }
            typed.update(address, gift_aid=True)
            batch.declarations.append(
                {
                    "id": declaration_id,
                    "donor_id": donor_id,
                    "wording_version": WORDING_VERSION,
                    "wording": self.wording,
                    "covers_past_and_future": True,
                    "title": None,
                    "first_name": first,
                    "last_name": last,
                    "address": None,
                    "overseas": False,
                    "declared_at": when,
                    "cancelled_at": None,
                    **address,
                }
            )
        donor = DemoDonor(donor_id, donor_key(email, donor_id), declaration_id, typed)
        if len(self.returning) < 50_000:
            self.returning.append(donor)
        return donor

    def _gift(self, batch: Batch) -> None:
        when = self.now - timedelta(seconds=self.rng.randint(0, 2 * 365 * 24 * 3600))
        offline = self.rng.random() < 0.1
        donor = self._donor(batch, offline, when)
        donor_id, donor_key, declaration_id = donor.id, donor.key, donor.declaration_id
        donation_id = self._id(Donation)
        fund_id = self.funds[0] if self.rng.random() < 0.35 else self.funds[-1]
        appeal_id, fundraiser_id = self._through(fund_id)
        amount = self._amount()
        pending = not offline and self.rng.random() < 0.01
        cover = 0 if offline or self.rng.random() < 0.6 else fee_cover_for(amount)
        batch.donations.append(
            {
                "id": donation_id,
                "reference": f"DEMO-{donation_id:09d}",
                "fund_id": fund_id,
                "appeal_id": appeal_id,
                "fundraiser_id": fundraiser_id,
                "donor_id": donor_id,
                "declaration_id": declaration_id,
                **donor.typed,
                "amount_pence": amount,
                "fee_cover_pence": cover,
                "frequency": "monthly" if self.rng.random() < 0.15 else "one-off",
                "status": "pending" if pending else "paid",
                "channel": self.rng.choice(OFFLINE_CHANNELS) if offline else "online",
                "anonymous": self.rng.random() < 0.3,
                "display_name": None,
                "message": None,
                "moderation": "none",
                **self._consent(offline),
                "form_token": f"demo-{donation_id}",
                "checkout_session_id": None,
                "checkout_url": None,
                "payment_intent_id": None,
                "subscription_id": None,
                "customer_id": None,
                "created_at": when,
                "paid_at": None if pending else when,
                "updated_at": when,
            }
        )
        if pending:
            batch.pending.append(
                {
                    "id": self._id(PendingEntry),
                    "fund_id": fund_id,
                    "appeal_id": appeal_id,
                    "fundraiser_id": fundraiser_id,
                    "donation_id": donation_id,
                    "amount_pence": amount,
                    "source_ref": f"DEMO-{donation_id:09d}:open",
                    "occurred_at": when,
                }
            )
            return
        payment_id = self._id(LedgerEntry)
        batch.ledger.append(
            {
                "id": payment_id,
                "donation_id": donation_id,
                "fund_id": fund_id,
                "appeal_id": appeal_id,
                "fundraiser_id": fundraiser_id,
                "kind": "offline" if offline else "payment",
                "amount_pence": amount,
                "fee_cover_pence": cover,
                "source_ref": f"demo-receipt-{donation_id}"
                if offline
                else f"pi_demo_{donation_id}",
                "payment_entry_id": None,
                "donor_key": donor_key,
                "gift_aid": declaration_id is not None,
                "occurred_at": when,
                "recorded_at": when,
            }
        )
        if not offline and self.rng.random() < 0.02:
            refund = amount if self.rng.random() < 0.7 else self.rng.randint(1, amount - 1 or 1)
            batch.ledger.append(
                {
                    "id": self._id(LedgerEntry),
                    "donation_id": donation_id,
                    "fund_id": fund_id,
                    "appeal_id": appeal_id,
                    "fundraiser_id": fundraiser_id,
                    "kind": "refund",
                    "amount_pence": -refund,
                    "fee_cover_pence": 0,
                    "source_ref": f"re_demo_{donation_id}",
                    "payment_entry_id": payment_id,
                    "donor_key": donor_key,
                    "gift_aid": declaration_id is not None,
                    "occurred_at": when + timedelta(days=3),
                    "recorded_at": when + timedelta(days=3),
                }
            )

    def _consent(self, offline: bool) -> dict:
        """Three in ten donors ask for research updates, on the form or the paper one."""
        if self.rng.random() >= 0.3:
            return {"marketing_consent": False, "marketing_consent_version": None}
        version = OFFLINE_WORDING if offline else FORM_WORDING
        return {"marketing_consent": True, "marketing_consent_version": version}

    def _through(self, fund_id: int) -> tuple[int | None, int | None]:
        """(appeal, page) a gift to this fund is given through, if any."""
        if fund_id != self.funds[-1]:
            return None, None
        share = self.rng.random()
        if share < 0.025:
            return None, self.fundraiser
        return (self.appeal if share < 0.3 else None), None

    def run(self, batch_size: int = 20_000) -> None:
        connection = db.session.connection()
        batch = Batch()
        for done in range(1, self.count + 1):
            self._gift(batch)
            if done % batch_size == 0:
                batch.flush(connection)
        batch.flush(connection)


DEMO_APPEAL = "demo-appeal"


def demo_appeal(fund_id: int) -> Appeal:
    """The appeal the demo's gifts may be given through (made once, as staff would)."""
    found = funds.appeal_by_slug(DEMO_APPEAL)
    if found is not None:
        return found
    return funds.create(
        Appeal,
        DEMO_APPEAL,
        fund_id=fund_id,
        name="Demo appeal",
        summary="Synthetic gifts for benchmarks.",
        story="Made by `flask demo generate`.",
        goal_pence=100_000_000,
    )


DEMO_FUNDRAISER = "demo-fundraiser"


def demo_fundraiser(fund_id: int) -> Fundraiser:
    """A supporter's page the demo's gifts may be given through, confirmed and approved."""
    found = funds.fundraiser_by_slug(DEMO_FUNDRAISER)
    if found is not None:
        return found
    page = fundraisers.start(
        db.session.get(Fund, fund_id),
        DEMO_FUNDRAISER,
        ("Demo", "Runner", "demo-runner@example.invalid"),
        fundraisers.PageDetails(
            "Demo marathon", "Made by `flask demo generate`.", 100_000_000, None
        ),
    )
    fundraisers.confirm(page)
    fundraisers.approve(page)
    return page


def refresh_totals() -> None:
    """Set every fund's, appeal's and page's totals to what the ledger says (after a bulk
    insert only)."""
    now = datetime.now(UTC)
    for model, totals_model in TOTALS.items():
        for owner_id in db.session.execute(select(model.id)).scalars():
            totals = locked_totals(totals_model, owner_id)
            for name, value in recompute(owner_id, key=totals_model.KEY).items():
                setattr(totals, name, value)
            totals.updated_at = now


def _advance_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move on."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Donor, GiftAidDeclaration, Donation, LedgerEntry, PendingEntry):
        table = model.__table__.name
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        )


def record_consent() -> None:
    """What recording each paid gift would have done for its donor's consent (after a bulk
    insert only): a record of evidence per gift, and each donor's standing choice."""
    ticked = and_(
        Donation.marketing_consent.is_(True),
        Donation.donor_id.is_not(None),
        Donation.status == "paid",
    )
    source = case(
        (Donation.channel == "online", ConsentSource.DONATION_FORM.value),
        else_=ConsentSource.OFFLINE.value,
    )
    columns = ["donor_id", "given", "at", "source", "wording_version", "donation_id"]
    chosen = select(
        Donation.donor_id,
        literal(True),
        Donation.created_at,
        source,
        Donation.marketing_consent_version,
        Donation.id,
    ).where(ticked, ~exists().where(ConsentRecord.donation_id == Donation.id))
    db.session.execute(
        insert(ConsentRecord).from_select(
            [*columns, "recorded_at"], chosen.add_columns(Donation.created_at)
        )
    )
    latest = (
        select(ConsentRecord.donor_id, literal(True), func.max(ConsentRecord.at))
        .where(~exists().where(Subscription.donor_id == ConsentRecord.donor_id))
        .group_by(ConsentRecord.donor_id)
    )
    db.session.execute(
        insert(Subscription).from_select(["donor_id", "consenting", "changed_at"], latest)
    )


def generate(count: int, seed: int, charity: str) -> None:
    Generator(count, seed, charity, datetime.now(UTC)).run()
    _advance_sequences()
    refresh_totals()
    record_consent()
