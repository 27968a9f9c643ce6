"""Toast policy: preferences, job/row pairing, never twice, coalescing, silence."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from core_factories import T0, job, row

from tray_app.api.models import DEFAULT_PREFERENCES, KNOWN_TYPES, Notification, toast_key
from tray_app.core.silence import QuietHours, Silence
from tray_app.core.toast_policy import (
    BURST_WINDOW,
    MAX_BURST,
    Single,
    Summary,
    ToastDecision,
    ToastPolicy,
)
from tray_app.core.toasted_log import ToastedLog

ALL_ON = {key: True for key in DEFAULT_PREFERENCES}


def prefs(**changes: bool) -> dict[str, bool]:
    return {**DEFAULT_PREFERENCES, **changes}


def ids(decisions: list[ToastDecision]) -> list[str]:
    out: list[str] = []
    for decision in decisions:
        out.extend([decision.item_id] if isinstance(decision, Single) else decision.ids)
    return out


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def policy() -> ToastPolicy:
    return ToastPolicy(ToastedLog())


# ---- preferences -------------------------------------------------------------------


@pytest.mark.parametrize("type_", KNOWN_TYPES)
def test_each_type_follows_its_toast_preference(type_: str) -> None:
    on = ToastPolicy(ToastedLog()).decide(T0, rows=[row(1, type_=type_)], prefs=ALL_ON)
    assert ids(on) == [row(1).id]
    off = {**ALL_ON, toast_key(type_): False}
    assert ToastPolicy(ToastedLog()).decide(T0, rows=[row(1, type_=type_)], prefs=off) == []


def test_defaults_toast_jobs_only(policy: ToastPolicy) -> None:
    rows = [row(n, type_=t) for n, t in enumerate(KNOWN_TYPES)]
    decisions = policy.decide(T0, rows=rows, prefs=DEFAULT_PREFERENCES)
    toasted = {
        d.item.type for d in decisions if isinstance(d, Single) and isinstance(d.item, Notification)
    }
    assert toasted == {"job_completed", "job_failed"}


def test_missing_preference_keys_fall_back_to_defaults(policy: ToastPolicy) -> None:
    assert len(policy.decide(T0, rows=[row(1, type_="job_failed")], prefs={})) == 1
    assert policy.decide(T0, rows=[row(2, type_="quota_warning")], prefs={}) == []


def test_unknown_types_and_read_rows_never_toast(policy: ToastPolicy) -> None:
    weird = {**ALL_ON, "mystery_toast": True}
    rows = [row(1, type_="mystery"), row(2, read=True)]
    assert policy.decide(T0, rows=rows, prefs=weird) == []


@pytest.mark.parametrize(
    ("type_", "urgency"),
    [
        ("job_failed", "critical"),
        ("integrity_alert", "critical"),
        ("quota_warning", "critical"),
        ("job_completed", "normal"),
        ("weekly_report", "normal"),
        ("rule_executed", "normal"),
    ],
)
def test_urgency(policy: ToastPolicy, type_: str, urgency: str) -> None:
    [decision] = policy.decide(T0, rows=[row(1, type_=type_)], prefs=ALL_ON)
    assert isinstance(decision, Single) and decision.urgency == urgency


# ---- jobs --------------------------------------------------------------------------


def test_job_toasts_only_when_seen_finishing(policy: ToastPolicy) -> None:
    transitions = [
        job(1, None, "completed"),  # first seen finished
        job(2, "pending", "active"),
        job(3, "active", "active"),
        job(4, "active", "cancelled"),
        job(5, "active", "completed"),
        job(6, "active", "failed"),
    ]
    decisions = policy.decide(T0, jobs=transitions, prefs=DEFAULT_PREFERENCES)
    assert ids(decisions) == [job(5, "", "").job_id, job(6, "", "").job_id]
    assert [d.urgency for d in decisions] == ["normal", "critical"]


def test_job_toast_is_independent_of_the_in_app_preference(policy: ToastPolicy) -> None:
    settings = prefs(job_completed=False, job_completed_toast=True)
    assert len(policy.decide(T0, jobs=[job(1, "active", "completed")], prefs=settings)) == 1
    silenced = prefs(job_failed=True, job_failed_toast=False)
    assert policy.decide(T0, jobs=[job(2, "active", "failed")], prefs=silenced) == []


def test_job_then_its_row_toasts_once(policy: ToastPolicy) -> None:
    transition = job(1, "active", "completed")
    first = policy.decide(T0, jobs=[transition], prefs=ALL_ON)
    second = policy.decide(later(20), rows=[row(1, job_id=transition.bullmq_id)], prefs=ALL_ON)
    assert ids(first) == [transition.job_id] and second == []


def test_row_then_its_job_toasts_once(policy: ToastPolicy) -> None:
    transition = job(1, "active", "failed")
    first = policy.decide(
        T0, rows=[row(1, type_="job_failed", job_id=transition.bullmq_id)], prefs=ALL_ON
    )
    second = policy.decide(later(20), jobs=[transition], prefs=ALL_ON)
    assert len(first) == 1 and second == []


def test_rows_of_another_outcome_are_not_paired(policy: ToastPolicy) -> None:
    transition = job(1, "active", "completed")
    policy.decide(T0, jobs=[transition], prefs=ALL_ON)
    failure = row(1, type_="job_failed", job_id=transition.bullmq_id)
    assert ids(policy.decide(later(20), rows=[failure], prefs=ALL_ON)) == [failure.id]


def test_retried_failure_toasts_once_per_row_and_never_for_the_job_too(
    policy: ToastPolicy,
) -> None:
    transition = job(1, "active", "failed")
    bq = transition.bullmq_id
    seen: list[str] = []
    seen += ids(policy.decide(T0, jobs=[transition], prefs=ALL_ON))
    for n in range(1, 4):
        failure = row(n, type_="job_failed", job_id=bq)
        seen += ids(policy.decide(later(20 * n), rows=[failure], prefs=ALL_ON))
    # The job's toast stands for the first row; rows 2 and 3 toast on their own.
    assert seen == [transition.job_id, row(2).id, row(3).id]


def test_rule_executed_row_pairs_with_its_run_rule_job(policy: ToastPolicy) -> None:
    transition = job(1, "active", "completed", type_="run_rule")
    rule_row = row(1, type_="rule_executed", job_id=transition.bullmq_id)
    assert len(policy.decide(T0, rows=[rule_row], jobs=[transition], prefs=ALL_ON)) == 1


# ---- never twice -------------------------------------------------------------------


def test_same_row_or_job_never_toasts_twice(policy: ToastPolicy) -> None:
    assert len(policy.decide(T0, rows=[row(1)], prefs=ALL_ON)) == 1
    assert policy.decide(later(30), rows=[row(1)], prefs=ALL_ON) == []
    transition = job(2, "active", "completed", bullmq_id="x")
    assert len(policy.decide(later(60), jobs=[transition], prefs=ALL_ON)) == 1
    assert policy.decide(later(90), jobs=[transition], prefs=ALL_ON) == []


def test_never_twice_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "toasted.json"
    assert len(ToastPolicy(ToastedLog(path)).decide(T0, rows=[row(1)], prefs=ALL_ON)) == 1
    restarted = ToastPolicy(ToastedLog(path))
    assert restarted.decide(later(600), rows=[row(1)], prefs=ALL_ON) == []


def test_pairing_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "toasted.json"
    transition = job(1, "active", "completed")
    ToastPolicy(ToastedLog(path)).decide(T0, jobs=[transition], prefs=ALL_ON)
    restarted = ToastPolicy(ToastedLog(path))
    paired = row(1, job_id=transition.bullmq_id)
    assert restarted.decide(later(60), rows=[paired], prefs=ALL_ON) == []


# ---- coalescing --------------------------------------------------------------------


def test_up_to_three_at_once_are_single_toasts(policy: ToastPolicy) -> None:
    decisions = policy.decide(T0, rows=[row(n) for n in range(MAX_BURST)], prefs=ALL_ON)
    assert all(isinstance(d, Single) for d in decisions) and len(decisions) == MAX_BURST


def test_more_than_three_at_once_become_one_summary(policy: ToastPolicy) -> None:
    rows = [row(n, type_="quota_warning" if n == 2 else "job_completed") for n in range(5)]
    [summary] = policy.decide(T0, rows=rows, prefs=ALL_ON)
    assert summary == Summary(5, tuple(r.id for r in rows), "critical")


def test_a_batch_that_overflows_the_window_becomes_a_summary(policy: ToastPolicy) -> None:
    first = policy.decide(T0, rows=[row(1), row(2)], prefs=ALL_ON)
    second = policy.decide(later(2), rows=[row(3), row(4)], prefs=ALL_ON)
    assert len(first) == 2
    assert second == [Summary(2, (row(3).id, row(4).id), "normal")]


def test_full_window_holds_items_until_flush(policy: ToastPolicy) -> None:
    policy.decide(T0, rows=[row(n) for n in range(3)], prefs=ALL_ON)
    assert policy.flush_at() is None
    assert policy.decide(later(1), rows=[row(10)], prefs=ALL_ON) == []
    assert policy.decide(later(2), rows=[row(11)], prefs=ALL_ON) == []
    assert policy.held_count == 2
    assert policy.flush_at() == T0 + BURST_WINDOW
    assert policy.flush(later(5)) == []  # too early: nothing changes
    assert policy.flush(T0 + BURST_WINDOW) == [Summary(2, (row(10).id, row(11).id), "normal")]
    assert policy.held_count == 0 and policy.flush_at() is None


def test_a_single_held_item_flushes_as_a_single(policy: ToastPolicy) -> None:
    policy.decide(T0, rows=[row(n) for n in range(3)], prefs=ALL_ON)
    policy.decide(later(1), rows=[row(10)], prefs=ALL_ON)
    [decision] = policy.flush(later(10))
    assert isinstance(decision, Single) and decision.item_id == row(10).id


def test_wall_clock_set_back_does_not_block_toasts(policy: ToastPolicy) -> None:
    policy.decide(T0, rows=[row(n) for n in range(3)], prefs=ALL_ON)
    assert len(policy.decide(T0 - timedelta(hours=1), rows=[row(9)], prefs=ALL_ON)) == 1


def test_catch_up_is_one_summary(policy: ToastPolicy) -> None:
    rows = [row(1), row(2)]
    jobs = [job(3, "active", "failed")]
    [summary] = policy.decide(T0, rows=rows, jobs=jobs, prefs=ALL_ON, catch_up=True)
    assert isinstance(summary, Summary)
    assert summary.count == 3 and summary.urgency == "critical"
    assert set(summary.ids) == {row(1).id, row(2).id, jobs[0].job_id}


def test_catch_up_of_one_item_is_a_single_toast(policy: ToastPolicy) -> None:
    [decision] = policy.decide(T0, rows=[row(1)], prefs=ALL_ON, catch_up=True)
    assert isinstance(decision, Single)


def test_catch_up_with_a_full_window_is_still_one_summary(policy: ToastPolicy) -> None:
    policy.decide(T0, rows=[row(n) for n in range(3)], prefs=ALL_ON)
    assert policy.decide(later(1), rows=[row(10), row(11)], prefs=ALL_ON, catch_up=True) == []
    [summary] = policy.flush(later(10))
    assert isinstance(summary, Summary) and summary.count == 2


# ---- silence -----------------------------------------------------------------------


def test_paused_items_do_not_pop_up_later(policy: ToastPolicy) -> None:
    pause = Silence(paused_until=later(3600))
    assert policy.decide(T0, rows=[row(1)], prefs=ALL_ON, silence=pause) == []
    assert policy.decide(later(4000), rows=[row(1)], prefs=ALL_ON) == []
    assert len(policy.decide(later(4000), rows=[row(2)], prefs=ALL_ON)) == 1


def test_quiet_hours_wrapping_midnight_silence_toasts(policy: ToastPolicy) -> None:
    night = Silence(quiet_hours=QuietHours(time(22, 0), time(7, 0)))
    late = T0.replace(hour=23)
    assert policy.decide(late, rows=[row(1)], prefs=ALL_ON, silence=night) == []
    morning = T0.replace(hour=8)
    assert len(policy.decide(morning, rows=[row(2)], prefs=ALL_ON, silence=night)) == 1


def test_a_silenced_job_still_absorbs_its_row(policy: ToastPolicy) -> None:
    transition = job(1, "active", "completed")
    pause = Silence(paused_until=later(60))
    policy.decide(T0, jobs=[transition], prefs=ALL_ON, silence=pause)
    paired = row(1, job_id=transition.bullmq_id)
    assert policy.decide(later(120), rows=[paired], prefs=ALL_ON) == []


def test_held_items_are_dropped_when_a_pause_starts(policy: ToastPolicy) -> None:
    policy.decide(T0, rows=[row(n) for n in range(3)], prefs=ALL_ON)
    policy.decide(later(1), rows=[row(10)], prefs=ALL_ON)
    assert policy.flush(later(10), silence=Silence(paused_until=later(600))) == []
    assert policy.held_count == 0
    assert policy.flush(later(700)) == []


def test_rejects_a_zero_burst() -> None:
    with pytest.raises(ValueError):
        ToastPolicy(ToastedLog(), max_burst=0)
