"""Translated wording of notification times: relative ("2 min ago") and exact.

The choice of phrase is the pure :func:`tray_app.core.relative_time.relative_time`; this
module only words it through Qt's translator (with plural forms) and the user's locale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale

from tray_app.core.relative_time import RelativeTime, Span, relative_time

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC (the default clock)."""
    return datetime.now(UTC)


def relative_time_text(when: datetime, now: datetime | None = None) -> str:
    """``when`` as a short translated phrase seen from ``now`` (default: the current time)."""
    return word(relative_time(when, now if now is not None else utc_now()))


def word(value: RelativeTime) -> str:
    """The translated phrase for an already computed :class:`RelativeTime`."""
    # Literal contexts on purpose: lupdate only extracts literal arguments.
    translate = QCoreApplication.translate
    match value.span:
        case Span.JUST_NOW:
            return translate("RelativeTime", "just now")
        case Span.MINUTES:
            return translate("RelativeTime", "%n min ago", None, value.count)
        case Span.HOURS:
            return translate("RelativeTime", "%n h ago", None, value.count)
        case Span.YESTERDAY:
            return translate("RelativeTime", "yesterday")
        case Span.DAYS:
            return translate("RelativeTime", "%n days ago", None, value.count)
        case Span.DATE:
            # A Qt date pattern, translatable so each language orders day and month.
            return _format_date(value, translate("RelativeTime", "d MMM"))
        case Span.DATE_WITH_YEAR:
            return _format_date(value, translate("RelativeTime", "d MMM yyyy"))


def exact_time_text(when: datetime) -> str:
    """``when`` in the user's time zone and locale, as a full date and a time to the minute."""
    moment = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    local = QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))
    locale = QLocale()
    pattern = (
        locale.dateFormat(QLocale.FormatType.LongFormat)
        + " "
        + locale.timeFormat(QLocale.FormatType.ShortFormat)
    )
    return locale.toString(local, pattern)


def _format_date(value: RelativeTime, pattern: str) -> str:
    day = value.local_date
    return QLocale().toString(QDate(day.year, day.month, day.day), pattern)
