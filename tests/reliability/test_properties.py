"""Property tests: toasts and "new" rows across restarts, parsers on hostile pages,
and the shared request budget under ``retry-after``.

The unit suites hold the per-module properties; these add what only shows over a long
life: random interleavings of rows, job transitions and app restarts (the persisted
toasted log and seen rows reloaded from disk), and the parsers fed the pages a broken or
hostile server could send.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.api import parsing
from tray_app.api.errors import ProtocolError
from tray_app.api.models import DEFAULT_PREFERENCES, KNOWN_TYPES, Notification
from tray_app.core.schedule import RequestBudget
from tray_app.core.toast_policy import JobTransition, Single, ToastPolicy
from tray_app.core.toasted_log import ToastedLog
from tray_app.services.sync_support import SeenTracker

T0 = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
ALL_ON = {key: True for key in DEFAULT_PREFERENCES}


def uuid_of(prefix: int, n: int) -> str:
    return f"{prefix:08d}-0000-4000-8000-{n:012d}"


def make_row(n: int, type_: str, *, read: bool = False, job: str | None = None) -> Notification:
    return Notification(
        id=uuid_of(0, n),
        type=type_,
        title=f"Titre {n}",
        body=None,
        data={"jobId": job} if job else None,
        is_read=read,
        created_at=T0 + timedelta(seconds=n),
    )


# --- toasts across restarts -------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A row or a job transition, and whether the policy may ever toast it."""

    event: Notification | JobTransition
    toastable: bool

    @property
    def key(self) -> str:
        e = self.event
        return e.id if isinstance(e, Notification) else e.job_id


@st.composite
def items(draw: st.DrawFn) -> list[Item]:
    """Rows of every kind (known or not, read or not) and jobs, some of them paired."""
    out: list[Item] = []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        type_ = draw(st.sampled_from([*sorted(KNOWN_TYPES), "mystery"]))
        read = draw(st.booleans())
        job_id = f"import_mbox-{n}" if draw(st.booleans()) else None
        row = make_row(n, type_, read=read, job=job_id)
        out.append(Item(row, type_ in KNOWN_TYPES and not read))
        if job_id and draw(st.booleans()):
            status = "failed" if type_ == "job_failed" else "completed"
            old = draw(st.sampled_from([None, "active", "pending"]))
            transition = JobTransition(uuid_of(1, n), job_id, "import_mbox", old, status)
            out.append(Item(transition, old is not None))
    return out


@settings(max_examples=200, deadline=None)
@given(events=items(), data=st.data())
def test_nothing_toasts_twice_or_uninvited_across_restarts(
    events: list[Item], data: st.DataObject
) -> None:
    """Random order, batches, repeats and restarts (held toasts are dropped by a restart:
    they were recorded as handled, which is what keeps them from ever showing twice)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "toasted.json"
        policy = ToastPolicy(ToastedLog(path))
        repeats = data.draw(st.lists(st.sampled_from(events), max_size=5)) if events else []
        order = data.draw(st.permutations(events + repeats))
        now, shown, dropped = T0, [], 0
        while order:
            size = data.draw(st.integers(min_value=1, max_value=len(order)))
            batch, order = order[:size], order[size:]
            now += timedelta(seconds=data.draw(st.floats(min_value=0, max_value=30)))
            for decision in policy.decide(
                now,
                prefs=ALL_ON,
                rows=[i.event for i in batch if isinstance(i.event, Notification)],
                jobs=[i.event for i in batch if isinstance(i.event, JobTransition)],
                catch_up=data.draw(st.booleans()),
            ):
                shown += [decision.item_id] if isinstance(decision, Single) else decision.ids
            if data.draw(st.booleans()):  # the app quits and starts again
                dropped += policy.held_count
                policy = ToastPolicy(ToastedLog(path))
        while (at := policy.flush_at()) is not None:  # the coordinator's flush timer
            for decision in policy.flush(at):
                shown += [decision.item_id] if isinstance(decision, Single) else decision.ids
        allowed = {i.key for i in events if i.toastable}
        expected = len(allowed) - sum(1 for i in events if i.toastable and _paired(i, events))
        assert len(shown) == len(set(shown)), "an item toasted twice"
        assert set(shown) <= allowed, "an item toasted that must never toast"
        assert expected - dropped <= len(shown) <= expected


_OUTCOMES = {"job_completed": "completed", "rule_executed": "completed", "job_failed": "failed"}


def _paired(item: Item, events: list[Item]) -> bool:
    """A job transition and a toastable row of the same outcome make one toast."""
    job = item.event
    if not isinstance(job, JobTransition):
        return False
    return any(
        isinstance(o.event, Notification)
        and o.toastable
        and o.event.job_id == job.bullmq_id
        and _OUTCOMES.get(o.event.type) == job.new_status
        for o in events
    )


# --- new rows across restarts -----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    before=st.integers(min_value=0, max_value=8),
    steps=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(1, 6), st.booleans()),
        max_size=12,
    ),
)
def test_a_row_is_new_at_most_once_and_old_rows_never(
    before: int, steps: list[tuple[int, int, int, bool]]
) -> None:
    """Steps: (rows created, rows deleted, page size, restart after the merge)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seen.json"
        tracker = SeenTracker(path)
        server = [make_row(n, "job_completed") for n in range(before)]
        counter = before
        reported: list[str] = []
        first = tracker.merge(list(reversed(server))[:50])
        assert first == ()  # first sync after installation: nothing is new
        for created, deleted, size, restart in steps:
            server += [make_row(counter + i, "job_completed") for i in range(created)]
            counter += created
            del server[:deleted]
            page = list(reversed(server))[:size]
            reported += [row.id for row in tracker.merge(page)]
            if restart:
                tracker = SeenTracker(path)
        old = {uuid_of(0, n) for n in range(before)}
        assert len(reported) == len(set(reported)), "a row reported new twice"
        assert not old & set(reported), "a row present at installation reported new"


