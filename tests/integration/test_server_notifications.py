"""Contract tests of the notification routes and preferences, in both flavors."""

from __future__ import annotations

import re
import ssl
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest

from tray_app.api.models import DEFAULT_PREFERENCES
from tray_app.reference_server import RunningServer

EMAIL, PASSWORD = "user@example.com", "password-123"
OTHER = "other@example.com"
TLS = ssl.create_default_context()
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EMPTY_JSON = {"error": "Body cannot be empty when content-type is set to 'application/json'"}
SERVER_ERROR = {"error": "Internal server error"}


@pytest.fixture(params=["observed", "documented"])
def any_server(request: pytest.FixtureRequest) -> RunningServer:
    name = "server" if request.param == "observed" else "documented_server"
    running: RunningServer = request.getfixturevalue(name)
    return running


def connect(running: RunningServer, email: str = EMAIL, password: str = PASSWORD) -> httpx.Client:
    """A client logged in through the cookie the server sets."""
    client = httpx.Client(base_url=running.url, timeout=5.0, verify=TLS)
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
def client(any_server: RunningServer) -> Iterator[httpx.Client]:
    with closing(connect(any_server)) as c:
        yield c


def add(client: httpx.Client, email: str = EMAIL, **fields: Any) -> Any:
    fields.setdefault("type", "job_completed")
    response = client.post("/api/_test/notifications", json={"email": email, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def listing(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/api/notifications", params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def ids(page: dict[str, Any]) -> list[str]:
    return [n["id"] for n in page["notifications"]]


def test_list_shape_and_newest_first(client: httpx.Client) -> None:
    old = add(client, title="Ancienne", created_at="2026-01-01T10:00:00Z", data=None, body=None)
    new = add(client, type="weekly_report")
    page = listing(client)
    assert set(page) == {"notifications", "unreadCount", "page", "limit"}
    assert (page["page"], page["limit"], page["unreadCount"]) == (1, 20, 2)
    assert ids(page) == [new["id"], old["id"]]
    first = page["notifications"][0]
    assert set(first) == {"id", "user_id", "type", "title", "body", "data", "is_read", "created_at"}
    assert uuid.UUID(first["id"]) and uuid.UUID(first["user_id"])
    assert TIMESTAMP.match(first["created_at"]) and first["is_read"] is False
    assert isinstance(first["data"], dict)
    last = page["notifications"][1]
    assert (last["created_at"], last["data"], last["body"]) == (
        "2026-01-01T10:00:00.000Z",
        None,
        None,
    )


def test_each_user_sees_only_their_own(any_server: RunningServer, client: httpx.Client) -> None:
    any_server.create_user(OTHER, PASSWORD)
    mine = add(client)
    theirs = add(client, OTHER)
    assert ids(listing(client)) == [mine["id"]]
    with closing(connect(any_server, OTHER)) as other:
        assert ids(listing(other)) == [theirs["id"]]
        assert listing(other)["unreadCount"] == 1


def test_pagination_limits_and_clamping(client: httpx.Client) -> None:
    created = add(client, count=105)
    newest_first = [row["id"] for row in reversed(created)]
    assert len(listing(client)["notifications"]) == 20
    big = listing(client, limit=500)
    assert (big["limit"], ids(big)) == (100, newest_first[:100])
    assert ids(listing(client, page=2, limit=100)) == newest_first[100:]
    assert ids(listing(client, page=3, limit=50)) == newest_first[100:]
    empty = listing(client, limit=0)
    assert (empty["notifications"], empty["limit"], empty["unreadCount"]) == ([], 0, 105)
    assert listing(client, page=9)["notifications"] == []


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "-1"}, {"page": "abc"}, {"page": ""}, {"limit": "-1"}, {"limit": "x"}],
)
def test_bad_page_or_limit_is_500(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get("/api/notifications", params=params)
    assert (response.status_code, response.json()) == (500, SERVER_ERROR)


def test_unread_count_is_global_and_unread_only_needs_1_or_true(client: httpx.Client) -> None:
    read = add(client, is_read=True, count=3)
    unread = add(client, count=2)
    for value in ("1", "true"):
        page = listing(client, unread_only=value)
        assert set(ids(page)) == {row["id"] for row in unread}
    for value in ("yes", "0", "false", "TRUE"):
        assert len(listing(client, unread_only=value)["notifications"]) == 5
    assert listing(client, limit=1, page=4)["unreadCount"] == 2
    assert all(row["is_read"] for row in read)


def test_mark_read(any_server: RunningServer, client: httpx.Client) -> None:
    row = add(client)
    response = client.patch(f"/api/notifications/{row['id']}/read")
    expected = {"success": True} if any_server.config.flavor == "documented" else {"ok": True}
    assert (response.status_code, response.json()) == (200, expected)
    page = listing(client)
    assert page["notifications"][0]["is_read"] is True and page["unreadCount"] == 0
    # Again, an unknown id: same answer, nothing changes.
    assert client.patch(f"/api/notifications/{row['id']}/read").json() == expected
    assert client.patch(f"/api/notifications/{uuid.uuid4()}/read").json() == expected


@pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "import_mbox-1795810558309"])
def test_non_uuid_ids_are_500(client: httpx.Client, bad_id: str) -> None:
    for method, path in [
        ("PATCH", f"/api/notifications/{bad_id}/read"),
        ("DELETE", f"/api/notifications/{bad_id}"),
    ]:
        response = client.request(method, path)
        assert (response.status_code, response.json()) == (500, SERVER_ERROR)


