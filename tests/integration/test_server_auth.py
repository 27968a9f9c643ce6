"""Contract tests of the reference server's authentication, over real HTTP."""

from __future__ import annotations

import base64
import json
import re
import ssl
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tray_app.reference_server import RunningServer
from tray_app.reference_server.auth import new_totp_secret, totp_code

EMAIL, PASSWORD = "user@example.com", "password-123"
#: One TLS context for every client: building one per client costs ~50 ms (plain HTTP anyway).
TLS = ssl.create_default_context()
COOKIE_RE = r"^token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=86400; Path=/; HttpOnly; SameSite=Strict$"


def connect(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=5.0, verify=TLS)


@pytest.fixture(params=["observed", "documented"])
def any_server(request: pytest.FixtureRequest) -> RunningServer:
    name = "server" if request.param == "observed" else "documented_server"
    running: RunningServer = request.getfixturevalue(name)
    return running


@pytest.fixture
def client(any_server: RunningServer) -> Iterator[httpx.Client]:
    with connect(any_server.url) as c:
        yield c


def login(
    client: httpx.Client, email: str = EMAIL, password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    return client.post("/api/auth/login", json={"email": email, "password": password, **extra})


def token_of(response: httpx.Response) -> str:
    cookie = response.headers["set-cookie"]
    return cookie.split(";", 1)[0].removeprefix("token=")


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def decode(part: str) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        )
        return decoded

    header, payload, _ = token.split(".")
    return decode(header), decode(payload)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_login_sets_the_exact_cookie_and_answers_the_user(
    any_server: RunningServer, client: httpx.Client
) -> None:
    response = login(client)
    assert response.status_code == 200
    assert len(response.headers.get_list("set-cookie")) == 1
    assert re.match(COOKIE_RE, response.headers["set-cookie"])
    body = response.json()
    assert body["user"]["email"] == EMAIL
    assert set(body["user"]) == {"id", "email", "role"}
    if any_server.config.flavor == "documented":
        assert body["token"] == token_of(response)
    else:
        assert "token" not in body


def test_jwt_is_hs256_with_the_observed_claims_and_a_15_minute_life(client: httpx.Client) -> None:
    header, payload = jwt_parts(token_of(login(client)))
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert set(payload) == {"sub", "email", "role", "iat", "exp"}
    assert payload["exp"] - payload["iat"] == 900
    assert payload["email"] == EMAIL
    assert abs(payload["iat"] - time.time()) < 5


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "wrong-password"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_credentials_are_401(client: httpx.Client, email: str, password: str) -> None:
    response = login(client, email, password)
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid email or password"}
    assert "set-cookie" not in response.headers


def test_inactive_and_sso_accounts_cannot_log_in(
    any_server: RunningServer, client: httpx.Client
) -> None:
    any_server.create_user("sso@example.com", None, sso=True)
    assert login(client, "sso@example.com", "").status_code == 400  # empty password: validation
    sso = login(client, "sso@example.com", "anything")
    assert (sso.status_code, sso.json()) == (401, {"error": "Invalid email or password"})
    any_server.sql("UPDATE users SET is_active = 0 WHERE email = ?", (EMAIL,))
    assert login(client).status_code == 401


def test_totp_is_required_then_checked(any_server: RunningServer, client: httpx.Client) -> None:
    secret = new_totp_secret()
    any_server.create_user("2fa@example.com", PASSWORD, totp_secret=secret)
    missing = login(client, "2fa@example.com")
    assert (missing.status_code, missing.json()) == (403, {"error": "TOTP_REQUIRED"})
    wrong = login(
        client, "2fa@example.com", totpCode="000000" if totp_code(secret) != "000000" else "111111"
    )
    assert (wrong.status_code, wrong.json()) == (401, {"error": "Invalid email or password"})
    assert login(client, "2fa@example.com", totpCode=totp_code(secret)).status_code == 200
    # One 30 s step of clock skew either way is accepted, two are not.
    assert (
        login(client, "2fa@example.com", totpCode=totp_code(secret, time.time() - 30)).status_code
        == 200
    )
    stale = totp_code(secret, time.time() - 90)
    if stale not in {totp_code(secret, time.time() + d) for d in (-30, 0, 30)}:
        assert login(client, "2fa@example.com", totpCode=stale).status_code == 401
    me = client.get("/api/auth/me").json()
    assert me["user"]["totp_enabled"] is True


