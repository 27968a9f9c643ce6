"""The outbox: queueing, coalescing, ordering, retries and persistence."""

from __future__ import annotations

import json
import logging
import os
import random
import stat
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from core_factories import T0, note_id
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.core.outbox import Action, ActionKind, Outbox
from tray_app.core.schedule import BACKOFF_CAP_S

A, B = note_id(1), note_id(2)
MARK, DELETE = ActionKind.MARK_READ, ActionKind.DELETE
MARK_ALL, DELETE_READ = ActionKind.MARK_ALL_READ, ActionKind.DELETE_READ


@pytest.fixture
def outbox() -> Outbox:
    return Outbox(rng=random.Random(1))


def kinds(actions: list[Action]) -> list[tuple[ActionKind, str | None]]:
    return [(a.kind, a.target) for a in actions]


# ---- basics ------------------------------------------------------------------------


def test_added_action_is_due_at_once(outbox: Outbox) -> None:
    action = outbox.add(MARK, A, now=T0)
    assert (action.kind, action.target, action.attempts) == (MARK, A, 0)
    assert action.created_at == action.next_attempt_at == T0
    assert outbox.due(T0) == [action] == outbox.pending()
    assert outbox.get(action.id) == action


def test_success_removes_the_action(outbox: Outbox) -> None:
    action = outbox.add(DELETE, A, now=T0)
    assert outbox.succeeded(action.id) == action
    assert outbox.pending() == []
    assert outbox.succeeded(action.id) is None


def test_ids_are_unique(outbox: Outbox) -> None:
    actions = [outbox.add(MARK, note_id(n), now=T0) for n in range(50)]
    assert len({a.id for a in actions}) == 50


@pytest.mark.parametrize(
    ("kind", "target"),
    [(MARK, None), (DELETE, ""), (MARK_ALL, A), (DELETE_READ, A)],
)
def test_target_must_fit_the_kind(outbox: Outbox, kind: ActionKind, target: str | None) -> None:
    with pytest.raises(ValueError):
        outbox.add(kind, target, now=T0)
    assert outbox.pending() == []


# ---- retries -----------------------------------------------------------------------


def test_transient_failure_backs_off_with_jitter(outbox: Outbox) -> None:
    action = outbox.add(MARK, A, now=T0)
    waits = []
    for attempt in range(1, 12):
        updated = outbox.failed(action.id, T0)
        assert updated is not None and updated.attempts == attempt
        wait = (updated.next_attempt_at - T0).total_seconds()
        assert 0.0 <= wait <= min(BACKOFF_CAP_S, 2.0 * 2 ** (attempt - 1))
        waits.append(wait)
    assert max(waits[-3:]) > 30.0  # it really grew
    assert outbox.due(T0 + timedelta(seconds=BACKOFF_CAP_S)) == [outbox.get(action.id)]


def test_retry_after_is_a_floor(outbox: Outbox) -> None:
    action = outbox.add(DELETE, A, now=T0)
    updated = outbox.failed(action.id, T0, retry_after=42.0)
    assert updated is not None
    assert updated.next_attempt_at >= T0 + timedelta(seconds=42)
    assert outbox.due(T0 + timedelta(seconds=41)) == []


def test_permanent_failure_drops_the_action(outbox: Outbox) -> None:
    action = outbox.add(DELETE, A, now=T0)
    assert outbox.failed(action.id, T0, permanent=True) is None
    assert outbox.pending() == []


def test_failure_of_an_unknown_action_is_ignored(outbox: Outbox) -> None:
    assert outbox.failed("nope", T0) is None


def test_retry_all_now_makes_everything_due(outbox: Outbox) -> None:
    first = outbox.add(MARK, A, now=T0)
    outbox.add(MARK, B, now=T0)
    for _ in range(8):
        outbox.failed(first.id, T0)
    later = T0 + timedelta(seconds=1)
    assert [a.target for a in outbox.due(later)] == [B]
    outbox.retry_all_now(later)
    assert [a.target for a in outbox.due(later)] == [A, B]
    assert outbox.next_due_at() == T0  # B was never delayed


def test_next_due_at_ignores_actions_blocked_behind_a_barrier(outbox: Outbox) -> None:
    assert outbox.next_due_at() is None
    first = outbox.add(MARK, A, now=T0)
    outbox.add(DELETE_READ, now=T0)
    outbox.add(DELETE, B, now=T0)
    retried = outbox.failed(first.id, T0, retry_after=30.0)
    assert retried is not None
    # Waking up earlier would find nothing due (and a timer would spin).
    assert outbox.next_due_at() == retried.next_attempt_at
    assert outbox.due(retried.next_attempt_at) == [retried]


# ---- ordering ----------------------------------------------------------------------


def test_bulk_action_waits_for_everything_before_it(outbox: Outbox) -> None:
    mark = outbox.add(MARK, A, now=T0)
    bulk = outbox.add(DELETE_READ, now=T0)
    outbox.add(DELETE, B, now=T0)
    assert outbox.due(T0) == [mark]  # nothing after the barrier either
    outbox.failed(mark.id, T0, retry_after=10.0)
    assert outbox.due(T0 + timedelta(seconds=1)) == []
    outbox.succeeded(mark.id)
    assert outbox.due(T0) == [bulk]
    outbox.succeeded(bulk.id)
    assert kinds(outbox.due(T0)) == [(DELETE, B)]


