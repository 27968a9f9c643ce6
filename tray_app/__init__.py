"""Desktop tray client for the mail-management server's in-app notifications."""

from importlib import metadata

try:
    __version__ = metadata.version("tray-app")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
