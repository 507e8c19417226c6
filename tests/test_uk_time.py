"""The UK's day, whatever zone the server keeps: on a summer night after 11 pm UTC the UK is
already in tomorrow."""

from datetime import UTC, date, datetime

from donations import uk_time

SUMMER_NIGHT = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)


class _SummerNight(datetime):
    @classmethod
    def now(cls, tz=None):
        return SUMMER_NIGHT.astimezone(tz) if tz else SUMMER_NIGHT.replace(tzinfo=None)


def test_a_moment_reads_as_the_uk_day():
    assert uk_time.uk_date(SUMMER_NIGHT) == date(2026, 7, 1)
    assert uk_time.uk_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)


def test_today_is_the_uk_day(monkeypatch):
    monkeypatch.setattr(uk_time, "datetime", _SummerNight)
    assert uk_time.uk_today() == date(2026, 7, 1)
