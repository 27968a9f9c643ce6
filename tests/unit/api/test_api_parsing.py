"""parsing.py: tolerant reading of the server's JSON, and nothing but ProtocolError."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from api_fakes import job_row, row
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.api import parsing
from tray_app.api.errors import ProtocolError
from tray_app.api.models import DEFAULT_PREFERENCES

# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-30T08:00:00Z", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        ("2026-03-30T08:00:00.123Z", datetime(2026, 3, 30, 8, 0, 0, 123000, tzinfo=UTC)),
        ("2026-03-30T10:00:00+02:00", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        ("2026-03-30T03:30:00.5-04:30", datetime(2026, 3, 30, 8, 0, 0, 500000, tzinfo=UTC)),
        ("2026-03-30 08:00:00.123456+00", datetime(2026, 3, 30, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-30T08:00:00", datetime(2026, 3, 30, 8, tzinfo=UTC)),
    ],
)
def test_dates_become_aware_utc(text: str, expected: datetime) -> None:
    parsed = parsing.parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01T00:00:00Z", 1743321600, None, []])
def test_bad_dates_are_protocol_errors(value: object) -> None:
    with pytest.raises(ProtocolError):
        parsing.parse_datetime(value)


def test_a_date_at_the_edge_of_the_calendar() -> None:
    with pytest.raises(ProtocolError):
        parsing.parse_datetime("0001-01-01T00:00:00+05:00")
    edge = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-1)))
    with pytest.raises(ProtocolError):
        parsing.parse_datetime(edge.isoformat())


# --- notifications ---------------------------------------------------------------------


def test_unknown_fields_ignored_and_unknown_types_kept() -> None:
    item = {**row(1, type_="mailbox_exploded"), "priority": 9, "meta": {"x": 1}}
    notification = parsing.parse_notification(item)
    assert notification.type == "mailbox_exploded"
    assert notification.user_id == item["user_id"]


@pytest.mark.parametrize(
    ("changes", "body", "data"),
    [
        ({"body": None}, None, {"jobId": "import_mbox-1", "count": 1}),
        ({"data": None}, "1 mail(s) archivé(s) sur le NAS.", None),
        ({"data": [1, 2]}, "1 mail(s) archivé(s) sur le NAS.", None),
        ({"body": 5, "data": "x"}, None, None),
    ],
)
def test_optional_fields(changes: dict[str, Any], body: str | None, data: object) -> None:
    notification = parsing.parse_notification({**row(1), **changes})
    assert notification.body == body
    assert notification.data == data


@pytest.mark.parametrize(
    "changes",
    [
        {"id": 1},
        {"id": "not-a-uuid"},
        {"type": None},
        {"title": ["x"]},
        {"is_read": "false"},
        {"is_read": 0},
        {"created_at": None},
        {"created_at": "soon"},
    ],
)
def test_wrong_required_fields_make_an_item_malformed(changes: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        parsing.parse_notification({**row(1), **changes})


def test_malformed_items_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="tray_app.api.parsing")
    body = {"notifications": [row(2), {"id": None}, "junk", row(1)], "unreadCount": 2}
    page = parsing.parse_notification_page(body, page=1, limit=20)
    assert [n.id for n in page.items] == [row(2)["id"], row(1)["id"]]
    assert len([r for r in caplog.records if "Skipped malformed" in r.getMessage()]) == 2


def test_duplicate_rows_in_a_page_are_kept_once() -> None:
    body = {"notifications": [row(2), row(1), row(2)], "unreadCount": 2}
    page = parsing.parse_notification_page(body, page=1, limit=3)
    assert [n.id for n in page.items] == [row(2)["id"], row(1)["id"]]
    assert page.is_last is False


@pytest.mark.parametrize(
    ("server_page", "server_limit", "page", "limit", "count", "is_last"),
    [
        (1, 20, 1, 20, 20, False),
        (1, 20, 1, 20, 19, True),
        (1, 100, 1, 500, 100, False),
        (1, 100, 1, 500, 99, True),
        (None, None, 1, 20, 5, True),
        ("2", "x", 2, 20, 20, False),
        (1, 0, 1, 20, 0, True),
        (1, -3, 1, 20, 19, True),
    ],
)
def test_is_last_and_limits(
    server_page: object, server_limit: object, page: int, limit: int, count: int, is_last: bool
) -> None:
    body = {
        "notifications": [row(n) for n in range(count, 0, -1)],
        "unreadCount": 1,
        "page": server_page,
        "limit": server_limit,
    }
    result = parsing.parse_notification_page(body, page=page, limit=limit)
    assert result.is_last is is_last
    assert result.page == (server_page if isinstance(server_page, int) else page)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (0, 0), (-4, 0), (10**12, parsing.MAX_COUNT), (7.0, 7), (2.9, 2)],
)
def test_unread_count_is_clamped(
    value: object, expected: int, caplog: pytest.LogCaptureFixture
) -> None:
    page = parsing.parse_notification_page(
        {"notifications": [], "unreadCount": value}, page=1, limit=20
    )
    assert page.unread_count == expected
    clamped = not 0 <= int(value) <= parsing.MAX_COUNT  # type: ignore[call-overload]
    assert ("clamped" in caplog.text) is clamped


@pytest.mark.parametrize("value", [None, "3", True, float("nan"), float("inf"), [3]])
def test_unread_count_of_the_wrong_type(value: object) -> None:
    with pytest.raises(ProtocolError):
        parsing.parse_notification_page(
            {"notifications": [], "unreadCount": value}, page=1, limit=20
        )


def test_preferences_take_only_real_booleans(caplog: pytest.LogCaptureFixture) -> None:
    body = {"weekly_report": False, "job_completed": 0, "job_failed": "true", "x": True}
    prefs = parsing.parse_preferences(body)
    assert prefs == {**DEFAULT_PREFERENCES, "weekly_report": False}
    assert "job_completed" in caplog.text and "job_failed" in caplog.text


@pytest.mark.parametrize("body", [{"ok": True}, {"success": True}, {"updated": 5}, None])
def test_acknowledgements(body: object) -> None:
    parsing.parse_ok(body)


# --- auth, jobs ------------------------------------------------------------------------


def test_user_and_auth_config() -> None:
    user = parsing.parse_session_user({"user": {"id": "u", "email": "e@x", "role": "admin"}})
    assert (user.role, user.totp_enabled) == ("admin", None)
    config = parsing.parse_auth_config(
        {"socialProviders": ["github", {"id": "google"}, {"name": "Microsoft"}, {}, 3]}
    )
    assert config.social_providers == ("github", "google", "Microsoft")
    assert config.allow_registration is False


def test_job_rows_and_lenient_optional_fields() -> None:
    job = parsing.parse_job({**job_row(1), "progress": 42.7, "total": "many", "bullmqState": "x"})
    assert (job.progress, job.total, job.processed) == (42, None, 10)
    assert job.created_at == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert job.finished is False
    bad_date = parsing.parse_job({**job_row(1), "completed_at": "later"})
    assert bad_date.completed_at is None


def test_malformed_jobs_are_skipped() -> None:
    jobs = parsing.parse_jobs([job_row(1), {**job_row(2), "id": "import_mbox-2"}, 5])
    assert [j.id for j in jobs] == [job_row(1)["id"]]
    with pytest.raises(ProtocolError):
        parsing.parse_jobs({"jobs": []})


def test_job_events() -> None:
    first = parsing.parse_job_event("message", job_row(1, "completed"))
    assert (first.kind, first.status, first.bullmq_id) == ("row", "completed", "import_mbox-1")
    assert first.job is not None and first.job.finished
    update = {"bullmqId": "import_mbox-1", "event": "progress", "status": "active", "progress": 50}
    event = parsing.parse_job_event("message", update)
    assert (event.kind, event.progress, event.job) == ("progress", 50, None)
    named = parsing.parse_job_event("failed", {"status": "failed", "error": "Error: boom"})
    assert (named.kind, named.error) == ("failed", "Error: boom")


# --- "nothing but ProtocolError" ------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["2026-03-30T08:00:00Z", "00000000-0000-4000-8000-000000000001"]),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    *row(1),
                    *job_row(1),
                    "notifications",
                    "unreadCount",
                    "notification",
                    "user",
                    "event",
                    "limit",
                    "page",
                    "gmailAccounts",
                    "socialProviders",
                    "ok",
                    "updated",
                    "success",
                    "error",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=8,
        )
    ),
    max_leaves=30,
)

PARSERS: list[Callable[[Any], object]] = [
    parsing.parse_notification,
    lambda v: parsing.parse_notification_page(v, page=1, limit=20),
    parsing.parse_preferences,
    parsing.parse_user,
    parsing.parse_session_user,
    parsing.parse_me,
    parsing.parse_auth_config,
    parsing.parse_health,
    parsing.parse_job,
    parsing.parse_jobs,
    lambda v: parsing.parse_job_event("message", v),
    lambda v: parsing.parse_job_event("progress", v),
    lambda v: parsing.parse_stream_event("created", v),
    lambda v: parsing.parse_stream_event("deleted", v),
    lambda v: parsing.parse_stream_event("hello", v),
    parsing.parse_ok,
    parsing.parse_datetime,
    parsing.parse_count,
    parsing.error_text,
]


@settings(max_examples=300, deadline=None)
@given(value=json_values, which=st.integers(min_value=0, max_value=len(PARSERS) - 1))
def test_any_json_gives_a_result_or_a_protocol_error(value: object, which: int) -> None:
    with contextlib.suppress(ProtocolError):
        PARSERS[which](value)


@settings(max_examples=150, deadline=None)
@given(
    item=st.fixed_dictionaries(
        {k: st.just(v) for k, v in row(1).items()},
    ).flatmap(
        lambda base: st.dictionaries(st.sampled_from(sorted(base)), json_values, max_size=3).map(
            lambda override: {**base, **override}
        )
    )
)
def test_near_valid_rows_in_a_page_never_break_the_page(item: dict[str, Any]) -> None:
    page = parsing.parse_notification_page(
        {"notifications": [item, row(2)], "unreadCount": 1}, page=1, limit=20
    )
    assert row(2)["id"] in [n.id for n in page.items]
