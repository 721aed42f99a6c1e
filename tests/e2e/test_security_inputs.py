"""Hostile bodies are clear 400s naming the field, never 500s and never sent to Vertex:
deep nesting in free-form JSON, too many tools, and base64 that is not base64."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_error

HELLO = [{"role": "user", "content": "Hello"}]


def _deep_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def _deep_arguments(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def _call_history(arguments: str) -> list[dict[str, Any]]:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    return [*HELLO, {"role": "assistant", "content": None, "tool_calls": [call]}, {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]


def _tool(parameters: dict[str, Any], name: str = "f") -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


def _assert_refused(gateway: LiveGateway, emulator: VertexEmulator, body: dict[str, Any], param: str, phrase: str) -> None:
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO, **body})
    assert response.status_code == 400, response.text[:300]
    error = response.json()
    assert_error(error)
    assert error["error"]["param"] == param
    assert phrase in error["error"]["message"]
    assert emulator.calls == []


@pytest.mark.parametrize(
    "body,param",
    [
        ({"tools": [_tool(_deep_schema(130))]}, "tools[0].function.parameters"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": _deep_schema(130)}}}, "response_format.json_schema.schema"),
        ({"messages": _call_history(_deep_arguments(300)), "tools": [_tool({"type": "object"})]}, "messages[1].tool_calls[0].function.arguments"),
        ({"functions": [{"name": "f", "parameters": _deep_schema(40)}]}, "functions[0].parameters"),
    ],
    ids=["tool-parameters", "response-format", "tool-call-arguments", "legacy-functions"],
)
def test_deeply_nested_json_is_a_400_naming_the_field(gateway: LiveGateway, emulator: VertexEmulator, body: dict[str, Any], param: str) -> None:
    _assert_refused(gateway, emulator, body, param, "levels deep")


def test_nesting_within_the_limit_still_reaches_vertex(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    body = {"model": "gemini-2.5-flash", "messages": _call_history(_deep_arguments(20)), "tools": [_tool(_deep_schema(20))]}
    response = gateway.post("/v1/chat/completions", body)
    assert response.status_code == 200, response.text[:300]
    assert len(emulator.calls) == 1


def test_more_than_128_tools_is_a_400_naming_tools(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    tools = [_tool({"type": "object"}, f"f{i}") for i in range(129)]
    _assert_refused(gateway, emulator, {"tools": tools}, "tools", "at most 128")


def _image(url: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "text", "text": "What is it?"}, {"type": "image_url", "image_url": {"url": url}}]}]


@pytest.mark.parametrize(
    "messages,param",
    [
        (_image("data:image/png;base64,iVBORw0KGgo***not-base64***"), "messages[0].content[1].image_url.url"),
        (_image("data:image/png;base64,iVBORw0KGgoAA"), "messages[0].content[1].image_url.url"),
        ([{"role": "user", "content": [{"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBER%%i0=", "filename": "a.pdf"}}]}],
         "messages[0].content[0].file.file_data"),
        ([{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "UklGRg=!=", "format": "wav"}}]}],
         "messages[0].content[0].input_audio.data"),
    ],
    ids=["bad-characters", "bad-length", "file-data", "input-audio"],
)
def test_base64_that_does_not_decode_is_a_400_naming_the_part(gateway: LiveGateway, emulator: VertexEmulator, messages: list, param: str) -> None:
    _assert_refused(gateway, emulator, {"messages": messages}, param, "base64")


@pytest.mark.parametrize("payload", ["iVBORw0KGgo=", "iVBORw0KGgo", "-_-_AAAA"], ids=["padded", "unpadded", "url-safe"])
def test_valid_base64_in_either_alphabet_is_sent(gateway: LiveGateway, emulator: VertexEmulator, payload: str) -> None:
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": _image(f"data:image/png;base64,{payload}")})
    assert response.status_code == 200, response.text[:300]
    parts = emulator.last_call().body["contents"][0]["parts"]
    assert parts[1]["inlineData"]["data"] == payload


def _messages_tool_use(levels: int) -> list[dict[str, Any]]:
    deep: Any = 1
    for _ in range(levels):
        deep = {"a": deep}
    use = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": deep}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}
    return [*HELLO, {"role": "assistant", "content": [use]}, {"role": "user", "content": [result]}]


@pytest.mark.parametrize(
    "body,param",
    [
        ({"tools": [{"name": "f", "input_schema": _deep_schema(130)}]}, "tools.0.input_schema"),
        ({"messages": _messages_tool_use(300), "tools": [{"name": "f", "input_schema": {"type": "object"}}]}, "messages.1.content.0.input"),
    ],
    ids=["tool-input-schema", "tool-use-input"],
)
def test_deeply_nested_json_on_messages_is_a_400_naming_the_field(gateway: LiveGateway, emulator: VertexEmulator, body: dict[str, Any], param: str) -> None:
    response = gateway.post("/v1/messages", {"model": "gemini-2.5-flash", "max_tokens": 100, "messages": HELLO, **body})
    assert response.status_code == 400, response.text[:300]
    error = response.json()
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    assert error["error"]["message"].startswith(param) and "levels deep" in error["error"]["message"]
    assert emulator.calls == []


def test_messages_with_more_than_128_tools_or_a_bad_model_name_are_400s(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    tools = [{"name": f"f{i}", "input_schema": {"type": "object"}} for i in range(129)]
    for body, param in [({"tools": tools}, "tools"), ({"model": "gemini-2.5-flash:countTokens?x="}, "model")]:
        response = gateway.post("/v1/messages", {"model": "gemini-2.5-flash", "max_tokens": 100, "messages": HELLO, **body})
        assert response.status_code == 400, response.text[:300]
        assert response.json()["error"]["message"].startswith(param)
    assert emulator.calls == []


@pytest.mark.parametrize("block", ["image", "document"])
def test_messages_base64_that_is_not_base64_is_a_400_naming_the_source(gateway: LiveGateway, emulator: VertexEmulator, block: str) -> None:
    media_type = "image/png" if block == "image" else "application/pdf"
    source = {"type": "base64", "media_type": media_type, "data": "not base64!"}
    messages = [{"role": "user", "content": [{"type": block, "source": source}, {"type": "text", "text": "What is it?"}]}]
    response = gateway.post("/v1/messages", {"model": "gemini-2.5-flash", "max_tokens": 100, "messages": messages})
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"]["message"].startswith("messages.0.content.0.source.data")
    assert emulator.calls == []
