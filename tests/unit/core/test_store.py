"""NotificationStore: ordering, merging of shifted pages, deletion detection, events."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.api.models import Notification, NotificationPage
from tray_app.core.store import NotificationStore, StoreListener, sort_key

BASE = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def make(n: int, *, read: bool = False, seconds: int | None = None) -> Notification:
    """Notification number ``n``; higher numbers are newer."""
    return Notification(
        id=f"00000000-0000-4000-8000-{n:012d}",
        type="job_completed",
        title=f"Import {n}",
        body=f"{n} mail(s)",
        data={"count": n},
        is_read=read,
        created_at=BASE + timedelta(seconds=n if seconds is None else seconds),
    )


def page(
    items: list[Notification], *, unread: int = 0, number: int = 1, limit: int = 5
) -> NotificationPage:
    return NotificationPage(
        items=tuple(items),
        unread_count=unread,
        page=number,
        limit=limit,
        is_last=len(items) < limit,
    )


class Recorder(StoreListener):
    """Replays the events on a shadow list, checking Qt's begin/end pairing rules."""

    def __init__(self, store: NotificationStore) -> None:
        self.store = store
        self.shadow: list[Notification] = list(store.rows())
        self.pending: tuple[str, int, int] | None = None
        self.events: list[str] = []
        self.unread: list[int] = []
        self.pages: list[bool] = []

    def about_to_insert(self, first: int, last: int) -> None:
        assert self.pending is None
        assert 0 <= first <= len(self.shadow) and last >= first
        self.pending = ("insert", first, last)

    def inserted(self) -> None:
        assert self.pending is not None and self.pending[0] == "insert"
        _, first, last = self.pending
        self.shadow[first:first] = [self.store.row(i) for i in range(first, last + 1)]
        self.pending = None
        self.events.append(f"insert {first}-{last}")

    def about_to_remove(self, first: int, last: int) -> None:
        assert self.pending is None
        assert 0 <= first <= last < len(self.shadow)
        self.pending = ("remove", first, last)

    def removed(self) -> None:
        assert self.pending is not None and self.pending[0] == "remove"
        _, first, last = self.pending
        del self.shadow[first : last + 1]
        self.pending = None
        self.events.append(f"remove {first}-{last}")

    def changed(self, first: int, last: int) -> None:
        assert self.pending is None
        assert 0 <= first <= last < len(self.shadow)
        for i in range(first, last + 1):
            self.shadow[i] = self.store.row(i)
        self.events.append(f"change {first}-{last}")

    def about_to_reset(self) -> None:
        assert self.pending is None
        self.pending = ("reset", 0, 0)

    def reset(self) -> None:
        assert self.pending is not None and self.pending[0] == "reset"
        self.shadow = list(self.store.rows())
        self.pending = None
        self.events.append("reset")

    def unread_changed(self, count: int) -> None:
        self.unread.append(count)

    def page_applied(self, has_more: bool) -> None:
        self.pages.append(has_more)


@pytest.fixture
def store() -> NotificationStore:
    return NotificationStore()


@pytest.fixture
def recorder(store: NotificationStore) -> Recorder:
    recorder = Recorder(store)
    store.add_listener(recorder)
    return recorder


def ids(store: NotificationStore) -> list[str]:
    return [n.id for n in store.rows()]


def test_first_page_is_sorted_newest_first_with_id_tie_break(
    store: NotificationStore, recorder: Recorder
) -> None:
    tied_b = replace(make(5), id="b" * 36)
    tied_a = replace(make(5), id="a" * 36)
    store.apply_first_page(page([make(1), tied_b, make(9), tied_a], unread=7, limit=20))
    assert ids(store) == [make(9).id, tied_a.id, tied_b.id, make(1).id]
    assert store.unread_count == 7
    assert recorder.events == ["insert 0-3"]
    assert recorder.unread == [7]
    assert recorder.pages == [False]
    assert not store.has_more


