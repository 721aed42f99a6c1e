"""One structured log line per request, and the request id that ties the logs together.

The request id comes from the client's ``X-Request-ID`` (when it is a short printable token)
or is generated, and is returned in the same header. The summary line holds the model, the
route (credential kind and index), upstream status, attempts, latency and token counts; never
message content.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request

from ..log import request_id_var
from ..upstream.dispatch import Attempt

logger = logging.getLogger("adapter.requests")

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


@dataclass
class RequestRecord:
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    model: str | None = None
    credential: str | None = None
    upstream_status: int | None = None
    attempts: list[Attempt] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    stream: bool = False
    deferred: bool = False
    rewrites: tuple[str, ...] = ()

    def fields(self, status: int) -> dict[str, Any]:
        usage = self.usage or {}
        return {
            "request_id": self.request_id,
            "status": status,
            "model": self.model,
            "credential": self.credential,
            "upstream_status": self.upstream_status,
            "attempts": len(self.attempts),
            "latency_ms": round((time.perf_counter() - self.started) * 1000, 1),
            "prompt_tokens": usage.get("prompt_tokens"),
            "completion_tokens": usage.get("completion_tokens"),
            "stream": self.stream,
        }

    def log(self, status: int) -> None:
        fields = self.fields(status)
        logger.info(" ".join(f"{key}={value}" for key, value in fields.items() if value is not None))

    def note_attempts(self) -> None:
        if self.attempts:
            last = self.attempts[-1]
            self.credential = last.credential
            self.upstream_status = last.status


def _request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    if 0 < len(given) <= 128 and all(ch in _ID_CHARS for ch in given):
        return given
    return uuid.uuid4().hex


def current_record() -> RequestRecord:
    record: RequestRecord = g.request_record
    return record


def _begin() -> None:
    record = RequestRecord(request_id=_request_id())
    g.request_record = record
    request_id_var.set(record.request_id)


def _finish(response: Response) -> Response:
    record: RequestRecord | None = g.get("request_record")
    if record is None:
        return response
    response.headers["X-Request-ID"] = record.request_id
    if record.model is not None and not record.deferred:
        record.log(response.status_code)
    return response


def init_request_log(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_finish)
