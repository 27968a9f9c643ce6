"""Cheap-poll change detection and NEW-row detection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from core_factories import T0, row
from hypothesis import given
from hypothesis import strategies as st

from tray_app.api.models import Notification, NotificationPage
from tray_app.core.sync_logic import (
    FULL_FETCH_MAX_AGE_S,
    NEW_TOLERANCE,
    SeenState,
    Snapshot,
    merge_page,
    needs_full_fetch,
    snapshot_of,
)


def page(items: Sequence[Notification], unread: int, limit: int = 20) -> NotificationPage:
    return NotificationPage(tuple(items), unread, 1, limit, len(items) < limit)


def newest_first(*numbers: int, read: bool = False) -> list[Notification]:
    return [row(n, read=read) for n in sorted(numbers, reverse=True)]


# ---- needs_full_fetch --------------------------------------------------------------


def test_without_a_previous_fetch_fetch_the_page() -> None:
    assert needs_full_fetch(None, page([row(1)], 1, limit=1))


def test_unchanged_probe_needs_nothing() -> None:
    full = page(newest_first(3, 2, 1), 2)
    probe = page([row(3)], 2, limit=1)
    assert not needs_full_fetch(snapshot_of(full), probe, full_fetch_age_s=10.0)


def test_new_newest_row_needs_a_fetch() -> None:
    known = snapshot_of(page(newest_first(2, 1), 2))
    assert needs_full_fetch(known, page([row(3)], 3, limit=1))


def test_newest_row_deleted_elsewhere_needs_a_fetch() -> None:
    known = snapshot_of(page(newest_first(2, 1), 0))
    assert needs_full_fetch(known, page([row(1)], 0, limit=1))


def test_read_elsewhere_changes_the_count_and_needs_a_fetch() -> None:
    known = snapshot_of(page(newest_first(2, 1), 2))
    assert needs_full_fetch(known, page([row(2)], 1, limit=1))


def test_everything_deleted_needs_a_fetch_and_empty_stays_quiet() -> None:
    known = snapshot_of(page(newest_first(1), 1))
    assert needs_full_fetch(known, page([], 0, limit=1))
    empty = snapshot_of(page([], 0))
    assert empty == Snapshot(None, 0)
    assert not needs_full_fetch(empty, page([], 0, limit=1))


def test_old_full_fetch_is_refreshed_anyway() -> None:
    full = page(newest_first(2, 1), 0)
    probe = page([row(2)], 0, limit=1)
    assert needs_full_fetch(snapshot_of(full), probe, full_fetch_age_s=FULL_FETCH_MAX_AGE_S)


# ---- merge_page --------------------------------------------------------------------


def test_first_sync_treats_everything_as_seen() -> None:
    result = merge_page(None, newest_first(3, 2, 1))
    assert result.new == ()
    assert set(result.state.ids) == {row(n).id for n in (1, 2, 3)}
    assert result.state.watermark == row(3).created_at


def test_a_row_never_seen_and_newer_is_new() -> None:
    state = merge_page(None, newest_first(2, 1)).state
    result = merge_page(state, newest_first(4, 3, 2, 1))
    assert [n.id for n in result.new] == [row(4).id, row(3).id]
    assert merge_page(result.state, newest_first(4, 3, 2, 1)).new == ()


def test_read_rows_are_never_new() -> None:
    state = merge_page(None, newest_first(1)).state
    result = merge_page(state, [row(2, read=True), row(1)])
    assert result.new == ()
    assert row(2).id in result.state.ids


def test_old_row_sliding_into_the_first_page_after_a_deletion_is_not_new() -> None:
    # Page of 3: rows 100..98 seen; row 50 (long ago, never loaded) slides in when
    # row 99 is deleted elsewhere.
    old = row(50, at=T0 - timedelta(days=2))
    state = merge_page(None, newest_first(100, 99, 98)).state
    result = merge_page(state, [row(100), row(98), old])
    assert result.new == ()
    assert old.id in result.state.ids


def test_late_committed_row_within_tolerance_is_new() -> None:
    state = merge_page(None, newest_first(100)).state
    late = row(7, at=row(100).created_at - NEW_TOLERANCE / 2)
    assert merge_page(state, [row(100), late]).new == (late,)
    too_old = row(8, at=row(100).created_at - NEW_TOLERANCE * 2)
    assert merge_page(state, [row(100), too_old]).new == ()


def test_after_an_empty_first_sync_every_row_is_new() -> None:
    state = merge_page(None, []).state
    assert state == SeenState((), None)
    old = row(1, at=T0 - timedelta(days=30))
    assert merge_page(state, [old]).new == (old,)


def test_a_streamed_row_is_merged_like_a_page() -> None:
    state = merge_page(None, newest_first(2, 1)).state
    result = merge_page(state, [row(3)])
    assert result.new == (row(3),)
    assert result.state.ids[0] == row(3).id
    assert set(result.state.ids) == {row(n).id for n in (1, 2, 3)}


def test_duplicates_in_a_page_are_reported_once() -> None:
    state = merge_page(None, []).state
    result = merge_page(state, [row(1), row(1)])
    assert result.state.ids == (row(1).id,)


def test_seen_ids_are_bounded_keeping_the_most_recent() -> None:
    state = merge_page(None, newest_first(*range(1, 11)), max_ids=5).state
    assert state.ids == tuple(row(n).id for n in range(10, 5, -1))
    state = merge_page(state, [row(11)], max_ids=5).state
    assert state.ids[0] == row(11).id
    assert len(state.ids) == 5


def test_watermark_never_goes_back() -> None:
    state = merge_page(None, newest_first(5)).state
    state = merge_page(state, newest_first(2, 1)).state
    assert state.watermark == row(5).created_at


def test_seen_state_json_round_trip() -> None:
    state = merge_page(None, newest_first(3, 2, 1)).state
    assert SeenState.from_json(state.to_json()) == state
    assert SeenState.from_json(SeenState().to_json()) == SeenState()


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"ids": "x"},
        {"ids": [1]},
        {"ids": [], "watermark": 5},
        {"ids": [], "watermark": "?"},
    ],
)
def test_seen_state_rejects_garbage(data: object) -> None:
    with pytest.raises(ValueError):
        SeenState.from_json(data)


@given(
    first=st.sets(st.integers(min_value=0, max_value=60), max_size=20),
    later=st.sets(st.integers(min_value=0, max_value=60), max_size=20),
)
def test_new_rows_are_unseen_and_never_reported_twice(first: set[int], later: set[int]) -> None:
    state = merge_page(None, newest_first(*first)).state
    result = merge_page(state, newest_first(*later))
    new_ids = {n.id for n in result.new}
    assert new_ids.isdisjoint(state.ids)
    assert new_ids <= {row(n).id for n in later}
    assert merge_page(result.state, newest_first(*later)).new == ()
