"""The trustees' figures: each restricted fund's accounting year, as the annual report and
accounts need it (online and offline gifts, the donors' fee cover, refunds, disputes,
Stripe's fees, Gift Aid claimed, and what the fund keeps), as a page and an XLSX."""

import io
from dataclasses import dataclass, fields
from datetime import date, timedelta

import xlsxwriter
from flask import Response, render_template, request
from sqlalchemy import and_, func, select

from donations.claims.eligibility import accounting_period_end
from donations.claims.models import ClaimItem, ClaimStatus, GiftAidClaim, OverClaim
from donations.extensions import db
from donations.finance.guard import bp, requires
from donations.funds import services as funds
from donations.ledger.models import EntryKind, LedgerEntry
from donations.money import pounds
from donations.payments.models import ProviderPayment
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.transaction import commit
from donations.uk_time import uk_midnight, uk_today

#: the lines of a fund's year, in the order the report gives them, with their words
LINES = {
    "online_pence": "Gifts online",
    "offline_pence": "Gifts by cheque, cash and transfer",
    "fee_cover_pence": "Fee cover given by donors",
    "refunds_pence": "Refunds",
    "disputes_pence": "Disputes lost",
    "stripe_fees_pence": "Stripe's fees",
    "gift_aid_pence": "Gift Aid claimed",
    "net_pence": "Net to the fund",
}
#: lines that take money away, shown as minus
TAKEN = ("refunds_pence", "disputes_pence", "stripe_fees_pence")


@dataclass(frozen=True)
class FundYear:
    name: str
    online_pence: int = 0
    offline_pence: int = 0
    fee_cover_pence: int = 0
    refunds_pence: int = 0
    disputes_pence: int = 0
    stripe_fees_pence: int = 0
    #: on submitted claims, for gifts of the year, less what was owed back after refunds
    gift_aid_pence: int = 0

    @property
    def net_pence(self) -> int:
        came = self.online_pence + self.offline_pence + self.fee_cover_pence + self.gift_aid_pence
        return came - self.refunds_pence - self.disputes_pence - self.stripe_fees_pence

    def line(self, name: str) -> int:
        return getattr(self, name)


def year_bounds(year: int) -> tuple[date, date]:
    """The accounting year that ends in `year`: its first and last days."""
    last = accounting_period_end(date(year, 1, 1))
    return last.replace(year=year - 1) + timedelta(days=1), last


def _movements(within) -> dict[int, dict[str, int]]:
    by_fund: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(
            LedgerEntry.fund_id,
            LedgerEntry.kind,
            func.sum(LedgerEntry.amount_pence),
            func.sum(LedgerEntry.fee_cover_pence),
        )
        .where(within)
        .group_by(LedgerEntry.fund_id, LedgerEntry.kind)
    )
    for fund_id, kind, amount, cover in rows:
        figures = by_fund.setdefault(fund_id, {})
        line = {
            EntryKind.PAYMENT: "online_pence",
            EntryKind.OFFLINE: "offline_pence",
            EntryKind.REFUND: "refunds_pence",
            EntryKind.REFUND_FAILED: "refunds_pence",
            EntryKind.DISPUTE: "disputes_pence",
            EntryKind.DISPUTE_WON: "disputes_pence",
        }[EntryKind(kind)]
        taken_away = line in TAKEN
        figures[line] = figures.get(line, 0) + (-int(amount) if taken_away else int(amount))
        figures["fee_cover_pence"] = figures.get("fee_cover_pence", 0) + int(cover or 0)
    return by_fund


def _fees(within) -> dict[int, int]:
    """Stripe's fee on each payment of the year, as its payout reported it."""
    return dict(
        db.session.execute(
            select(LedgerEntry.fund_id, func.sum(ProviderPayment.fee_pence))
            .join(ProviderPayment, ProviderPayment.source_ref == LedgerEntry.source_ref)
            .where(within, LedgerEntry.kind == EntryKind.PAYMENT)
            .group_by(LedgerEntry.fund_id)
        ).all()
    )


