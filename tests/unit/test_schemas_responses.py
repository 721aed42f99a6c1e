"""The ``POST /v1/responses`` request schema: what the official SDK sends is accepted, and what
the gateway cannot honour is a 400 naming the field."""

from __future__ import annotations

import json
from typing import Any, Callable

import httpx2
import openai
import pytest
from pydantic import BaseModel

from adapter.errors import InvalidRequest
from adapter.schemas.responses import RESPONSE_REQUEST_SCHEMA
from adapter.translate.responses.head import response_head
from adapter.validation import load_body
from tests.support.openai_schema import assert_valid

MODEL = "gemini-3-flash-preview"
RESPONSE = response_head({}, response_id="resp_1", created_at=1, model=MODEL) | {"status": "completed"}


def sdk_body(call: Callable[[openai.OpenAI], Any]) -> dict[str, Any]:
    """The JSON body the SDK sends for ``call`` (an in-memory transport answers)."""
    sent: list[dict[str, Any]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json={**RESPONSE, "output": [{
            "id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": '{"city": "Paris"}', "annotations": [], "logprobs": []}]}]})

    with httpx2.Client(transport=httpx2.MockTransport(answer)) as http_client:
        client = openai.OpenAI(api_key="test", base_url="http://gateway.test/v1", http_client=http_client, max_retries=0)
        call(client)
    return sent[0]


class City(BaseModel):
    city: str


SDK_CALLS: dict[str, Callable[[openai.OpenAI], Any]] = {
    "text": lambda c: c.responses.create(model=MODEL, input="Hi", instructions="Be brief.", max_output_tokens=50),
    "items": lambda c: c.responses.create(model=MODEL, input=[
        {"role": "developer", "content": "Use French."},
        {"role": "user", "content": [{"type": "input_text", "text": "What is this?"},
                                     {"type": "input_image", "image_url": "data:image/png;base64,iVBO", "detail": "low"},
                                     {"type": "input_file", "file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"}]},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Hm"}], "encrypted_content": "x"},
        {"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch", "input": "patch"},
        {"type": "custom_tool_call_output", "call_id": "p1", "output": "ok"},
        {"type": "item_reference", "id": "msg_1"},
    ]),
    "tools": lambda c: c.responses.create(
        model=MODEL, input="Hi", parallel_tool_calls=False, tool_choice={"type": "function", "name": "get_weather"},
        tools=[{"type": "function", "name": "get_weather", "parameters": {"type": "object"}, "strict": True},
               {"type": "custom", "name": "apply_patch", "description": "Edit", "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}},
               {"type": "web_search_preview", "search_context_size": "low"}]),
    "settings": lambda c: c.responses.create(
        model=MODEL, input="Hi", reasoning={"effort": "high", "summary": "auto"}, text={"verbosity": "low"},
        include=["reasoning.encrypted_content", "message.output_text.logprobs"], top_logprobs=2, temperature=0.3, top_p=0.9,
        metadata={"team": "a"}, user="u", safety_identifier="s", prompt_cache_key="k", service_tier="auto",
        truncation="disabled", store=False, previous_response_id="resp_0", background=False, max_tool_calls=3),
    "parse": lambda c: c.responses.parse(model=MODEL, input="Where?", text_format=City),
}


@pytest.mark.parametrize("name", SDK_CALLS)
def test_what_the_sdk_sends_is_accepted(name: str) -> None:
    body = sdk_body(SDK_CALLS[name])
    loaded = load_body(RESPONSE_REQUEST_SCHEMA, body)
    assert loaded["model"] == MODEL


def test_parse_sends_a_strict_json_schema_format() -> None:
    loaded = load_body(RESPONSE_REQUEST_SCHEMA, sdk_body(SDK_CALLS["parse"]))
    assert loaded["text"]["format"]["type"] == "json_schema"
    assert loaded["text"]["format"]["schema"]["properties"] == {"city": {"title": "City", "type": "string"}}


def test_bare_messages_become_message_items_and_nulls_are_dropped() -> None:
    loaded = load_body(RESPONSE_REQUEST_SCHEMA, {"model": MODEL, "input": [{"role": "user", "content": "Hi"}], "temperature": None})
    assert loaded == {"model": MODEL, "input": [{"type": "message", "role": "user", "content": "Hi"}]}


@pytest.mark.parametrize(
    "body, param, code",
    [
        ({"background": True}, "background", "unsupported_parameter"),
        ({"conversation": "conv_1"}, "conversation", "unsupported_parameter"),
        ({"prompt": {"id": "pmpt_1"}}, "prompt", "unsupported_parameter"),
        ({"tools": [{"type": "function", "name": "f"}, {"type": "file_search", "vector_store_ids": []}]}, "tools[1].type", "unsupported_value"),
        ({"tools": [{"type": "code_interpreter", "container": {"type": "auto"}}]}, "tools[0].type", "unsupported_value"),
        ({"tools": [{"type": "mcp", "server_label": "x"}]}, "tools[0].type", "unsupported_value"),
        ({"tools": [{"type": "image_generation"}]}, "tools[0].type", "unsupported_value"),
        ({"tools": [{"type": "computer_use_preview"}]}, "tools[0].type", "unsupported_value"),
        ({"tools": [{"type": "function", "name": "bad name"}]}, "tools[0].name", "invalid_value"),
        ({"tools": [{"type": "function", "name": "f"}, {"type": "custom", "name": "f"}]}, "tools[1].name", "invalid_value"),
        ({"tool_choice": {"type": "file_search"}}, "tool_choice.type", "unsupported_value"),
        ({"tool_choice": "sometimes"}, "tool_choice", "invalid_value"),
        ({"input": [{"type": "web_search_call", "id": "ws_1"}]}, "input[0].type", "unsupported_value"),
        ({"input": [{"role": "tool", "content": "x"}]}, "input[0].role", "invalid_value"),
        ({"input": [{"role": "user", "content": [{"type": "image_url"}]}]}, "input[0].content[0].type", "invalid_value"),
        ({"input": [{"type": "function_call", "call_id": "c", "name": "f"}]}, "input[0].arguments", "missing_required_parameter"),
        ({"input": 3}, "input", "invalid_value"),
        ({"text": {"format": {"type": "json_schema", "name": "x"}}}, "text.format.schema", "missing_required_parameter"),
        ({"reasoning": {"effort": "extreme"}}, "reasoning.effort", "invalid_value"),
        ({"include": ["everything"]}, "include[0]", "invalid_value"),
        ({"temperature": 3}, "temperature", "invalid_value"),
        ({"max_output_tokens": 0}, "max_output_tokens", "invalid_value"),
        ({"model": ""}, "model", "invalid_value"),
    ],
)
def test_what_cannot_be_honoured_is_a_400_naming_the_field(body: dict[str, Any], param: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        load_body(RESPONSE_REQUEST_SCHEMA, {"model": MODEL, "input": "Hi", **body})
    assert (caught.value.param, caught.value.code) == (param, code)
    assert_valid(caught.value.to_body(), "ErrorResponse")
