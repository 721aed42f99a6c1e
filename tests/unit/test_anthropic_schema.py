"""The Messages request schemas: what loads, and the 400 naming the field (Anthropic's dotted paths)."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.schemas.anthropic import COUNT_TOKENS_REQUEST_SCHEMA, MESSAGES_REQUEST_SCHEMA, load_anthropic_body

USER = {"role": "user", "content": "Hello"}
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "gemini-2.5-flash", "max_tokens": 256, "messages": [USER], **fields}


def test_a_full_request_loads_with_markers_and_extras_left_out() -> None:
    loaded = load_anthropic_body(MESSAGES_REQUEST_SCHEMA, body(
        system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "t", "signature": "s"},
                {"type": "redacted_thinking", "data": "d"},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}, "caller": {"type": "direct"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok", "is_error": False}]},
        ],
        tools=[{**TOOL, "type": "custom", "cache_control": {"type": "ephemeral"}, "strict": True}],
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
        thinking={"type": "enabled", "budget_tokens": 1024, "display": "summarized"}, max_tokens=4096,
        output_config={"effort": "high"},
        metadata={"user_id": "u"}, stop_sequences=["END"], stream=True, temperature=1, top_p=0.9, top_k=5,
        service_tier="auto", context_management={"edits": []}, temperature_unknown=None,
    ))
    assert loaded["system"] == [{"type": "text", "text": "Be brief."}]
    assert loaded["messages"][1]["content"][2] == {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}
    assert loaded["tools"] == [{**TOOL, "type": "custom"}]
    assert "context_management" not in loaded and "temperature_unknown" not in loaded


@pytest.mark.parametrize(
    ("fields", "param", "message"),
    [
        ({"max_tokens": None}, "max_tokens", "max_tokens: must not be null"),
        ({"max_tokens": 0}, "max_tokens", "max_tokens: must be between 1 and 2147483647"),
        ({"model": ""}, "model", "model: must not be empty"),
        ({"messages": []}, "messages", "messages: must hold at least one message"),
        ({"messages": [{"role": "developer", "content": "x"}]}, "messages.0.role", "must be one of 'user', 'assistant', 'system'"),
        ({"messages": [{"role": "system", "content": [{"type": "image", "source": {}}]}]}, "messages.0.content.0.type",
         "must be one of 'text'"),
        ({"messages": [USER, {"role": "user"}]}, "messages.1.content", "messages.1.content: Field required"),
        ({"messages": [{"role": "user", "content": [{"type": "text"}]}]}, "messages.0.content.0.text", "Field required"),
        ({"messages": [{"role": "user", "content": [{"type": "tool_use", "id": "a", "name": "b", "input": {}}]}]},
         "messages.0.content.0.type", "must be one of 'text', 'image', 'document', 'tool_result'"),
        ({"messages": [{"role": "assistant", "content": [{"type": "image", "source": {}}]}]},
         "messages.0.content.0.type", "must be one of 'text', 'tool_use', 'thinking', 'redacted_thinking'"),
        ({"messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "x"}}]}]},
         "messages.0.content.0.source.media_type", "must be one of 'image/jpeg'"),
        ({"messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "ftp://x/y.png"}}]}]},
         "messages.0.content.0.source.url", "must be an http:// or https:// URL"),
        ({"messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "file", "file_id": "f"}}]}]},
         "messages.0.content.0.source.type", "there is no Files API"),
        ({"messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "tool_use"}]}]}]},
         "messages.0.content.0.content.0.type", "must be one of 'text', 'image', 'document'"),
        ({"messages": [{"role": "assistant", "content": [{"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}]}]},
         "messages.0.content.0.type", "server tool blocks are not available on Gemini"),
        ({"messages": [{"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "b", "input": "{}"}]}]},
         "messages.0.content.0.input", "must be an object"),
        ({"system": 3}, "system", "must be a string or an array of text blocks"),
        ({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}, "tools.0.type",
         "Anthropic server tools are not available on Gemini"),
        ({"tools": [{"name": "1st", "input_schema": {}}]}, "tools.0.name", "must start with a letter or an underscore"),
        ({"tools": [{"name": "f"}]}, "tools.0.input_schema", "Field required"),
        ({"tool_choice": {"type": "tool"}}, "tool_choice.name", "Field required"),
        ({"tool_choice": {"type": "required"}}, "tool_choice.type", "must be one of 'auto', 'any', 'none', 'tool'"),
        ({"thinking": {"type": "enabled"}}, "thinking.budget_tokens", "Field required"),
        ({"thinking": {"type": "enabled", "budget_tokens": 512}}, "thinking.budget_tokens", "must be between 1024"),
        ({"thinking": {"type": "enabled", "budget_tokens": 2048}}, "thinking.budget_tokens", "must be less than max_tokens"),
        ({"temperature": 1.5}, "temperature", "must be between 0 and 1"),
        ({"top_k": -1}, "top_k", "must be between 0"),
        ({"stop_sequences": "END"}, "stop_sequences", "must be an array"),
        ({"stream": "yes"}, "stream", "must be a boolean"),
        ({"output_config": {"effort": "extreme"}}, "output_config.effort", "must be one of 'low'"),
        ({"mcp_servers": [{"type": "url", "url": "https://mcp.example.com"}]}, "mcp_servers", "MCP connector"),
        ({"container": "c"}, "container", "code execution containers"),
    ],
)
def test_bad_fields_are_named(fields: dict[str, Any], param: str, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        load_anthropic_body(MESSAGES_REQUEST_SCHEMA, body(**fields))
    assert caught.value.param == param
    assert caught.value.status == 400 and caught.value.message.startswith(f"{param}: ")
    assert message in caught.value.message


def test_count_tokens_needs_no_max_tokens_but_the_same_messages() -> None:
    loaded = load_anthropic_body(COUNT_TOKENS_REQUEST_SCHEMA, {"model": "m", "messages": [USER], "tools": [TOOL]})
    assert loaded == {"model": "m", "messages": [USER], "tools": [TOOL]}
    with pytest.raises(InvalidRequest) as caught:
        load_anthropic_body(COUNT_TOKENS_REQUEST_SCHEMA, {"model": "m"})
    assert caught.value.param == "messages"


def test_a_body_that_is_not_an_object_names_no_field() -> None:
    with pytest.raises(InvalidRequest) as caught:
        load_anthropic_body(MESSAGES_REQUEST_SCHEMA, [])  # type: ignore[arg-type]
    assert caught.value.param is None and caught.value.message == "Invalid request body: must be an object"