def test_a_failing_single_action_does_not_block_other_single_actions(outbox: Outbox) -> None:
    first = outbox.add(MARK, A, now=T0)
    outbox.failed(first.id, T0, retry_after=60.0)
    assert kinds(outbox.due(T0)) == []
    outbox.add(DELETE, B, now=T0)
    assert kinds(outbox.due(T0)) == [(DELETE, B)]


# ---- coalescing --------------------------------------------------------------------


def test_identical_actions_are_not_queued_twice(outbox: Outbox) -> None:
    first = outbox.add(MARK, A, now=T0)
    assert outbox.add(MARK, A, now=T0) == first
    bulk = outbox.add(MARK_ALL, now=T0)
    assert outbox.add(MARK_ALL, now=T0) == bulk
    assert len(outbox.pending()) == 1  # mark_all_read replaced mark_read A


def test_mark_read_of_a_row_pending_deletion_is_dropped(outbox: Outbox) -> None:
    delete = outbox.add(DELETE, A, now=T0)
    assert outbox.add(MARK, A, now=T0) == delete
    assert kinds(outbox.pending()) == [(DELETE, A)]


def test_delete_replaces_a_pending_mark_read(outbox: Outbox) -> None:
    outbox.add(MARK, A, now=T0)
    outbox.add(MARK, B, now=T0)
    outbox.add(DELETE, A, now=T0)
    assert kinds(outbox.pending()) == [(MARK, B), (DELETE, A)]


def test_mark_all_read_replaces_mark_reads_after_the_last_delete_read(outbox: Outbox) -> None:
    outbox.add(MARK, A, now=T0)
    outbox.add(DELETE_READ, now=T0)
    outbox.add(MARK, B, now=T0)
    outbox.add(MARK_ALL, now=T0)
    # A must stay: it has to be read before delete_read runs, so that it goes too.
    assert kinds(outbox.pending()) == [(MARK, A), (DELETE_READ, None), (MARK_ALL, None)]


def test_bulk_action_is_queued_again_after_later_actions(outbox: Outbox) -> None:
    first = outbox.add(DELETE_READ, now=T0)
    outbox.add(MARK, A, now=T0)
    second = outbox.add(DELETE_READ, now=T0)
    assert second != first
    assert kinds(outbox.pending()) == [(DELETE_READ, None), (MARK, A), (DELETE_READ, None)]


# ---- persistence -------------------------------------------------------------------


def test_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    box = Outbox(path, rng=random.Random(2))
    box.add(MARK, A, now=T0)
    failing = box.add(DELETE, B, now=T0)
    box.add(DELETE_READ, now=T0)
    box.failed(failing.id, T0 + timedelta(seconds=1), retry_after=5.0)
    assert Outbox(path).pending() == box.pending()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    Outbox(path).add(MARK, A, now=T0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_confirmed_actions_are_gone_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    box = Outbox(path)
    action = box.add(MARK, A, now=T0)
    box.succeeded(action.id)
    assert Outbox(path).pending() == []


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({"version": 2, "actions": []}),
        json.dumps({"version": 1, "actions": {}}),
        json.dumps({"version": 1, "actions": [{"id": "x", "kind": "explode", "attempts": 0}]}),
        json.dumps(
            {
                "version": 1,
                "actions": [
                    {
                        "id": "x",
                        "kind": "delete",
                        "target": None,
                        "attempts": 0,
                        "created_at": T0.isoformat(),
                        "next_attempt_at": T0.isoformat(),
                    }
                ],
            }
        ),
    ],
)
def test_corrupt_file_is_logged_set_aside_and_starts_fresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    path = tmp_path / "outbox.json"
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        box = Outbox(path)
    assert box.pending() == []
    assert "Corrupt state file" in caplog.text
    assert (tmp_path / "outbox.json.corrupt").read_text(encoding="utf-8") == content
    box.add(MARK, A, now=T0)
    assert kinds(Outbox(path).pending()) == [(MARK, A)]


def test_failed_write_keeps_working_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    box = Outbox(blocker / "outbox.json")
    with caplog.at_level(logging.ERROR):
        box.add(MARK, A, now=T0)
    assert "Cannot write the outbox" in caplog.text
    assert kinds(box.pending()) == [(MARK, A)]


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(list(ActionKind)), st.sampled_from([A, B])),
        st.tuples(st.just("ok"), st.integers(0, 5), st.none()),
        st.tuples(st.just("fail"), st.integers(0, 5), st.floats(0.0, 100.0)),
        st.tuples(st.just("drop"), st.integers(0, 5), st.none()),
    ),
    max_size=25,
)


@settings(max_examples=100, deadline=None)
@given(ops=operations)
def test_file_always_matches_memory(ops: list[tuple[str, object, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "outbox.json"
        box = Outbox(path, rng=random.Random(0))
        for step, (op, arg, extra) in enumerate(ops):
            now = T0 + timedelta(seconds=step)
            pending = box.pending()
            if op == "add":
                assert isinstance(arg, ActionKind)
                box.add(arg, extra if arg in (MARK, DELETE) else None, now=now)  # type: ignore[arg-type]
            elif pending:
                action = pending[int(arg) % len(pending)]  # type: ignore[call-overload]
                if op == "ok":
                    box.succeeded(action.id)
                else:
                    retry = extra if isinstance(extra, float) else None
                    box.failed(action.id, now, retry_after=retry, permanent=op == "drop")
            assert Outbox(path).pending() == box.pending()
        ids = [a.id for a in box.pending()]
        assert len(ids) == len(set(ids))
