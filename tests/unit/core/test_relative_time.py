"""relative_time(): which phrase applies, in a fixed time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tray_app.core.relative_time import RelativeTime, Span, english, relative_time

PARIS_WINTER = timezone(timedelta(hours=1))
NOW = datetime(2025, 3, 12, 15, 30, tzinfo=UTC)  # 16:30 in Paris


@pytest.mark.parametrize(
    ("ago", "span", "count"),
    [
        (timedelta(seconds=0), Span.JUST_NOW, 0),
        (timedelta(seconds=44), Span.JUST_NOW, 0),
        (timedelta(seconds=-300), Span.JUST_NOW, 0),  # clock skew: in the future
        (timedelta(seconds=45), Span.MINUTES, 1),
        (timedelta(minutes=2, seconds=59), Span.MINUTES, 2),
        (timedelta(minutes=59), Span.MINUTES, 59),
        (timedelta(hours=1), Span.HOURS, 1),
        (timedelta(hours=11, minutes=59), Span.HOURS, 11),
        (timedelta(hours=16), Span.HOURS, 16),  # 00:30 the same day in Paris
        (timedelta(hours=17), Span.YESTERDAY, 1),  # 23:30 the day before
        (timedelta(days=1, hours=16), Span.YESTERDAY, 1),
        (timedelta(days=2), Span.DAYS, 2),
        (timedelta(days=6), Span.DAYS, 6),
        (timedelta(days=7), Span.DATE, 0),
        (timedelta(days=80), Span.DATE_WITH_YEAR, 0),
    ],
)
def test_span_and_count(ago: timedelta, span: Span, count: int) -> None:
    result = relative_time(NOW - ago, NOW, PARIS_WINTER)
    assert (result.span, result.count) == (span, count)


def test_hours_across_midnight_before_yesterday() -> None:
    now = datetime(2025, 3, 12, 1, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(hours=3), now, UTC).span is Span.HOURS


def test_calendar_day_follows_the_time_zone() -> None:
    when = datetime(2025, 3, 11, 23, 30, tzinfo=UTC)  # the 12th in Tokyo
    now = when + timedelta(hours=13)
    tokyo = timezone(timedelta(hours=9))
    assert relative_time(when, now, tokyo).local_date == date(2025, 3, 12)
    assert relative_time(when, now, tokyo).span is Span.HOURS
    assert relative_time(when, now, UTC).span is Span.YESTERDAY


def test_naive_datetimes_are_utc() -> None:
    naive = NOW.replace(tzinfo=None) - timedelta(minutes=5)
    assert relative_time(naive, NOW, UTC) == RelativeTime(Span.MINUTES, 5, date(2025, 3, 12))


def test_default_time_zone_is_the_local_one() -> None:
    assert relative_time(NOW - timedelta(minutes=3), NOW).span is Span.MINUTES


def test_english_wording() -> None:
    assert english(RelativeTime(Span.MINUTES, 2, date(2025, 3, 12))) == "2 min ago"
    assert english(RelativeTime(Span.YESTERDAY, 1, date(2025, 3, 11))) == "yesterday"
    assert english(RelativeTime(Span.DAYS, 3, date(2025, 3, 9))) == "3 days ago"
    assert english(RelativeTime(Span.DATE_WITH_YEAR, 0, date(2024, 1, 5))) == "05 Jan 2024"
