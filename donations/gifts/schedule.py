"""When a monthly gift is next taken, and dates as a UK donor reads them."""

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def uk_midnight(day: date) -> datetime:
    """The moment a UK day begins."""
    return datetime.combine(day, time.min, tzinfo=UK).astimezone(UTC)


def next_monthly_payment(paid_at: datetime) -> date:
    """A month after the first payment: the same day of the next month, or its last day when
    the month is shorter (Stripe bills a monthly subscription that way)."""
    day = uk_date(paid_at)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
