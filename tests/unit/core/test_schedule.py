"""Poll schedule, backoff, request budget and wake detection."""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tray_app.core.schedule import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    DEFAULT_BUDGET_PER_MIN,
    JOB_POLL_FACTOR,
    MAX_RETRY_AFTER_S,
    POLL_JITTER,
    SERVER_LIMIT_PER_HOUR,
    SPEED_PROFILES,
    STREAM_SAFETY_POLL_S,
    PollMode,
    PollScheduler,
    RequestBudget,
    SpeedProfile,
    UpdateSpeed,
    WakeDetector,
    backoff_delay,
    job_poll_interval,
    next_delay,
    poll_interval,
    requests_per_hour,
)

ALL_SPEEDS = list(UpdateSpeed)
ALL_MODES = list(PollMode)

# ---- intervals and cost ------------------------------------------------------------


def test_balanced_idle_is_one_request_every_ten_seconds_with_the_job_watcher() -> None:
    assert poll_interval(UpdateSpeed.BALANCED, PollMode.IDLE) == 15.0
    assert job_poll_interval(UpdateSpeed.BALANCED, PollMode.IDLE) == 30.0
    # 240 notification polls + 120 job polls: one request every 10 s on average.
    assert requests_per_hour(UpdateSpeed.BALANCED, PollMode.IDLE) == 360
    assert requests_per_hour(UpdateSpeed.BALANCED, PollMode.IDLE, include_jobs=False) == 240


@pytest.mark.parametrize("mode", ALL_MODES)
def test_speeds_are_ordered(mode: PollMode) -> None:
    slow, mid, fast = (poll_interval(s, mode) for s in ALL_SPEEDS)
    assert slow > mid > fast


@pytest.mark.parametrize("speed", ALL_SPEEDS)
def test_active_is_faster_than_idle(speed: UpdateSpeed) -> None:
    assert poll_interval(speed, PollMode.ACTIVE) < poll_interval(speed, PollMode.IDLE)


@pytest.mark.parametrize("speed", ALL_SPEEDS)
@pytest.mark.parametrize("mode", ALL_MODES)
def test_jobs_are_polled_at_a_fixed_fraction_of_the_notification_rate(
    speed: UpdateSpeed, mode: PollMode
) -> None:
    assert job_poll_interval(speed, mode) == JOB_POLL_FACTOR * poll_interval(speed, mode)


@pytest.mark.parametrize("speed", ALL_SPEEDS)
@pytest.mark.parametrize("mode", ALL_MODES)
def test_cost_stays_within_the_background_budget(speed: UpdateSpeed, mode: PollMode) -> None:
    interval = SPEED_PROFILES[speed].interval(mode)
    cost = requests_per_hour(speed, mode)
    assert cost == round(3600 / interval + 3600 / (JOB_POLL_FACTOR * interval))
    assert cost <= DEFAULT_BUDGET_PER_MIN * 60
    assert cost <= SERVER_LIMIT_PER_HOUR * 0.4


@pytest.mark.parametrize("speed", ALL_SPEEDS)
@pytest.mark.parametrize("mode", ALL_MODES)
def test_healthy_stream_slows_polling_to_the_safety_net(speed: UpdateSpeed, mode: PollMode) -> None:
    assert poll_interval(speed, mode, stream_healthy=True) == STREAM_SAFETY_POLL_S
    notifications_only = requests_per_hour(speed, mode, stream_healthy=True, include_jobs=False)
    assert notifications_only == round(3600 / 120)
    # The job watcher does not stream: its cost stays.
    jobs = 3600 / job_poll_interval(speed, mode)
    assert requests_per_hour(speed, mode, stream_healthy=True) == round(3600 / 120 + jobs)


def test_regular_delay_is_jittered_around_the_interval() -> None:
    rng = random.Random(1)
    delays = [next_delay(speed=UpdateSpeed.FAST, mode=PollMode.IDLE, rng=rng) for _ in range(2000)]
    interval = poll_interval(UpdateSpeed.FAST, PollMode.IDLE)
    assert min(delays) >= interval * (1 - POLL_JITTER)
    assert max(delays) <= interval * (1 + POLL_JITTER)
    assert len(set(delays)) > 1000
    assert statistics.fmean(delays) == pytest.approx(interval, rel=0.01)


# ---- backoff -----------------------------------------------------------------------


def test_backoff_window_doubles_until_the_cap() -> None:
    rng = random.Random(7)
    for failures in range(1, 12):
        window = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (failures - 1))
        samples = [backoff_delay(failures, rng) for _ in range(300)]
        assert max(samples) <= window
        # Full jitter: the samples spread over the whole window, down to near zero.
        assert min(samples) < window * 0.05
        assert max(samples) > window * 0.9


