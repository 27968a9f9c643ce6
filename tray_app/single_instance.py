"""One running app per user session.

The first instance listens on a local socket (a Unix socket in the runtime dir, a named
pipe on Windows). A second start connects, sends ``open``, and exits: the running
instance then opens its window, which is what a user who clicked the launcher again
expects.
"""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT_MS = 500


def default_socket_name(scope: str = "") -> str:
    """A per-user socket name; ``scope`` separates e.g. demo runs from the real app."""
    digest = hashlib.sha256(f"{getpass.getuser()}:{scope}".encode()).hexdigest()[:12]
    return f"tray-app-{digest}"


class SingleInstance(QObject):
    """Claims the socket, or hands a message to the instance that holds it.

    Signals:
        message_received(str): another start sent a message (``"open"``).
    """

    message_received = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._server: QLocalServer | None = None
        # Strong references: PySide deletes a wrapper's C++ side unpredictably otherwise.
        self._clients: set[QLocalSocket] = set()

    def notify_running(self, message: str = "open") -> bool:
        """Send ``message`` to a running instance; True if one answered."""
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(_CONNECT_TIMEOUT_MS):
            return False
        socket.write(message.encode() + b"\n")
        socket.waitForBytesWritten(_CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def claim(self) -> bool:
        """Become the running instance; False if another one is alive."""
        if self.notify_running():
            return False
        # A stale socket file is left behind when an instance crashed.
        QLocalServer.removeServer(self._name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._name):
            log.warning("single-instance socket unavailable: %s", server.errorString())
            return True
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        for socket in list(self._clients):
            socket.abort()
        self._clients.clear()

    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        socket = self._server.nextPendingConnection()
        if socket is None:
            return
        self._clients.add(socket)
        socket.readyRead.connect(self._on_client_ready_read)
        socket.disconnected.connect(self._on_client_disconnected)
        self._on_client_ready_read(socket)

    def _on_client_ready_read(self, socket: QLocalSocket | None = None) -> None:
        socket = socket or self._sender_socket()
        if socket is None:
            return
        while socket.canReadLine():
            line = bytes(socket.readLine().data()).decode(errors="replace").strip()
            if line:
                self.message_received.emit(line)

    def _on_client_disconnected(self) -> None:
        socket = self._sender_socket()
        if socket is not None:
            self._on_client_ready_read(socket)
            self._clients.discard(socket)
            socket.deleteLater()

    def _sender_socket(self) -> QLocalSocket | None:
        sender = self.sender()
        return sender if isinstance(sender, QLocalSocket) else None