def test_next_page_shifted_by_new_rows_is_deduplicated(
    store: NotificationStore, recorder: Recorder
) -> None:
    store.apply_first_page(page([make(n) for n in range(20, 15, -1)], unread=5))
    assert store.has_more
    # Two rows arrived on the server meanwhile: page 2 now starts with rows 17 and 16.
    fresh = store.apply_next_page(page([make(n) for n in range(17, 12, -1)], number=2))
    assert [n.id for n in fresh] == [make(n).id for n in (15, 14, 13)]
    assert ids(store) == [make(n).id for n in range(20, 12, -1)]
    assert recorder.shadow == list(store.rows())
    assert recorder.events == ["insert 0-4", "insert 5-7"]


def test_next_page_shifted_by_deletions_leaves_no_duplicate(store: NotificationStore) -> None:
    store.apply_first_page(page([make(n) for n in range(20, 15, -1)]))
    store.apply_next_page(page([make(n) for n in range(15, 10, -1)], number=2))
    store.apply_next_page(page([make(n) for n in range(12, 9, -1)], number=3))
    assert ids(store) == [make(n).id for n in range(20, 9, -1)]
    assert not store.has_more


def test_first_page_detects_rows_deleted_on_the_server(
    store: NotificationStore, recorder: Recorder
) -> None:
    store.apply_first_page(page([make(n) for n in range(20, 15, -1)]))
    store.apply_next_page(page([make(n) for n in range(15, 10, -1)], number=2))
    # 19 and 17 were deleted elsewhere, so page 1 now reaches down to 14; everything
    # older than 14 stays loaded.
    store.apply_first_page(page([make(20), make(18), make(16), make(15), make(14)]))
    assert ids(store) == [make(n).id for n in (20, 18, 16, 15, 14, 13, 12, 11)]
    assert recorder.shadow == list(store.rows())
    assert "remove 1-1" in recorder.events and "remove 2-2" in recorder.events


def test_first_page_keeps_rows_older_than_its_span(store: NotificationStore) -> None:
    store.apply_first_page(page([make(n) for n in range(20, 15, -1)]))
    store.apply_next_page(page([make(n) for n in range(15, 10, -1)], number=2))
    store.apply_first_page(page([make(n) for n in range(22, 17, -1)]))
    assert ids(store) == [make(n).id for n in range(22, 10, -1)]
    assert store.has_more


def test_first_page_updates_read_state_in_place(
    store: NotificationStore, recorder: Recorder
) -> None:
    store.apply_first_page(page([make(n) for n in range(3, 0, -1)], unread=3))
    recorder.events.clear()
    store.apply_first_page(page([make(3), make(2, read=True), make(1)], unread=2))
    assert store.get(make(2).id) == make(2, read=True)
    assert recorder.events == ["change 1-1"]
    assert store.unread_count == 2


def test_last_first_page_removes_everything_missing(store: NotificationStore) -> None:
    store.apply_first_page(page([make(n) for n in range(3, 0, -1)]))
    store.apply_first_page(page([make(2)]))
    assert ids(store) == [make(2).id]
    store.apply_first_page(page([]))
    assert len(store) == 0


def test_tied_timestamp_at_page_boundary_is_kept(store: NotificationStore) -> None:
    same = [replace(make(1), id=f"{c}" * 36) for c in "abc"]
    store.apply_first_page(page([make(9), make(8), *same], limit=5))
    # The server's order among equal timestamps may differ: "a" slid to page 2.
    store.apply_first_page(page([make(9), make(8), make(7), same[2], same[1]], limit=5))
    assert same[0].id in store


def test_page_entirely_newer_than_loaded_rows_drops_the_gap(store: NotificationStore) -> None:
    store.apply_first_page(page([make(n) for n in range(5, 0, -1)]))
    store.apply_next_page(page([make(0)], number=2))
    assert not store.has_more
    store.apply_first_page(page([make(n) for n in range(50, 45, -1)]))
    assert ids(store) == [make(n).id for n in range(50, 45, -1)]
    assert store.has_more


