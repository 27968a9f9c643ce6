"""The session state machine: signed out, signing in, signed in, refreshing, offline.

The server's JWT lives 15 minutes and there is no refresh token: the client must call
``/api/auth/refresh`` with a still-valid token before ``exp``, or log in again. After
sleep the token is usually dead; the app then logs in again silently with the password
the user let it remember, or shows that the session expired.

:func:`transition` is pure: ``(state, event, now, can_relogin) -> Transition(state,
actions)``. The session service performs the actions (timers, requests, keyring, UI) and
feeds the outcomes back as events. Combinations missing from the table leave the state
unchanged with no action (e.g. a late ``RefreshOk`` after ``Logout``).

The service also sends :class:`Wake` after sleep (a QTimer does not count the time
asleep, so the refresh timer would fire too late) and :class:`NetworkBack` when the OS
reports connectivity or any request reaches the server again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal, TypeAlias

_log = logging.getLogger(__name__)

#: The server's token lifetime, assumed when a token carries no ``exp``.
DEFAULT_TOKEN_TTL: Final = timedelta(minutes=15)
#: Refresh this long before ``exp`` (at most half of the remaining lifetime).
REFRESH_LEAD: Final = timedelta(seconds=120)
#: A token this close to ``exp`` is treated as dead (clock skew, request time).
EXPIRY_MARGIN: Final = timedelta(seconds=5)

FailureKind: TypeAlias = Literal["auth", "network", "totp"]


# --- states -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedOut:
    """No session. ``reason`` is None at start-up, else why (``"logged_out"``...)."""

    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SigningIn:
    """A login request is running; ``silent`` when it uses the remembered password."""

    silent: bool = False


@dataclass(frozen=True, slots=True)
class SignedIn:
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Refreshing:
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Offline:
    """The server is unreachable. ``expires_at`` None: no usable token is held."""

    last_sync: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Expired:
    """The session ended without the user's wish and cannot be renewed silently."""


SessionState: TypeAlias = SignedOut | SigningIn | SignedIn | Refreshing | Offline | Expired


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginStarted:
    """The user submitted the login dialog."""


@dataclass(frozen=True, slots=True)
class LoginOk:
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoginFailed:
    kind: FailureKind


@dataclass(frozen=True, slots=True)
class TokenExpiring:
    """The refresh timer fired."""


@dataclass(frozen=True, slots=True)
class Wake:
    """The machine woke up from sleep."""


@dataclass(frozen=True, slots=True)
class RefreshOk:
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefreshFailed:
    kind: Literal["auth", "network"]
    last_sync: datetime | None = None


@dataclass(frozen=True, slots=True)
class NetworkLost:
    last_sync: datetime | None = None


@dataclass(frozen=True, slots=True)
class NetworkBack:
    pass


@dataclass(frozen=True, slots=True)
class Logout:
    pass


SessionEvent: TypeAlias = (
    LoginStarted
    | LoginOk
    | LoginFailed
    | TokenExpiring
    | Wake
    | RefreshOk
    | RefreshFailed
    | NetworkLost
    | NetworkBack
    | Logout
)


# --- actions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleRefresh:
    """Arm (or re-arm) the refresh timer for wall time ``at``."""

    at: datetime


@dataclass(frozen=True, slots=True)
class CancelRefresh:
    pass


@dataclass(frozen=True, slots=True)
class StartRefresh:
    """Call ``/api/auth/refresh`` now; answer with RefreshOk / RefreshFailed."""


@dataclass(frozen=True, slots=True)
class Relogin:
    """Log in with the remembered password; answer with LoginOk / LoginFailed."""


@dataclass(frozen=True, slots=True)
class StartSync:
    """(Re)start syncing at once; idempotent."""


@dataclass(frozen=True, slots=True)
class StopSync:
    pass


@dataclass(frozen=True, slots=True)
class ServerLogout:
    """Best-effort ``/api/auth/logout`` so the server blacklists the token."""


@dataclass(frozen=True, slots=True)
class ClearToken:
    """Remove the token from memory and the keyring."""


