"""The app's settings: each declared once, with its type, default and description.

:class:`Settings` is the single declaration. The README table and the preferences
dialog read :func:`settings_table`; :class:`SettingsStore` persists the values as JSON
in the config dir (``settings.json``, mode 0600, replaced atomically).

Secrets are NOT settings: the token and the password live in the OS keyring
(:mod:`tray_app.credentials`), and a test checks that no setting is named like one.

Reading is forgiving, writing is strict: a value of the wrong type in the file falls
back to its default with a warning, an unreadable file is moved aside to
``settings.json.bad``; but :meth:`SettingsStore.update` and ``Settings(...)`` raise
``ValueError`` on a bad value, so a bug cannot write one.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import logging
import os
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from tray_app.paths import atomic_write_text

__all__ = [
    "Language",
    "LogLevel",
    "SettingInfo",
    "Settings",
    "SettingsStore",
    "UpdateSpeed",
    "choices_of",
    "settings_table",
]

logger = logging.getLogger(__name__)

UpdateSpeed = Literal["battery", "balanced", "fast"]
Language = Literal["system", "en", "fr"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for translation without translating it here.

    The descriptions are English at rest; the preferences dialog shows them through
    ``QCoreApplication.translate("Settings", description)``, and Qt's ``lupdate``
    collects them because of this function's name. Keeps this module Qt-free.
    """
    del context
    return text


def _is_server_url(value: str) -> bool:
    return value == "" or value.startswith(("https://", "http://"))


def _is_time(value: str) -> bool:
    return _TIME_RE.fullmatch(value) is not None


def _is_iso_datetime_or_empty(value: str) -> bool:
    if value == "":
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _meta(description: str, check: Callable[[Any], bool] | None = None) -> dict[str, Any]:
    """A setting's metadata: its description and an optional check of the value's format."""
    return {"description": description, "check": check}


@dataclass(frozen=True)
class Settings:
    """Every user setting of the app, with its default.

    Construction validates each value (type, allowed choices, format) and raises
    ``ValueError`` on a bad one.
    """

    server_url: str = field(
        default="",
        metadata=_meta(
            QT_TRANSLATE_NOOP(
                "Settings", "Address of the mail server, e.g. https://mail.example.org."
            ),
            _is_server_url,
        ),
    )
    email: str = field(
        default="", metadata=_meta(QT_TRANSLATE_NOOP("Settings", "Email address used to log in."))
    )
    remember_me: bool = field(
        default=False,
        metadata=_meta(
            QT_TRANSLATE_NOOP(
                "Settings",
                "Keep the password in the system keyring to log in again after sleep.",
            )
        ),
    )
    update_speed: UpdateSpeed = field(
        default="balanced",
        metadata=_meta(
            QT_TRANSLATE_NOOP(
                "Settings", "How often to check the server: battery, balanced or fast."
            )
        ),
    )
    quiet_hours_enabled: bool = field(
        default=False,
        metadata=_meta(QT_TRANSLATE_NOOP("Settings", "Hold toasts back during quiet hours.")),
    )
    quiet_start: str = field(
        default="22:00",
        metadata=_meta(QT_TRANSLATE_NOOP("Settings", "Start of quiet hours (HH:MM)."), _is_time),
    )
    quiet_end: str = field(
        default="07:00",
        metadata=_meta(QT_TRANSLATE_NOOP("Settings", "End of quiet hours (HH:MM)."), _is_time),
    )
    toasts_paused_until: str = field(
        default="",
        metadata=_meta(
            QT_TRANSLATE_NOOP(
                "Settings", "Toasts are paused until this time (ISO 8601); empty when not paused."
            ),
            _is_iso_datetime_or_empty,
        ),
    )
    language: Language = field(
        default="system",
        metadata=_meta(QT_TRANSLATE_NOOP("Settings", "Language of the app: system, en or fr.")),
    )
    start_at_login: bool = field(
        default=False,
        metadata=_meta(QT_TRANSLATE_NOOP("Settings", "Start the app when you log in.")),
    )
    ca_bundle: str = field(
        default="",
        metadata=_meta(
            QT_TRANSLATE_NOOP(
                "Settings",
                "File of CA certificates to trust for the server; empty uses the system's.",
            )
        ),
    )
    window_geometry: str = field(
        default="",
        metadata=_meta(
            QT_TRANSLATE_NOOP("Settings", "Size and position of the list window (base64)."),
            _is_base64,
        ),
    )
    log_level: LogLevel = field(
        default="INFO",
        metadata=_meta(
            QT_TRANSLATE_NOOP("Settings", "Detail of the log file: DEBUG, INFO, WARNING or ERROR.")
        ),
    )

    def __post_init__(self) -> None:
        for declared in dataclasses.fields(self):
            problem = _problem(declared.name, getattr(self, declared.name))
            if problem:
                raise ValueError(f"setting {declared.name!r}: {problem}")


