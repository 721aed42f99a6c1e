"""Relaying a pump's items to the client as server-sent events.

:func:`first_chunks_of` waits for the upstream before the status line is sent (up to the
first-byte deadline); :class:`SSERelay` is the response body after that: translated chunks,
keep-alive comments while the upstream is silent, and an error event for a late failure. A
client that hangs up while nothing is written is noticed within ``DISCONNECT_CHECK_INTERVAL``
seconds (:class:`~adapter.api.disconnect.ClientWatch`), and the upstream is cut at once.
"""

from __future__ import annotations

import time
from typing import Any, Iterator, Protocol

from ..errors import AdapterError
from .disconnect import ClientGone, ClientWatch
from .http import SSE_DONE, sse_frame
from .pump import Item, UpstreamPump
from .request_log import RequestRecord

DISCONNECT_CHECK_INTERVAL = 1.0
CLIENT_CLOSED = ClientGone.status


class StreamTranslator(Protocol):
    def feed(self, event: Any) -> list[dict[str, Any]]: ...

    def finish(self) -> list[dict[str, Any]]: ...


def first_chunks_of(
    pump: UpstreamPump, translator: StreamTranslator, deadline: float, record: RequestRecord, watch: ClientWatch
) -> tuple[list[bytes] | None, Any]:
    """Wait for the upstream's first event (up to ``deadline``) and translate it.

    Returns (frames, outcome); frames is None when the deadline passed first (the stream then
    starts with keep-alives). Raises the upstream's error, so that the client gets its status,
    and :class:`ClientGone` when the client hung up meanwhile.
    """
    until = time.monotonic() + deadline
    outcome = None
    while True:
        remaining = until - time.monotonic()
        item = pump.get(max(0.0, min(remaining, DISCONNECT_CHECK_INTERVAL)))
        if item is None:
            if watch.gone():
                raise ClientGone()
            if remaining <= DISCONNECT_CHECK_INTERVAL:
                return None, outcome
            continue
        kind, payload = item
        if kind == "error":
            raise payload
        if kind == "started":
            outcome = payload
        elif kind == "event":
            note_usage(record, payload)
            return [sse_frame(chunk) for chunk in translator.feed(payload)], outcome
        else:
            return [sse_frame(chunk) for chunk in translator.finish()] + [SSE_DONE], outcome


class SSERelay:
    """The body of a streaming response: translated chunks, keep-alives, a final error event.

    Iterating relays the pump's items; ``close()`` (called by the WSGI server when the response
    ends, whether or not iteration started) closes the upstream and writes the request's log
    line exactly once. A client that hangs up while the upstream is silent is noticed within
    ``DISCONNECT_CHECK_INTERVAL`` seconds (:class:`ClientWatch`), not at the next write.
    """

    def __init__(
        self,
        pump: UpstreamPump,
        translator: StreamTranslator,
        first: list[bytes] | None,
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

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._frames()
        except AdapterError as exc:
            yield from self._error_event(exc)
        finally:
            self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.pump.cancel()
        self.record.note_attempts()
        self.record.log(self.status)

    def _frames(self) -> Iterator[bytes]:
        if self.first is None:
            yield self.keepalive
        else:
            yield from self.first
            if self.first and self.first[-1] is SSE_DONE:
                self.status = 200
                return
        last_write = time.monotonic()
        while True:
            item: Item | None = self.pump.get(min(self.interval, DISCONNECT_CHECK_INTERVAL))
            if item is None:
                if self.watch.gone():
                    return
                if time.monotonic() - last_write >= self.interval:
                    last_write = time.monotonic()
                    yield self.keepalive
                continue
            last_write = time.monotonic()
            kind, payload = item
            if kind == "event":
                note_usage(self.record, payload)
                for chunk in self.translator.feed(payload):
                    yield sse_frame(chunk)
            elif kind == "end":
                for chunk in self.translator.finish():
                    yield sse_frame(chunk)
                yield SSE_DONE
                self.status = 200
                return
            elif kind == "error":
                yield from self._error_event(payload)
                return

    def _error_event(self, error: AdapterError) -> Iterator[bytes]:
        self.status = error.status
        self.record.error_code = error.code or error.error_type
        yield sse_frame(error.to_body())
        yield SSE_DONE


def note_usage(record: RequestRecord, event: Any) -> None:
    """Keep a Vertex event's token counts for the request's log line."""
    usage = event.get("usageMetadata") if isinstance(event, dict) else None
    if usage and "totalTokenCount" in usage:
        record.usage = {
            "prompt_tokens": usage.get("promptTokenCount", 0),
            "completion_tokens": usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0),
        }
