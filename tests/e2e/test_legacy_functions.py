"""Clients of the deprecated ``functions`` API get answers in that API's shape."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion
from tests.support.sse_frames import checked, read_frames

WEATHER = {"name": "get_weather", "description": "Weather for a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
ASK = [{"role": "user", "content": "Weather in Paris?"}]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "[PAY]gemini-2.5-flash-openai"])
def test_functions_request_gets_a_function_call_answer(gateway: LiveGateway, emulator: VertexEmulator, model: str) -> None:
    if model.endswith("-openai"):
        emulator.enqueue({"id": "chatcmpl-v", "object": "chat.completion", "created": 1, "model": "google/gemini-2.5-flash",
                          "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None, "tool_calls": [
                              {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]}}],
                          "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}}, method="chat.completions")
    else:
        emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"})], "gemini-2.5-flash"))
    response = gateway.post("/v1/chat/completions", {"model": model, "messages": ASK, "functions": [WEATHER], "function_call": "auto"})
    body = response.json()
    assert response.status_code == 200, body
    assert_chat_completion(body)
    choice = body["choices"][0]
    assert choice["finish_reason"] == "function_call"
    assert choice["message"]["function_call"]["name"] == "get_weather"
    assert json.loads(choice["message"]["function_call"]["arguments"]) == {"city": "Paris"}
    assert "tool_calls" not in choice["message"]


def test_functions_stream_carries_delta_function_call(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})], "gemini-2.5-flash"))
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": ASK, "functions": [WEATHER], "stream": True}, stream=True)
    chunks, error = checked(read_frames(response))
    assert error is None
    calls = [c["choices"][0]["delta"]["function_call"] for c in chunks if c["choices"] and "function_call" in c["choices"][0]["delta"]]
    assert [call["name"] for call in calls] == ["get_weather"]
    assert json.loads("".join(call["arguments"] for call in calls)) == {"city": "Paris"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "function_call"
    assert not any("tool_calls" in c["choices"][0]["delta"] for c in chunks if c["choices"])


def test_modern_tools_keep_the_modern_shape(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"})], "gemini-2.5-flash"))
    body = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": ASK, "tools": [{"type": "function", "function": WEATHER}]}).json()
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    assert body["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
