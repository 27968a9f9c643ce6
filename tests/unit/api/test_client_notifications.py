"""ApiClient: notification list, writes and preferences, on both server variants."""

from __future__ import annotations

import json

import httpx
import pytest
from api_fakes import FakeServer, client_for, json_response, row

from tray_app.api.client import ApiClient
from tray_app.api.compat import ServerCompat
from tray_app.api.errors import AuthError, ProtocolError, ServerError
from tray_app.api.models import DEFAULT_PREFERENCES

pytestmark = pytest.mark.anyio

FLAVORS = ["observed", "documented"]
UNKNOWN_ID = "99999999-9999-4999-8999-999999999999"


def no_json_type_without_body(fake: FakeServer) -> None:
    for request in fake.requests:
        if not request.content:
            assert "content-type" not in request.headers, request


# --- list ------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_pages_until_a_short_page(flavor: str) -> None:
    fake = FakeServer(flavor)
    async with client_for(fake) as api:
        pages = [await api.list_notifications(page=p, limit=12) for p in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [12, 12, 6]
    assert [p.is_last for p in pages] == [False, False, True]
    assert [p.page for p in pages] == [1, 2, 3]
    ids = [n.id for p in pages for n in p.items]
    assert ids == [r["id"] for r in fake.notifications]
    assert all(p.unread_count == 20 for p in pages)
    assert fake.requests[0].url.params["limit"] == "12"


async def test_a_full_last_page_is_not_known_as_last(api: ApiClient) -> None:
    page = await api.list_notifications(page=1, limit=30)
    assert len(page.items) == 30
    assert page.is_last is False
    assert (await api.list_notifications(page=2, limit=30)).is_last is True


async def test_server_clamped_limit_decides_is_last(fake: FakeServer, api: ApiClient) -> None:
    fake.notifications = [row(n) for n in range(150, 0, -1)]
    page = await api.list_notifications(limit=500)
    assert fake.requests[-1].url.params["limit"] == "500"
    assert len(page.items) == 100
    assert page.limit == 100
    assert page.is_last is False


async def test_unread_only_sends_true(fake: FakeServer, api: ApiClient) -> None:
    page = await api.list_notifications(unread_only=True)
    assert fake.requests[-1].url.params["unread_only"] == "true"
    assert page.items and not any(n.is_read for n in page.items)
    await api.list_notifications()
    assert "unread_only" not in fake.requests[-1].url.params


async def test_parsed_items_keep_the_row_values(api: ApiClient) -> None:
    page = await api.list_notifications(limit=1)
    item = page.items[0]
    assert item.id == "00000000-0000-4000-8000-000000000030"
    assert item.title == "Import mbox terminé 30"
    assert item.job_id == "import_mbox-30"
    assert item.is_read is True
    assert item.created_at.tzinfo is not None
    assert item.created_at.microsecond == 123000


@pytest.mark.parametrize(("page", "limit"), [(0, 20), (-1, 20), (1, 0), (True, 20), (1, 2.5)])
async def test_invalid_paging_is_refused_before_any_request(
    fake: FakeServer, api: ApiClient, page: object, limit: object
) -> None:
    with pytest.raises(ValueError):
        await api.list_notifications(page=page, limit=limit)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_a_malformed_row_is_skipped_but_paging_goes_on(
    fake: FakeServer, api: ApiClient
) -> None:
    rows = [row(3), {**row(2), "created_at": "yesterday"}, row(1)]
    fake.queue(
        "GET",
        "/api/notifications",
        json_response(200, {"notifications": rows, "unreadCount": 3, "page": 1, "limit": 3}),
    )
    page = await api.list_notifications(limit=3)
    assert [n.id for n in page.items] == [row(3)["id"], row(1)["id"]]
    assert page.is_last is False


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"unreadCount": 1},
        {"notifications": {}, "unreadCount": 1},
        {"notifications": [], "unreadCount": "3"},
        {"notifications": []},
        "ok",
    ],
)
async def test_wrong_page_shapes_are_protocol_errors(
    fake: FakeServer, api: ApiClient, body: object
) -> None:
    fake.queue("GET", "/api/notifications", json_response(200, body))
    with pytest.raises(ProtocolError):
        await api.list_notifications()


