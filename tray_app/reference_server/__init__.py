"""A real HTTP implementation of the mail server's notification API, quirks included.

Used by ``tray-app --demo`` and by the integration, end-to-end and benchmark tests::

    server = start_in_thread(ServerConfig(test_control=True))
    ...  # talk to server.url
    server.close()
"""

from .config import DEMO_EMAIL, DEMO_PASSWORD, FaultConfig, ServerConfig
from .runner import RunningServer, start_in_thread

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FaultConfig",
    "RunningServer",
    "ServerConfig",
    "start_in_thread",
]
