"""The sign-in dialog: server address, email, password, and a two-factor code on demand.

The dialog checks what it can without the network (an address that parses, fields not
empty) and then emits :attr:`LoginDialog.login_requested`; ``app.py`` signs in and
answers with :meth:`~LoginDialog.show_error`, :meth:`~LoginDialog.show_totp_required`
or ``accept()`` on success. Open it with ``open()`` or ``show()``, never ``exec()``: a
nested event loop does not mix with the asyncio loop that runs on Qt's.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.urls import is_insecure_url, normalize_server_url
from tray_app.ui.messages import url_error_message

log = logging.getLogger(__name__)

_TOTP_DIGITS = 6
_MIN_WIDTH = 460


class LoginDialog(QDialog):
    """Asks for the server address and credentials.

    The password and code fields are emptied whenever the dialog closes, so that a
    dialog kept for later does not hold the password in memory.

    Signals:
        login_requested(str, str, str, bool, str): normalised server URL, email,
            password, remember me, two-factor code ("" when none was asked for).
    """

    login_requested = Signal(str, str, str, bool, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in"))
        self.setObjectName("login_dialog")
        self._busy = False
        self._build()
        self.server_edit.textChanged.connect(self._on_server_edit_text_changed)
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)
        self._set_totp_visible(False)
        self._set_error("")

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(self.tr("Sign in with the account you use in the web app."))
        intro.setWordWrap(True)
        self._build_fields()
        form = self._build_form()

        self.error_label = QLabel()
        self.error_label.setObjectName("login_error")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel#login_error { color: #c62828; }")

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)

        layout = QVBoxLayout(self)
        for widget in (intro, self.error_label, self.progress, self.buttons):
            layout.addWidget(widget)
        layout.insertLayout(1, form)
        self._layout = layout
        self.setMinimumWidth(_MIN_WIDTH)
        # Sized before the first show, or Qt picks a width for the wrapped labels itself.
        self.resize(_MIN_WIDTH, self.sizeHint().height())

    def _build_fields(self) -> None:
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://mail.example.org")
        self.server_edit.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.email_edit = QLineEdit()
        self.email_edit.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.totp_edit = QLineEdit()
        self.totp_edit.setPlaceholderText("123456")
        # Digits, and spaces for codes pasted as "123 456".
        self.totp_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9 ]{0,9}"), self.totp_edit)
        )
        self.totp_label = QLabel(self.tr("Two-factor &code:"))
        self.totp_hint = QLabel(
            self.tr(
                "This account uses two-factor authentication: enter the 6-digit code "
                "from your authenticator app."
            )
        )
        self.totp_hint.setWordWrap(True)
        self.remember_check = QCheckBox(self.tr("&Remember me"))
        self.remember_check.setToolTip(
            self.tr(
                "Keep the password in the system keyring so that the app can sign in "
                "again by itself, e.g. after the computer wakes up."
            )
        )

    def _build_form(self) -> QGridLayout:
        """Labels and fields in a grid.

        Not a QFormLayout: it gives word-wrapped labels too little height, which cut
        the warning and the hint in half.
        """
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        rows: list[tuple[QLabel | str | None, QWidget]] = [
            (self.tr("&Server:"), self.server_edit),
            (None, self._build_insecure_warning()),
            (self.tr("&Email:"), self.email_edit),
            (self.tr("&Password:"), self.password_edit),
            (self.totp_label, self.totp_edit),
            (None, self.totp_hint),
            (None, self.remember_check),
        ]
        for row, (label, field) in enumerate(rows):
            if label is not None:
                label = QLabel(label) if isinstance(label, str) else label
                label.setBuddy(field)
                grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
        return grid

    def _build_insecure_warning(self) -> QWidget:
        self.insecure_warning = QWidget()
        self.insecure_warning.setObjectName("login_insecure_warning")
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning_icon.pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.insecure_label = QLabel(
            self.tr(
                "This address uses plain HTTP: your password and session would cross the "
                "network unencrypted. Use https:// unless you fully trust this network."
            )
        )
        self.insecure_label.setWordWrap(True)
        row = QHBoxLayout(self.insecure_warning)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(icon)
        row.addWidget(self.insecure_label, 1)
        self.insecure_warning.setVisible(False)
        return self.insecure_warning

    # -- public API -------------------------------------------------------------------

    def prefill(self, server_url: str, email: str) -> None:
        """Fill in the address and email of the last session; focus the next empty field."""
        self.server_edit.setText(server_url)
        self.email_edit.setText(email)
        for edit in (self.server_edit, self.email_edit, self.password_edit):
            if not edit.text():
                edit.setFocus()
                return
        self.password_edit.setFocus()

    def show_error(self, message: str) -> None:
        """Show why signing in failed (plain text) and let the person try again."""
        self.set_busy(False)
        self._set_error(message)
        if self._totp_requested():
            self.totp_edit.clear()
            self.totp_edit.setFocus()
        else:
            self.password_edit.setFocus()
            self.password_edit.selectAll()

    def show_totp_required(self) -> None:
        """The server wants a two-factor code: show its field and focus it."""
        self.set_busy(False)
        self._set_error("")
        self._set_totp_visible(True)
        self.totp_edit.clear()
        self.totp_edit.setFocus()

    def set_busy(self, busy: bool) -> None:
        """While signing in, freeze the fields and show progress; Cancel stays usable."""
        self._busy = busy
        for widget in (
            self.server_edit,
            self.email_edit,
            self.password_edit,
            self.totp_edit,
            self.remember_check,
        ):
            widget.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText(self.tr("Signing in…") if busy else self.tr("Sign in"))
        self.progress.setVisible(busy)
        self._fit_height()

    def is_busy(self) -> bool:
        """True between a login request and the answer to it."""
        return self._busy

    def done(self, result: int) -> None:
        """Close, forgetting the password and code (see the class docstring)."""
        self.password_edit.clear()
        self.totp_edit.clear()
        self.set_busy(False)
        super().done(result)

    # -- internals --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Give the wrapped texts their height when the dialog first shows."""
        super().showEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Resize to the height the wrapped texts need at the current width.

        A window's minimum size ignores height-for-width, so word-wrapped labels that
        appear later (warning, code hint, error) would otherwise be squeezed and cut.
        """
        self._layout.activate()
        needed = self._layout.totalHeightForWidth(self.width())
        if needed > 0 and needed != self.height():
            self.resize(self.width(), needed)

    def _set_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self._fit_height()

    def _set_totp_visible(self, visible: bool) -> None:
        for widget in (self.totp_label, self.totp_edit, self.totp_hint):
            widget.setVisible(visible)
        self._fit_height()

    def _totp_requested(self) -> bool:
        return not self.totp_edit.isHidden()

    @Slot(str)
    def _on_server_edit_text_changed(self, text: str) -> None:
        try:
            url = normalize_server_url(text)
        except ValueError:
            self._set_warning_visible(False)
            return
        self._set_warning_visible(is_insecure_url(url))

    def _set_warning_visible(self, visible: bool) -> None:
        if visible != (not self.insecure_warning.isHidden()):
            self.insecure_warning.setVisible(visible)
            self._fit_height()

    @Slot()
    def _on_submit(self) -> None:
        """Check the fields; emit ``login_requested`` if they make sense."""
        if self._busy:
            return
        try:
            url = normalize_server_url(self.server_edit.text())
        except ValueError as error:
            self._reject_field(self.server_edit, url_error_message(str(error.args[0])))
            return
        email = self.email_edit.text().strip()
        password = self.password_edit.text()
        totp = self.totp_edit.text().replace(" ", "") if self._totp_requested() else ""
        problem = self._field_problem(email, password, totp)
        if problem is not None:
            self._reject_field(*problem)
            return
        self.server_edit.setText(url)
        self._set_error("")
        self.set_busy(True)
        log.info("sign-in requested for %s", url)
        self.login_requested.emit(url, email, password, self.remember_check.isChecked(), totp)

    def _field_problem(self, email: str, password: str, totp: str) -> tuple[QLineEdit, str] | None:
        if not email:
            return self.email_edit, self.tr("Enter your email address.")
        if "@" not in email.strip("@"):
            return self.email_edit, self.tr("This email address is not valid.")
        if not password:
            return self.password_edit, self.tr("Enter your password.")
        if self._totp_requested() and (len(totp) != _TOTP_DIGITS or not totp.isdigit()):
            return self.totp_edit, self.tr("Enter the 6-digit code from your authenticator app.")
        return None

    def _reject_field(self, edit: QLineEdit, message: str) -> None:
        self._set_error(message)
        edit.setFocus()
