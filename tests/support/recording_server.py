"""A tiny HTTP server on loopback that records every request a real client sends and answers it
with a test-supplied function: how we learn what Codex CLI and Claude Code put on the wire.

Each ``RecordedRequest`` keeps the method, path, query, headers (secrets replaced by
``<redacted>``) and the JSON body (or the raw text when it is not JSON). The answer function
gets the request and returns a werkzeug ``Response``; an exception inside it becomes a 500
whose text names the exception, so a test sees what went wrong in the client's output too.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

logger = logging.getLogger(__name__)

SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization", "x-goog-api-key"})
REDACTED = "<redacted>"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    raw_secret_headers: dict[str, str] = field(repr=False, compare=False)

    def to_fixture(self) -> dict[str, Any]:
        """The sanitized record, as saved under ``tests/fixtures/clients/``."""
        return {"method": self.method, "path": self.path, "query": self.query, "headers": self.headers, "body": self.body}


Answer = Callable[[RecordedRequest], Response]


def redacted_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: (REDACTED if name in SECRET_HEADERS else value) for name, value in headers.items()}


def parsed_body(data: bytes) -> Any:
    if not data:
        return None
    text = data.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def sse_response(events: list[dict[str, Any]], *, named: bool = True) -> Response:
    """A ``text/event-stream`` answer: one ``event: {type}`` + ``data:`` frame per event."""

    def frames() -> Iterator[bytes]:
        for event in events:
            name = f"event: {event['type']}\n" if named else ""
            yield f"{name}data: {json.dumps(event)}\n\n".encode()

    return Response(frames(), mimetype="text/event-stream", headers={"Cache-Control": "no-cache"})


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class RecordingServer:
    """``with RecordingServer(answer) as server: ... server.requests``"""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests_to(self, path: str, method: str = "POST") -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and r.method == method]

    def _record(self, request: Request) -> RecordedRequest:
        headers = {name.lower(): value for name, value in request.headers.items()}
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query_string.decode(),
            headers=redacted_headers(headers),
            body=parsed_body(request.get_data()),
            raw_secret_headers={name: value for name, value in headers.items() if name in SECRET_HEADERS},
        )
        with self._lock:
            self.requests.append(record)
        return record

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        record = self._record(Request(environ))
        try:
            response = self.answer(record)
        except Exception as exc:  # the client sees the failure; the test sees it in the log
            logger.exception("recording server: no answer for %s %s", record.method, record.path)
            response = Response(f"recording server: {type(exc).__name__}: {exc}", status=500)
        return response(environ, start_response)
