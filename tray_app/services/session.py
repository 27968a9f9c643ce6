"""The login session on the Qt loop: refresh before the 15-minute token dies, log in
again silently after sleep, and tell the rest of the app when it is signed in or out.

The decisions are the pure state machine of :mod:`tray_app.core.session_state`; this
service performs its actions (timers, requests, keyring) and feeds the outcomes back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from tray_app.api.auth import token_expiry
from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, AuthError, NetworkError, ServerError, TotpRequired
from tray_app.api.models import Session
from tray_app.core import session_state as ss
from tray_app.services.account import AccountManager

log = logging.getLogger(__name__)

#: After a silent re-login failed for lack of network, try again this often.
_RELOGIN_RETRY_MS = 30_000


class SessionService(QObject):
    """Owns the signed-in :class:`ApiClient` and keeps its token alive.

    Signals:
        client_changed(object): the client to sync with, or None (stop syncing).
        signed_out(str): the session ended: ``expired``, ``relogin_failed``,
            ``totp_required`` or ``logged_out``.
        state_changed(str): ``signed_out``, ``signing_in``, ``signed_in``,
            ``refreshing``, ``offline`` or ``expired``.
    """

    client_changed = Signal(object)
    signed_out = Signal(str)
    state_changed = Signal(str)

    def __init__(
        self,
        accounts: AccountManager,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._clock = clock
        self._state: ss.SessionState = ss.SignedOut()
        self._client: ApiClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._refresh_timer = QTimer(self, singleShot=True)
        self._refresh_timer.timeout.connect(lambda: self._dispatch(ss.TokenExpiring()))
        self._retry_timer = QTimer(self, singleShot=True, interval=_RELOGIN_RETRY_MS)
        self._retry_timer.timeout.connect(lambda: self._dispatch(ss.NetworkBack()))
        self._can_relogin = False

    @property
    def client(self) -> ApiClient | None:
        return self._client

    @property
    def state_name(self) -> str:
        return _state_name(self._state)

    @property
    def accounts(self) -> AccountManager:
        return self._accounts

    async def start(self) -> bool:
        """Resume the stored session; True when signed in (or trying to, offline)."""
        self._dispatch(ss.LoginStarted())
        try:
            restored = await self._accounts.restore()
        except NetworkError as exc:
            log.warning("cannot reach the server at start: %s", exc)
            self._dispatch(ss.LoginFailed("network"))
            return self._accounts.account is not None
        except ApiError as exc:
            log.warning("stored session unusable: %s", exc)
            restored = None
        if restored is None:
            self._set_state(ss.SignedOut())
            return False
        client, session = restored
        await self._adopt(client, session)
        return True

    async def sign_in(
        self, server_url: str, email: str, password: str, *, remember: bool, totp: str | None
    ) -> None:
        """Interactive login; raises the client's errors for the dialog to explain."""
        self._dispatch(ss.LoginStarted())
        try:
            client, session = await self._accounts.sign_in(
                server_url, email, password, totp=totp, remember=remember
            )
        except BaseException:
            self._set_state(ss.SignedOut("login_failed"))
            raise
        await self._adopt(client, session)

    async def adopt(self, client: ApiClient, session: Session | None, *, can_relogin: bool) -> None:
        """Use an already signed-in client (demo mode)."""
        self._dispatch(ss.LoginStarted())
        await self._adopt(client, session, can_relogin=can_relogin)

    async def sign_out(self) -> None:
        client = self._client
        self._dispatch(ss.Logout())
        await self._accounts.sign_out(client)
        await self._drop_client()

    def auth_failed(self) -> None:
        """A request got 401: the token was revoked or expired behind our back."""
        if isinstance(self._state, ss.SignedIn | ss.Offline):
            self._state = ss.SignedIn(self._clock())  # the token is dead as of now
            self._dispatch(ss.TokenExpiring())

    def woke_up(self) -> None:
        self._dispatch(ss.Wake())

    def connection_changed(self, state: str, last_sync: datetime | None) -> None:
        if state == "online":
            self._dispatch(ss.NetworkBack())
        elif state == "offline":
            self._dispatch(ss.NetworkLost(last_sync))

    async def aclose(self) -> None:
        self._refresh_timer.stop()
        self._retry_timer.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _adopt(
        self, client: ApiClient, session: Session | None, *, can_relogin: bool | None = None
    ) -> None:
        self._client = client
        if can_relogin is None:
            can_relogin = await self._accounts.has_password()
        self._can_relogin = can_relogin
        expires = session.expires_at if session else _expiry_of(client)
        self._dispatch(ss.LoginOk(expires))

    def _dispatch(self, event: ss.SessionEvent) -> None:
        result = ss.transition(self._state, event, now=self._clock(), can_relogin=self._can_relogin)
        self._set_state(result.state)
        for action in result.actions:
            self._perform(action)

    def _set_state(self, state: ss.SessionState) -> None:
        old = _state_name(self._state)
        self._state = state
        if isinstance(state, ss.Offline) and state.expires_at is None:
            self._retry_timer.start()
        if _state_name(state) != old:
            self.state_changed.emit(_state_name(state))

    def _perform(self, action: ss.SessionAction) -> None:
        match action:
            case ss.ScheduleRefresh(at=at):
                delay = max(0.0, (at - self._clock()).total_seconds())
                self._refresh_timer.start(int(min(delay, 2**31 / 1000 - 1) * 1000))
            case ss.CancelRefresh():
                self._refresh_timer.stop()
            case ss.StartRefresh():
                self._spawn(self._refresh())
            case ss.Relogin():
                self._spawn(self._relogin())
            case ss.StartSync():
                self.client_changed.emit(self._client)
            case ss.StopSync():
                self.client_changed.emit(None)
            case ss.ClearToken() | ss.ForgetPassword() | ss.ServerLogout():
                pass  # sign_out() and the account manager do these in order
            case ss.ShowSignedOut(reason=reason):
                self._spawn(self._expired(reason))
            case ss.ShowLoginError():
                pass  # interactive logins raise to the dialog instead

    async def _refresh(self) -> None:
        assert self._client is not None
        try:
            session = await self._client.refresh()
        except AuthError:
            self._dispatch(ss.RefreshFailed("auth", None))
            return
        except ApiError as exc:
            log.info("token refresh failed, will retry: %s", exc)
            self._dispatch(ss.RefreshFailed("network", None))
            return
        await self._accounts.token_refreshed(session)
        self._dispatch(ss.RefreshOk(session.expires_at))

    async def _relogin(self) -> None:
        client = self._client
        if client is None:
            return
        try:
            session = await self._accounts.relogin(client)
        except TotpRequired:
            self._dispatch(ss.LoginFailed("totp"))
            return
        except (NetworkError, ServerError) as exc:
            log.info("silent re-login failed, will retry: %s", exc)
            self._dispatch(ss.LoginFailed("network"))
            return
        except ApiError:
            session = None
        if session is None:
            self._dispatch(ss.LoginFailed("auth"))
        else:
            self._dispatch(ss.LoginOk(session.expires_at))

    async def _expired(self, reason: str) -> None:
        if reason != "logged_out":
            await self._accounts.forget_token()
            await self._drop_client()
        self.signed_out.emit(reason)

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("session task failed", exc_info=task.exception())


def _expiry_of(client: ApiClient) -> datetime | None:
    return token_expiry(client.token) if client.token else None


def _state_name(state: ss.SessionState) -> str:
    return {
        ss.SignedOut: "signed_out",
        ss.SigningIn: "signing_in",
        ss.SignedIn: "signed_in",
        ss.Refreshing: "refreshing",
        ss.Offline: "offline",
        ss.Expired: "expired",
    }[type(state)]