async def test_list_without_auth(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(AuthError):
            await api.list_notifications()


# --- single writes ---------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_mark_read_accepts_ok_and_success(flavor: str) -> None:
    fake = FakeServer(flavor)
    target = fake.notifications[1]
    assert target["is_read"] is False
    async with client_for(fake) as api:
        await api.mark_read(target["id"])
    assert target["is_read"] is True
    assert fake.paths() == [f"PATCH /api/notifications/{target['id']}/read"]
    no_json_type_without_body(fake)


async def test_mark_read_of_an_unknown_id_is_fine(fake: FakeServer, api: ApiClient) -> None:
    await api.mark_read(UNKNOWN_ID)
    assert fake.paths() == [f"PATCH /api/notifications/{UNKNOWN_ID}/read"]


@pytest.mark.parametrize("body", [{"ok": False}, {"success": False}, {}, [], {"updated": "x"}])
async def test_mark_read_refuses_unknown_acknowledgements(
    fake: FakeServer, api: ApiClient, body: object
) -> None:
    fake.queue("PATCH", f"/api/notifications/{UNKNOWN_ID}/read", json_response(200, body))
    with pytest.raises(ProtocolError):
        await api.mark_read(UNKNOWN_ID)


@pytest.mark.parametrize(
    "bad_id",
    ["42", "import_mbox-1795810558309", "", f"{UNKNOWN_ID}\n", f"{UNKNOWN_ID}/../x", None, 7],
)
async def test_non_uuid_ids_never_reach_the_server(
    fake: FakeServer, api: ApiClient, bad_id: object
) -> None:
    with pytest.raises(ValueError):
        await api.mark_read(bad_id)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await api.delete(bad_id)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await api.get_job(bad_id)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        api.job_events(bad_id)  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_delete_one_and_delete_read(flavor: str) -> None:
    fake = FakeServer(flavor)
    first = fake.notifications[0]["id"]
    async with client_for(fake) as api:
        await api.delete(first)
        await api.delete_read()
    assert all(n["id"] != first for n in fake.notifications)
    assert fake.notifications and not any(n["is_read"] for n in fake.notifications)
    assert fake.paths() == [f"DELETE /api/notifications/{first}", "DELETE /api/notifications"]
    no_json_type_without_body(fake)


# --- mark all read ---------------------------------------------------------------------


async def test_mark_all_read_on_the_observed_server_uses_patch(fake: FakeServer) -> None:
    compat = ServerCompat()
    async with client_for(fake, compat=compat) as api:
        await api.mark_all_read()
        await api.mark_all_read()
    assert fake.paths() == ["PATCH /api/notifications/read-all"] * 2
    assert compat.mark_all_read_method == "PATCH"
    assert not any(n["is_read"] is False for n in fake.notifications)
    no_json_type_without_body(fake)


async def test_mark_all_read_falls_back_to_post_and_remembers(fake_documented: FakeServer) -> None:
    compat = ServerCompat()
    async with client_for(fake_documented, compat=compat) as api:
        await api.mark_all_read()
        await api.mark_all_read()
    assert fake_documented.paths() == [
        "PATCH /api/notifications/read-all",
        "POST /api/notifications/read-all",
        "POST /api/notifications/read-all",
    ]
    assert compat.mark_all_read_method == "POST"
    assert all(n["is_read"] for n in fake_documented.notifications)
    no_json_type_without_body(fake_documented)


async def test_a_shared_compat_is_kept_across_clients(fake_documented: FakeServer) -> None:
    compat = ServerCompat()
    async with client_for(fake_documented, compat=compat) as api:
        await api.mark_all_read()
    fake_documented.requests.clear()
    async with client_for(fake_documented, compat=compat) as api:
        await api.mark_all_read()
    assert fake_documented.paths() == ["POST /api/notifications/read-all"]


async def test_405_also_falls_back(fake: FakeServer) -> None:
    fake.queue("PATCH", "/api/notifications/read-all", json_response(405, {"error": "nope"}))
    fake.queue("POST", "/api/notifications/read-all", json_response(200, {"updated": 5}))
    compat = ServerCompat()
    async with client_for(fake, compat=compat) as api:
        await api.mark_all_read()
    assert compat.mark_all_read_method == "POST"


async def test_a_server_that_changed_variant_is_relearned(fake: FakeServer) -> None:
    compat = ServerCompat()
    compat.remember_mark_all_read("POST")
    async with client_for(fake, compat=compat) as api:
        await api.mark_all_read()
    assert fake.paths() == [
        "POST /api/notifications/read-all",
        "PATCH /api/notifications/read-all",
    ]
    assert compat.mark_all_read_method == "PATCH"


async def test_no_fallback_on_other_errors(fake: FakeServer) -> None:
    fake.queue(
        "PATCH", "/api/notifications/read-all", json_response(401, {"error": "Unauthorized"})
    )
    compat = ServerCompat()
    async with client_for(fake, compat=compat) as api:
        with pytest.raises(AuthError):
            await api.mark_all_read()
        fake.queue("PATCH", "/api/notifications/read-all", json_response(500, {"error": "x"}))
        with pytest.raises(ServerError):
            await api.mark_all_read()
    assert fake.paths() == ["PATCH /api/notifications/read-all"] * 2
    assert compat.mark_all_read_method is None


async def test_both_variants_missing_is_a_protocol_error(fake: FakeServer) -> None:
    for method in ("PATCH", "POST"):
        fake.queue(method, "/api/notifications/read-all", json_response(404, {"error": "x"}))
    compat = ServerCompat()
    async with client_for(fake, compat=compat) as api:
        with pytest.raises(ProtocolError) as caught:
            await api.mark_all_read()
    assert caught.value.status == 404
    assert compat.mark_all_read_method is None


# --- preferences -----------------------------------------------------------------------


async def test_preferences_defaults_fill_gaps(fake: FakeServer, api: ApiClient) -> None:
    assert await api.get_preferences() == DEFAULT_PREFERENCES
    partial = {"weekly_report": False, "job_failed_toast": "yes", "extra": True}
    fake.queue("GET", "/api/notifications/preferences", json_response(200, partial))
    prefs = await api.get_preferences()
    assert prefs == {**DEFAULT_PREFERENCES, "weekly_report": False}


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_update_preferences_sends_only_the_changes(flavor: str) -> None:
    fake = FakeServer(flavor)
    async with client_for(fake) as api:
        await api.update_preferences({"weekly_report": False, "job_completed_toast": False})
        prefs = await api.get_preferences()
    request = fake.requests[0]
    assert request.method == "PUT"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"weekly_report": False, "job_completed_toast": False}
    assert prefs["weekly_report"] is False
    assert prefs["job_completed_toast"] is False
    assert prefs["job_failed_toast"] is True


@pytest.mark.parametrize(
    "changes",
    [
        {"weekly_report": 1},
        {"weekly_report": "false"},
        {"weekly_report": None},
        {"job_completed": True, "not_a_key": True},
        {"Weekly_Report": True},
    ],
)
async def test_update_preferences_refuses_bad_changes_before_any_request(
    fake: FakeServer, api: ApiClient, changes: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        await api.update_preferences(changes)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_update_preferences_with_nothing_sends_nothing(
    fake: FakeServer, api: ApiClient
) -> None:
    await api.update_preferences({})
    assert fake.requests == []


async def test_server_error_texts_pass_through(fake: FakeServer, api: ApiClient) -> None:
    fake.queue(
        "PUT",
        "/api/notifications/preferences",
        httpx.Response(500, json={"error": "Internal server error"}),
    )
    with pytest.raises(ServerError) as caught:
        await api.update_preferences({"quota_warning": False})
    assert "Internal server error" in str(caught.value)
    assert caught.value.status == 500
