"""Answers in the deprecated function-calling shape, for clients that asked with ``functions``.

The request schema turns ``functions``/``function_call`` into tools (see
:mod:`adapter.schemas.legacy`); a client that used the old fields expects the old answer:
``message.function_call`` (one call) and ``finish_reason: "function_call"``, and in streams
``delta.function_call``. Pure functions: new dicts are returned.
"""

from __future__ import annotations

from typing import Any

from ..errors import AdapterError
from .shapes import ChatCompletion, ChatCompletionChunk

_FINISH = {"tool_calls": "function_call"}


def legacy_completion(completion: ChatCompletion) -> ChatCompletion:
    return {**completion, "choices": [_legacy_choice(choice, "message") for choice in completion["choices"]]}


class LegacyChunks:
    """Wraps a stream translator (``feed``/``finish``) so that its chunks take the legacy shape;
    chunks left empty (later parallel calls, which the legacy shape cannot hold) are dropped."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def feed(self, event: Any) -> list[ChatCompletionChunk]:
        return _kept(self.inner.feed(event))

    def finish(self) -> list[ChatCompletionChunk]:
        return _kept(self.inner.finish())

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        return list(self.inner.fail(error))


def _kept(chunks: list[ChatCompletionChunk]) -> list[ChatCompletionChunk]:
    converted = (legacy_chunk(chunk) for chunk in chunks)
    return [chunk for chunk in converted if not _is_empty(chunk)]


def _is_empty(chunk: ChatCompletionChunk) -> bool:
    choices: list[dict[str, Any]] = chunk.get("choices") or []
    return bool(choices) and all(not c.get("delta") and c.get("finish_reason") is None for c in choices)


def legacy_chunk(chunk: ChatCompletionChunk) -> ChatCompletionChunk:
    if not chunk.get("choices"):
        return chunk
    return {**chunk, "choices": [_legacy_choice(choice, "delta") for choice in chunk["choices"]]}


def _legacy_choice(choice: dict[str, Any], key: str) -> dict[str, Any]:
    message = choice.get(key) or {}
    calls = message.get("tool_calls")
    finish: str | None = choice.get("finish_reason")
    if not calls and finish not in _FINISH:
        return choice
    converted = {k: v for k, v in message.items() if k != "tool_calls"}
    first = next((call for call in calls or () if call.get("index", 0) == 0), None)
    if first is not None and first.get("function"):
        converted["function_call"] = dict(first["function"])
    return {**choice, key: converted, "finish_reason": _FINISH.get(finish, finish) if finish else finish}
