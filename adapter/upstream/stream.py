"""Reading an open SSE response from Vertex AI, event by event, with a timeout per read.

:meth:`UpstreamStream.read` reads whatever the socket holds (one read, however many events it
completes), removes the HTTP framing (:mod:`.body`), splits the events (:mod:`.sse`) and
decodes them. A read can wait for a bounded time and come back empty, so that the thread that
relays the stream can send keep-alives and notice a client that left in between, without a
second thread and a queue per stream. Silence longer than the read timeout is an error, as it
is for urllib3's reads. Once the body is complete the connection goes back to its pool.

The stream takes over the :class:`~.exchange.Answer` of the request: the bytes read past the
head are its first read, and every later read is one ``recv`` on the socket, bounded by the
wait (:mod:`.timed_recv`: under gevent one timer per stream, not one per read). One read per
socket read instead of urllib3's three per event, with the relay that reads in the response
itself (commit 96f77bb): 2.56 → 2.03 CPU-ms per delayed stream and 182 → 129 MB peak for 1000
streams.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import orjson

from ..errors import UpstreamError
from .exchange import READ_SIZE, Answer
from .google_errors import error_from_google, timeout_error
from .sse import SSEDecoder
from .timed_recv import timed_recv

DONE_PAYLOAD = b"[DONE]"  # the end marker of OpenAI-framed streams (direct mode)


def _broken() -> UpstreamError:
    return UpstreamError("The connection to Vertex AI broke during the stream.", upstream_status=0, code="upstream_stream_broken")


class UpstreamStream:
    """An open SSE response from Vertex: :meth:`read` it from one thread, always :meth:`close`
    it there; :meth:`abort` from another thread makes a blocked read return."""

    def __init__(self, answer: Answer, read_timeout: float) -> None:
        self.answer = answer
        self._body = answer.body
        self._pending = answer.pending  # the body's start, read with the head
        self._events = SSEDecoder()
        self._read_timeout = read_timeout
        self._sock: socket.socket = answer.sock
        self._recv = timed_recv(answer.sock)
        self._heard = time.monotonic()
        self._failure: UpstreamError | None = None
        self.ended = False

    def read(self, wait: float | None = None) -> list[Any] | None:
        """The events that arrived: [] when none did within ``wait`` seconds (``None``: block
        up to the read timeout), ``None`` once the stream has ended. Raises
        :class:`UpstreamError` for an ``error`` event, a cut, or silence past the read timeout."""
        if self._failure is not None:
            raise self._failure
        if self.ended:
            return None
        if self._pending:
            data: bytes | None = self._pending
            self._pending = b""
        else:
            try:
                data = self._recv.recv(READ_SIZE, self._read_timeout if wait is None else wait)
            except OSError:  # reset, or the socket shut down or closed by an abort
                raise _broken() from None
        if data is None:
            return self._silent()
        self._heard = time.monotonic()
        return self._decode(data)

    def _silent(self) -> list[Any]:
        if time.monotonic() - self._heard >= self._read_timeout:
            raise timeout_error(None)
        return []

    def _decode(self, data: bytes) -> list[Any]:
        try:
            payloads = self._events.feed(self._body.feed(data)) if data else self._at_end_of_connection()
        except ValueError:
            raise _broken() from None
        if self._body.done and not self.ended:
            payloads += self._events.close()
            self._finish()
        events: list[Any] = []
        for payload in payloads:
            if payload == DONE_PAYLOAD:
                self.ended = True
                break
            try:
                events.append(_decode_event(payload))
            except UpstreamError as exc:
                if not events:
                    raise
                self._failure = exc  # the events before it go out first, as if read apart
                break
        return events

    def _at_end_of_connection(self) -> list[bytes]:
        if not self._body.ends_with_connection:
            raise ValueError("the body ended early")
        self.ended = True
        return self._events.close()

    def _finish(self) -> None:
        """The body is complete: the connection can serve another request."""
        self.ended = True
        self._recv.close()
        self.answer.finish()

    def abort(self) -> None:
        """Cut the connection from another thread (or greenlet) than the one reading it.

        Closing the connection there is not safe (the reader may be using it) and does not
        wake a read blocked on the socket; shutting the socket down does both: the blocked read
        returns at once, the reader closes the stream, and Vertex sees the connection end.
        A stream that ended may have given its connection back to the pool: left alone.
        """
        if self.ended:
            return
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass

    def close(self) -> None:
        """Close the stream (from the thread that reads it); a complete one was released already."""
        self.ended = True
        self._recv.close()
        self.answer.close()


def _decode_event(payload: bytes) -> Any:
    try:
        event = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise UpstreamError("Vertex AI sent a stream event that is not JSON.", upstream_status=502, code="upstream_bad_event") from None
    if isinstance(event, list) and len(event) == 1:
        event = event[0]
    if type(event) is not dict:
        raise UpstreamError("Vertex AI sent a stream event that is not a JSON object.", upstream_status=502, code="upstream_bad_event")
    if "error" in event:
        raise error_from_google(event["error"], None) if isinstance(event["error"], dict) else _bad_error_event()
    return event


def _bad_error_event() -> UpstreamError:
    return UpstreamError("Vertex AI sent a stream error event without details.", upstream_status=502, code="upstream_bad_event")
