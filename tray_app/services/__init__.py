"""Long-lived QObject services (QtCore only): session, sync, job watcher, toasts."""
