"""Request-body validation for Flask views: JSON in, a loaded dict out, or an OpenAI 400.

``@validate_json(SCHEMA)`` reads the body whatever its Content-Type (curl users forget the
header, and ``curl -d`` even claims a form), parses it with ``orjson``, loads it with the schema
singleton and calls the view with ``body=<loaded dict>``. A failure raises
:class:`adapter.errors.InvalidRequest` whose ``param`` is the path of the first offending field
as OpenAI writes it (``messages[2].content[0].image_url.url``) and whose message names it.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import orjson
from flask import request
from marshmallow import Schema, ValidationError

from adapter.errors import InvalidRequest
from adapter.schemas.fields import MISSING, Path, Problem, format_path

View = Callable[..., Any]

_TEMPLATES: dict[str, str] = {
    "missing_required_parameter": "Missing required parameter: '{param}'.",
    "unsupported_parameter": "Unsupported parameter: '{param}'. {Detail}.",
    "unsupported_value": "Unsupported value for '{param}': {detail}.",
    "invalid_value": "Invalid value for '{param}': {detail}.",
    "invalid_model": "Invalid value for '{param}': {detail}.",
}
_NOT_JSON = (
    "We could not parse the JSON body of your request ({reason} at line {line}, column {column}). "
    "The API expects a JSON object as the body."
)


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw``, or :class:`InvalidRequest` saying what is wrong with it."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        if not raw.strip():
            raise InvalidRequest("The request body is empty; send a JSON object.") from None
        message = _NOT_JSON.format(reason=err.msg, line=err.lineno, column=err.colno)
        raise InvalidRequest(message) from None
    if type(body) is not dict:
        raise InvalidRequest("The request body must be a JSON object.")
    return body


def load_body(schema: Schema, body: dict[str, Any]) -> dict[str, Any]:
    """``schema.load(body)``, with a :class:`ValidationError` turned into :class:`InvalidRequest`."""
    try:
        return schema.load(body)
    except ValidationError as err:
        raise invalid_request_from(err) from None


def first_error(messages: Any) -> tuple[Path, str]:
    """The path and phrase of the first error in marshmallow's nested ``messages``."""
    path: list[str | int] = []
    node = messages
    while not isinstance(node, str):
        if isinstance(node, dict):
            key, node = next(iter(node.items()))
            if key != "_schema":
                path.append(key)
        else:
            node = node[0]
    return tuple(path), node


def invalid_request_from(err: ValidationError) -> InvalidRequest:
    """The OpenAI-shaped 400 for the first error of ``err``."""
    path, phrase = first_error(err.messages)
    param = format_path(path) or None
    if phrase == MISSING:
        code = "missing_required_parameter"
    else:
        code = phrase.code if isinstance(phrase, Problem) else "invalid_value"
    if param is None:
        return InvalidRequest(f"Invalid request body: {phrase}.", code=code)
    detail = str(phrase)
    message = _TEMPLATES[code].format(param=param, detail=detail, Detail=detail[:1].upper() + detail[1:])
    return InvalidRequest(message, param=param, code=code)


def load_request_body(schema: Schema, raw: bytes) -> dict[str, Any]:
    """Parse and load a raw request body (what the decorator does, without Flask)."""
    return load_body(schema, parse_json_body(raw))


def validate_json(schema: Schema) -> Callable[[View], View]:
    """Decorate a Flask view so that it receives the loaded body as ``body=``."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            body = load_request_body(schema, request.get_data())
            return view(*args, body=body, **kwargs)

        return wrapper

    return decorate