def test_no_failure_and_no_retry_after_means_no_backoff() -> None:
    assert backoff_delay(0, random.Random(0)) == 0.0


def test_huge_failure_counts_do_not_overflow() -> None:
    assert 0.0 <= backoff_delay(10_000, random.Random(0)) <= BACKOFF_CAP_S


def test_retry_after_is_spread_above_it_not_below() -> None:
    rng = random.Random(3)
    samples = [backoff_delay(1, rng, retry_after=30.0) for _ in range(500)]
    assert min(samples) >= 30.0
    assert len({round(s, 3) for s in samples}) > 100


def test_next_delay_after_failures_uses_backoff() -> None:
    rng = random.Random(5)
    delays = [
        next_delay(speed=UpdateSpeed.BATTERY_SAVER, mode=PollMode.IDLE, rng=rng, failures=9)
        for _ in range(200)
    ]
    assert max(delays) <= BACKOFF_CAP_S
    assert max(delays) > poll_interval(UpdateSpeed.BATTERY_SAVER, PollMode.IDLE) * 1.1


@given(
    failures=st.integers(min_value=0, max_value=200),
    retry_after=st.one_of(st.none(), st.floats(min_value=0.0, max_value=MAX_RETRY_AFTER_S)),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_backoff_stays_in_bounds_and_never_below_retry_after(
    failures: int, retry_after: float | None, seed: int
) -> None:
    delay = backoff_delay(failures, random.Random(seed), retry_after=retry_after)
    floor = retry_after or 0.0
    assert delay >= 0.0
    assert delay >= floor
    assert delay <= max(BACKOFF_CAP_S, floor)


@given(retry_after=st.floats(min_value=MAX_RETRY_AFTER_S, max_value=1e9))
def test_absurd_retry_after_is_clamped_to_an_hour(retry_after: float) -> None:
    assert backoff_delay(1, random.Random(0), retry_after=retry_after) == MAX_RETRY_AFTER_S


# ---- PollScheduler -----------------------------------------------------------------


def test_scheduler_backs_off_then_resets_on_success() -> None:
    scheduler = PollScheduler(rng=random.Random(2), speed=UpdateSpeed.FAST)
    for _ in range(8):
        scheduler.record_failure(0.0)
    assert scheduler.failures == 8
    backed_off = [scheduler.next_delay(0.0) for _ in range(100)]
    assert max(backed_off) > 10 * poll_interval(UpdateSpeed.FAST, PollMode.IDLE)
    scheduler.record_success()
    assert scheduler.failures == 0
    interval = poll_interval(UpdateSpeed.FAST, PollMode.IDLE)
    assert scheduler.next_delay(0.0) == pytest.approx(interval, rel=POLL_JITTER)


def test_scheduler_follows_mode_and_stream_health() -> None:
    scheduler = PollScheduler(rng=random.Random(2))
    scheduler.mode = PollMode.ACTIVE
    active = poll_interval(UpdateSpeed.BALANCED, PollMode.ACTIVE)
    assert scheduler.next_delay(0.0) == pytest.approx(active, rel=POLL_JITTER)
    scheduler.stream_healthy = True
    assert scheduler.next_delay(0.0) == pytest.approx(STREAM_SAFETY_POLL_S, rel=POLL_JITTER)


def test_scheduler_honours_retry_after_as_time_passes() -> None:
    scheduler = PollScheduler(rng=random.Random(4))
    scheduler.record_failure(100.0, retry_after=60.0)
    assert scheduler.next_delay(100.0) >= 60.0
    assert scheduler.next_delay(140.0) >= 20.0
    # Once the retry-after has passed, only the ordinary backoff remains.
    assert scheduler.next_delay(200.0) <= BACKOFF_BASE_S


def test_resync_asks_for_an_immediate_check() -> None:
    scheduler = PollScheduler(rng=random.Random(4), speed=UpdateSpeed.BATTERY_SAVER)
    for _ in range(6):
        scheduler.record_failure(0.0)
    scheduler.resync()
    assert scheduler.failures == 0
    assert scheduler.next_delay(0.0) == 0.0
    # The immediate request holds until a check reports back.
    assert scheduler.next_delay(1.0) == 0.0
    scheduler.record_success()
    assert scheduler.next_delay(1.0) > 20.0


def test_scheduler_uses_injected_profiles_and_backoff_bounds() -> None:
    profiles = {speed: SpeedProfile(idle_s=0.2, active_s=0.05) for speed in UpdateSpeed}
    scheduler = PollScheduler(
        rng=random.Random(8),
        profiles=profiles,
        stream_safety_s=0.5,
        backoff_base_s=0.01,
        backoff_cap_s=0.04,
    )
    assert scheduler.next_delay(0.0) == pytest.approx(0.2, rel=POLL_JITTER)
    scheduler.mode = PollMode.ACTIVE
    assert scheduler.next_delay(0.0) == pytest.approx(0.05, rel=POLL_JITTER)
    scheduler.stream_healthy = True
    assert scheduler.next_delay(0.0) == pytest.approx(0.5, rel=POLL_JITTER)
    for _ in range(20):
        scheduler.record_failure(0.0)
    assert max(scheduler.next_delay(0.0) for _ in range(200)) <= 0.04
    # A retry-after is still a floor, with no spread beyond the small cap.
    scheduler.record_failure(0.0, retry_after=1.0)
    assert scheduler.next_delay(0.0) == pytest.approx(1.0)


def test_resync_still_waits_for_a_pending_retry_after() -> None:
    scheduler = PollScheduler(rng=random.Random(4))
    scheduler.record_failure(0.0, retry_after=45.0)
    scheduler.resync()
    delay = scheduler.next_delay(15.0)
    assert 30.0 <= delay <= 30.0 + 0.25 * 30.0 + 1.0


# ---- RequestBudget -----------------------------------------------------------------


def test_budget_allows_a_burst_then_refuses() -> None:
    budget = RequestBudget(rate_per_min=60.0, burst=3)
    assert [budget.try_acquire(0.0) for _ in range(4)] == [True, True, True, False]
    assert budget.wait_time(0.0) == pytest.approx(1.0)
    assert not budget.try_acquire(0.5)
    assert budget.try_acquire(1.0)


def test_budget_refills_no_higher_than_the_burst() -> None:
    budget = RequestBudget(rate_per_min=60.0, burst=5)
    budget.try_acquire(0.0)
    assert budget.available(10_000.0) == 5


def test_budget_rate_over_a_long_run() -> None:
    budget = RequestBudget(rate_per_min=30.0, burst=2)
    granted = sum(budget.try_acquire(t * 0.5) for t in range(2 * 60 * 10))  # 10 minutes
    assert granted == pytest.approx(30 * 10 + 2, abs=2)


def test_user_actions_are_never_refused_but_count() -> None:
    budget = RequestBudget(rate_per_min=60.0, burst=4)
    for _ in range(10):
        budget.charge(0.0)
    assert budget.available(0.0) == -4  # debt is bounded by one burst
    assert not budget.try_acquire(0.0)
    assert budget.wait_time(0.0) == pytest.approx(5.0)


def test_budget_tolerates_a_clock_going_back() -> None:
    budget = RequestBudget(rate_per_min=60.0, burst=1)
    assert budget.try_acquire(10.0)
    assert not budget.try_acquire(5.0)
    assert budget.try_acquire(11.0)


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1.0), (-1.0, 5.0), (10.0, 0.5)])
def test_budget_rejects_nonsense(rate: float, burst: float) -> None:
    with pytest.raises(ValueError):
        RequestBudget(rate_per_min=rate, burst=burst)


