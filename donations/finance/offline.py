"""Offline gifts one at a time through a form, and the reading of one gift (`read_gift`),
which the file import (`offline_file.py`) uses for each of its rows too."""

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask import flash, redirect, render_template, request, url_for

from donations.extensions import length_of
from donations.finance.guard import bp, requires
from donations.funds import services as funds
from donations.gift_aid.address import POSTCODE_TYPED_MAX, home_address_problems
from donations.gifts import offline
from donations.gifts.models import Donation
from donations.money import AmountError, parse_pounds
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.text import line_problem
from donations.transaction import commit
from donations.uk_time import uk_today
from donations.web import Form

COLUMNS = (
    "fund",
    "amount",
    "received_on",
    "method",
    "receipt_reference",
    "title",
    "first_name",
    "last_name",
    "email",
    "gift_aid",
    "declaration_date",
    "house",
    "address",
    "postcode",
    "overseas",
    "marketing_consent",
    "sponsored",
    "fundraiser",
    "declared_by",
)
REQUIRED = (
    "fund",
    "amount",
    "received_on",
    "method",
    "receipt_reference",
    "first_name",
    "last_name",
)
#: a receipt reference is kept inside the gift's source reference: "offline:<reference>"
RECEIPT_REFERENCE_MAX = 40
LENGTHS = {
    "receipt_reference": RECEIPT_REFERENCE_MAX,
    **{
        name: length_of(getattr(Donation, name))
        for name in ("title", "first_name", "last_name", "email", "house", "address")
    },
    "postcode": POSTCODE_TYPED_MAX,
}
LABELS = {
    "fund": "Fund",
    "amount": "Amount",
    "received_on": "Date received",
    "method": "How it came",
    "receipt_reference": "Receipt reference",
    "sponsored": "Sponsorship",
    "title": "Title",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail address",
    "gift_aid": "Gift Aid",
    "declaration_date": "Date of the Gift Aid declaration",
    "house": "House name or number",
    "address": "Rest of the address",
    "postcode": "Postcode",
    "overseas": "Lives outside the UK",
    "marketing_consent": "Marketing consent",
    "fundraiser": "Fundraising page (optional)",
    "declared_by": "How the declaration was made",
}
MAX_PENCE = 100_000_000  # £1,000,000: a larger gift is not typed in by hand
MAX_ROWS = 5000
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0", "")
EXAMPLE = {
    "fund": "actimus",
    "amount": "50.00",
    "received_on": "2026-11-20",
    "method": "cheque",
    "receipt_reference": "CHQ-000123",
    "sponsored": "no",
    "title": "Mrs",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "",
    "gift_aid": "yes",
    "declaration_date": "2026-11-18",
    "house": "12",
    "address": "",
    "postcode": "SW1A 1AA",
    "overseas": "no",
    "marketing_consent": "no",
    "fundraiser": "",
    "declared_by": "paper",
}


def _flag(values: dict, name: str, problems: dict) -> bool:
    text = values.get(name, "").strip().lower()
    if text in YES:
        return True
    if text not in NO:
        problems[name] = f"{LABELS[name]}: write yes or no."
    return False


