"""apply_pending: the optimistic view of a listing while actions wait for the server."""

from __future__ import annotations

import random
from dataclasses import replace

from core_factories import T0, note_id, row
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.api.models import Notification
from tray_app.core.outbox import Action, ActionKind, Outbox, apply_pending

MARK, DELETE = ActionKind.MARK_READ, ActionKind.DELETE
MARK_ALL, DELETE_READ = ActionKind.MARK_ALL_READ, ActionKind.DELETE_READ


def action(kind: ActionKind, n: int | None = None) -> Action:
    target = None if n is None else note_id(n)
    return Action(f"a-{kind.value}-{n}", kind, target, T0, T0)


def listing(*unread: int, read: tuple[int, ...] = ()) -> list[Notification]:
    rows = [row(n) for n in unread] + [row(n, read=True) for n in read]
    return sorted(rows, key=lambda r: r.created_at, reverse=True)


def test_no_pending_action_changes_nothing() -> None:
    items = listing(1, 2, read=(3,))
    assert apply_pending(items, 2, []) == (tuple(items), 2)


def test_pending_delete_hides_the_row_and_fixes_the_badge() -> None:
    result = apply_pending(listing(1, 2, read=(3,)), 2, [action(DELETE, 2), action(DELETE, 3)])
    assert [r.id for r in result.items] == [note_id(1)]
    assert result.unread_count == 1


def test_pending_mark_read() -> None:
    result = apply_pending(listing(1, 2), 5, [action(MARK, 1)])
    assert [r.is_read for r in result.items] == [False, True]
    assert result.unread_count == 4  # rows not loaded still count


def test_action_the_server_already_applied_is_not_counted_twice() -> None:
    # The answer to "delete 2" was lost: the server deleted it, the action is pending.
    assert apply_pending(listing(1), 1, [action(DELETE, 2)]) == (tuple(listing(1)), 1)
    # Same for "mark read 1": the refreshed page already shows it read.
    assert apply_pending(listing(read=(1,)), 0, [action(MARK, 1)]).unread_count == 0


def test_mark_all_read_clears_the_badge() -> None:
    result = apply_pending(listing(1, 2, 3), 40, [action(MARK_ALL)])
    assert all(r.is_read for r in result.items)
    assert result.unread_count == 0


def test_delete_read_keeps_unread_rows() -> None:
    result = apply_pending(listing(1, read=(2, 3)), 1, [action(DELETE_READ)])
    assert [r.id for r in result.items] == [note_id(1)]
    assert result.unread_count == 1


def test_order_matters_mark_read_then_delete_read() -> None:
    result = apply_pending(listing(1, 2), 2, [action(MARK, 1), action(DELETE_READ)])
    assert [r.id for r in result.items] == [note_id(2)]
    assert result.unread_count == 1


def test_count_never_goes_negative() -> None:
    assert apply_pending(listing(1, 2), 0, [action(DELETE, 1), action(DELETE, 2)]).unread_count == 0


# ---- properties against a model of the server -------------------------------------


def server_apply(rows: list[Notification], act: Action) -> list[Notification]:
    """What the server does, written independently of apply_pending."""
    if act.kind is MARK:
        return [replace(r, is_read=True) if r.id == act.target else r for r in rows]
    if act.kind is DELETE:
        return [r for r in rows if r.id != act.target]
    if act.kind is MARK_ALL:
        return [replace(r, is_read=True) for r in rows]
    return [r for r in rows if not r.is_read]


ids = st.integers(min_value=0, max_value=7)
requests = st.lists(
    st.one_of(
        st.tuples(st.sampled_from([MARK, DELETE]), ids),
        st.tuples(st.sampled_from([MARK_ALL, DELETE_READ]), st.none()),
    ),
    max_size=8,
)
rows_st = st.dictionaries(ids, st.booleans()).map(
    lambda d: [row(n, read=read) for n, read in sorted(d.items(), reverse=True)]
)


def unread(rows: list[Notification] | tuple[Notification, ...]) -> int:
    return sum(not r.is_read for r in rows)


@settings(max_examples=300)
@given(rows=rows_st, clicks=requests, data=st.data())
def test_badge_and_list_agree_whatever_the_server_already_did(
    rows: list[Notification], clicks: list[tuple[ActionKind, int | None]], data: st.DataObject
) -> None:
    outbox = Outbox(rng=random.Random(0))
    for kind, n in clicks:
        outbox.add(kind, None if n is None else note_id(n), now=T0)
    pending = outbox.pending()
    # Coalescing never changes the outcome of what the user clicked.
    expected = list(rows)
    for act in pending:
        expected = server_apply(expected, act)
    clicked = list(rows)
    for kind, n in clicks:
        clicked = server_apply(clicked, action(kind, n))
    assert expected == clicked
    # Any of the actions already sent may have reached the server with its answer lost:
    # they are still pending here, and the view must not change because of it.
    sent = outbox.due(T0)
    lost = data.draw(st.lists(st.sampled_from(sent), unique=True) if sent else st.just([]))
    server_now = list(rows)
    for act in lost:
        server_now = server_apply(server_now, act)
    view = apply_pending(server_now, unread(server_now), pending)
    assert list(view.items) == expected
    assert view.unread_count == unread(view.items) == unread(expected)
