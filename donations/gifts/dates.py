"""The calendar of gifts: the UK tax year a day falls in, and when a recurring gift is next
taken."""

import calendar
from datetime import date, datetime

from donations.uk_time import uk_date


def tax_year_of(day: date) -> int:
    """The year whose 6 April begins the UK tax year holding this day."""
    return day.year if day >= date(day.year, 4, 6) else day.year - 1


def tax_year_bounds(year: int) -> tuple[date, date]:
    """The UK tax year that starts on 6 April of `year`: its first and last days."""
    return date(year, 4, 6), date(year + 1, 4, 5)


def next_payment(paid_at: datetime, interval: str | None = "month") -> date | None:
    """When a recurring gift is next taken: the same day of the next month (or year), or that
    month's last day when it is shorter, as Stripe bills a subscription (29 February a year
    on is 28 February). None for a gift that does not recur."""
    if interval is None:
        return None
    day = uk_date(paid_at)
    if interval == "year":
        year, month = day.year + 1, day.month
    else:
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
