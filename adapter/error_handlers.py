"""One error shape per front door: our errors, werkzeug's HTTP errors and unexpected failures.

OpenAI's shape everywhere, except under ``/v1/messages`` (the Anthropic front door), where every
error (401, 404 and 405 included) has Anthropic's shape and status
(:mod:`adapter.translate.anthropic.errors`). An unexpected exception is logged with its
traceback and answered with a generic 500 that does not include the exception text (it could
hold request content or a secret).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .errors import AdapterError, InvalidRequest, NotFound, PayloadTooLarge, internal_error
from .http import error_response, json_response
from .request_log import note_error
from .translate.anthropic.errors import error_body, error_status

logger = logging.getLogger(__name__)

ANTHROPIC_PREFIX = "/v1/messages"


def _render(error: AdapterError) -> Response:
    note_error(error)
    if request.path == ANTHROPIC_PREFIX or request.path.startswith(ANTHROPIC_PREFIX + "/"):
        record = g.get("request_record")
        body = error_body(error, request_id=record.request_id if record is not None else None)
        return json_response(body, error_status(error), error.headers)
    return error_response(error)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, RequestEntityTooLarge):
        return _render(PayloadTooLarge("The request body is larger than this gateway accepts (MAX_REQUEST_BYTES)."))
    if status == 404:
        return _render(NotFound("Unknown path. The OpenAI-compatible API is under /v1 (for example POST /v1/chat/completions).", code="unknown_url"))
    if status == 405:
        allow = {name: value for name, value in error.get_headers() if name.lower() == "allow"}
        return _render(InvalidRequest(f"Method not allowed: {error.description}", code="method_not_allowed", status=405, headers=allow))
    error_class = InvalidRequest if status < 500 else AdapterError
    return _render(error_class(error.description or error.name, status=status))


def _unexpected(error: Exception) -> Response:
    logger.exception("unexpected error while handling the request")
    return _render(internal_error())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AdapterError, _render)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
