"""The session state machine and refresh planning."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from core_factories import T0
from hypothesis import given
from hypothesis import strategies as st

from tray_app.core.session_state import (
    DEFAULT_TOKEN_TTL,
    REFRESH_LEAD,
    REFRESH_RETRY,
    TRANSITIONS,
    CancelRefresh,
    ClearToken,
    Expired,
    ForgetPassword,
    LoginFailed,
    LoginOk,
    LoginStarted,
    Logout,
    NetworkBack,
    NetworkLost,
    Offline,
    RefreshFailed,
    Refreshing,
    RefreshOk,
    Relogin,
    ScheduleRefresh,
    ServerLogout,
    SessionEvent,
    SessionState,
    ShowLoginError,
    ShowSignedOut,
    SignedIn,
    SignedOut,
    SigningIn,
    StartRefresh,
    StartSync,
    StopSync,
    TokenExpiring,
    Transition,
    Wake,
    is_expired,
    refresh_at,
    transition,
)

EXP = T0 + timedelta(minutes=15)


def step(
    state: SessionState, event: SessionEvent, *, now: datetime = T0, can_relogin: bool = False
) -> Transition:
    return transition(state, event, now=now, can_relogin=can_relogin)


# ---- refresh planning --------------------------------------------------------------


def test_fifteen_minute_token_refreshes_two_minutes_early() -> None:
    assert refresh_at(EXP, T0) == EXP - REFRESH_LEAD


def test_short_token_refreshes_halfway() -> None:
    assert refresh_at(T0 + timedelta(seconds=60), T0) == T0 + timedelta(seconds=30)


def test_expired_token_refresh_time_is_now() -> None:
    assert refresh_at(T0 - timedelta(seconds=1), T0) == T0


@given(remaining=st.floats(min_value=0.001, max_value=86_400.0))
def test_refresh_is_strictly_between_now_and_expiry(remaining: float) -> None:
    exp = T0 + timedelta(seconds=remaining)
    at = refresh_at(exp, T0)
    assert T0 < at < exp or (at == T0 and remaining < 1e-5)
    assert at >= exp - REFRESH_LEAD


def test_is_expired_has_a_margin() -> None:
    assert is_expired(None, T0)
    assert is_expired(T0 + timedelta(seconds=2), T0)
    assert not is_expired(T0 + timedelta(minutes=1), T0)


# ---- login -------------------------------------------------------------------------


@pytest.mark.parametrize("state", [SignedOut(), Expired(), Offline(None, None)])
def test_user_login_starts_from_any_signed_out_state(state: SessionState) -> None:
    assert step(state, LoginStarted()) == Transition(SigningIn(silent=False))


def test_login_ok_signs_in_schedules_refresh_and_syncs() -> None:
    result = step(SigningIn(), LoginOk(EXP))
    assert result == Transition(SignedIn(EXP), (ScheduleRefresh(EXP - REFRESH_LEAD), StartSync()))


def test_token_without_exp_is_assumed_to_live_fifteen_minutes() -> None:
    result = step(SigningIn(), LoginOk(None))
    assert result.state == SignedIn(T0 + DEFAULT_TOKEN_TTL)


@pytest.mark.parametrize("kind", ["auth", "network", "totp"])
def test_user_login_failure_is_shown(kind: str) -> None:
    result = step(SigningIn(), LoginFailed(kind))  # type: ignore[arg-type]
    assert result == Transition(SignedOut("login_failed"), (ShowLoginError(kind),))  # type: ignore[arg-type]


def test_silent_relogin_refused_forgets_the_password() -> None:
    result = step(SigningIn(silent=True), LoginFailed("auth"))
    assert result.state == Expired()
    assert result.actions == (ForgetPassword(), ClearToken(), ShowSignedOut("relogin_failed"))


def test_silent_relogin_needing_totp_asks_the_user() -> None:
    result = step(SigningIn(silent=True), LoginFailed("totp"))
    assert result == Transition(Expired(), (ClearToken(), ShowSignedOut("totp_required")))


def test_silent_relogin_without_network_waits_offline() -> None:
    result = step(SigningIn(silent=True), LoginFailed("network"))
    assert result == Transition(Offline(None, None))
    back = step(result.state, NetworkBack(), can_relogin=True)
    assert back == Transition(SigningIn(silent=True), (CancelRefresh(), StopSync(), Relogin()))


# ---- refresh -----------------------------------------------------------------------


def test_timer_starts_a_refresh_while_the_token_is_valid() -> None:
    now = EXP - REFRESH_LEAD
    assert step(SignedIn(EXP), TokenExpiring(), now=now) == Transition(
        Refreshing(EXP), (StartRefresh(),)
    )


def test_refresh_ok_reschedules_without_restarting_sync() -> None:
    new_exp = EXP + timedelta(minutes=13)
    now = EXP - REFRESH_LEAD
    result = step(Refreshing(EXP), RefreshOk(new_exp), now=now)
    assert result == Transition(SignedIn(new_exp), (ScheduleRefresh(new_exp - REFRESH_LEAD),))


@pytest.mark.parametrize(
    ("can_relogin", "expected"),
    [
        (True, Transition(SigningIn(silent=True), (CancelRefresh(), StopSync(), Relogin()))),
        (
            False,
            Transition(
                Expired(), (CancelRefresh(), StopSync(), ClearToken(), ShowSignedOut("expired"))
            ),
        ),
    ],
)
def test_refused_refresh_relogs_in_or_expires(can_relogin: bool, expected: Transition) -> None:
    assert step(Refreshing(EXP), RefreshFailed("auth"), can_relogin=can_relogin) == expected


def test_refresh_without_network_goes_offline_and_retries_soon() -> None:
    result = step(Refreshing(EXP), RefreshFailed("network", last_sync=T0), now=T0)
    assert result == Transition(Offline(T0, EXP), (ScheduleRefresh(T0 + REFRESH_RETRY),))
    retry = step(result.state, TokenExpiring(), now=T0 + REFRESH_RETRY)
    assert retry == Transition(Refreshing(EXP), (StartRefresh(),))


def test_refresh_without_network_too_close_to_expiry_does_not_retry() -> None:
    now = EXP - timedelta(seconds=10)
    assert step(Refreshing(EXP), RefreshFailed("network"), now=now) == Transition(
        Offline(None, EXP)
    )


# ---- sleep, network ----------------------------------------------------------------


def test_wake_with_a_valid_token_rearms_the_timer_from_the_wall_clock() -> None:
    now = T0 + timedelta(minutes=5)
    assert step(SignedIn(EXP), Wake(), now=now) == Transition(
        SignedIn(EXP), (ScheduleRefresh(EXP - REFRESH_LEAD),)
    )


@pytest.mark.parametrize("event", [Wake(), TokenExpiring()])
def test_after_sleep_an_expired_token_relogs_in_silently(event: SessionEvent) -> None:
    result = step(SignedIn(EXP), event, now=EXP + timedelta(hours=8), can_relogin=True)
    assert result == Transition(SigningIn(silent=True), (CancelRefresh(), StopSync(), Relogin()))
    assert step(result.state, LoginOk(None), now=EXP + timedelta(hours=8)).state == SignedIn(
        EXP + timedelta(hours=8) + DEFAULT_TOKEN_TTL
    )


def test_after_sleep_without_a_password_the_session_expired() -> None:
    result = step(SignedIn(EXP), Wake(), now=EXP + timedelta(hours=8))
    assert result.state == Expired()
    assert ShowSignedOut("expired") in result.actions


def test_network_lost_then_back_with_a_valid_token_resumes() -> None:
    offline = step(SignedIn(EXP), NetworkLost(last_sync=T0)).state
    assert offline == Offline(T0, EXP)
    now = T0 + timedelta(minutes=1)
    assert step(offline, NetworkBack(), now=now) == Transition(
        SignedIn(EXP), (ScheduleRefresh(EXP - REFRESH_LEAD), StartSync())
    )


def test_network_back_close_to_expiry_refreshes_at_once() -> None:
    now = EXP - timedelta(seconds=60)
    assert step(Offline(None, EXP), NetworkBack(), now=now) == Transition(
        Refreshing(EXP), (StartRefresh(), StartSync())
    )


def test_network_back_after_expiry_relogs_in() -> None:
    now = EXP + timedelta(minutes=1)
    result = step(Offline(None, EXP), NetworkBack(), now=now, can_relogin=True)
    assert result.state == SigningIn(silent=True)


# ---- logout and the rest -----------------------------------------------------------


@pytest.mark.parametrize("state", [SignedIn(EXP), Refreshing(EXP), Offline(None, EXP)])
def test_logout_with_a_token_tells_the_server_before_clearing_it(state: SessionState) -> None:
    result = step(state, Logout())
    assert result.state == SignedOut("logged_out")
    assert result.actions.index(ServerLogout()) < result.actions.index(ClearToken())
    assert ForgetPassword() in result.actions and StopSync() in result.actions


@pytest.mark.parametrize("state", [SigningIn(), Expired(), Offline(None, None)])
def test_logout_without_a_token_does_not_call_the_server(state: SessionState) -> None:
    result = step(state, Logout())
    assert result.state == SignedOut("logged_out")
    assert ServerLogout() not in result.actions


def test_late_answers_after_logout_are_ignored() -> None:
    state = SignedOut("logged_out")
    for event in (RefreshOk(EXP), LoginOk(EXP), RefreshFailed("auth"), TokenExpiring()):
        assert step(state, event) == Transition(state)


def test_network_lost_while_refreshing_waits_for_the_refresh_outcome() -> None:
    assert step(Refreshing(EXP), NetworkLost()) == Transition(Refreshing(EXP))


def test_table_only_lists_real_states_and_events() -> None:
    states = {SignedOut, SigningIn, SignedIn, Refreshing, Offline, Expired}
    assert {s for s, _ in TRANSITIONS} <= states
    assert all(callable(handler) for handler in TRANSITIONS.values())


def test_a_day_in_the_life() -> None:
    """Login, two refreshes, sleep overnight, silent relogin, logout."""
    state: SessionState = SignedOut()
    now = T0
    state = step(state, LoginStarted()).state
    result = step(state, LoginOk(now + DEFAULT_TOKEN_TTL), now=now)
    for _ in range(2):
        [schedule, *_rest] = result.actions
        assert isinstance(schedule, ScheduleRefresh)
        now = schedule.at
        state = step(result.state, TokenExpiring(), now=now).state
        assert isinstance(state, Refreshing)
        result = step(state, RefreshOk(now + DEFAULT_TOKEN_TTL), now=now)
    now += timedelta(hours=10)
    result = step(result.state, Wake(), now=now, can_relogin=True)
    assert Relogin() in result.actions
    result = step(result.state, LoginOk(now + DEFAULT_TOKEN_TTL), now=now)
    assert isinstance(result.state, SignedIn) and StartSync() in result.actions
    assert step(result.state, Logout(), now=now).state == SignedOut("logged_out")
