"""A keyring backend that never answers, like a locked keyring behind a hidden prompt.

Selected in a subprocess with ``PYTHON_KEYRING_BACKEND=blocking_keyring.BlockingKeyring``
and this folder on ``PYTHONPATH``. Every call blocks forever.
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend

_NEVER = threading.Event()


class BlockingKeyring(KeyringBackend):
    priority = 10

    def get_password(self, service: str, username: str) -> str | None:
        _NEVER.wait()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        _NEVER.wait()

    def delete_password(self, service: str, username: str) -> None:
        _NEVER.wait()