def test_totp_code_matches_rfc_6238_vectors() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, 59, digits=8) == "94287082"
    assert totp_code(secret, 1111111109, digits=8) == "07081804"
    assert totp_code(secret, 1111111109) == "081804"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"email": EMAIL}, ["password"]),
        ({"password": PASSWORD}, ["email"]),
        ({"email": 42, "password": PASSWORD}, ["email"]),
        ({"email": "not-an-email", "password": PASSWORD}, ["email"]),
        ({"email": EMAIL, "password": PASSWORD, "totpCode": 123456}, ["totpCode"]),
        ([EMAIL, PASSWORD], []),
    ],
)
def test_malformed_login_bodies_are_400_with_details(
    client: httpx.Client, body: Any, path: list[str]
) -> None:
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == "Validation failed"
    assert path in [issue["path"] for issue in payload["details"]]
    assert all("message" in issue and "code" in issue for issue in payload["details"])


def test_login_without_any_body_is_a_validation_error(client: httpx.Client) -> None:
    response = client.post("/api/auth/login")
    assert response.status_code == 400
    assert response.json()["details"][0]["received"] == "undefined"


def test_empty_json_body_is_400_on_any_route(client: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    expected = {"error": "Body cannot be empty when content-type is set to 'application/json'"}
    for method, path in [
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/logout"),
        ("DELETE", "/api/notifications"),
        ("PUT", "/api/notifications/preferences"),
    ]:
        response = client.request(method, path, headers=headers, content=b"")
        assert (response.status_code, response.json()) == (400, expected), (method, path)


def test_invalid_json_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/api/auth/login", headers={"Content-Type": "application/json"}, content=b"{nope"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_bearer_header_is_read_before_the_cookie(
    client: httpx.Client, any_server: RunningServer
) -> None:
    token = token_of(login(client))
    assert client.get("/api/auth/me").status_code == 200  # the cookie jar sends the cookie
    response = client.get("/api/auth/me", headers=bearer("not-a-token"))
    assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})
    with connect(any_server.url) as fresh:
        assert fresh.get("/api/auth/me", headers=bearer(token)).status_code == 200
        assert fresh.get("/api/auth/me").status_code == 401
        assert fresh.get("/api/auth/me", headers={"Cookie": f"token={token}"}).status_code == 200


def test_me_config_and_health(client: httpx.Client) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["version"] == "0.1.0"
    assert health.json()["timestamp"].endswith("Z")
    config = client.get("/api/auth/config").json()
    assert config == {"allowRegistration": True, "googleSsoEnabled": False, "socialProviders": []}
    token = token_of(login(client))
    me = client.get("/api/auth/me", headers=bearer(token)).json()
    assert me["user"]["email"] == EMAIL
    assert me["user"]["totp_enabled"] is False
    assert me["gmailAccounts"] == [] and me["storageUsedBytes"] == 0


def test_refresh_issues_a_new_cookie_and_needs_a_valid_token(any_server: RunningServer) -> None:
    with connect(any_server.url) as client:
        token = token_of(login(client))
        client.cookies.clear()
        assert client.post("/api/auth/refresh").status_code == 401
        refreshed = client.post("/api/auth/refresh", headers=bearer(token))
        assert refreshed.status_code == 200
        assert refreshed.json()["user"]["email"] == EMAIL
        new_token = token_of(refreshed)
        assert jwt_parts(new_token)[1]["exp"] >= jwt_parts(token)[1]["exp"]
        assert client.get("/api/auth/me", headers=bearer(new_token)).status_code == 200


