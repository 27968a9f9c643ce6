"""KeyringCredentialStore against the test desktop's real, unlocked gnome-keyring."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tray_app.credentials import KeyringCredentialStore, service_name

pytestmark = pytest.mark.skipif(
    os.environ.get("TRAY_APP_TEST_DESKTOP") != "1",
    reason="needs the headless desktop's gnome-keyring: run the tests with tests/run",
)


def secret_tool_lookup(service: str, username: str) -> str | None:
    """Read an entry with libsecret's own tool, independently of Python's keyring."""
    done = subprocess.run(
        ["secret-tool", "lookup", "service", service, "username", username],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


@pytest.fixture
def account() -> Iterator[tuple[str, str]]:
    """A server/email pair no other test uses; its entries are removed afterwards."""
    server = f"https://mail-{uuid.uuid4().hex[:8]}.example.org"
    email = "alice@example.org"
    yield server, email
    store = KeyringCredentialStore()
    store.delete_token(server, email)
    store.delete_password(server, email)


def test_secret_service_is_available() -> None:
    ok, reason = KeyringCredentialStore().available()
    assert ok, reason
    assert "SecretService" in reason


def test_round_trip_through_the_secret_service(account: tuple[str, str]) -> None:
    server, email = account
    store = KeyringCredentialStore()
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ." + uuid.uuid4().hex
    password = "pässword " + uuid.uuid4().hex
    store.set_token(server, email, token)
    store.set_password(server, email, password)

    assert store.get_token(server, email) == token
    assert store.get_password(server, email) == password
    # Really in the Secret Service, where the desktop's own tools see it.
    assert secret_tool_lookup(service_name(server), email) == token
    assert secret_tool_lookup(service_name(server), email + "#password") == password

    store.delete_token(server, email)
    assert store.get_token(server, email) is None
    assert secret_tool_lookup(service_name(server), email) is None
    assert store.get_password(server, email) == password  # the password stays
    store.delete_password(server, email)
    assert store.get_password(server, email) is None
    store.delete_password(server, email)  # deleting nothing is fine


def test_new_token_replaces_the_old_one(account: tuple[str, str]) -> None:
    server, email = account
    store = KeyringCredentialStore()
    store.set_token(server, email, "first-token-value")
    store.set_token(server, email, "second-token-value")
    assert KeyringCredentialStore().get_token(server, email) == "second-token-value"