class SettingInfo(NamedTuple):
    """One row of :func:`settings_table`."""

    key: str
    type: str
    default: object
    description: str


@cache
def _types() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def choices_of(key: str) -> tuple[str, ...]:
    """The allowed values of an enumerated setting, or ``()`` for a free one."""
    hint = _types()[key]
    if typing.get_origin(hint) is Literal:
        return tuple(typing.get_args(hint))
    return ()


def _fields() -> dict[str, dataclasses.Field[Any]]:
    return {declared.name: declared for declared in dataclasses.fields(Settings)}


def _problem(key: str, value: object) -> str | None:
    """Why ``value`` is not acceptable for setting ``key``, or None if it is."""
    choices = choices_of(key)
    if choices:
        return None if value in choices else f"must be one of {', '.join(choices)}"
    expected = _types()[key]
    # bool is an int subclass and JSON has both: insist on the exact type.
    if type(value) is not expected:
        return f"must be of type {expected.__name__}"
    check = _fields()[key].metadata["check"]
    if check is not None and not check(value):
        return "has an invalid format"
    return None


def _type_label(key: str) -> str:
    choices = choices_of(key)
    if choices:
        return " | ".join(choices)
    return str(_types()[key].__name__)


def settings_table() -> list[SettingInfo]:
    """Every setting as (key, type, default, description), in declaration order."""
    return [
        SettingInfo(f.name, _type_label(f.name), f.default, f.metadata["description"])
        for f in dataclasses.fields(Settings)
    ]


class SettingsStore:
    """Loads and saves :class:`Settings` as a JSON file at ``path``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._current: Settings | None = None

    @property
    def path(self) -> Path:
        """The settings file."""
        return self._path

    def load(self) -> Settings:
        """Read the file; missing, unreadable or wrong values fall back to defaults."""
        raw = self._read()
        values: dict[str, Any] = {}
        known = _fields()
        for key, value in raw.items():
            if key not in known:
                logger.debug("Ignoring unknown setting %r", key)
                continue
            problem = _problem(key, value)
            if problem:
                logger.warning("Setting %r %s; using the default", key, problem)
                continue
            values[key] = value
        self._current = Settings(**values)
        return self._current

    def save(self, settings: Settings) -> None:
        """Write ``settings`` atomically, the file being readable by the user only."""
        text = json.dumps(dataclasses.asdict(settings), indent=2, sort_keys=True)
        atomic_write_text(self._path, text + "\n")
        self._current = settings

    def update(self, **changes: object) -> Settings:
        """Apply ``changes`` to the current settings, save and return the result.

        Raises ``ValueError`` on an unknown key or a bad value, before writing anything.
        """
        unknown = sorted(set(changes) - set(_fields()))
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        current = self._current if self._current is not None else self.load()
        updated = dataclasses.replace(current, **typing.cast(dict[str, Any], changes))
        self.save(updated)
        return updated

    def _read(self) -> dict[str, Any]:
        """The file's JSON object; {} when it is missing, moved aside when corrupt."""
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            logger.warning("Cannot read settings file %s: %s; using defaults", self._path, exc)
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
        self._move_aside()
        return {}

    def _move_aside(self) -> None:
        bad = self._path.with_name(self._path.name + ".bad")
        logger.warning("Settings file %s is corrupt; moved to %s, using defaults", self._path, bad)
        try:
            os.replace(self._path, bad)
        except OSError as exc:
            logger.warning("Cannot move the corrupt settings file aside: %s", exc)
