"""Credential stores: keyring layout, time-boxed keyring calls, no secret leaks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties

from tray_app.credentials import (
    CredentialStore,
    CredentialStoreUnavailable,
    KeyringCredentialStore,
    MemoryCredentialStore,
    service_name,
)

SERVER = "https://mail.example.org/"
EMAIL = "alice@example.org"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
PASSWORD = "correct horse battery staple"


class _TestKeyring(KeyringBackend):
    """Base of the fakes: viable only while a test uses it, so keyring's own
    backend detection elsewhere in the run never picks one up."""

    in_use = False

    @properties.classproperty
    def priority(cls) -> float:
        if not cls.in_use:
            raise RuntimeError("test keyring not in use")
        return 1.0


class DictKeyring(_TestKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class BlockingKeyring(DictKeyring):
    """set_password waits like a locked gnome-keyring behind its unlock prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)
        super().set_password(service, username, password)


class LockedKeyring(DictKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        # A careless backend that echoes the secret in its error.
        raise keyring.errors.PasswordSetError(f"cannot store {password}")


@pytest.fixture
def use_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Restore keyring's global backend after the test."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    monkeypatch.setattr(_TestKeyring, "in_use", True)
    yield


@pytest.fixture
def dict_keyring(use_keyring: None) -> DictKeyring:
    backend = DictKeyring()
    keyring.set_keyring(backend)
    return backend


def exercise(store: CredentialStore) -> None:
    store.set_token(SERVER, EMAIL, TOKEN)
    store.set_password(SERVER, EMAIL, PASSWORD)
    assert store.get_token(SERVER, EMAIL) == TOKEN
    assert store.get_password(SERVER, EMAIL) == PASSWORD
    # The URL is normalised; other accounts and servers are separate.
    assert store.get_token(SERVER.rstrip("/"), EMAIL) == TOKEN
    assert store.get_token(SERVER, "bob@example.org") is None
    assert store.get_token("https://other.example.org", EMAIL) is None
    store.delete_token(SERVER, EMAIL)
    assert store.get_token(SERVER, EMAIL) is None
    assert store.get_password(SERVER, EMAIL) == PASSWORD
    store.delete_password(SERVER, EMAIL)
    assert store.get_password(SERVER, EMAIL) is None
    store.delete_token(SERVER, EMAIL)  # deleting nothing is fine
    store.delete_password(SERVER, EMAIL)


def test_memory_store_round_trip() -> None:
    store = MemoryCredentialStore()
    assert isinstance(store, CredentialStore)
    assert store.available()[0]
    exercise(store)


def test_memory_store_repr_hides_secrets() -> None:
    store = MemoryCredentialStore()
    store.set_token(SERVER, EMAIL, TOKEN)
    assert TOKEN not in repr(store)


def test_keyring_store_round_trip(dict_keyring: DictKeyring) -> None:
    store = KeyringCredentialStore(timeout=5)
    assert isinstance(store, CredentialStore)
    exercise(store)


def test_keyring_layout(dict_keyring: DictKeyring) -> None:
    store = KeyringCredentialStore()
    store.set_token(SERVER, EMAIL, TOKEN)
    store.set_password(SERVER, EMAIL, PASSWORD)
    service = "tray-app:https://mail.example.org"
    assert service_name(SERVER) == service
    assert dict_keyring.items == {
        (service, EMAIL): TOKEN,
        (service, EMAIL + "#password"): PASSWORD,
    }


def test_available_names_the_backend(dict_keyring: DictKeyring) -> None:
    ok, reason = KeyringCredentialStore().available()
    assert ok
    assert reason == DictKeyring.name


def test_injected_backend_wins_over_the_global_one(dict_keyring: DictKeyring) -> None:
    mine = DictKeyring()
    KeyringCredentialStore(backend=mine).set_token(SERVER, EMAIL, TOKEN)
    assert list(mine.items.values()) == [TOKEN]
    assert dict_keyring.items == {}


def test_hanging_keyring_times_out_quickly(use_keyring: None) -> None:
    backend = BlockingKeyring()
    keyring.set_keyring(backend)
    store = KeyringCredentialStore(timeout=0.2)
    started = time.monotonic()
    with pytest.raises(CredentialStoreUnavailable, match="did not answer"):
        store.set_token(SERVER, EMAIL, TOKEN)
    assert time.monotonic() - started < 2.0
    # While the first call is stuck, others fail at once instead of piling up.
    started = time.monotonic()
    with pytest.raises(CredentialStoreUnavailable, match="busy"):
        store.get_token(SERVER, EMAIL)
    assert time.monotonic() - started < 0.2
    ok, reason = store.available()
    assert not ok and "busy" in reason
    # Once the prompt is answered, the store works again.
    backend.release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and store._stuck is not None and store._stuck.is_alive():
        store._stuck.join(0.05)
    assert store.get_token(SERVER, EMAIL) == TOKEN


def test_no_keyring_backend(use_keyring: None) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    store = KeyringCredentialStore()
    ok, reason = store.available()
    assert not ok
    assert "keyring" in reason.lower()
    with pytest.raises(CredentialStoreUnavailable, match="NoKeyringError"):
        store.set_token(SERVER, EMAIL, TOKEN)


def test_keyring_errors_become_unavailable_without_the_secret(
    use_keyring: None, caplog: pytest.LogCaptureFixture
) -> None:
    keyring.set_keyring(LockedKeyring())
    store = KeyringCredentialStore()
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(CredentialStoreUnavailable, match="KeyringLocked"):
            store.get_token(SERVER, EMAIL)
        with pytest.raises(CredentialStoreUnavailable) as raised:
            store.set_password(SERVER, EMAIL, PASSWORD)
    assert PASSWORD not in str(raised.value)
    assert "***" in raised.value.reason
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert PASSWORD not in caplog.text
    assert not store.available()[0]


def test_no_secret_in_logs_or_repr(
    dict_keyring: DictKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    store = KeyringCredentialStore()
    with caplog.at_level(logging.DEBUG):
        exercise(store)
    assert caplog.records  # it does log, just not the secrets
    assert TOKEN not in caplog.text and PASSWORD not in caplog.text
    assert TOKEN not in repr(store)


def test_empty_secret_is_refused(dict_keyring: DictKeyring) -> None:
    with pytest.raises(ValueError):
        KeyringCredentialStore().set_token(SERVER, EMAIL, "")
