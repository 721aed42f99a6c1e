"""Turning answers into WSGI responses in each wire style, with the reply's faults applied."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from . import wire
from .errors import RpcError
from .records import CallRecord, StreamRecord
from .script import Faults
from .streaming import BodyWriter, Connection

StartResponse = Callable[..., Any]
REASONS: dict[int, str] = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 429: "Too Many Requests", 499: "Client Closed Request",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}
NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n"
    b"  <p><b>404.</b> <ins>That\xe2\x80\x99s an error.</ins>\n  <p>The requested URL was not found on this server."
    b"  <ins>That\xe2\x80\x99s all we know.</ins>\n"
)


def status_line(status: int) -> str:
    return f"{status} {REASONS.get(status, 'Error')}"


class Responder:
    """Sends one response for one request; knows the style (``json``, ``sse``, ``array``, ``openai``)."""

    def __init__(self, start_response: StartResponse, connection: Connection, record: CallRecord, style: str) -> None:
        self.start_response = start_response
        self.connection = connection
        self.record = record
        self.style = style

    def _start(self, status: int, content_type: str, extra: Iterable[tuple[str, str]] = (), length: int | None = None) -> None:
        headers = [("Content-Type", content_type), *extra]
        if length is not None:
            headers.append(("Content-Length", str(length)))
        self.record.status = status
        self.start_response(status_line(status), headers)

    def whole(self, status: int, body: bytes, content_type: str, faults: Faults = Faults(),
              extra: Iterable[tuple[str, str]] = ()) -> Iterable[bytes]:
        """A body with Content-Length; ``cut_after`` sends half of it, then closes the socket."""
        if not self._before_headers(faults):
            return self._dropped()
        self._start(status, content_type, extra, len(body))
        if faults.cut_after is not None:
            half = max(1, len(body) // 2)
            return BodyWriter([body[:half], body[half:]], Faults(cut_after=1), self.connection, None)
        if faults.slow_chunk:
            return BodyWriter([body], faults, self.connection, None)
        return [body]

    def _before_headers(self, faults: Faults) -> bool:
        if faults.hang is not None:
            self.connection.wait(faults.hang)
            self.record.outcome = "fault"
            return False
        if faults.delay and not self.connection.wait(faults.delay):
            self.record.outcome = "client_gone"
            return False
        return True

    def _dropped(self) -> Iterable[bytes]:
        self.start_response(status_line(500), [("Content-Type", "text/plain")])
        return BodyWriter([], Faults(cut_after=0), self.connection, None)

    def error(self, err: RpcError, faults: Faults = Faults()) -> Iterable[bytes]:
        """An error answer in this style (wire facts 20, 31)."""
        self.record.error_message = err.message
        extra = list(err.headers.items())
        if self.style in ("array", "openai"):
            return self.whole(err.status, wire.json_array_error(err.body), wire.JSON_CONTENT_TYPE, faults, extra)
        content_type = wire.SSE_CONTENT_TYPE if self.style == "sse" and not err.auth else wire.JSON_CONTENT_TYPE
        return self.whole(err.status, wire.pretty(err.body), content_type, faults, extra)

    def unary(self, body: Any, faults: Faults = Faults()) -> Iterable[bytes]:
        encode = wire.openai_json if self.style == "openai" else wire.pretty
        return self.whole(200, encode(body), wire.JSON_CONTENT_TYPE, faults)

    def events(self, events: Sequence[Mapping[str, Any]], faults: Faults,
               track: Callable[[], StreamRecord]) -> Iterable[bytes]:
        """A streamed answer: SSE (Vertex or OpenAI framing) or, without ``alt=sse``, one JSON array."""
        if self.style == "array":
            listed = list(events)
            if faults.error_after is not None and faults.error_body is not None:
                listed = listed[: faults.error_after] + [dict(faults.error_body)]
            return self.whole(200, wire.json_array(listed), wire.JSON_CONTENT_TYPE, faults)
        encode = wire.openai_sse_event if self.style == "openai" else wire.sse_event
        pieces = [encode(event) for event in events]
        if self.style == "openai":
            pieces.append(wire.OPENAI_DONE)
        error_piece = encode(dict(faults.error_body)) if faults.error_body is not None else None
        if not self._before_headers(faults):
            return self._dropped()
        self._start(200, wire.SSE_CONTENT_TYPE, [("Cache-Control", "no-cache")])
        self.record.stream = track()
        return BodyWriter(pieces, faults, self.connection, self.record.stream, error_piece)

    def not_found_html(self) -> Iterable[bytes]:
        self._start(404, "text/html; charset=UTF-8", length=len(NOT_FOUND_HTML))
        return [NOT_FOUND_HTML]


def success_outcome(faults: Faults) -> str:
    """``fault`` when the reply is scripted to hang or cut the connection, else ``ok``."""
    return "fault" if faults.hang is not None or faults.cut_after is not None else "ok"
