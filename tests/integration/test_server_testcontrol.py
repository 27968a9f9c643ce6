"""The test-control API that other tests use to drive the reference server."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator

import httpx
import pytest

from tray_app.reference_server import RunningServer
from tray_app.reference_server.auth import new_totp_secret, totp_code

EMAIL, PASSWORD = "user@example.com", "password-123"
TLS = ssl.create_default_context()


@pytest.fixture
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5.0, verify=TLS) as c:
        yield c


def login(client: httpx.Client, email: str, password: str, **extra: str) -> httpx.Response:
    return client.post("/api/auth/login", json={"email": email, "password": password, **extra})


def test_create_users_with_password_totp_or_sso(client: httpx.Client) -> None:
    plain = client.post("/api/_test/users", json={"email": "a@example.com", "password": "secret-1"})
    assert plain.status_code == 201
    assert set(plain.json()) == {"id", "email", "role", "totp_enabled"}
    assert login(client, "a@example.com", "secret-1").status_code == 200
    secret = new_totp_secret()
    body = {"email": "b@example.com", "password": "secret-2", "totp_secret": secret}
    assert client.post("/api/_test/users", json=body).json()["totp_enabled"] is True
    assert login(client, "b@example.com", "secret-2").status_code == 403
    assert login(client, "b@example.com", "secret-2", totpCode=totp_code(secret)).status_code == 200
    sso = client.post("/api/_test/users", json={"email": "c@example.com", "sso": True})
    assert sso.status_code == 201
    assert login(client, "c@example.com", "anything").status_code == 401
    assert (
        client.post(
            "/api/_test/users", json={"email": "a@example.com", "password": "x"}
        ).status_code
        == 409
    )
    assert client.post("/api/_test/users", json={"password": "x"}).status_code == 400


def test_create_notifications_one_or_many(client: httpx.Client) -> None:
    one = client.post("/api/_test/notifications", json={"email": EMAIL, "type": "weekly_report"})
    assert one.status_code == 201
    row = one.json()
    assert row["title"] == "Rapport hebdomadaire" and row["is_read"] is False
    assert set(row["data"]) == {
        "jobsCompleted", "jobsFailed", "mailsArchived",
        "archiveSizeBytes", "rulesExecuted", "topSenders",
    }  # fmt: skip
    assert re.fullmatch(r"\d+ jobs terminés · \d+ mails archivés \(\d+\.\d Mo\)", row["body"])
    many = client.post(
        "/api/_test/notifications",
        json={
            "email": EMAIL,
            "type": "job_failed",
            "count": 3,
            "title": "Import mbox échoué",
            "data": None,
        },
    ).json()
    assert [r["title"] for r in many] == ["Import mbox échoué"] * 3
    assert len({r["created_at"] for r in many}) == 3
    dated = client.post(
        "/api/_test/notifications",
        json={
            "email": EMAIL,
            "type": "quota_warning",
            "created_at": "2026-01-05T08:00:00+01:00",
            "is_read": True,
        },
    ).json()
    assert dated["created_at"] == "2026-01-05T07:00:00.000Z" and dated["is_read"] is True


def test_test_control_errors(client: httpx.Client) -> None:
    unknown_user = client.post(
        "/api/_test/notifications", json={"email": "nobody@example.com", "type": "x"}
    )
    assert unknown_user.status_code == 404
    assert client.post("/api/_test/notifications", json={"email": EMAIL}).status_code == 400
    bad_count = {"email": EMAIL, "type": "x", "count": 0}
    assert client.post("/api/_test/notifications", json=bad_count).status_code == 400
    assert client.post("/api/_test/notify", json={"email": EMAIL}).status_code == 400
    assert client.post("/api/_test/notify").status_code == 400