def test_logout_revokes_the_token_at_once(any_server: RunningServer) -> None:
    with connect(any_server.url) as client:
        token = token_of(login(client))
        client.cookies.clear()
        assert client.post("/api/auth/logout").status_code == 401
        response = client.post("/api/auth/logout", headers=bearer(token))
        assert response.status_code == 204
        assert response.headers["set-cookie"].startswith("token=; Max-Age=0")
        assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401
        assert client.post("/api/auth/refresh", headers=bearer(token)).status_code == 401
        # Logging in again within the same second still gives a working token.
        again = token_of(login(client))
        assert again != token
        assert client.get("/api/auth/me", headers=bearer(again)).status_code == 200


def test_tokens_expire_after_token_ttl_s(server_factory: Callable[..., RunningServer]) -> None:
    running = server_factory(token_ttl_s=1, rate_limit=False)
    running.create_user(EMAIL, PASSWORD)
    with connect(running.url) as client:
        token = token_of(login(client))
        _, payload = jwt_parts(token)
        assert payload["exp"] - payload["iat"] == 1
        wait_until(lambda: client.get("/api/auth/me", headers=bearer(token)).status_code == 401)
        assert client.post("/api/auth/refresh", headers=bearer(token)).status_code == 401


def test_a_token_from_another_server_is_refused(
    any_server: RunningServer, server_factory: Callable[..., RunningServer]
) -> None:
    other = server_factory(rate_limit=False)
    other.create_user(EMAIL, PASSWORD)
    with connect(other.url) as client:
        foreign = token_of(login(client))
    with connect(any_server.url) as client:
        assert client.get("/api/auth/me", headers=bearer(foreign)).status_code == 401


def test_register(any_server: RunningServer, client: httpx.Client) -> None:
    response = client.post(
        "/api/auth/register", json={"email": "new@example.com", "password": "long-enough"}
    )
    assert response.status_code == 201
    assert response.json()["user"]["email"] == "new@example.com"
    assert ("token" in response.json()) == (any_server.config.flavor == "documented")
    assert client.get("/api/auth/me", headers=bearer(token_of(response))).status_code == 200
    duplicate = client.post(
        "/api/auth/register", json={"email": "NEW@example.com", "password": "long-enough"}
    )
    assert duplicate.status_code == 409
    short = client.post("/api/auth/register", json={"email": "x@example.com", "password": "short"})
    assert short.status_code == 400 and short.json()["details"][0]["code"] == "too_small"


def test_registration_can_be_disabled(server_factory: Callable[..., RunningServer]) -> None:
    running = server_factory(allow_registration=False, rate_limit=False)
    with connect(running.url) as client:
        assert client.get("/api/auth/config").json()["allowRegistration"] is False
        response = client.post(
            "/api/auth/register", json={"email": "a@example.com", "password": "long-enough"}
        )
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/auth/me"),
        ("GET", "/api/notifications"),
        ("PATCH", "/api/notifications/read-all"),
        ("PATCH", "/api/notifications/6f1c2d9e-0000-4000-8000-000000000000/read"),
        ("DELETE", "/api/notifications/6f1c2d9e-0000-4000-8000-000000000000"),
        ("DELETE", "/api/notifications"),
        ("GET", "/api/notifications/preferences"),
        ("PUT", "/api/notifications/preferences"),
        ("GET", "/api/notifications/stream"),
        ("GET", "/api/jobs"),
        ("GET", "/api/jobs/6f1c2d9e-0000-4000-8000-000000000000"),
        ("GET", "/api/jobs/6f1c2d9e-0000-4000-8000-000000000000/events"),
    ],
)
def test_protected_routes_need_a_token(server: RunningServer, method: str, path: str) -> None:
    with connect(server.url) as client:
        response = client.request(method, path, json={} if method in ("PUT", "PATCH") else None)
    assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})