#: how a UK bank's statement or Excel writes a date: day, month, year
UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def read_date(text: str) -> date:
    """A date as the template writes it (2026-11-20) or as UK banks and Excel do
    (20/11/2026); ValueError for anything else."""
    found = UK_DATE.fullmatch(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def _day(values: dict, name: str, problems: dict, today: date) -> date | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        day = read_date(text)
    except ValueError:
        problems[name] = (
            f"{LABELS[name]}: write the date as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-20."
        )
        return None
    if day > today:
        problems[name] = f"{LABELS[name]} cannot be in the future."
    elif day.year < 2000:
        problems[name] = f"{LABELS[name]} is too long ago."
    return day


def _text(values: dict, problems: dict) -> dict[str, str | None]:
    out = {}
    for name, limit in LENGTHS.items():
        text = (values.get(name) or "").strip()
        if name in REQUIRED and not text:
            problems[name] = f"Enter the {LABELS[name].lower()}."
        elif len(text) > limit:
            problems[name] = f"{LABELS[name]} must be {limit} characters or fewer."
        elif (problem := line_problem(text, LABELS[name])) is not None:
            problems[name] = problem
        out[name] = text or None
    return out


def _email(text: str | None, problems: dict) -> str | None:
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems["email"] = "Enter an e-mail address like name@example.org, or leave it empty."
        return None


def _amount(text: str, problems: dict) -> int:
    if not text.strip():
        problems["amount"] = "Enter the amount."
        return 0
    try:
        pence = parse_pounds(text)
    except AmountError as error:
        problems["amount"] = str(error)
        return 0
    if not 0 < pence <= MAX_PENCE:
        problems["amount"] = "Enter an amount from £0.01 to £1,000,000."
    return pence


def _gift_aid(values: dict, text: dict, problems: dict, today: date):
    """(gift aid?, overseas?, postcode, declaration date) with HMRC's address rules."""
    gift_aid = _flag(values, "gift_aid", problems)
    overseas = _flag(values, "overseas", problems)
    declared_on = _day(values, "declaration_date", problems, today)
    postcode = text["postcode"]
    if not gift_aid:
        return False, False, None, None
    if declared_on is None and "declaration_date" not in problems:
        problems["declaration_date"] = "Enter the date on the Gift Aid declaration."
    found, postcode = home_address_problems(text["house"], text["address"], postcode, overseas)
    problems.update(found)
    return True, overseas, postcode, declared_on


def _fundraiser(values: dict, fund, problems: dict):
    """The supporter's page money was paid in for (a bake sale's cash), if one is named."""
    slug = (values.get("fundraiser") or "").strip()
    if not slug:
        return None
    page = funds.fundraiser_by_slug(slug)
    if page is None:
        problems["fundraiser"] = "There is no fundraising page at that web address."
    elif fund is not None and page.fund_id != fund.id:
        problems["fundraiser"] = (
            f"That page raises money for the {page.fund.name}: choose that fund."
        )
    return page


def _fund(text: str):
    """A fund by its slug, or by its name as a spreadsheet may hold it."""
    text = text.strip()
    found = funds.by_slug(text)
    if found is None and text:
        named = [fund for fund in funds.all_funds() if fund.name.lower() == text.lower()]
        found = named[0] if len(named) == 1 else None
    return found


def _method(text: str) -> str:
    """How a gift came, as the template writes it (bank_transfer) or in words (Bank
    transfer, CASH)."""
    squeezed = text.strip().lower()
    for method, words in offline.METHOD_WORDS.items():
        if squeezed in (method, words.lower(), method.replace("_", " ")):
            return method
    return squeezed


def read_gift(values: dict, today: date) -> tuple[offline.OfflineGift | None, dict[str, str]]:
    """An offline gift from one row of the form or the file; or the problem with each field."""
    problems: dict[str, str] = {}
    text = _text(values, problems)
    fund = _fund(values.get("fund") or "")
    if fund is None:
        problems["fund"] = "Choose a fund: " + ", ".join(f.slug for f in funds.all_funds()) + "."
    amount = _amount(values.get("amount") or "", problems)
    received_on = _day(values, "received_on", problems, today)
    if received_on is None and "received_on" not in problems:
        problems["received_on"] = "Enter the date the gift was received."
    method = _method(values.get("method") or "")
    if method not in offline.METHODS:
        problems["method"] = "Choose how it came: " + ", ".join(offline.METHODS) + "."
    email = _email(text["email"], problems)
    gift_aid, overseas, postcode, declared_on = _gift_aid(values, text, problems, today)
    consent = _flag(values, "marketing_consent", problems)
    sponsored = _flag(values, "sponsored", problems)
    fundraiser = _fundraiser(values, fund, problems)
    declared_by = (values.get("declared_by") or "").strip().lower() or "paper"
    if declared_by not in offline.DECLARED_BY:
        problems["declared_by"] = (
            "Choose how the declaration was made: " + ", ".join(offline.DECLARED_BY) + "."
        )
    if problems:
        return None, problems
    return (
        offline.OfflineGift(
            fund=fund,
            amount_pence=amount,
            received_on=received_on,
            method=method,
            receipt_reference=text["receipt_reference"],
            title=text["title"],
            first_name=text["first_name"],
            last_name=text["last_name"],
            email=email,
            gift_aid=gift_aid,
            house=text["house"],
            address=text["address"],
            postcode=postcode,
            overseas=overseas,
            declared_on=declared_on,
            marketing_consent=consent,
            sponsored=sponsored or fundraiser is not None,
            fundraiser=fundraiser,
            declared_by=declared_by,
        ),
        {},
    )


def clash(gift: offline.OfflineGift) -> str | None:
    """Why a gift whose receipt reference is already recorded cannot be this one, if not."""
    found = offline.already_recorded(gift.receipt_reference)
    if found is None:
        return None
    if (found.fund_id, found.amount_pence) == (gift.fund.id, gift.amount_pence):
        return None  # the same gift again: it is simply not recorded twice
    return (
        f"Receipt reference {gift.receipt_reference} is already recorded for another gift "
        f"({found.reference})."
    )


# --- one at a time -------------------------------------------------------------------------


class OfflineForm(Form):
    """Only the CSRF token: the fields are read by read_gift, as the import's rows are."""


def _form_page(values: dict, problems: dict, status: int = 200):
    return (
        render_template(
            "finance/offline.html",
            form=OfflineForm(formdata=None),
            values=values,
            problems=problems,
            labels=LABELS,
            funds=funds.all_funds(),
            methods=offline.METHOD_WORDS,
            declared_by=offline.DECLARED_BY,
        ),
        status,
    )


@bp.get("/offline")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_gifts():
    return _form_page({"received_on": uk_today().isoformat()}, {})


@bp.post("/offline")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_record():
    form = OfflineForm()
    values = {name: request.form.get(name, "") for name in COLUMNS}
    if not form.validate():
        return _form_page(values, {"form": "The form had expired; please send it again."}, 400)
    gift, problems = read_gift(values, uk_today())
    if gift is not None and (found := clash(gift)):
        problems = {"receipt_reference": found}
    if problems:
        return _form_page(values, problems, 400)
    donation, new = offline.record(gift)
    if new:
        audit.record(
            Action.OFFLINE_GIFT,
            subject=donation.reference,
            amount_pence=gift.amount_pence,
            method=gift.method,
            receipt_reference=gift.receipt_reference,
        )
    commit()
    flash(
        f"Recorded {donation.reference}."
        if new
        else f"That gift was already recorded as {donation.reference}; nothing was added."
    )
    return redirect(url_for("finance.donation", reference=donation.reference), 303)