# --- parsers on hostile pages -----------------------------------------------------------

texts = st.text(st.characters(codec="utf-8"), max_size=50) | st.sampled_from(
    ["<b>x</b>", "<script>alert(1)</script>", '<img src="http://127.0.0.1:1/x">', "&amp;"]
)
counts = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)


def page_row(n: int, title: str, body: str | None) -> dict[str, Any]:
    return {
        "id": uuid_of(2, n),
        "user_id": uuid_of(3, 0),
        "type": "job_completed",
        "title": title,
        "body": body,
        "data": None,
        "is_read": False,
        "created_at": "2026-03-30T09:00:00.000Z",
    }


@settings(max_examples=300, deadline=None)
@given(
    ids=st.lists(st.integers(min_value=0, max_value=6), max_size=12),
    title=texts,
    body=st.none() | texts,
    unread=counts,
    limit=st.integers(min_value=1, max_value=100),
)
def test_pages_with_duplicates_markup_and_absurd_counts(
    ids: list[int], title: str, body: str | None, unread: object, limit: int
) -> None:
    raw = {"notifications": [page_row(n, title, body) for n in ids], "unreadCount": unread}
    try:
        page = parsing.parse_notification_page(raw, page=1, limit=limit)
    except ProtocolError:
        assert not _is_number(unread), "a numeric unreadCount was refused"
        return
    assert _is_number(unread)
    assert 0 <= page.unread_count <= parsing.MAX_COUNT
    assert [n.id for n in page.items] == list(dict.fromkeys(uuid_of(2, n) for n in ids))
    # Server text is kept exactly: escaping is the job of whoever displays it.
    assert all(n.title == title and n.body == body for n in page.items)
    assert page.is_last == (len(ids) < limit)


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


# --- retry-after holds every poller -----------------------------------------------------

budget_ops = st.lists(
    st.tuples(
        st.sampled_from(["acquire", "charge", "hold"]),
        st.floats(min_value=0, max_value=20),
        st.floats(min_value=0, max_value=120),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(ops=budget_ops)
def test_no_background_request_is_granted_during_a_retry_after(
    ops: list[tuple[str, float, float]],
) -> None:
    budget = RequestBudget()
    now, held_until = 0.0, -math.inf
    for op, step, seconds in ops:
        now += step
        if op == "hold":
            budget.hold(now, seconds)
            if seconds > 0:
                held_until = max(held_until, now + seconds)
        elif op == "charge":
            budget.charge(now)
        else:
            granted = budget.try_acquire(now)
            assert not (granted and now < held_until), "granted during a retry-after"
            if not granted:  # the poller sleeps this long: past the retry-after
                assert budget.wait_time(now) >= max(held_until - now, 1e-9)
        assert budget.held_for(now) == max(0.0, held_until - now)
