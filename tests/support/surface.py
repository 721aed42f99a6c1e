"""Helpers for the end-to-end tests of the chat surface (``tests/e2e/test_surface_*.py``).

Every answer goes through OpenAI's schemas: :func:`create` validates a whole completion,
:func:`stream` validates every chunk and the stream's rules (``check_stream``), and
:func:`answer` gives either one in the same comparable shape (``{"choices", "usage"}``), so a
test can run the same assertions on a streamed and a non-streamed answer.
"""

from __future__ import annotations

from typing import Any

import openai
import requests

from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import accumulate, check_stream, comparable


def create(client: openai.OpenAI, **kwargs: Any) -> dict[str, Any]:
    """A non-streamed completion as a plain dict, schema-checked."""
    completion = client.chat.completions.create(**kwargs).model_dump(exclude_unset=True)
    assert_chat_completion(completion)
    return completion


def stream(client: openai.OpenAI, **kwargs: Any) -> list[dict[str, Any]]:
    """The chunks of a streamed completion (with a usage chunk), each schema-checked."""
    chunks = [
        chunk.model_dump(exclude_unset=True)
        for chunk in client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kwargs)
    ]
    check_stream(chunks, include_usage=True)
    return chunks


def answer(client: openai.OpenAI, streamed: bool, **kwargs: Any) -> dict[str, Any]:
    """``{"choices", "usage"}`` of a completion, or of the accumulated stream."""
    if streamed:
        return accumulate(stream(client, **kwargs))
    return comparable(create(client, **kwargs))


def error_of(response: requests.Response, status: int = 400) -> dict[str, Any]:
    """The ``error`` object of a raw error response, schema-checked, after checking its status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert_error(body)
    error: dict[str, Any] = body["error"]
    return error
