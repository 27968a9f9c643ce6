"""When to ask the server next: poll intervals, backoff, the request budget, wake detection.

The server allows 100 requests per minute per client IP (6000 per hour), and behind the
usual reverse proxy every user of a server shares that one budget. The tray client
therefore polls far below it. Two pollers share the cost: the notification poller (one
request per interval) and the job watcher, which polls ``/api/jobs`` at
:data:`JOB_POLL_FACTOR` times the same interval (the server's own web front end toasts
jobs from that list, and the in-app and toast channels are independent):

===============  ===============  ==============  ===========  =============
Update speed     idle             active          idle req/h   active req/h
===============  ===============  ==============  ===========  =============
Battery saver    40 s (jobs 80)   10 s (jobs 20)  135          540
Balanced         15 s (jobs 30)   3 s (jobs 6)    360          1800
Fast             7.5 s (jobs 15)  2.5 s (jobs 5)  720          2160
===============  ===============  ==============  ===========  =============

Balanced idle is one request every 10 s on average, both pollers together. "Active" is
while the list window is open or a job is running; "idle" otherwise. Every speed stays
within :data:`DEFAULT_BUDGET_PER_MIN` (2400 per hour), the background budget that
:class:`RequestBudget` enforces. One notification poll is one request (a ``limit=1``
probe, see :mod:`tray_app.core.sync_logic`); a change costs one more request for the
first page, and so does the forced full fetch every five minutes (12 per hour). While a
notification stream is healthy the poll is only a safety net: every
:data:`STREAM_SAFETY_POLL_S` seconds whatever the speed (the job watcher keeps polling).
Regular intervals get ±10 % jitter so that clients behind one proxy, woken together,
drift apart instead of polling in lockstep; the average stays the nominal interval.

On network or server errors the delay follows exponential backoff with "full jitter"
(uniform in ``[0, min(cap, base * 2**(failures-1))]``), reset by the next success. A
``retry-after`` from the server is a floor: the delay is never shorter, and a small
random spread is added ABOVE it so that every client that got the same 429 does not come
back in the same second.

All times are seconds of a monotonic clock supplied by the caller; randomness comes from
an injected ``random.Random``.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

_log = logging.getLogger(__name__)


class UpdateSpeed(StrEnum):
    """The user's "Update speed" setting."""

    BATTERY_SAVER = "battery_saver"
    BALANCED = "balanced"
    FAST = "fast"


class PollMode(StrEnum):
    """IDLE by default; ACTIVE while the list window is open or a job is running."""

    IDLE = "idle"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class SpeedProfile:
    """Nominal seconds between two polls in each mode."""

    idle_s: float
    active_s: float

    def interval(self, mode: PollMode) -> float:
        return self.active_s if mode is PollMode.ACTIVE else self.idle_s


SPEED_PROFILES: Final[Mapping[UpdateSpeed, SpeedProfile]] = MappingProxyType(
    {
        UpdateSpeed.BATTERY_SAVER: SpeedProfile(idle_s=40.0, active_s=10.0),
        UpdateSpeed.BALANCED: SpeedProfile(idle_s=15.0, active_s=3.0),
        UpdateSpeed.FAST: SpeedProfile(idle_s=7.5, active_s=2.5),
    }
)

#: The job watcher polls ``/api/jobs`` this many times slower than the notifications.
JOB_POLL_FACTOR: Final = 2.0
#: The server's documented limit per client IP, shared by all users behind one proxy.
SERVER_LIMIT_PER_HOUR: Final = 6000
#: Poll interval while a notification stream is healthy (a safety net only).
STREAM_SAFETY_POLL_S: Final = 120.0
#: Relative jitter applied to regular intervals (±10 %).
POLL_JITTER: Final = 0.1
BACKOFF_BASE_S: Final = 2.0
BACKOFF_CAP_S: Final = 300.0
#: Spread added above a ``retry-after``: this fraction of it, plus one second.
RETRY_AFTER_SPREAD: Final = 0.25
#: A larger ``retry-after`` is taken as a server bug and clamped to this (one hour).
MAX_RETRY_AFTER_S: Final = 3600.0
#: Background requests per minute granted by :class:`RequestBudget` (40 % of the limit).
DEFAULT_BUDGET_PER_MIN: Final = 40.0
DEFAULT_BUDGET_BURST: Final = 10.0


def poll_interval(
    speed: UpdateSpeed,
    mode: PollMode,
    *,
    stream_healthy: bool = False,
    profiles: Mapping[UpdateSpeed, SpeedProfile] = SPEED_PROFILES,
    stream_safety_s: float = STREAM_SAFETY_POLL_S,
) -> float:
    """Nominal seconds between two notification polls, before jitter."""
    if stream_healthy:
        return stream_safety_s
    return profiles[speed].interval(mode)


