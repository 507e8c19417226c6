"""Filling the donation form from a link's query string, or from a cancelled donation."""

from donations.gifts.details import TYPED, GiftDetails
from donations.giving.forms import DonationForm, choice_values
from donations.giving.tiles import default_amount
from donations.money import AmountError, parse_pounds


def from_query(form: DonationForm, args, fund) -> None:
    """Only fund, amount, other_amount and frequency come from a link; never consent or Gift Aid."""
    slugs = choice_values(form.fund)
    wanted_fund = args.get("fund")
    if wanted_fund in slugs:
        form.fund.data = wanted_fund
    elif fund is not None:
        form.fund.data = fund.slug
    presets = choice_values(form.amount)
    amount = (args.get("amount") or "")[:20]
    if amount in presets:
        form.amount.data = amount
        if amount == "other":
            form.other_amount.data = (args.get("other_amount") or "")[:20]
    elif amount:
        form.amount.data = "other"
        form.other_amount.data = _tidy(amount)
    if args.get("frequency") in choice_values(form.frequency):
        form.frequency.data = args["frequency"]
    if not form.amount.data:
        form.amount.data = default_amount(form.frequency.data)


def _tidy(amount: str) -> str:
    """A non-preset amount from a link: keep it if it parses, so the box shows sense."""
    try:
        parse_pounds(amount)
    except AmountError:
        return ""
    return amount


def from_details(form: DonationForm, fund_slug: str, details: GiftDetails) -> None:
    """Put back what the donor asked for (after a cancelled checkout)."""
    form.fund.data = fund_slug
    pounds, pence = divmod(details.amount_pence, 100)
    if pence == 0 and str(pounds) in choice_values(form.amount):
        form.amount.data = str(pounds)
    else:
        form.amount.data = "other"
        form.other_amount.data = f"{pounds}.{pence:02d}" if pence else str(pounds)
    for name in TYPED:
        getattr(form, name).data = getattr(details, name)
    form.cover_fees.data = details.fee_cover_pence > 0