def test_upsert_inserts_in_order_and_replaces(store: NotificationStore, recorder: Recorder) -> None:
    store.apply_first_page(page([make(5), make(1)], limit=20))
    assert store.upsert(make(3)) is True
    assert store.upsert(make(3, read=True)) is False
    assert ids(store) == [make(5).id, make(3).id, make(1).id]
    assert store.get(make(3).id) == make(3, read=True)
    assert recorder.events[-2:] == ["insert 1-1", "change 1-1"]


def test_upsert_with_a_new_timestamp_moves_the_row(
    store: NotificationStore, recorder: Recorder
) -> None:
    store.apply_first_page(page([make(5), make(3), make(1)], limit=20))
    store.upsert(make(3, seconds=10))
    assert ids(store) == [make(3).id, make(5).id, make(1).id]
    assert recorder.shadow == list(store.rows())


def test_remove_and_mark_read_adjust_unread_count(store: NotificationStore) -> None:
    store.apply_first_page(page([make(3), make(2), make(1, read=True)], unread=10))
    assert store.mark_read(make(3).id) is True
    assert store.mark_read(make(3).id) is False
    assert store.unread_count == 9
    assert store.remove(make(2).id) == make(2)
    assert store.unread_count == 8
    assert store.remove(make(1).id) == make(1, read=True)
    assert store.unread_count == 8
    assert store.remove("missing") is None
    assert store.mark_read("missing") is False


def test_mark_all_read_and_remove_read(store: NotificationStore, recorder: Recorder) -> None:
    store.apply_first_page(page([make(n, read=n % 2 == 0) for n in range(6, 0, -1)], unread=40))
    store.mark_all_read()
    assert store.unread_count == 0
    assert all(n.is_read for n in store.rows())
    store.upsert(make(7))
    removed = store.remove_read()
    assert len(removed) == 6
    assert ids(store) == [make(7).id]
    assert recorder.shadow == list(store.rows())


def test_remove_read_of_scattered_rows_resets_listeners(
    store: NotificationStore, recorder: Recorder
) -> None:
    store.apply_first_page(page([make(n, read=n % 2 == 0) for n in range(400, 0, -1)], limit=500))
    recorder.events.clear()
    store.remove_read()
    assert recorder.events == ["reset"]
    assert len(store) == 200


def test_partial_restore_undoes_a_rejected_delete(store: NotificationStore) -> None:
    store.apply_first_page(page([make(3), make(2), make(1)], unread=3))
    saved = store.snapshot([make(2).id])
    store.remove(make(2).id)
    store.mark_read(make(1).id)  # an unrelated change made meanwhile
    store.restore(saved)
    assert ids(store) == [make(3).id, make(2).id, make(1).id]
    assert store.get(make(1).id) == make(1, read=True)
    assert store.unread_count == 2


def test_partial_restore_undoes_a_rejected_mark_read(store: NotificationStore) -> None:
    store.apply_first_page(page([make(2), make(1)], unread=2))
    saved = store.snapshot([make(2).id, "not-loaded"])
    store.mark_read(make(2).id)
    store.restore(saved)
    assert store.get(make(2).id) == make(2)
    assert store.unread_count == 2


def test_full_restore_undoes_a_rejected_mark_all_read(store: NotificationStore) -> None:
    store.apply_first_page(page([make(n) for n in range(5, 0, -1)], unread=42))
    saved = store.snapshot()
    store.mark_all_read()
    store.remove_read()
    store.restore(saved)
    assert list(store.rows()) == [make(n) for n in range(5, 0, -1)]
    assert store.unread_count == 42
    assert store.has_more


