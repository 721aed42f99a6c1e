"""Response helpers: JSON bodies encoded with orjson, and the size-capped request class."""

from __future__ import annotations

from typing import Any, Mapping

import orjson
from flask import Request, Response
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import AdapterError

JSON_MIMETYPE = "application/json"


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), status=status, headers=dict(headers or {}), mimetype=JSON_MIMETYPE)


def error_response(error: AdapterError) -> Response:
    return json_response(error.to_body(), error.status, error.headers)


class CappedRequest(Request):
    """A request whose body is refused (413) when it exceeds the cap, declared or chunked.

    werkzeug stops reading a chunked body at ``MAX_CONTENT_LENGTH`` without an error (it cannot
    tell a body of exactly that size from a longer one), which would hand a truncated body to
    the JSON parser. The app sets ``MAX_CONTENT_LENGTH`` one byte over the cap (see
    :func:`content_length_limit`), and a body that reaches it is over the cap.
    """

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False) -> Any:
        data = super().get_data(cache=cache, as_text=False, parse_form_data=parse_form_data)
        limit = self.max_content_length
        if limit is not None and len(data) >= limit:
            raise RequestEntityTooLarge()
        return data.decode(errors="replace") if as_text else data


def content_length_limit(max_request_bytes: int) -> int:
    """The ``MAX_CONTENT_LENGTH`` that makes :class:`CappedRequest` enforce ``max_request_bytes``."""
    return max_request_bytes + 1
