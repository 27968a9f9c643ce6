"""When toasts are silenced: a pause chosen from the tray menu, and quiet hours.

Both take LOCAL times: pass ``now`` as an aware datetime in the user's time zone
(``datetime.now().astimezone()``). What happens to a notification that arrives while
silenced is decided by the toast policy: it is recorded as handled and never pops up
later; the badge and the list still show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

#: Before this local hour, "until tomorrow" still means the coming morning (a person
#: pausing at 1 a.m. means "until I get up", not "until the day after").
_NIGHT_ENDS: Final = time(4, 0)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily quiet period from ``start`` (included) to ``end`` (excluded).

    ``start > end`` wraps midnight (22:00-07:00); ``start == end`` is an empty period.
    """

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        moment = moment.replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True, slots=True)
class Silence:
    """Everything that silences toasts at a given moment."""

    paused_until: datetime | None = None
    quiet_hours: QuietHours | None = None

    def is_silent(self, now: datetime) -> bool:
        """Whether a toast would be silenced at local ``now``."""
        if self.paused_until is not None and now < self.paused_until:
            return True
        return self.quiet_hours is not None and self.quiet_hours.contains(now.time())


def pause_for(now: datetime, duration: timedelta = timedelta(hours=1)) -> datetime:
    """The end of a pause of ``duration`` started at ``now`` (the "1 hour" choice)."""
    return now + duration


def pause_until_tomorrow(now: datetime, at: time = time(8, 0)) -> datetime:
    """The end of an "until tomorrow" pause: ``at`` on the coming morning.

    That is the next day, except in the small hours, when the coming morning is today.
    The result keeps ``now``'s tzinfo; with a ``zoneinfo`` zone it is right across DST.
    """
    today_at = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    if now.time() < _NIGHT_ENDS and today_at > now:
        return today_at
    return datetime.combine(now.date() + timedelta(days=1), at, tzinfo=now.tzinfo)
