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


def uk_today() -> date:
    return datetime.now(UK).date()