def job_poll_interval(
    speed: UpdateSpeed,
    mode: PollMode,
    *,
    profiles: Mapping[UpdateSpeed, SpeedProfile] = SPEED_PROFILES,
) -> float:
    """Nominal seconds between two polls of ``/api/jobs`` by the job watcher."""
    return JOB_POLL_FACTOR * profiles[speed].interval(mode)


def requests_per_hour(
    speed: UpdateSpeed,
    mode: PollMode,
    *,
    stream_healthy: bool = False,
    include_jobs: bool = True,
) -> int:
    """Background requests per hour in this configuration, for the "Update speed" setting.

    The notification polls plus, with ``include_jobs``, the job watcher's polls.
    Compare with :data:`SERVER_LIMIT_PER_HOUR`; a detected change costs one more request.
    """
    per_hour = 3600.0 / poll_interval(speed, mode, stream_healthy=stream_healthy)
    if include_jobs:
        per_hour += 3600.0 / job_poll_interval(speed, mode)
    return round(per_hour)


def backoff_delay(
    failures: int,
    rng: random.Random,
    *,
    retry_after: float | None = None,
    base_s: float = BACKOFF_BASE_S,
    cap_s: float = BACKOFF_CAP_S,
) -> float:
    """Seconds to wait after ``failures`` consecutive failures (full jitter).

    The result lies in ``[0, cap_s]`` and, when ``retry_after`` is given, in
    ``[retry_after, max(cap_s, retry_after)]`` (``retry_after`` clamped to one hour).
    """
    delay = 0.0
    if failures > 0:
        # 2**exponent overflows a float for absurd failure counts: cap the exponent.
        exponent = min(failures - 1, 62)
        delay = rng.uniform(0.0, min(cap_s, base_s * math.ldexp(1.0, exponent)))
    if retry_after is not None and retry_after > 0:
        floor = min(retry_after, MAX_RETRY_AFTER_S)
        spread = min(RETRY_AFTER_SPREAD * floor + 1.0, max(0.0, cap_s - floor))
        delay = max(delay, floor + rng.uniform(0.0, spread))
    return delay


def next_delay(
    *,
    speed: UpdateSpeed,
    mode: PollMode,
    rng: random.Random,
    stream_healthy: bool = False,
    failures: int = 0,
    retry_after: float | None = None,
    profiles: Mapping[UpdateSpeed, SpeedProfile] = SPEED_PROFILES,
    stream_safety_s: float = STREAM_SAFETY_POLL_S,
    base_s: float = BACKOFF_BASE_S,
    cap_s: float = BACKOFF_CAP_S,
) -> float:
    """Seconds until the next check: backoff after failures, else the jittered interval."""
    if failures > 0 or (retry_after is not None and retry_after > 0):
        return backoff_delay(failures, rng, retry_after=retry_after, base_s=base_s, cap_s=cap_s)
    interval = poll_interval(
        speed,
        mode,
        stream_healthy=stream_healthy,
        profiles=profiles,
        stream_safety_s=stream_safety_s,
    )
    return interval * rng.uniform(1.0 - POLL_JITTER, 1.0 + POLL_JITTER)