# ---- WakeDetector ------------------------------------------------------------------


def test_regular_ticks_are_not_a_wake() -> None:
    detector = WakeDetector(30.0)
    assert detector.feed(0.0, 1000.0) is None
    for tick in range(1, 20):
        assert detector.feed(tick * 15.0, 1000.0 + tick * 15.0 + 0.2) is None


def test_wall_clock_running_ahead_is_a_wake() -> None:
    detector = WakeDetector(30.0)
    detector.feed(100.0, 5000.0)
    slept = detector.feed(115.0, 5000.0 + 15.0 + 3600.0)
    assert slept == pytest.approx(3600.0)
    # The next regular tick is measured from the new baseline.
    assert detector.feed(130.0, 5000.0 + 30.0 + 3600.0) is None


def test_wall_clock_set_back_only_rebaselines() -> None:
    detector = WakeDetector(30.0)
    detector.feed(0.0, 10_000.0)
    assert detector.feed(15.0, 6_000.0) is None
    assert detector.feed(30.0, 6_015.0) is None


def test_long_tick_gap_is_a_wake_where_monotonic_counts_sleep() -> None:
    detector = WakeDetector(30.0, max_tick_gap_s=60.0)
    detector.feed(0.0, 0.0)
    assert detector.feed(15.0, 15.0) is None
    assert detector.feed(915.0, 915.0) == pytest.approx(900.0)
