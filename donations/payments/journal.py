"""An accounting journal for each Stripe payout, for the charity's books.

What reached the bank is split into what it was made of, by restricted fund: gifts, the
donors' fee cover, refunds, disputes and Stripe's fees. The file has the columns Xero's
manual journal import takes; a debit is positive and a credit negative, so every payout's
lines add up to nothing and its bank line is the payout to the penny. Anything in a payout
the platform never recorded goes to a suspense account, named, never dropped.
"""

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund
from donations.ledger.models import EntryKind, LedgerEntry
from donations.money import pounds
from donations.payments import payouts
from donations.payments.gateway import gateway
from donations.payments.payouts import PayoutLine, PayoutReport
from donations.text import neutralised
from donations.uk_time import uk_date, uk_midnight

#: Xero's manual journal import template, column for column (docs/CONTRACT.md)
HEADER = (
    "Narration",
    "Date",
    "Description",
    "AccountCode",
    "TaxRate",
    "Amount",
    "TrackingName1",
    "TrackingOption1",
)
#: what each account is for, in the order the lines are written
ACCOUNTS = {
    "gifts": "Gifts",
    "fee_cover": "Fee cover given by donors",
    "refunds": "Refunds",
    "disputes": "Disputes",
    "stripe_fees": "Stripe fees",
    "unmatched": "Not in our records (to look into)",
    "bank": "Stripe payout to the bank",
}
#: what the fund gave back or got back, by the ledger entry's kind
FUND_MOVEMENT = {
    EntryKind.PAYMENT: "gifts",
    EntryKind.REFUND: "refunds",
    EntryKind.REFUND_FAILED: "refunds",
    EntryKind.DISPUTE: "disputes",
    EntryKind.DISPUTE_WON: "disputes",
}


@dataclass(frozen=True)
class JournalLine:
    account: str
    #: the restricted fund's name, or None for a line that is no one fund's (the bank's)
    fund: str | None
    #: debit positive, credit negative
    amount_pence: int


@dataclass(frozen=True)
class Journal:
    payout_id: str
    arrived: date
    lines: list[JournalLine]

    @property
    def balance_pence(self) -> int:
        """Debits less credits: 0 for every journal written."""
        return sum(line.amount_pence for line in self.lines)


def _fund_names(entries: Iterable[LedgerEntry]) -> dict[int, str]:
    ids = {entry.fund_id for entry in entries}
    if not ids:
        return {}
    return dict(db.session.execute(select(Fund.id, Fund.name).where(Fund.id.in_(ids))).all())


def _moves(line: PayoutLine, fund: str | None):
    """(account, fund, pence) for one balance transaction: together they are minus what it
    added to the balance, so a payout's moves and its bank line add to nothing."""
    if fund is None:
        yield "unmatched", None, -line.net_pence
        return
    entry = line.entry
    # the fund's own part is the ledger's; the rest of what moved is the donor's fee cover
    yield FUND_MOVEMENT[EntryKind(entry.kind)], fund, -entry.amount_pence
    yield "fee_cover", fund, entry.amount_pence - line.amount_pence
    yield "stripe_fees", fund, line.fee_pence


def journal(report: PayoutReport) -> Journal:
    """The payout's journal: one line per account and fund, then the bank's."""
    names = _fund_names(line.entry for line in report.lines if line.entry is not None)
    summed: dict[tuple[str, str | None], int] = defaultdict(int)
    for line in report.lines:
        fund = names.get(line.entry.fund_id) if line.entry is not None else None
        for account, on, pence in _moves(line, fund):
            summed[account, on] += pence
    if report.difference_pence:
        summed["unmatched", None] -= report.difference_pence
    summed["bank", None] += report.amount_pence
    order = list(ACCOUNTS)
    lines = [
        JournalLine(account, fund, pence)
        for (account, fund), pence in sorted(
            summed.items(), key=lambda item: (order.index(item[0][0]), item[0][1] or "")
        )
        if pence
    ]
    return Journal(report.payout_id, _arrival(report), lines)


def _arrival(report: PayoutReport) -> date:
    if report.arrival_date is None:
        return uk_date(datetime.now(UTC))
    return uk_date(datetime.fromtimestamp(report.arrival_date, UTC))


def write_csv(journals: Iterable[Journal], out) -> None:
    """Xero's layout: dates as dd/mm/yyyy, amounts in pounds, the fund as tracking option;
    one journal per payout (Xero groups lines by their narration and date)."""
    config = current_app.config
    codes, tax_rate = config["JOURNAL_ACCOUNTS"], config["JOURNAL_TAX_RATE"]
    tracking = config["JOURNAL_TRACKING_NAME"]
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for made in journals:
        narration = f"Stripe payout {made.payout_id}"
        when = made.arrived.strftime("%d/%m/%Y")
        for line in made.lines:
            description = ACCOUNTS[line.account] + (f": {line.fund}" if line.fund else "")
            # a fund's name is staff's text: never a formula when the file is opened
            writer.writerow(
                [
                    narration,
                    when,
                    neutralised(description),
                    codes[line.account],
                    tax_rate,
                    pounds(line.amount_pence),
                    tracking if line.fund else "",
                    neutralised(line.fund),
                ]
            )


#: Stripe creates a payout a few days before it arrives: a period's payouts are looked for
#: from this long before its first day
PAYOUT_LEAD_DAYS = 14


def journals_between(start: date, end: date) -> list[Journal]:
    """The journal of every payout that arrived from start to end (UK days, inclusive)."""
    since = uk_midnight(start) - timedelta(days=PAYOUT_LEAD_DAYS)
    found = []
    for payout in gateway().list_payouts(since):
        made = journal(payouts.report(payout))
        if start <= made.arrived <= end:
            found.append(((made.arrived, payout.get("created") or 0, made.payout_id), made))
    return [made for _, made in sorted(found, key=lambda pair: pair[0])]
