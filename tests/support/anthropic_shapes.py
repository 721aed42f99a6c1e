"""Anthropic's documented shapes, checked with the official ``anthropic`` SDK's own types.

``assert_message`` / ``assert_event`` validate strictly (no type coercion) against the SDK's
pydantic models and refuse keys the models do not declare, at any depth (the SDK models allow
extras, which would hide a misspelt field). Error bodies are checked against the error types of
Anthropic's errors page, which lists ``request_too_large`` (413) beside the SDK's types.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import anthropic
import httpx2
from pydantic import BaseModel, TypeAdapter
from anthropic.types import Message, RawMessageStreamEvent

ERROR_TYPES = frozenset(
    {
        "invalid_request_error",
        "authentication_error",
        "billing_error",
        "permission_error",
        "not_found_error",
        "request_too_large",
        "rate_limit_error",
        "timeout_error",
        "api_error",
        "overloaded_error",
    }
)
_EVENTS: TypeAdapter[Any] = TypeAdapter(RawMessageStreamEvent)


def _no_extras(value: Any, path: str = "") -> None:
    if isinstance(value, BaseModel):
        assert not value.model_extra, f"undeclared keys at {path or 'top level'}: {sorted(value.model_extra)}"
        for name in type(value).model_fields:
            _no_extras(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_extras(item, f"{path}.{i}")


def assert_message(obj: dict[str, Any]) -> Message:
    message = Message.model_validate(obj, strict=True)
    _no_extras(message)
    return message


def assert_error(obj: dict[str, Any]) -> None:
    assert obj["type"] == "error" and set(obj) <= {"type", "error", "request_id"}, obj
    error = obj["error"]
    assert set(error) == {"type", "message"} and error["type"] in ERROR_TYPES, error
    assert isinstance(error["message"], str) and error["message"]


def assert_event(obj: dict[str, Any]) -> None:
    if obj.get("type") == "error":
        assert_error(obj)
        return
    if obj.get("type") == "ping":
        assert obj == {"type": "ping"}
        return
    _no_extras(_EVENTS.validate_python(obj, strict=True))


def sse_bytes(events: Iterable[dict[str, Any]]) -> bytes:
    """Events framed as Anthropic frames them: ``event: <type>`` then ``data: <json>``."""
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def sdk_client(answer: Callable[[httpx2.Request], httpx2.Response]) -> anthropic.Anthropic:
    """The official client, with ``answer`` standing in for the HTTP server."""
    transport = httpx2.MockTransport(answer)
    return anthropic.Anthropic(
        api_key="test-key", base_url="http://gateway.test", max_retries=0, http_client=httpx2.Client(transport=transport)
    )
