"""Money at the edges: parsing what people type, formatting pence for people."""

import re
from decimal import Decimal

from babel.numbers import format_currency

MIN_GIFT_PENCE = 100
MAX_GIFT_PENCE = 2_500_000

# ASCII digits only; optional £; thousands commas only in the right places; 0-2 decimals.
_AMOUNT = re.compile(r"£?(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{1,2}))?")


class AmountError(ValueError):
    """The text is not an amount of money we accept; the message says why."""


def parse_pounds(text: str) -> int:
    """Turn what a donor typed ('25', '£1,000.50') into whole pence."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise AmountError("Enter an amount in pounds, for example 15 or 15.50.")
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        raise AmountError("Enter the amount in pounds using numbers only, for example 15 or 15.50.")
    pounds = Decimal(match["pounds"].replace(",", ""))
    pence = Decimal(match["pence"] or "0").scaleb(-len(match["pence"] or "0"))
    return int((pounds + pence) * 100)


def parse_gift(text: str) -> int:
    """Parse a gift amount and hold it to the £1-£25,000 limits."""
    pence = parse_pounds(text)
    if pence < MIN_GIFT_PENCE:
        raise AmountError("The smallest gift we can take online is £1.00.")
    if pence > MAX_GIFT_PENCE:
        raise AmountError(
            "The largest gift we can take online is £25,000.00. "
            "For a larger gift, please contact us and we will help."
        )
    return pence


def pounds(pence: int) -> Decimal:
    """Pence as an exact Decimal number of pounds (for CSV and arithmetic at the edges)."""
    return Decimal(pence).scaleb(-2)


def format_gbp(pence: int, *, drop_zero_pence: bool = False) -> str:
    """'£1,234.50'; with drop_zero_pence, whole pounds show as '£25'."""
    if drop_zero_pence and pence % 100 == 0:
        return format_currency(
            pence // 100, "GBP", format="¤#,##0", locale="en_GB", currency_digits=False
        )
    return format_currency(pounds(pence), "GBP", locale="en_GB")


def fee_cover(gift_pence: int, rate_basis_points: int, fixed_pence: int) -> int:
    """What a donor adds so the charity nets the whole gift after the card fee.

    cover = ceil((gift + fixed) / (1 - rate)) - gift, in integers.
    """
    numerator = (gift_pence + fixed_pence) * 10_000
    denominator = 10_000 - rate_basis_points
    return -(-numerator // denominator) - gift_pence
