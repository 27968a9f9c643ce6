"""The login dialog and the texts of sign-in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tray_app.api import errors
from tray_app.core import urls
from tray_app.ui.login_dialog import LoginDialog
from tray_app.ui.messages import (
    LoginErrorKind,
    login_error_kind,
    login_error_message,
    login_error_text,
    url_error_message,
)


@pytest.fixture
def dialog(qtbot):
    widget = LoginDialog()
    qtbot.addWidget(widget)
    return widget


def fill(dialog: LoginDialog, server="mail.example.org", email="ada@example.org", password="pw"):
    dialog.server_edit.setText(server)
    dialog.email_edit.setText(email)
    dialog.password_edit.setText(password)


def test_password_is_not_echoed(dialog):
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password


def test_login_request_carries_the_normalised_address(qtbot, dialog):
    fill(dialog, server="  Mail.Example.org/ ", email=" ada@example.org ")
    dialog.remember_check.setChecked(True)
    with qtbot.waitSignal(dialog.login_requested, timeout=1000) as blocker:
        dialog.sign_in_button.click()
    assert blocker.args == ["https://mail.example.org", "ada@example.org", "pw", True, ""]
    assert dialog.server_edit.text() == "https://mail.example.org"


def test_busy_while_signing_in_and_no_second_request(qtbot, dialog):
    fill(dialog)
    with qtbot.waitSignal(dialog.login_requested, timeout=1000):
        dialog.sign_in_button.click()
    assert dialog.is_busy()
    assert not dialog.password_edit.isEnabled()
    assert not dialog.sign_in_button.isEnabled()
    assert dialog.sign_in_button.text() == "Signing in…"
    with qtbot.assertNotEmitted(dialog.login_requested):
        dialog.buttons.accepted.emit()


def test_error_ends_busy_and_is_shown_as_plain_text(dialog):
    fill(dialog)
    dialog.set_busy(True)
    dialog.show_error("<b>Wrong email or password.</b>")
    assert not dialog.is_busy()
    assert dialog.password_edit.isEnabled()
    assert not dialog.error_label.isHidden()
    assert dialog.error_label.text() == "<b>Wrong email or password.</b>"
    assert dialog.error_label.textFormat().name == "PlainText"


@pytest.mark.parametrize(
    ("server", "warned"),
    [
        ("http://mail.example.org", True),
        ("http://192.168.1.10:3000", True),
        ("http://localhost:3000", False),
        ("http://127.0.0.1:3000", False),
        ("https://mail.example.org", False),
        ("mail.example.org", False),
        ("http://", False),
    ],
)
def test_insecure_warning_for_plain_http_off_this_machine(dialog, server, warned):
    dialog.server_edit.setText(server)
    assert dialog.insecure_warning.isHidden() is not warned


def test_warning_goes_away_when_the_address_is_fixed(dialog):
    dialog.server_edit.setText("http://mail.example.org")
    dialog.server_edit.setText("https://mail.example.org")
    assert dialog.insecure_warning.isHidden()


@pytest.mark.parametrize(
    ("server", "email", "password", "message"),
    [
        ("", "ada@example.org", "pw", url_error_message(urls.URL_EMPTY)),
        ("ftp://x.org", "ada@example.org", "pw", url_error_message(urls.URL_BAD_SCHEME)),
        ("x.org", "", "pw", "Enter your email address."),
        ("x.org", "ada", "pw", "This email address is not valid."),
        ("x.org", "ada@example.org", "", "Enter your password."),
    ],
)
def test_incomplete_form_is_not_sent(qtbot, dialog, server, email, password, message):
    fill(dialog, server=server, email=email, password=password)
    with qtbot.assertNotEmitted(dialog.login_requested):
        dialog.sign_in_button.click()
    assert dialog.error_label.text() == message
    assert not dialog.is_busy()


def test_totp_field_appears_when_required_and_is_sent(qtbot, dialog):
    assert dialog.totp_edit.isHidden()
    fill(dialog)
    dialog.set_busy(True)
    dialog.show_totp_required()
    assert not dialog.totp_edit.isHidden()
    assert not dialog.totp_hint.isHidden()
    assert not dialog.is_busy()
    with qtbot.assertNotEmitted(dialog.login_requested):
        dialog.totp_edit.setText("12345")
        dialog.sign_in_button.click()
    assert dialog.error_label.text() == "Enter the 6-digit code from your authenticator app."
    dialog.totp_edit.setText("123 456")
    with qtbot.waitSignal(dialog.login_requested, timeout=1000) as blocker:
        dialog.sign_in_button.click()
    assert blocker.args[-1] == "123456"


def test_totp_field_takes_digits_only(qtbot, dialog):
    dialog.show_totp_required()
    qtbot.keyClicks(dialog.totp_edit, "1a2b")
    assert dialog.totp_edit.text() == "12"


def test_prefill(dialog):
    dialog.prefill("https://mail.example.org", "ada@example.org")
    assert dialog.server_edit.text() == "https://mail.example.org"
    assert dialog.email_edit.text() == "ada@example.org"


def test_closing_forgets_password_and_code(dialog):
    fill(dialog)
    dialog.show_totp_required()
    dialog.totp_edit.setText("123456")
    dialog.reject()
    assert dialog.password_edit.text() == ""
    assert dialog.totp_edit.text() == ""
    assert dialog.email_edit.text() == "ada@example.org"


def test_screenshots_for_review(qtbot, dialog, screenshot_dir: Path):
    """Save the dialog as a person sees it: plain, with a code field, with an error."""
    dialog.prefill("mail.example.org", "ada@example.org")
    dialog.password_edit.setText("secret")
    dialog.show()
    qtbot.waitExposed(dialog)
    shots = {"login_normal.png": dialog.grab()}
    dialog.show_totp_required()
    qtbot.waitUntil(lambda: dialog.totp_edit.isVisible())
    shots["login_totp.png"] = dialog.grab()
    dialog.server_edit.setText("http://mail.example.org")
    dialog.show_error(login_error_message(LoginErrorKind.WRONG_CREDENTIALS, sso_enabled=True))
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    shots["login_error.png"] = dialog.grab()
    # Word-wrapped texts that appeared after the first show still get their full height.
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())
    for name, pixmap in shots.items():
        assert pixmap.save(str(screenshot_dir / name))
    heights = [shots[name].height() for name in ("login_normal.png", "login_totp.png")]
    assert heights[1] > heights[0], "the code field did not make the dialog taller"


@pytest.mark.parametrize(
    ("error", "totp_sent", "kind"),
    [
        (errors.AuthError("401", status=401), False, LoginErrorKind.WRONG_CREDENTIALS),
        (errors.AuthError("401", status=401), True, LoginErrorKind.TOTP_WRONG),
        (errors.RateLimited("429", retry_after=12), False, LoginErrorKind.RATE_LIMITED),
        (errors.TlsError("tls"), False, LoginErrorKind.TLS),
        (errors.NetworkError("down"), False, LoginErrorKind.UNREACHABLE),
        (errors.ServerError("500", status=500), False, LoginErrorKind.SERVER_ERROR),
        (errors.ProtocolError("html"), False, LoginErrorKind.NOT_A_SERVER),
        (RuntimeError("?"), False, LoginErrorKind.GENERIC),
    ],
)
def test_error_kind_of_client_exceptions(qapp, error, totp_sent, kind):
    assert login_error_kind(error, totp_sent=totp_sent) is kind


def test_every_kind_has_its_own_text(qapp):
    texts = {login_error_message(kind) for kind in LoginErrorKind}
    assert len(texts) == len(LoginErrorKind)
    assert login_error_message("no-such-kind") == login_error_message(LoginErrorKind.GENERIC)


def test_rate_limited_text_tells_the_wait(qapp):
    text = login_error_text(errors.RateLimited("429", retry_after=11.2), totp_sent=False)
    # Without a translator the source text keeps its "second(s)"; test_i18n checks plurals.
    assert "Wait 12 second" in text
    assert "Wait 1 second" in login_error_message(LoginErrorKind.RATE_LIMITED, retry_after=0.4)


def test_wrong_password_mentions_google_only_when_the_server_has_sso(qapp):
    plain = login_error_message(LoginErrorKind.WRONG_CREDENTIALS)
    with_sso = login_error_message(LoginErrorKind.WRONG_CREDENTIALS, sso_enabled=True)
    assert "Google" not in plain
    assert "Google" in with_sso and "password" in with_sso
    assert "Google" in login_error_message(LoginErrorKind.SSO_ACCOUNT)


def test_every_url_reason_has_its_own_text(qapp):
    texts = {url_error_message(key) for key in urls.URL_ERROR_KEYS}
    assert len(texts) == len(urls.URL_ERROR_KEYS)
    assert url_error_message("unknown") not in texts
