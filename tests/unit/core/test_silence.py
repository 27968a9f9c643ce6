"""Quiet hours and pauses (local times)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tray_app.core.silence import QuietHours, Silence, pause_for, pause_until_tomorrow

PARIS = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0, day: int = 30) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(time(12, 59), False), (time(13, 0), True), (time(13, 59), True), (time(14, 0), False)],
)
def test_quiet_hours_within_a_day(moment: time, quiet: bool) -> None:
    assert QuietHours(time(13, 0), time(14, 0)).contains(moment) is quiet


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_wrapping_midnight(moment: time, quiet: bool) -> None:
    assert QuietHours(time(22, 0), time(7, 0)).contains(moment) is quiet


def test_equal_start_and_end_is_never_quiet() -> None:
    hours = QuietHours(time(8, 0), time(8, 0))
    assert not any(hours.contains(time(h, m)) for h in range(24) for m in (0, 30))


def test_silence_combines_pause_and_quiet_hours() -> None:
    assert not Silence().is_silent(at(12))
    paused = Silence(paused_until=at(13))
    assert paused.is_silent(at(12, 59))
    assert not paused.is_silent(at(13))
    night = Silence(quiet_hours=QuietHours(time(22, 0), time(7, 0)))
    assert night.is_silent(at(23)) and not night.is_silent(at(12))


def test_pause_for_one_hour() -> None:
    assert pause_for(at(10)) == at(11)
    assert pause_for(at(10), timedelta(minutes=30)) == at(10, 30)


def test_until_tomorrow_in_the_evening_means_next_morning() -> None:
    assert pause_until_tomorrow(at(18), time(8, 0)) == at(8, day=31)


def test_until_tomorrow_in_the_small_hours_means_this_morning() -> None:
    assert pause_until_tomorrow(at(1, 30), time(8, 0)) == at(8)


def test_until_tomorrow_after_the_morning_hour_means_next_day() -> None:
    assert pause_until_tomorrow(at(9), time(8, 0)) == at(8, day=31)


def test_until_tomorrow_across_a_dst_change_is_wall_clock_time() -> None:
    # Europe/Paris moved to summer time on 2026-03-29 at 02:00.
    end = pause_until_tomorrow(datetime(2026, 3, 28, 20, 0, tzinfo=PARIS), time(8, 0))
    assert (end.hour, end.day) == (8, 29)
    assert end.utcoffset() == timedelta(hours=2)