@dataclass(frozen=True, slots=True)
class ForgetPassword:
    """Remove the remembered password (it was refused, or the user logged out)."""


@dataclass(frozen=True, slots=True)
class ShowSignedOut:
    """Tell the user the session is gone: ``"expired"``, ``"relogin_failed"``,
    ``"totp_required"`` or ``"logged_out"``."""

    reason: str


@dataclass(frozen=True, slots=True)
class ShowLoginError:
    kind: FailureKind


SessionAction: TypeAlias = (
    ScheduleRefresh
    | CancelRefresh
    | StartRefresh
    | Relogin
    | StartSync
    | StopSync
    | ServerLogout
    | ClearToken
    | ForgetPassword
    | ShowSignedOut
    | ShowLoginError
)


@dataclass(frozen=True, slots=True)
class Transition:
    state: SessionState
    actions: tuple[SessionAction, ...] = ()


# --- planning -----------------------------------------------------------------------


def refresh_at(expires_at: datetime, now: datetime, *, lead: timedelta = REFRESH_LEAD) -> datetime:
    """When to refresh a token expiring at ``expires_at``.

    ``exp - lead`` (13 minutes into a 15-minute token), but never earlier than halfway
    through the remaining lifetime, so short-lived tokens do not cause a refresh storm.
    An expired token gives ``now`` (the caller should log in again instead).
    """
    remaining = expires_at - now
    if remaining <= timedelta(0):
        return now
    return expires_at - min(lead, remaining / 2)


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    """True when no token is held or it is (nearly) past ``exp``."""
    return expires_at is None or now >= expires_at - EXPIRY_MARGIN


# --- transitions --------------------------------------------------------------------

#: After a refresh failed for network reasons, try again this soon (if still valid).
REFRESH_RETRY: Final = timedelta(seconds=15)


@dataclass(frozen=True, slots=True)
class _Ctx:
    now: datetime
    can_relogin: bool


def _signed_in(expires_at: datetime | None, ctx: _Ctx, *, start_sync: bool) -> Transition:
    exp = expires_at if expires_at is not None else ctx.now + DEFAULT_TOKEN_TTL
    actions: tuple[SessionAction, ...] = (ScheduleRefresh(refresh_at(exp, ctx.now)),)
    return Transition(SignedIn(exp), (*actions, StartSync()) if start_sync else actions)


def _token_dead(ctx: _Ctx) -> Transition:
    """The token is gone: log in again silently if possible, else the session expired."""
    if ctx.can_relogin:
        return Transition(SigningIn(silent=True), (CancelRefresh(), StopSync(), Relogin()))
    return Transition(
        Expired(), (CancelRefresh(), StopSync(), ClearToken(), ShowSignedOut("expired"))
    )


def _refresh_or_relogin(expires_at: datetime | None, ctx: _Ctx) -> Transition:
    if expires_at is None or is_expired(expires_at, ctx.now):
        return _token_dead(ctx)
    return Transition(Refreshing(expires_at), (StartRefresh(),))


def _on_login_started(_s: object, _e: LoginStarted, _c: _Ctx) -> Transition:
    return Transition(SigningIn(silent=False))


def _on_login_ok(_s: SigningIn, event: LoginOk, ctx: _Ctx) -> Transition:
    return _signed_in(event.expires_at, ctx, start_sync=True)


def _on_login_failed(state: SigningIn, event: LoginFailed, _c: _Ctx) -> Transition:
    if not state.silent:
        return Transition(SignedOut("login_failed"), (ShowLoginError(event.kind),))
    if event.kind == "network":
        return Transition(Offline(last_sync=None, expires_at=None))
    forget: tuple[SessionAction, ...] = (ForgetPassword(),) if event.kind == "auth" else ()
    reason = "relogin_failed" if event.kind == "auth" else "totp_required"
    return Transition(Expired(), (*forget, ClearToken(), ShowSignedOut(reason)))


