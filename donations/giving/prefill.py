"""Filling the donation form from a link's query string, or from a cancelled donation."""

from donations.giving.forms import choice_values
from donations.money import AmountError, parse_pounds

PREFILL_KEYS = ("fund", "amount", "other_amount", "frequency")


def from_query(form, args, fund) -> None:
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


def _tidy(amount: str) -> str:
    """A non-preset amount from a link: keep it if it parses, so the box shows sense."""
    try:
        parse_pounds(amount)
    except AmountError:
        return ""
    return amount


def from_donation(form, donation) -> None:
    form.fund.data = donation.fund.slug
    pounds, pence = divmod(donation.amount_pence, 100)
    presets = choice_values(form.amount)
    if pence == 0 and str(pounds) in presets:
        form.amount.data = str(pounds)
    else:
        form.amount.data = "other"
        form.other_amount.data = f"{pounds}.{pence:02d}" if pence else str(pounds)
    form.frequency.data = donation.frequency
    donor = donation.donor
    form.title.data = donor.title
    form.first_name.data = donor.first_name
    form.last_name.data = donor.last_name
    form.email.data = donor.email
    declaration = donation.declaration
    if declaration is not None:
        form.gift_aid.data = True
        form.house.data = declaration.house
        form.address.data = declaration.address
        form.postcode.data = declaration.postcode
        form.overseas.data = declaration.overseas
    form.anonymous.data = donation.anonymous
    form.display_name.data = donation.display_name
    form.message.data = donation.message
    form.cover_fees.data = donation.fee_cover_pence > 0
    form.marketing_consent.data = donation.marketing_consent