def test_uppercase_uuid_is_accepted(client: httpx.Client) -> None:
    row = add(client)
    assert client.patch(f"/api/notifications/{row['id'].upper()}/read").status_code == 200
    assert listing(client)["unreadCount"] == 0


def test_foreign_ids_answer_ok_and_change_nothing(
    any_server: RunningServer, client: httpx.Client
) -> None:
    any_server.create_user(OTHER, PASSWORD)
    theirs = add(client, OTHER)
    assert client.patch(f"/api/notifications/{theirs['id']}/read").status_code == 200
    assert client.delete(f"/api/notifications/{theirs['id']}").json() == {"ok": True}
    with closing(connect(any_server, OTHER)) as other:
        page = listing(other)
        assert ids(page) == [theirs["id"]] and page["unreadCount"] == 1


def test_mark_all_read_follows_the_flavor(any_server: RunningServer, client: httpx.Client) -> None:
    add(client, count=3)
    add(client, is_read=True)
    documented = any_server.config.flavor == "documented"
    right, wrong = ("POST", "PATCH") if documented else ("PATCH", "POST")
    refused = client.request(wrong, "/api/notifications/read-all")
    assert refused.status_code == 404
    assert refused.json() == {
        "message": f"Route {wrong}:/api/notifications/read-all not found",
        "error": "Not Found",
        "statusCode": 404,
    }
    assert listing(client)["unreadCount"] == 3
    response = client.request(right, "/api/notifications/read-all")
    assert response.json() == ({"updated": 3} if documented else {"ok": True})
    assert listing(client)["unreadCount"] == 0
    again = client.request(right, "/api/notifications/read-all").json()
    assert again == ({"updated": 0} if documented else {"ok": True})


def test_delete_one_and_delete_read(client: httpx.Client) -> None:
    keep = add(client)
    gone = add(client)
    read = add(client, is_read=True, count=2)
    assert client.delete(f"/api/notifications/{gone['id']}").json() == {"ok": True}
    assert client.delete(f"/api/notifications/{uuid.uuid4()}").json() == {"ok": True}
    assert set(ids(listing(client))) == {keep["id"], *(r["id"] for r in read)}
    assert client.delete("/api/notifications").json() == {"ok": True}
    assert ids(listing(client)) == [keep["id"]]


def test_empty_json_bodies_are_400_but_no_content_type_is_fine(client: httpx.Client) -> None:
    row = add(client)
    json_header = {"Content-Type": "application/json"}
    for method, path in [
        ("PATCH", f"/api/notifications/{row['id']}/read"),
        ("DELETE", f"/api/notifications/{row['id']}"),
        ("DELETE", "/api/notifications"),
    ]:
        response = client.request(method, path, headers=json_header)
        assert (response.status_code, response.json()) == (400, EMPTY_JSON)
        assert client.request(method, path, headers=json_header, content=b"{}").status_code == 200


