"""Where the token and the password are kept: the OS keyring, never a file.

:class:`CredentialStore` is the protocol the session uses. :class:`KeyringCredentialStore`
keeps secrets in the platform keyring through ``keyring`` (Secret Service on Linux,
Keychain on macOS, Credential Manager on Windows); :class:`MemoryCredentialStore` keeps
them for this run only, for tests and as the fallback when no keyring works.

Entries are keyed by (server URL, email): the service is ``"tray-app:" + server_url``,
the user name is the email for the token and ``email + "#password"`` for the password.

Every keyring call runs in a daemon thread with a time limit: a locked gnome-keyring
answers only after the user types a password into a prompt, which may never come (or
may be hidden), and the app must not freeze meanwhile. A timeout, a missing backend or
any keyring error becomes :class:`CredentialStoreUnavailable`. The calls still block the
caller for up to ``timeout`` seconds; from the GUI thread use ``asyncio.to_thread``.

Secrets never appear in logs, exception messages or reprs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar, runtime_checkable

import keyring
import keyring.backend
import keyring.errors

from tray_app.paths import APP_NAME

__all__ = [
    "CredentialStore",
    "CredentialStoreUnavailable",
    "KeyringCredentialStore",
    "MemoryCredentialStore",
    "service_name",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_PASSWORD_SUFFIX = "#password"
_PROBE_USER = "availability-probe"
_MAX_REASON = 200


class CredentialStoreUnavailable(Exception):
    """The keyring cannot be used now; ``reason`` says why (no secret in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@runtime_checkable
class CredentialStore(Protocol):
    """Secrets of one account, keyed by (server URL, email).

    ``get_*`` return None when nothing is stored; ``delete_*`` of a missing entry is a
    no-op. Implementations may raise :class:`CredentialStoreUnavailable`.
    """

    def available(self) -> tuple[bool, str]:
        """Whether the store works now, and a short reason or description."""
        ...

    def get_token(self, server_url: str, email: str) -> str | None: ...
    def set_token(self, server_url: str, email: str, token: str) -> None: ...
    def delete_token(self, server_url: str, email: str) -> None: ...
    def get_password(self, server_url: str, email: str) -> str | None: ...
    def set_password(self, server_url: str, email: str, password: str) -> None: ...
    def delete_password(self, server_url: str, email: str) -> None: ...


def service_name(server_url: str) -> str:
    """The keyring service of a server: ``tray-app:<url without trailing slash>``."""
    return f"{APP_NAME}:{server_url.rstrip('/')}"


class MemoryCredentialStore:
    """Secrets in a dict, gone when the app quits (tests; "this run only" fallback)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"MemoryCredentialStore({len(self._items)} entries)"

    def available(self) -> tuple[bool, str]:
        return True, "kept in memory for this run only"

    def get_token(self, server_url: str, email: str) -> str | None:
        return self._items.get((service_name(server_url), email))

    def set_token(self, server_url: str, email: str, token: str) -> None:
        self._items[(service_name(server_url), email)] = token

    def delete_token(self, server_url: str, email: str) -> None:
        self._items.pop((service_name(server_url), email), None)

    def get_password(self, server_url: str, email: str) -> str | None:
        return self._items.get((service_name(server_url), email + _PASSWORD_SUFFIX))

    def set_password(self, server_url: str, email: str, password: str) -> None:
        self._items[(service_name(server_url), email + _PASSWORD_SUFFIX)] = password

    def delete_password(self, server_url: str, email: str) -> None:
        self._items.pop((service_name(server_url), email + _PASSWORD_SUFFIX), None)


class KeyringCredentialStore:
    """Secrets in the OS keyring, every call limited to ``timeout`` seconds.

    ``backend`` pins a keyring backend; by default the one ``keyring`` selects (or
    that ``keyring.set_keyring`` installed) is looked up at each call.
    """

    def __init__(
        self, *, backend: keyring.backend.KeyringBackend | None = None, timeout: float = 5.0
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        # A call that timed out may still be blocked in the keyring (behind an unlock
        # prompt). Further calls fail at once instead of piling up blocked threads.
        self._stuck: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"KeyringCredentialStore(timeout={self._timeout:g})"

    def available(self) -> tuple[bool, str]:
        """Try a harmless lookup; (True, backend name) or (False, reason)."""
        try:
            name = self._call(self._probe)
        except CredentialStoreUnavailable as exc:
            return False, exc.reason
        return True, name

    def get_token(self, server_url: str, email: str) -> str | None:
        return self._get(service_name(server_url), email)

    def set_token(self, server_url: str, email: str, token: str) -> None:
        self._set(service_name(server_url), email, token)

    def delete_token(self, server_url: str, email: str) -> None:
        self._delete(service_name(server_url), email)

    def get_password(self, server_url: str, email: str) -> str | None:
        return self._get(service_name(server_url), email + _PASSWORD_SUFFIX)

    def set_password(self, server_url: str, email: str, password: str) -> None:
        self._set(service_name(server_url), email + _PASSWORD_SUFFIX, password)

    def delete_password(self, server_url: str, email: str) -> None:
        self._delete(service_name(server_url), email + _PASSWORD_SUFFIX)

    def _get(self, service: str, user: str) -> str | None:
        return self._call(lambda backend: backend.get_password(service, user))

    def _set(self, service: str, user: str, secret: str) -> None:
        if not secret:
            raise ValueError("refusing to store an empty secret")
        self._call(lambda backend: backend.set_password(service, user, secret), secret=secret)
        logger.debug("Stored a secret in the keyring for service %s", service)

    def _delete(self, service: str, user: str) -> None:
        def delete(backend: keyring.backend.KeyringBackend) -> None:
            try:
                backend.delete_password(service, user)
            except keyring.errors.PasswordDeleteError:
                # Backends raise this when there is nothing to delete.
                logger.debug("No keyring entry to delete for service %s", service)

        self._call(delete)

    @staticmethod
    def _probe(backend: keyring.backend.KeyringBackend) -> str:
        if backend.priority <= 0:  # fail.Keyring, null.Keyring, an empty chainer
            raise keyring.errors.NoKeyringError(f"no usable keyring backend ({backend.name})")
        backend.get_password(service_name(""), _PROBE_USER)
        return str(backend.name)

    def _resolve_backend(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _call(
        self, operation: Callable[[keyring.backend.KeyringBackend], _T], *, secret: str = ""
    ) -> _T:
        """Run ``operation`` on the backend in a daemon thread, waiting ``timeout`` s.

        A daemon thread rather than an executor: executor threads are joined at exit,
        so one stuck behind an unlock prompt would keep the app from quitting.
        """
        if self._stuck is not None and self._stuck.is_alive():
            raise CredentialStoreUnavailable("the keyring is still busy with an earlier request")
        outcome: list[_T] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(operation(self._resolve_backend()))
            except BaseException as exc:  # handed over to the calling thread
                failure.append(exc)
            finally:
                done.set()

        worker = threading.Thread(target=run, name="keyring-call", daemon=True)
        worker.start()
        if not done.wait(self._timeout):
            self._stuck = worker
            logger.warning("The keyring did not answer within %g s", self._timeout)
            raise CredentialStoreUnavailable(
                f"the keyring did not answer within {self._timeout:g} s (is it locked?)"
            )
        if failure:
            raise CredentialStoreUnavailable(_reason(failure[0], secret)) from None
        return outcome[0]


def _reason(exc: BaseException, secret: str) -> str:
    """A short description of a keyring failure, with the secret masked just in case."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 1] + "…"
    logger.warning("Keyring error: %s", text)
    return text