def _on_token_expiring(state: SignedIn | Offline, _e: TokenExpiring, ctx: _Ctx) -> Transition:
    return _refresh_or_relogin(state.expires_at, ctx)


def _on_wake(state: SignedIn, _e: Wake, ctx: _Ctx) -> Transition:
    if is_expired(state.expires_at, ctx.now):
        return _token_dead(ctx)
    # The refresh timer did not count the time asleep: re-arm it from the wall clock.
    return Transition(state, (ScheduleRefresh(refresh_at(state.expires_at, ctx.now)),))


def _on_refresh_ok(_s: Refreshing, event: RefreshOk, ctx: _Ctx) -> Transition:
    return _signed_in(event.expires_at, ctx, start_sync=False)


def _on_refresh_failed(state: Refreshing, event: RefreshFailed, ctx: _Ctx) -> Transition:
    if event.kind == "auth":
        return _token_dead(ctx)
    retry = ctx.now + REFRESH_RETRY
    offline = Offline(event.last_sync, state.expires_at)
    if is_expired(state.expires_at, retry):
        return Transition(offline)
    return Transition(offline, (ScheduleRefresh(retry),))


def _on_network_lost(state: SignedIn, event: NetworkLost, _c: _Ctx) -> Transition:
    return Transition(Offline(event.last_sync, state.expires_at))


def _on_network_back(state: Offline, _e: NetworkBack, ctx: _Ctx) -> Transition:
    exp = state.expires_at
    if exp is None or is_expired(exp, ctx.now):
        return _token_dead(ctx)
    if exp - ctx.now < REFRESH_LEAD:
        return Transition(Refreshing(exp), (StartRefresh(), StartSync()))
    return Transition(SignedIn(exp), (ScheduleRefresh(refresh_at(exp, ctx.now)), StartSync()))


def _on_logout(state: object, _e: Logout, _c: _Ctx) -> Transition:
    holds_token = isinstance(state, SignedIn | Refreshing) or (
        isinstance(state, Offline) and state.expires_at is not None
    )
    server: tuple[SessionAction, ...] = (ServerLogout(),) if holds_token else ()
    actions = (CancelRefresh(), StopSync(), *server, ClearToken(), ForgetPassword())
    return Transition(SignedOut("logged_out"), (*actions, ShowSignedOut("logged_out")))


_Handler: TypeAlias = Callable[[Any, Any, _Ctx], Transition]

#: (state type, event type) -> handler. Anything else leaves the state unchanged.
TRANSITIONS: Final[Mapping[tuple[type, type], _Handler]] = {
    (SignedOut, LoginStarted): _on_login_started,
    (Expired, LoginStarted): _on_login_started,
    (Offline, LoginStarted): _on_login_started,
    (SigningIn, LoginOk): _on_login_ok,
    (SigningIn, LoginFailed): _on_login_failed,
    (SignedIn, TokenExpiring): _on_token_expiring,
    (Offline, TokenExpiring): _on_token_expiring,
    (SignedIn, Wake): _on_wake,
    (Refreshing, RefreshOk): _on_refresh_ok,
    (Refreshing, RefreshFailed): _on_refresh_failed,
    (SignedIn, NetworkLost): _on_network_lost,
    (Offline, NetworkBack): _on_network_back,
    **{
        (state, Logout): _on_logout for state in (SignedIn, SigningIn, Refreshing, Offline, Expired)
    },
}


def transition(
    state: SessionState, event: SessionEvent, *, now: datetime, can_relogin: bool
) -> Transition:
    """The next state and the actions to perform, in order, for ``event`` at ``now``.

    ``can_relogin``: a password is remembered, so an expired session may log in again
    silently.
    """
    handler = TRANSITIONS.get((type(state), type(event)))
    if handler is None:
        _log.debug("Session: %s ignored in %s", type(event).__name__, type(state).__name__)
        return Transition(state)
    result = handler(state, event, _Ctx(now, can_relogin))
    _log.debug("Session: %s --%s--> %s", state, type(event).__name__, result.state)
    return result
