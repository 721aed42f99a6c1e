"""Response helpers: JSON bodies and server-sent-event frames, encoded with orjson."""

from __future__ import annotations

from typing import Any, Mapping

import orjson
from flask import Response

from ..errors import AdapterError

JSON_MIMETYPE = "application/json"
SSE_DONE = b"data: [DONE]\n\n"
SSE_KEEPALIVE = b": keep-alive\n\n"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), status=status, headers=dict(headers or {}), mimetype=JSON_MIMETYPE)


def error_response(error: AdapterError) -> Response:
    return json_response(error.to_body(), error.status, error.headers)


def sse_frame(payload: Any) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"
