"""Qt-free, network-free logic of the tray client.

Everything here is plain Python: schedules and backoff, change detection for cheap
polling, the toast policy, the outbox of pending user actions and the session state
machine. Time and randomness always come in from the caller (``now`` values and a
``random.Random``), so every piece is deterministic under test.
"""