def test_unknown_routes_answer_fastify_404(client: httpx.Client) -> None:
    for method, path in [
        ("GET", "/x"),
        ("GET", "/api/notifications/"),
        ("POST", "/api/jobs"),
        ("GET", "/api/nope?a=1"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json() == {
            "message": f"Route {method}:{path} not found",
            "error": "Not Found",
            "statusCode": 404,
        }


def test_rows_written_with_plain_sql_are_seen(
    any_server: RunningServer, client: httpx.Client
) -> None:
    user_id = any_server.sql("SELECT id FROM users WHERE email = ?", (EMAIL,))[0][0]
    any_server.sql(
        "INSERT INTO notifications (user_id, type, title, body, data) VALUES (?, ?, ?, ?, ?)",
        (user_id, "quota_warning", "Quota de stockage bientôt atteint", None, '{"percent": 91}'),
    )
    page = listing(client)
    row = page["notifications"][0]
    assert (row["type"], row["data"], row["is_read"], page["unreadCount"]) == (
        "quota_warning",
        {"percent": 91},
        False,
        1,
    )
    assert TIMESTAMP.match(row["created_at"]) and uuid.UUID(row["id"]).version == 4
    any_server.sql("UPDATE notifications SET is_read = 1")
    assert listing(client)["unreadCount"] == 0
    any_server.sql("DELETE FROM notifications")
    assert listing(client)["notifications"] == []


def test_unknown_types_are_stored_and_listed(client: httpx.Client) -> None:
    add(client, type="mailbox_connected", title="Nouvelle boîte connectée")
    assert listing(client)["notifications"][0]["type"] == "mailbox_connected"


# Preferences


def test_preferences_default_then_partial_upsert(
    any_server: RunningServer, client: httpx.Client
) -> None:
    assert client.get("/api/notifications/preferences").json() == DEFAULT_PREFERENCES
    assert any_server.sql("SELECT COUNT(*) FROM notification_preferences") == [(0,)]
    response = client.put(
        "/api/notifications/preferences",
        json={"weekly_report": False, "job_completed_toast": False},
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    expected = {**DEFAULT_PREFERENCES, "weekly_report": False, "job_completed_toast": False}
    assert client.get("/api/notifications/preferences").json() == expected
    assert any_server.sql("SELECT COUNT(*) FROM notification_preferences") == [(1,)]
    client.put("/api/notifications/preferences", json={"rule_executed": True})
    assert client.get("/api/notifications/preferences").json() == {
        **expected,
        "rule_executed": True,
    }


def test_unknown_keys_and_non_booleans_are_dropped(client: httpx.Client) -> None:
    body = {
        "bogus": True,
        "weekly_report": "false",
        "job_failed": 0,
        "quota_warning": None,
        "integrity_alert": False,
    }
    assert client.put("/api/notifications/preferences", json=body).json() == {"ok": True}
    assert client.get("/api/notifications/preferences").json() == {
        **DEFAULT_PREFERENCES,
        "integrity_alert": False,
    }


def test_empty_preferences_put_creates_the_row(
    any_server: RunningServer, client: httpx.Client
) -> None:
    assert client.put("/api/notifications/preferences", json={}).json() == {"ok": True}
    assert any_server.sql("SELECT COUNT(*) FROM notification_preferences") == [(1,)]
    assert client.get("/api/notifications/preferences").json() == DEFAULT_PREFERENCES


def test_preferences_put_without_a_body_is_500(client: httpx.Client) -> None:
    response = client.put("/api/notifications/preferences")
    assert (response.status_code, response.json()) == (500, SERVER_ERROR)
    response = client.put(
        "/api/notifications/preferences", headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()) == (400, EMPTY_JSON)


def test_preferences_are_per_user(any_server: RunningServer, client: httpx.Client) -> None:
    any_server.create_user(OTHER, PASSWORD)
    client.put("/api/notifications/preferences", json={"job_failed": False})
    with closing(connect(any_server, OTHER)) as other:
        assert other.get("/api/notifications/preferences").json() == DEFAULT_PREFERENCES


def test_dispatcher_honours_the_in_app_preference(client: httpx.Client) -> None:
    def notify(category: str) -> dict[str, Any]:
        response = client.post("/api/_test/notify", json={"email": EMAIL, "category": category})
        assert response.status_code == 201
        result: dict[str, Any] = response.json()
        return result

    assert notify("job_completed")["stored"] is True
    assert notify("rule_executed") == {"stored": False, "notification": None}  # off by default
    client.put(
        "/api/notifications/preferences", json={"job_completed": False, "rule_executed": True}
    )
    assert notify("job_completed")["stored"] is False
    stored = notify("rule_executed")["notification"]
    assert stored["type"] == "rule_executed" and stored["title"].startswith('Règle "')
    assert notify("something_new")["stored"] is True  # no preference key: always stored
    assert [n["type"] for n in listing(client)["notifications"]] == [
        "something_new",
        "rule_executed",
        "job_completed",
    ]
