"""Answers in the deprecated function-calling shape."""

from __future__ import annotations

from adapter.translate.legacy_functions import LegacyChunks, legacy_chunk, legacy_completion
from tests.support.openai_schema import assert_chat_completion, assert_chunk

CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}


def completion(message: dict, finish: str) -> dict:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "refusal": None, **message}, "logprobs": None, "finish_reason": finish}],
    }


def chunk(delta: dict, finish: str | None) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def test_a_tool_call_answer_becomes_a_function_call() -> None:
    legacy = legacy_completion(completion({"content": None, "tool_calls": [CALL, {**CALL, "id": "call_2"}]}, "tool_calls"))
    choice = legacy["choices"][0]
    assert choice["finish_reason"] == "function_call"
    assert choice["message"]["function_call"] == {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    assert "tool_calls" not in choice["message"]
    assert_chat_completion(legacy)


def test_a_text_answer_is_unchanged() -> None:
    plain = completion({"content": "hi"}, "stop")
    assert legacy_completion(plain) == plain


def test_stream_chunks_carry_delta_function_call_for_the_first_call_only() -> None:
    first = legacy_chunk(chunk({"tool_calls": [{"index": 0, **CALL}]}, None))
    assert first["choices"][0]["delta"] == {"function_call": CALL["function"]}
    second = legacy_chunk(chunk({"tool_calls": [{"index": 1, **CALL}]}, None))
    assert second["choices"][0]["delta"] == {}
    finish = legacy_chunk(chunk({}, "tool_calls"))
    assert finish["choices"][0]["finish_reason"] == "function_call"
    usage_only = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}
    assert legacy_chunk(usage_only) is usage_only
    for c in (first, second, finish):
        assert_chunk(c)


class Scripted:
    def __init__(self, chunks: list[dict]) -> None:
        self.chunks = chunks

    def feed(self, event: object) -> list[dict]:
        return self.chunks

    def finish(self) -> list[dict]:
        return [chunk({}, "tool_calls")]


def test_stream_wrapper_drops_chunks_left_empty() -> None:
    wrapped = LegacyChunks(Scripted([chunk({"tool_calls": [{"index": 0, **CALL}]}, None), chunk({"tool_calls": [{"index": 1, **CALL}]}, None)]))
    fed = wrapped.feed({})
    assert [c["choices"][0]["delta"] for c in fed] == [{"function_call": CALL["function"]}]
    assert wrapped.finish()[0]["choices"][0]["finish_reason"] == "function_call"
