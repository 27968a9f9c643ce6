"""Signing in and out, and where the token and the remembered password live.

Qt-free and async so that both the tray app and the ``tray-app login/logout/status``
commands use it. Secrets go only to the :class:`~tray_app.credentials.CredentialStore`
(the OS keyring); the server URL and the email go to the settings file. Keyring calls
can block (a keyring daemon waiting on a prompt), so they run in a worker thread and the
store itself time-boxes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tray_app.api.auth import token_expiry
from tray_app.api.client import ApiClient
from tray_app.api.errors import AuthError
from tray_app.api.models import Session
from tray_app.credentials import CredentialStore, CredentialStoreUnavailable, MemoryCredentialStore
from tray_app.logging_setup import RedactingFilter
from tray_app.settings import SettingsStore

log = logging.getLogger(__name__)

ClientFactory = Callable[[str], ApiClient]

#: A stored token this close to its expiry is not worth trying: log in again instead.
_MIN_TOKEN_LIFE = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Account:
    server_url: str
    email: str


class AccountManager:
    """Owns the credentials of the one account the app is signed in to.

    ``persist=False`` (demo mode) keeps everything in memory and writes no settings.
    When the keyring does not work, secrets fall back to memory for this run and
    :attr:`keyring_problem` says why, so the UI can tell the user.
    """

    def __init__(
        self,
        settings: SettingsStore | None,
        credentials: CredentialStore,
        client_factory: ClientFactory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._client_factory = client_factory
        self._clock = clock
        self.keyring_problem: str | None = None

    @property
    def account(self) -> Account | None:
        if self._settings is None:
            return None
        current = self._settings.load()
        if not current.server_url or not current.email:
            return None
        return Account(current.server_url, current.email)

    async def sign_in(
        self,
        server_url: str,
        email: str,
        password: str,
        *,
        totp: str | None = None,
        remember: bool = False,
    ) -> tuple[ApiClient, Session]:
        """Log in; on success store the token (and the password if ``remember``).

        Raises the client's :class:`~tray_app.api.errors.ApiError` subclasses unchanged;
        on failure the client is closed and nothing is stored.
        """
        client = self._client_factory(server_url)
        RedactingFilter.add_secret(password)
        try:
            session = await client.login(email, password, totp)
        except BaseException:
            await client.aclose()
            raise
        self._remember_secret(session.token)
        await self._store(server_url, email, session.token, password if remember else None)
        if self._settings is not None:
            self._settings.update(server_url=server_url, email=email, remember_me=remember)
        log.info("signed in to %s as %s", server_url, email)
        return client, session

    async def restore(self) -> tuple[ApiClient, Session | None] | None:
        """Resume the stored session at start-up.

        Returns the client and, when a login had to happen, the new session; or None
        when nobody is signed in or the stored credentials no longer work.
        """
        account = self.account
        if account is None:
            return None
        token = await self._read(lambda s: s.get_token(account.server_url, account.email))
        client = self._client_factory(account.server_url)
        if token is not None and self._usable(token):
            self._remember_secret(token)
            client.token = token
            return client, None
        session = await self.relogin(client)
        if session is None:
            await client.aclose()
            return None
        return client, session

    async def relogin(self, client: ApiClient) -> Session | None:
        """Log in again with the remembered password, if there is one.

        Network errors propagate (try again later); a refused password deletes it.
        """
        account = self.account
        if account is None:
            return None
        password = await self._read(lambda s: s.get_password(account.server_url, account.email))
        if password is None:
            return None
        RedactingFilter.add_secret(password)
        try:
            session = await client.login(account.email, password)
        except AuthError:
            log.warning("the remembered password was refused; it is forgotten")
            await self._forget(account, password_too=True)
            return None
        self._remember_secret(session.token)
        await self._write(lambda s: s.set_token(account.server_url, account.email, session.token))
        return session

    async def token_refreshed(self, session: Session) -> None:
        """Store a token obtained by ``/api/auth/refresh``."""
        account = self.account
        self._remember_secret(session.token)
        if account is not None:
            await self._write(
                lambda s: s.set_token(account.server_url, account.email, session.token)
            )

    async def has_password(self) -> bool:
        """Whether a password is remembered, so an expired session can log in again."""
        account = self.account
        if account is None:
            return False
        password = await self._read(lambda s: s.get_password(account.server_url, account.email))
        if password is None:
            return False
        RedactingFilter.add_secret(password)
        return True

    async def forget_token(self) -> None:
        account = self.account
        if account is not None:
            await self._forget(account, password_too=False)

    async def sign_out(self, client: ApiClient | None) -> None:
        """Revoke the token on the server (best effort) and delete the stored secrets."""
        if client is not None:
            try:
                await client.logout()
            except Exception as exc:  # signing out locally must work offline too
                log.warning("server logout failed: %s", exc)
        account = self.account
        if account is not None:
            await self._forget(account, password_too=True)
        log.info("signed out")

    def _usable(self, token: str) -> bool:
        expiry = token_expiry(token)
        return expiry is None or expiry - self._clock() > _MIN_TOKEN_LIFE

    @staticmethod
    def _remember_secret(token: str) -> None:
        RedactingFilter.add_secret(token)

    async def _store(self, server_url: str, email: str, token: str, password: str | None) -> None:
        await self._write(lambda s: s.set_token(server_url, email, token))
        if password is not None:
            await self._write(lambda s: s.set_password(server_url, email, password))
        else:
            await self._write(lambda s: s.delete_password(server_url, email))

    async def _forget(self, account: Account, *, password_too: bool) -> None:
        await self._write(lambda s: s.delete_token(account.server_url, account.email))
        if password_too:
            await self._write(lambda s: s.delete_password(account.server_url, account.email))

    async def _read(self, call: Callable[[CredentialStore], str | None]) -> str | None:
        try:
            return await asyncio.to_thread(call, self._credentials)
        except CredentialStoreUnavailable as exc:
            self._fall_back(exc)
            return call(self._credentials)

    async def _write(self, call: Callable[[CredentialStore], None]) -> None:
        try:
            await asyncio.to_thread(call, self._credentials)
        except CredentialStoreUnavailable as exc:
            self._fall_back(exc)
            call(self._credentials)

    def _fall_back(self, exc: CredentialStoreUnavailable) -> None:
        log.warning("keyring unavailable, keeping secrets in memory for this run: %s", exc.reason)
        self.keyring_problem = exc.reason
        self._credentials = MemoryCredentialStore()