class PollScheduler:
    """The schedule state of one poller; a Qt service arms a timer with :meth:`next_delay`.

    ``speed``, ``mode`` and ``stream_healthy`` are plain attributes the service updates.
    Report each check's outcome with :meth:`record_success` / :meth:`record_failure`;
    call :meth:`resync` on wake or when the network comes back: it forgets the backoff
    and asks for an immediate check, which still honours a pending ``retry-after``.
    ``profiles``, ``stream_safety_s`` and the backoff bounds default to the module's
    constants; tests pass shorter ones.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        speed: UpdateSpeed = UpdateSpeed.BALANCED,
        mode: PollMode = PollMode.IDLE,
        profiles: Mapping[UpdateSpeed, SpeedProfile] = SPEED_PROFILES,
        stream_safety_s: float = STREAM_SAFETY_POLL_S,
        backoff_base_s: float = BACKOFF_BASE_S,
        backoff_cap_s: float = BACKOFF_CAP_S,
    ) -> None:
        self.profiles = profiles
        self.stream_safety_s = stream_safety_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.speed = speed
        self.mode = mode
        self.stream_healthy = False
        self._rng = rng
        self._failures = 0
        self._not_before: float | None = None
        self._immediate = False

    @property
    def failures(self) -> int:
        """Consecutive failed checks since the last success or resync."""
        return self._failures

    def record_success(self) -> None:
        self._failures = 0
        self._not_before = None
        self._immediate = False

    def record_failure(self, now: float, *, retry_after: float | None = None) -> None:
        """Count a failed check at monotonic time ``now``; remember a ``retry-after``."""
        self._failures += 1
        self._immediate = False
        if retry_after is not None and retry_after > 0:
            until = now + min(retry_after, MAX_RETRY_AFTER_S)
            self._not_before = max(until, self._not_before or until)

    def resync(self) -> None:
        """Forget the backoff and ask for an immediate check (wake, network back)."""
        self._failures = 0
        self._immediate = True

    def next_delay(self, now: float) -> float:
        """Seconds from monotonic ``now`` until the next check should start."""
        remaining: float | None = None
        if self._not_before is not None and self._not_before > now:
            remaining = self._not_before - now
        if self._immediate:
            return backoff_delay(0, self._rng, retry_after=remaining, cap_s=self.backoff_cap_s)
        return next_delay(
            speed=self.speed,
            mode=self.mode,
            rng=self._rng,
            stream_healthy=self.stream_healthy,
            failures=self._failures,
            retry_after=remaining,
            profiles=self.profiles,
            stream_safety_s=self.stream_safety_s,
            base_s=self.backoff_base_s,
            cap_s=self.backoff_cap_s,
        )


class RequestBudget:
    """A token bucket that caps BACKGROUND requests (polls, job watching, probes).

    Services ask :meth:`try_acquire` before each background request and, when refused,
    wait :meth:`wait_time`. User actions (mark read, delete, ...) are never refused: the
    user clicked and expects it to happen. They are recorded with :meth:`charge`, which
    may put the bucket into debt (at most one burst deep), so background polling yields
    after a burst of clicks. A 429's ``retry-after`` is :meth:`hold`: the server limits
    requests per client address, so it concerns every poller of the app, not only the
    one that was told. Times are monotonic seconds.
    """

    def __init__(
        self, *, rate_per_min: float = DEFAULT_BUDGET_PER_MIN, burst: float = DEFAULT_BUDGET_BURST
    ) -> None:
        if rate_per_min <= 0 or burst < 1:
            raise ValueError("rate_per_min must be > 0 and burst >= 1")
        self._rate_per_s = rate_per_min / 60.0
        self._burst = burst
        self._tokens = burst
        self._last: float | None = None
        self._held_until = -math.inf

    def hold(self, now: float, seconds: float) -> None:
        """Refuse background requests for ``seconds`` from ``now`` (clamped to an hour)."""
        if seconds > 0:
            self._held_until = max(self._held_until, now + min(seconds, MAX_RETRY_AFTER_S))

    def held_for(self, now: float) -> float:
        """Seconds left of a :meth:`hold` (0 when none)."""
        return max(0.0, self._held_until - now)

    def available(self, now: float) -> float:
        """Tokens in the bucket at ``now`` (negative while in debt)."""
        self._refill(now)
        return self._tokens

    def try_acquire(self, now: float, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens for a background request if there are enough."""
        self._refill(now)
        if self._tokens < cost or self.held_for(now) > 0:
            return False
        self._tokens -= cost
        return True

    def wait_time(self, now: float, cost: float = 1.0) -> float:
        """Seconds until :meth:`try_acquire` of ``cost`` would succeed (0 if now)."""
        self._refill(now)
        missing = cost - self._tokens
        return max(self.held_for(now), 0.0 if missing <= 0 else missing / self._rate_per_s)

    def charge(self, now: float, cost: float = 1.0) -> None:
        """Record a user-initiated request: always allowed, but it counts."""
        self._refill(now)
        self._tokens = max(self._tokens - cost, -self._burst)

    def _refill(self, now: float) -> None:
        if self._last is not None and now > self._last:
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate_per_s)
        # A monotonic clock never goes back; if a caller's does, just re-baseline.
        self._last = now if self._last is None else max(self._last, now)


class WakeDetector:
    """Detects sleep/resume from (monotonic, wall-clock) pairs fed at regular ticks.

    On Linux and macOS the monotonic clock stops while the machine sleeps and the wall
    clock does not: when wall time advanced more than the monotonic time by over
    ``threshold_s``, the machine slept (or the clock was set forward; a resync is
    harmless then too). Where the monotonic clock keeps counting during sleep
    (Windows), pass ``max_tick_gap_s``: a gap between two feeds longer than that means
    the process did not run. A wall clock set BACK only re-baselines.
    """

    def __init__(self, threshold_s: float, *, max_tick_gap_s: float | None = None) -> None:
        self._threshold_s = threshold_s
        self._max_tick_gap_s = max_tick_gap_s
        self._last: tuple[float, float] | None = None

    def feed(self, monotonic: float, wall: float) -> float | None:
        """Record a tick; return the estimated seconds asleep if a wake was detected."""
        last, self._last = self._last, (monotonic, wall)
        if last is None:
            return None
        mono_delta = monotonic - last[0]
        wall_delta = wall - last[1]
        jump = wall_delta - mono_delta
        if jump > self._threshold_s:
            _log.info("Wall clock ran %.0f s ahead of the monotonic clock: wake", jump)
            return jump
        if self._max_tick_gap_s is not None and mono_delta > self._max_tick_gap_s:
            _log.info("No tick for %.0f s: wake", mono_delta)
            return mono_delta
        return None
