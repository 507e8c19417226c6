"""UK time: the days, midnights and today a UK donor and the charity's staff read, whatever
zone the server keeps (plumbing: it knows nothing of gifts)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def uk_midnight(day: date) -> datetime:
    """The moment a UK day begins."""
    return datetime.combine(day, time.min, tzinfo=UK).astimezone(UTC)


def uk_noon(day: date) -> datetime:
    """A day as a moment: midday UK time, so the day is the same in any zone it is read in
    (a day written on a cheque or a paper form)."""
    return datetime.combine(day, time(12), tzinfo=UK).astimezone(UTC)


def uk_today() -> date:
    return datetime.now(UK).date()
