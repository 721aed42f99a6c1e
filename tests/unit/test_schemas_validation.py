"""``@validate_json``: any content type, JSON objects only, OpenAI-shaped 400s naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import ValidationError

from adapter.errors import AdapterError, InvalidRequest
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.validation import first_error, invalid_request_from, validate_json

GOOD = b'{"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}], "temperature": null}'


@pytest.fixture
def client() -> FlaskClient:
    app = Flask(__name__)
    app.register_error_handler(AdapterError, lambda error: (error.to_body(), error.status))

    @app.post("/v1/<kind>/echo")
    @validate_json(CHAT_REQUEST_SCHEMA)
    def echo(kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"kind": kind, "body": body}

    return app.test_client()


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", None, "text/plain", "application/x-www-form-urlencoded",
])
def test_json_body_whatever_the_content_type(client: FlaskClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/chat/echo", data=GOOD, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {
        "kind": "chat",
        "body": {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]},
    }


@pytest.mark.parametrize(("raw", "fragment"), [
    (b"", "The request body is empty"),
    (b"  \n", "The request body is empty"),
    (b"model=gemini&messages=hi", "could not parse the JSON body"),
    (b'{"model": "x",}', "could not parse the JSON body"),
    (b'{"model": NaN}', "could not parse the JSON body"),
    (b'{"temperature": 1e400}', "could not parse the JSON body"),
    (b'{"model": "\xff"}', "could not parse the JSON body"),
    (b"[" * 2000 + b"]" * 2000, "could not parse the JSON body"),
    (b'[{"model": "x"}]', "must be a JSON object"),
    (b"null", "must be a JSON object"),
    (b'"text"', "must be a JSON object"),
])
def test_bodies_that_are_not_json_objects(client: FlaskClient, raw: bytes, fragment: str) -> None:
    response = client.post("/v1/chat/echo", data=raw, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)
    assert fragment in error["message"]


def test_invalid_field_is_named_in_an_openai_error(client: FlaskClient) -> None:
    raw = b'{"model": "m", "messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": "r"}]}'
    response = client.post("/v1/chat/echo", data=raw)
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "message": "Missing required parameter: 'messages[1].tool_call_id'.",
        "type": "invalid_request_error",
        "param": "messages[1].tool_call_id",
        "code": "missing_required_parameter",
    }}


def test_errors_never_echo_the_value(client: FlaskClient) -> None:
    secret = "sk-live-0123456789abcdef"
    raw = b'{"model": "m", "messages": [{"role": "user", "content": "a"}], "temperature": "%s", "user": 5}' % (
        secret.encode())
    response = client.post("/v1/chat/echo", data=raw)
    assert response.status_code == 400
    assert secret not in response.get_data(as_text=True)


@pytest.mark.parametrize(("messages", "path", "phrase"), [
    ({"temperature": ["must be a number"]}, ("temperature",), "must be a number"),
    ({"messages": {2: {"content": {0: {"image_url": {"url": ["bad"]}}}}}},
     ("messages", 2, "content", 0, "image_url", "url"), "bad"),
    ({"stream_options": {"_schema": ["must be an object"]}}, ("stream_options",), "must be an object"),
    ({"a": ["first", "second"], "b": ["third"]}, ("a",), "first"),
    ({"_schema": ["inconsistent"]}, (), "inconsistent"),
])
def test_first_error_path(messages: dict[Any, Any], path: tuple[Any, ...], phrase: str) -> None:
    assert first_error(messages) == (path, phrase)


def test_schema_level_error_without_a_field() -> None:
    error = invalid_request_from(ValidationError({"_schema": ["inconsistent"]}))
    assert isinstance(error, InvalidRequest)
    assert (error.param, error.message) == (None, "Invalid request body: inconsistent.")