def _gift_aid(first: date, last: date) -> dict[int, int]:
    claimed = (
        select(LedgerEntry.fund_id, ClaimItem.id.label("item_id"), ClaimItem.gift_aid_pence)
        .join(ClaimItem, ClaimItem.entry_id == LedgerEntry.id)
        .join(GiftAidClaim, GiftAidClaim.id == ClaimItem.claim_id)
        .where(
            GiftAidClaim.status == ClaimStatus.SUBMITTED,
            ClaimItem.given_on.between(first, last),
        )
        .subquery()
    )
    owed = (
        select(OverClaim.item_id, func.sum(OverClaim.gift_aid_pence).label("owed"))
        .group_by(OverClaim.item_id)
        .subquery()
    )
    return dict(
        db.session.execute(
            select(
                claimed.c.fund_id,
                func.sum(claimed.c.gift_aid_pence - func.coalesce(owed.c.owed, 0)),
            )
            .outerjoin(owed, owed.c.item_id == claimed.c.item_id)
            .group_by(claimed.c.fund_id)
        ).all()
    )


def figures(year: int) -> list[FundYear]:
    """Every fund's accounting year ending in `year`, funds in their usual order."""
    first, last = year_bounds(year)
    within = and_(
        LedgerEntry.occurred_at >= uk_midnight(first),
        LedgerEntry.occurred_at < uk_midnight(last + timedelta(days=1)),
    )
    moved, fees, gift_aid = _movements(within), _fees(within), _gift_aid(first, last)
    return [
        FundYear(
            name=fund.name,
            **moved.get(fund.id, {}),
            stripe_fees_pence=int(fees.get(fund.id) or 0),
            gift_aid_pence=int(gift_aid.get(fund.id) or 0),
        )
        for fund in funds.all_funds()
    ]


def total(found: list[FundYear]) -> FundYear:
    names = [f.name for f in fields(FundYear) if f.name != "name"]
    return FundYear("All restricted funds", **{n: sum(getattr(y, n) for y in found) for n in names})


def _year_asked() -> int:
    text = request.args.get("year", "")
    this_year = accounting_period_end(uk_today()).year
    if text.isdigit() and 2000 <= int(text) <= this_year:
        return int(text)
    return this_year


def label(year: int) -> str:
    first, last = year_bounds(year)
    return f"{first.strftime('%-d %B %Y')} to {last.strftime('%-d %B %Y')}"


@bp.get("/trustees")
@requires(Permission.VIEW_RECORDS)
def trustees():
    year = _year_asked()
    found = figures(year)
    this_year = accounting_period_end(uk_today()).year
    return render_template(
        "finance/trustees.html",
        year=year,
        period=label(year),
        years=range(this_year, this_year - 7, -1),
        found=found,
        total=total(found),
        lines=LINES,
        taken=TAKEN,
    )


@bp.get("/trustees.xlsx")
@requires(Permission.EXPORT)
def trustees_xlsx():
    year = _year_asked()
    found = figures(year)
    out = io.BytesIO()
    write_xlsx(found, label(year), out)
    audit.record(Action.EXPORT, format="trustees", year=year)
    commit()
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="restricted-funds-{year}.xlsx"'},
    )


def write_xlsx(found: list[FundYear], period: str, out) -> None:
    """One sheet: a row per line, a column per fund and the total; amounts as numbers."""
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Restricted funds")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "£#,##0.00;-£#,##0.00"})
    bold_money = workbook.add_format({"num_format": "£#,##0.00;-£#,##0.00", "bold": True})
    sheet.write_string(0, 0, f"Restricted funds, {period}", bold)
    columns = [*found, total(found)]
    sheet.write_string(2, 0, "", bold)
    for column, fund_year in enumerate(columns, start=1):
        sheet.write_string(2, column, fund_year.name, bold)
    for row, (name, words) in enumerate(LINES.items(), start=3):
        sheet.write_string(row, 0, words, bold if name == "net_pence" else None)
        for column, fund_year in enumerate(columns, start=1):
            pence = fund_year.line(name) * (-1 if name in TAKEN else 1)
            sheet.write_number(
                row, column, pounds(pence), bold_money if name == "net_pence" else money
            )
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(columns), 22)
    workbook.close()