def test_clear_and_listener_removal(store: NotificationStore, recorder: Recorder) -> None:
    store.apply_first_page(page([make(2), make(1)], unread=2))
    store.clear()
    assert len(store) == 0 and store.unread_count == 0
    store.remove_listener(recorder)
    store.upsert(make(3))
    assert recorder.shadow == []


def test_index_of_and_next_page(store: NotificationStore) -> None:
    store.apply_first_page(page([make(n) for n in range(20, 0, -1)], limit=50))
    assert store.index_of(make(20).id) == 0
    assert store.index_of(make(1).id) == 19
    assert store.index_of("nope") is None
    assert store.next_page(50) == 1
    assert store.next_page(10) == 3
    with pytest.raises(ValueError):
        store.next_page(0)


def test_naive_timestamps_are_taken_as_utc() -> None:
    naive = replace(make(1), created_at=make(1).created_at.replace(tzinfo=None))
    assert sort_key(naive) == sort_key(make(1))


def test_ten_thousand_rows_stay_cheap(store: NotificationStore) -> None:
    """Loading 200 pages and touching rows must not grow quadratically.

    Not a timing test: it compares the cost of the last pages with the first ones, with
    a wide margin, to catch an O(n) step per row turning into O(n^2) overall.
    """
    store.apply_first_page(page([make(n) for n in range(10_000, 9_950, -1)], limit=50))
    durations = []
    for number in range(2, 201):
        top = 10_000 - (number - 1) * 50
        started = time.perf_counter()
        store.apply_next_page(page([make(n) for n in range(top, top - 50, -1)], limit=50))
        store.upsert(make(10_000 + number))
        store.mark_read(make(top).id)
        durations.append(time.perf_counter() - started)
    assert len(store) == 10_000 + 199
    early, late = sorted(durations[:20])[10], sorted(durations[-20:])[10]
    assert late < early * 20 + 0.002
    started = time.perf_counter()
    store.apply_first_page(page([make(n) for n in range(10_200, 10_150, -1)], limit=50))
    store.mark_all_read()
    store.remove_read()
    assert time.perf_counter() - started < 2.0
    assert len(store) == 0


# ------------------------------------------------------------ property-based check

_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("first"), st.lists(st.integers(0, 30), max_size=6), st.booleans()),
        st.tuples(st.just("next"), st.lists(st.integers(0, 30), max_size=6), st.booleans()),
        st.tuples(st.just("upsert"), st.integers(0, 30), st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 30), st.booleans()),
        st.tuples(st.just("read"), st.integers(0, 30), st.booleans()),
        st.tuples(st.just("read_all"), st.integers(0, 0), st.booleans()),
        st.tuples(st.just("remove_read"), st.integers(0, 0), st.booleans()),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_OPS)
def test_events_replay_to_the_same_rows_and_order_holds(ops: list[tuple[object, ...]]) -> None:
    store = NotificationStore()
    recorder = Recorder(store)
    store.add_listener(recorder)
    for op, arg, flag in ops:
        if op in ("first", "next"):
            numbers = sorted(set(arg), reverse=True)  # type: ignore[call-overload]
            rows = [make(n, read=flag and n % 3 == 0) for n in numbers]
            if op == "first":
                store.apply_first_page(page(rows, limit=6))
            else:
                store.apply_next_page(page(rows, limit=6))
        elif op == "upsert":
            store.upsert(make(arg, read=flag))  # type: ignore[arg-type]
        elif op == "remove":
            store.remove(make(arg).id)  # type: ignore[arg-type]
        elif op == "read":
            store.mark_read(make(arg).id)  # type: ignore[arg-type]
        elif op == "read_all":
            store.mark_all_read()
        else:
            store.remove_read()
        rows = list(store.rows())
        assert recorder.shadow == rows
        assert rows == sorted(rows, key=sort_key)
        assert len({n.id for n in rows}) == len(rows)
        assert all(store.index_of(n.id) == i for i, n in enumerate(rows))
        assert store.unread_count >= 0
