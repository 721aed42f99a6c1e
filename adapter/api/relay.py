"""Relaying an opened upstream stream to the client as server-sent events.

:func:`first_chunks_of` waits for the pump to open the upstream before the status line is sent
(up to the first-byte deadline); :class:`SSERelay` is the response body after that: translated
chunks, keep-alive comments while the upstream is silent, and an error event for a late
failure. It reads the upstream itself, with a timeout per read, and writes what one read
brought as one piece (one ``send`` for several events when they come together). A client that
hangs up while nothing is written is noticed within ``DISCONNECT_CHECK_INTERVAL`` seconds
(:class:`~adapter.api.disconnect.ClientWatch`), and the upstream is cut at once.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Generator, Iterator, Protocol

from ..errors import AdapterError, internal_error
from ..translate.candidates import usage_from
from .answers import UNREADABLE, unreadable_answer
from .disconnect import DISCONNECT_CHECK_INTERVAL, ClientGone, ClientWatch
from ..http import SSE_DONE, sse_frame
from .pump import EventSource, Opened, UpstreamPump
from ..request_log import RequestRecord

logger = logging.getLogger(__name__)

CLIENT_CLOSED = ClientGone.status


class StreamTranslator(Protocol):
    def feed(self, event: Any) -> list[dict[str, Any]]: ...

    def finish(self) -> list[dict[str, Any]]: ...


def first_chunks_of(
    pump: UpstreamPump, translator: StreamTranslator, deadline: float, record: RequestRecord, watch: ClientWatch
) -> tuple[bytes | None, Any]:
    """Wait for the upstream to open (up to ``deadline``) and translate its first events.

    Returns (frames, outcome); both are None when the deadline passed first (the stream then
    starts with keep-alives). Raises the upstream's error, so that the client gets its status,
    and :class:`ClientGone` when the client hung up meanwhile.
    """
    until = time.monotonic() + deadline
    while True:
        remaining = until - time.monotonic()
        if pump.wait(max(0.0, min(remaining, DISCONNECT_CHECK_INTERVAL))):
            outcome = pump.outcome()
            return translate_events(outcome.value.first, translator, record), outcome
        if watch.gone():
            raise ClientGone()
        if remaining <= DISCONNECT_CHECK_INTERVAL:
            return None, None


def translate_events(events: list[Any], translator: StreamTranslator, record: RequestRecord) -> bytes:
    """The SSE frames of ``events``, as one piece (empty when they make no chunk)."""
    frames: list[bytes] = []
    try:
        for event in events:
            note_usage(record, event)
            frames.extend(sse_frame(chunk) for chunk in translator.feed(event))
    except UNREADABLE:
        raise unreadable_answer() from None
    return b"".join(frames)


def finish_frames(translator: StreamTranslator) -> bytes:
    """The frames that close the stream: the translator's last chunks, then ``[DONE]``."""
    try:
        chunks = translator.finish()
    except UNREADABLE:
        raise unreadable_answer() from None
    return b"".join([*(sse_frame(chunk) for chunk in chunks), SSE_DONE])


class SSERelay:
    """The body of a streaming response: translated chunks, keep-alives, a final error event.

    Iterating relays the upstream; ``close()`` (called by the WSGI server when the response
    ends, whether or not iteration started) closes the upstream and writes the request's log
    line exactly once. A client that hangs up while the upstream is silent is noticed within
    ``DISCONNECT_CHECK_INTERVAL`` seconds (:class:`ClientWatch`), not at the next write.
    """

    def __init__(
        self,
        pump: UpstreamPump,
        translator: StreamTranslator,
        first: bytes | None,
        record: RequestRecord,
        *,
        keepalive: bytes,
        interval: float,
        watch: ClientWatch,
    ) -> None:
        self.pump, self.translator, self.first, self.record = pump, translator, first, record
        self.keepalive, self.interval, self.watch = keepalive, interval, watch
        self.status = CLIENT_CLOSED
        self._closed = False
        record.metrics.stream_opened()

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
            first = translate_events(opened.first, self.translator, self.record)
        if first:
            self.record.metrics.first_token(self.record)
            yield first  # the first chunk goes out
        yield from self._relay(self.pump.outcome().value.source)

    def _await_opening(self) -> Generator[bytes, None, Opened | None]:
        """Keep-alives until the pump has opened the upstream; returns the :class:`Opened`
        (None if the client left). Raises the upstream's error (sent as an error event)."""
        last_write = time.monotonic()
        while not self.pump.wait(min(self.interval, DISCONNECT_CHECK_INTERVAL)):
            if self.watch.gone():
                return None
            if time.monotonic() - last_write >= self.interval:
                last_write = time.monotonic()
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
                frames = translate_events(events, self.translator, self.record)
                if frames:
                    yield frames
            elif self.watch.gone():
                return
            elif time.monotonic() - last_write >= self.interval:
                last_write = time.monotonic()
                yield self.keepalive
        yield finish_frames(self.translator)
        self.status = 200  # the stream ended well

    def _error_event(self, error: AdapterError) -> Iterator[bytes]:
        self.status = error.status
        self.record.note_error(error)
        yield sse_frame(error.to_body()) + SSE_DONE


def note_usage(record: RequestRecord, event: Any) -> None:
    """Keep an event's token counts for the request's log line and metrics: Vertex's
    ``usageMetadata`` (final counts carry ``totalTokenCount``), or an OpenAI-framed ``usage``
    (direct mode)."""
    if not isinstance(event, dict):
        return
    metadata = event.get("usageMetadata")
    if metadata and "totalTokenCount" in metadata:
        record.usage = usage_from(metadata)
    elif isinstance(event.get("usage"), dict):
        record.usage = event["usage"]
