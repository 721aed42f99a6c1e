"""Relaying an opened upstream stream to the client as server-sent events.

:func:`first_frames_of` waits for the pump to open the upstream before the status line is sent
(up to the first-byte deadline); :class:`SSERelay` is the response body after that: translated
events, keep-alives while the upstream is silent, and the translator's failure events for a
late failure. It reads the upstream itself, with a timeout per read, and writes what one read
brought as one piece (one ``send`` for several events when they come together). A client that
hangs up while nothing is written is noticed within ``DISCONNECT_CHECK_INTERVAL`` seconds
(:class:`~adapter.streaming.disconnect.ClientWatch`), and the upstream is cut at once. While
the upstream opens, the response side waits once (until the deadline or the next keep-alive)
and the worker's hang-up watcher wakes it if the client leaves
(:meth:`~adapter.streaming.disconnect.HangupWatcher.waking`): 1000 streams waiting 5 s for
Vertex are not woken 5000 times.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Generator, Iterator

from ..errors import AdapterError, internal_error
from .disconnect import DISCONNECT_CHECK_INTERVAL, HANGUPS, ClientGone, ClientWatch
from .frames import Frames
from .pump import EventSource, Opened, UpstreamPump

logger = logging.getLogger(__name__)

CLIENT_CLOSED = ClientGone.status


def first_frames_of(pump: UpstreamPump, frames: Frames, deadline: float, watch: ClientWatch) -> tuple[bytes | None, Any]:
    """Wait for the upstream to open (up to ``deadline``) and translate its first events.

    Returns (frames, outcome); both are None when the deadline passed first (the stream then
    starts with keep-alives). Raises the upstream's error, so that the client gets its status,
    and :class:`ClientGone` when the client hung up meanwhile.
    """
    with HANGUPS.waking(watch, pump.client_left):
        opened = pump.wait(deadline)
    if opened:
        outcome = pump.outcome()
        return frames.events(outcome.value.first), outcome
    if pump.client_gone or watch.gone():
        raise ClientGone()
    return None, None


class SSERelay:
    """The body of a streaming response: translated events, keep-alives, final failure events.

    Iterating relays the upstream; ``close()`` (called by the WSGI server when the response
    ends, whether or not iteration started) closes the upstream and writes the request's log
    line exactly once. A client that hangs up while the upstream is silent is noticed within
    ``DISCONNECT_CHECK_INTERVAL`` seconds (:class:`ClientWatch`), not at the next write.
    """

    def __init__(
        self,
        pump: UpstreamPump,
        frames: Frames,
        first: bytes | None,
        *,
        keepalive: bytes,
        interval: float,
        watch: ClientWatch,
    ) -> None:
        self.pump, self.frames, self.first, self.record = pump, frames, first, frames.record
        self.keepalive, self.interval, self.watch = keepalive, interval, watch
        self.status = CLIENT_CLOSED
        self._closed = False
        self.record.metrics.stream_opened()

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._frames()
        except AdapterError as exc:
            yield from self._error_event(exc)
        except Exception:
            logger.exception("unexpected error while relaying the stream")
            yield from self._error_event(internal_error())
        finally:
            self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.pump.close()
        self.record.metrics.stream_closed()
        self.record.note_attempts()
        self.record.log(self.status)

    def _frames(self) -> Iterator[bytes]:
        first = self.first
        if first is None:
            yield self.keepalive
            opened = yield from self._await_opening()
            if opened is None:
                return
            first = self.frames.events(opened.first)
        if first:
            self.record.metrics.first_token(self.record)
            self.record.tracing.first_token(self.record)
            yield first  # the first chunk goes out
        yield from self._relay(self.pump.outcome().value.source)

    def _await_opening(self) -> Generator[bytes, None, Opened | None]:
        """Keep-alives until the pump has opened the upstream; returns the :class:`Opened`
        (None if the client left). Raises the upstream's error (sent as an error event)."""
        with HANGUPS.waking(self.watch, self.pump.client_left):
            while not self.pump.wait(self.interval):
                if self.pump.client_gone:
                    return None
                yield self.keepalive
        opened: Opened = self.pump.outcome().value
        return opened

    def _relay(self, source: EventSource) -> Iterator[bytes]:
        wait = min(self.interval, DISCONNECT_CHECK_INTERVAL)
        last_write = time.monotonic()
        while True:
            events = source.read(wait)
            if events is None:
                break
            if events:
                last_write = time.monotonic()
                frames = self.frames.events(events)
                if frames:
                    yield frames
            elif self.watch.gone():
                return
            elif time.monotonic() - last_write >= self.interval:
                last_write = time.monotonic()
                yield self.keepalive
        yield self.frames.finish()
        self.status = 200  # the stream ended well

    def _error_event(self, error: AdapterError) -> Iterator[bytes]:
        self.status = error.status
        self.record.note_error(error)
        yield self.frames.failure(error)
