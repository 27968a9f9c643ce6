"""Property tests of the toast policy against random event orders and timings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core_factories import T0, job, row
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.api.models import DEFAULT_PREFERENCES, Notification
from tray_app.core.silence import Silence
from tray_app.core.toast_policy import (
    BURST_WINDOW,
    MAX_BURST,
    JobTransition,
    Single,
    Summary,
    ToastDecision,
    ToastPolicy,
)
from tray_app.core.toasted_log import ToastedLog

ALL_ON = {key: True for key in DEFAULT_PREFERENCES}
Event = Notification | JobTransition


@dataclass(frozen=True)
class JobSpec:
    """A job, whether the watcher sees it finish, and how many rows it writes."""

    number: int
    outcome: str
    transition: bool
    rows: int


@dataclass(frozen=True)
class Scenario:
    jobs: list[JobSpec]
    unrelated: int

    def events(self) -> list[Event]:
        events: list[Event] = []
        row_number = 0
        for spec in self.jobs:
            transition = job(spec.number, "active", spec.outcome)
            if spec.transition:
                events.append(transition)
            row_type = "job_completed" if spec.outcome == "completed" else "job_failed"
            for _ in range(spec.rows):
                row_number += 1
                events.append(row(row_number, type_=row_type, job_id=transition.bullmq_id))
        for n in range(self.unrelated):
            events.append(row(1000 + n, type_="weekly_report"))
        return events

    def expected_toasts(self) -> int:
        """A job's transition stands for one of its rows: max(rows, transition)."""
        return sum(max(s.rows, int(s.transition)) for s in self.jobs) + self.unrelated


job_specs = st.builds(
    JobSpec,
    number=st.integers(min_value=0, max_value=10_000),
    outcome=st.sampled_from(["completed", "failed"]),
    transition=st.booleans(),
    rows=st.integers(min_value=0, max_value=3),
)
scenarios = st.builds(
    Scenario,
    jobs=st.lists(job_specs, max_size=6, unique_by=lambda s: s.number),
    unrelated=st.integers(min_value=0, max_value=6),
)

Emitted = list[tuple[datetime, ToastDecision]]


def deliver(
    policy: ToastPolicy,
    data: st.DataObject,
    events: list[Event],
    silence_at: Callable[[datetime], Silence],
) -> Emitted:
    """Feed ``events`` (shuffled, some repeated) in random batches and gaps; flush timers."""
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=5)) if events else []
    events = data.draw(st.permutations(events + repeats))
    emitted: Emitted = []
    now = T0
    while events:
        size = data.draw(st.integers(min_value=1, max_value=len(events)))
        batch, events = events[:size], events[size:]
        target = now + timedelta(seconds=data.draw(st.floats(min_value=0.0, max_value=15.0)))
        emitted += run_timers(policy, until=target, silence_at=silence_at)
        now = target
        rows = [e for e in batch if isinstance(e, Notification)]
        jobs = [e for e in batch if isinstance(e, JobTransition)]
        catch_up = data.draw(st.booleans())
        decisions = policy.decide(
            now, rows=rows, jobs=jobs, prefs=ALL_ON, silence=silence_at(now), catch_up=catch_up
        )
        emitted += [(now, d) for d in decisions]
    return emitted + run_timers(policy, until=None, silence_at=silence_at)


def run_timers(
    policy: ToastPolicy, *, until: datetime | None, silence_at: Callable[[datetime], Silence]
) -> Emitted:
    emitted: Emitted = []
    for _ in range(100):
        due = policy.flush_at()
        if due is None or (until is not None and due > until):
            return emitted
        emitted += [(due, d) for d in policy.flush(due, silence=silence_at(due))]
    raise AssertionError("flush timer never settles")


def emitted_ids(emitted: Emitted) -> list[str]:
    out: list[str] = []
    for _, decision in emitted:
        out.extend([decision.item_id] if isinstance(decision, Single) else decision.ids)
    return out


def no_silence(_now: datetime) -> Silence:
    return Silence()


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios, data=st.data())
def test_every_item_toasts_exactly_once_or_is_counted_in_a_summary(
    scenario: Scenario, data: st.DataObject
) -> None:
    policy = ToastPolicy(ToastedLog())
    emitted = deliver(policy, data, scenario.events(), no_silence)
    ids = emitted_ids(emitted)
    assert len(ids) == len(set(ids)), "an item toasted twice"
    assert len(ids) == scenario.expected_toasts()
    assert policy.held_count == 0
    for _, decision in emitted:
        if isinstance(decision, Summary):
            assert decision.count == len(decision.ids) >= 2


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios, data=st.data())
def test_a_job_with_one_row_toasts_at_most_once(scenario: Scenario, data: st.DataObject) -> None:
    emitted = emitted_ids(deliver(ToastPolicy(ToastedLog()), data, scenario.events(), no_silence))
    for spec in scenario.jobs:
        if spec.transition and spec.rows <= 1:
            related = [e for e in scenario.events() if _belongs_to(e, spec)]
            assert sum(_id_of(e) in emitted for e in related) <= 1


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios, data=st.data())
def test_never_more_than_the_burst_within_the_window(
    scenario: Scenario, data: st.DataObject
) -> None:
    emitted = deliver(ToastPolicy(ToastedLog()), data, scenario.events(), no_silence)
    times = [at for at, _ in emitted]
    for at in times:
        assert sum(at - BURST_WINDOW < other <= at for other in times) <= MAX_BURST


@settings(max_examples=150, deadline=None)
@given(
    scenario=scenarios,
    data=st.data(),
    pause_start=st.floats(min_value=0.0, max_value=60.0),
    pause_length=st.floats(min_value=0.0, max_value=60.0),
)
def test_nothing_toasts_while_silenced_and_nothing_twice(
    scenario: Scenario, data: st.DataObject, pause_start: float, pause_length: float
) -> None:
    start = T0 + timedelta(seconds=pause_start)
    end = start + timedelta(seconds=pause_length)

    def silence_at(now: datetime) -> Silence:
        return Silence(paused_until=end) if now >= start else Silence()

    emitted = deliver(ToastPolicy(ToastedLog()), data, scenario.events(), silence_at)
    assert all(not (start <= at < end) for at, _ in emitted)
    ids = emitted_ids(emitted)
    assert len(ids) == len(set(ids))
    assert len(ids) <= scenario.expected_toasts()


def _belongs_to(event: Event, spec: JobSpec) -> bool:
    bullmq_id = job(spec.number, None, spec.outcome).bullmq_id
    if isinstance(event, JobTransition):
        return event.bullmq_id == bullmq_id
    return event.job_id == bullmq_id


def _id_of(event: Event) -> str:
    return event.id if isinstance(event, Notification) else event.job_id
