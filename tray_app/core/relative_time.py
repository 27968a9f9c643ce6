"""How long ago something happened, as a value the UI turns into translated words.

Kept free of Qt (and therefore of translation): :func:`relative_time` decides *which*
phrase applies ("2 min ago", "yesterday", a date...) and the widgets word it through
Qt's translator, with plural forms. :func:`english` words it in English for logs and
tests.

Rules, from the newest to the oldest:

* under 45 seconds ago, or in the future (clock skew between server and desktop):
  just now;
* under an hour: minutes (at least 1);
* under 12 hours: hours, even across midnight ("3 h ago" says more than "yesterday");
* the previous calendar day (in the given time zone): yesterday;
* up to 6 calendar days back: days;
* then a date, with the year only when it differs from the current one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

_JUST_NOW = timedelta(seconds=45)
_HOURS_LIMIT = timedelta(hours=12)
_DAYS_LIMIT = 6


class Span(enum.Enum):
    """Which phrase describes the distance in time."""

    JUST_NOW = "just_now"
    MINUTES = "minutes"
    HOURS = "hours"
    YESTERDAY = "yesterday"
    DAYS = "days"
    DATE = "date"
    DATE_WITH_YEAR = "date_with_year"


@dataclass(frozen=True, slots=True)
class RelativeTime:
    """The phrase to use: ``span``, its ``count`` (minutes, hours or days; else 0), and
    the moment as a date in the viewer's time zone (for the date phrases)."""

    span: Span
    count: int
    local_date: date


def relative_time(when: datetime, now: datetime, tz: tzinfo | None = None) -> RelativeTime:
    """Describe ``when`` as seen at ``now``; calendar days are counted in ``tz``.

    ``tz`` None means the system's local time zone. Naive datetimes are taken as UTC.
    """
    when, now = _aware(when), _aware(now)
    local_when, local_now = when.astimezone(tz), now.astimezone(tz)
    elapsed = now - when
    day = local_when.date()
    if elapsed < _JUST_NOW:
        return RelativeTime(Span.JUST_NOW, 0, day)
    if elapsed < timedelta(hours=1):
        return RelativeTime(Span.MINUTES, max(1, elapsed // timedelta(minutes=1)), day)
    if elapsed < _HOURS_LIMIT:
        return RelativeTime(Span.HOURS, elapsed // timedelta(hours=1), day)
    days = (local_now.date() - day).days
    if days <= 0:
        # Twelve hours or more on the same calendar day: still hours.
        return RelativeTime(Span.HOURS, elapsed // timedelta(hours=1), day)
    if days == 1:
        return RelativeTime(Span.YESTERDAY, 1, day)
    if days <= _DAYS_LIMIT:
        return RelativeTime(Span.DAYS, days, day)
    if day.year == local_now.year:
        return RelativeTime(Span.DATE, 0, day)
    return RelativeTime(Span.DATE_WITH_YEAR, 0, day)


def english(value: RelativeTime) -> str:
    """The phrase in English, untranslated (for logs and tests)."""
    match value.span:
        case Span.JUST_NOW:
            return "just now"
        case Span.MINUTES:
            return f"{value.count} min ago"
        case Span.HOURS:
            return f"{value.count} h ago"
        case Span.YESTERDAY:
            return "yesterday"
        case Span.DAYS:
            return f"{value.count} days ago"
        case Span.DATE:
            return value.local_date.strftime("%d %b")
        case Span.DATE_WITH_YEAR:
            return value.local_date.strftime("%d %b %Y")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
