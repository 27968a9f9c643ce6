"""Publish/subscribe between the server's writers and its Server-Sent Events streams.

Topics are ``user:<id>`` (the notification stream) and ``job:<id>`` (job events).
Everything runs on the server's event loop; :meth:`Broker.publish` and
:meth:`Broker.close_all` may also be called from other threads. ``close_all`` ends every
open stream at once, so that stopping the server never waits for a client to hang up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Sequence
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

logger = logging.getLogger(__name__)

HEARTBEAT = b": heartbeat\n\n"


def sse_message(data: Any, event: str | None = None) -> bytes:
    """One SSE message: an optional ``event:`` line and a compact JSON ``data:`` line."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n".encode()


class Subscription:
    """One open stream's queue of encoded messages; ``None`` in the queue ends it."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()


class Broker:
    """Fan-out of encoded SSE messages to the subscriptions of a topic."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._closing = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the loop of a (re)started server and accept subscriptions again."""
        self._loop = loop
        self._thread = threading.get_ident()
        self._closing = False
        self._subscriptions.clear()

    def subscribe(self, topic: str) -> Subscription:
        subscription = Subscription(topic)
        if self._closing:
            subscription.queue.put_nowait(None)
        else:
            self._subscriptions.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.topic)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscriptions[subscription.topic]

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscriptions.get(topic, ()))

    def publish(self, topic: str, message: bytes) -> None:
        """Queue ``message`` for every subscriber of ``topic`` (thread-safe)."""
        self._on_loop(self._deliver, topic, message)

    def close_all(self) -> None:
        """End every open stream and refuse new ones until the next :meth:`bind`."""
        self._closing = True
        self._on_loop(self._close_all)

    def _on_loop(self, callback: Any, *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._thread:
            callback(*args)
        else:
            # RuntimeError: the loop closed meanwhile, nobody is listening any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(callback, *args)

    def _deliver(self, topic: str, message: bytes) -> None:
        for subscription in list(self._subscriptions.get(topic, ())):
            subscription.queue.put_nowait(message)

    def _close_all(self) -> None:
        for subscribers in list(self._subscriptions.values()):
            for subscription in subscribers:
                subscription.queue.put_nowait(None)
        self._subscriptions.clear()


class EventStreamResponse(Response):
    """A ``text/event-stream`` answer: ``initial`` messages, then the subscription's.

    Without a subscription the stream ends after ``initial``. With one, it sends a
    ``: heartbeat`` comment after each ``heartbeat_s`` of silence and ends when the
    client disconnects or the broker closes the subscription.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        initial: Sequence[bytes],
        *,
        broker: Broker,
        subscription: Subscription | None,
        heartbeat_s: float,
    ) -> None:
        # No ``super().__init__``: it would add a ``content-length`` to an endless body.
        self.status_code = 200
        self.background = None
        self.raw_headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
        ]
        self._initial = list(initial)
        self._broker = broker
        self._subscription = subscription
        self._heartbeat_s = heartbeat_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            for chunk in self._initial:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if self._subscription is not None and not await self._relay(
                self._subscription, receive, send
            ):
                return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            if self._subscription is not None:
                self._broker.unsubscribe(self._subscription)

    async def _relay(self, subscription: Subscription, receive: Receive, send: Send) -> bool:
        """Forward messages until the broker ends the stream (True) or the client leaves."""
        disconnected = asyncio.ensure_future(_wait_for_disconnect(receive))
        getter = asyncio.ensure_future(subscription.queue.get())
        try:
            while True:
                done, _ = await asyncio.wait(
                    {getter, disconnected},
                    timeout=self._heartbeat_s,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if disconnected in done:
                    return False
                if getter not in done:
                    await send({"type": "http.response.body", "body": HEARTBEAT, "more_body": True})
                    continue
                message = getter.result()
                if message is None:
                    return True
                await send({"type": "http.response.body", "body": message, "more_body": True})
                getter = asyncio.ensure_future(subscription.queue.get())
        finally:
            getter.cancel()
            disconnected.cancel()


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
