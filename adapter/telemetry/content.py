"""Message content for spans, captured only with ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``
(pure: bytes in, JSON-ready values out).

The input is what the client sent, as its front door shapes it: Chat Completions' ``messages``,
Responses' ``instructions`` and ``input``, Anthropic's ``system`` and ``messages``, embeddings'
``input``. The output is the answer's messages: Chat Completions' ``choices[].message``,
Responses' ``output``, Anthropic's ``content``. Streamed answers are not reassembled: their
spans carry the input only. Headers, and so keys and tokens, are never read here.
"""

from __future__ import annotations

from typing import Any

import orjson

INPUT_KEYS = ("system", "instructions", "messages", "input")


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def input_messages(body: bytes) -> Any:
    """The prompt part of a request body, or None when there is none."""
    request = _json(body)
    if not isinstance(request, dict):
        return None
    found = {key: request[key] for key in INPUT_KEYS if request.get(key) is not None}
    if not found:
        return None
    return found["messages"] if set(found) == {"messages"} else found


def output_messages(answer: bytes) -> Any:
    """The generated part of a whole (not streamed) answer, or None when there is none."""
    response = _json(answer)
    if not isinstance(response, dict):
        return None
    choices = response.get("choices")
    if isinstance(choices, list):
        return [choice.get("message") for choice in choices if isinstance(choice, dict)]
    for key in ("output", "content"):
        if isinstance(response.get(key), list):
            return response[key]
    return None
