"""Every request the official openai SDK builds is accepted by the schemas.

The SDK talks to an in-memory transport that records the JSON body and answers with a canned
response; the recorded bodies are then loaded as the gateway would load them.
"""

from __future__ import annotations

import enum
import json
from typing import Any, Callable

import httpx2
import openai
import pytest
from pydantic import BaseModel

from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.schemas.embeddings import EMBEDDING_REQUEST_SCHEMA
from adapter.validation import load_body

MODEL = "gemini-2.5-flash"
COMPLETION = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": MODEL,
    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                 "message": {"role": "assistant", "content": '{"city": "Paris", "unit": "c", "days": []}',
                             "refusal": None}}],
}
EMBEDDINGS = {"object": "list", "model": "text-embedding-005", "usage": {"prompt_tokens": 1, "total_tokens": 1},
              "data": [{"object": "embedding", "index": 0, "embedding": "AACAPw=="}]}


def sdk_body(call: Callable[[openai.OpenAI], Any]) -> dict[str, Any]:
    """The JSON body the SDK sends for ``call``."""
    sent: list[dict[str, Any]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        if sent[-1].get("stream"):
            return httpx2.Response(200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json=EMBEDDINGS if request.url.path.endswith("/embeddings") else COMPLETION)

    with httpx2.Client(transport=httpx2.MockTransport(answer)) as http_client:
        client = openai.OpenAI(api_key="test", base_url="http://gateway.test/v1", http_client=http_client, max_retries=0)
        call(client)
    return sent[0]


class Unit(str, enum.Enum):
    C = "c"
    F = "f"


class Day(BaseModel):
    date: str
    high: float | None = None


class Forecast(BaseModel):
    city: str
    unit: Unit
    days: list[Day]


class GetWeather(BaseModel):
    """Weather for a city."""

    city: str
    unit: Unit | None = None


PREVIOUS = openai.types.chat.ChatCompletion.model_validate({
    **COMPLETION,
    "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None, "message": {
        "role": "assistant", "content": None, "refusal": None, "annotations": [],
        "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "GetWeather", "arguments": '{"city": "Paris"}'},
                        "extra_content": {"google": {"thought_signature": "AY89a1=="}}}]}}],
})
CONVERSATION = [
    {"role": "developer", "content": "Be brief."},
    {"role": "system", "content": [{"type": "text", "text": "Use tools."}], "name": "ops"},
    {"role": "user", "content": [
        {"type": "text", "text": "Weather here?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "mp3"}},
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}},
    ]},
    PREVIOUS.choices[0].message,
    {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": '{"temp": 21}'}]},
]


def _everything(client: openai.OpenAI) -> Any:
    return client.chat.completions.create(
        model=MODEL, messages=CONVERSATION, tools=[openai.pydantic_function_tool(GetWeather)],
        tool_choice={"type": "function", "function": {"name": "GetWeather"}}, parallel_tool_calls=True,
        temperature=0.2, top_p=0.9, n=2, max_completion_tokens=512, max_tokens=512, stop=["END"], seed=7,
        presence_penalty=0.5, frequency_penalty=-0.5, logprobs=True, top_logprobs=5, reasoning_effort="low",
        response_format={"type": "json_object"}, modalities=["text"], user="u", metadata={"app": "test"},
        store=False, service_tier="auto", safety_identifier="s", prompt_cache_key="k", verbosity="medium",
        prompt_cache_retention="in_memory", web_search_options={"search_context_size": "low"},
        logit_bias={}, audio=None, prediction=None,
    )


CALLS: list[tuple[str, Callable[[openai.OpenAI], Any]]] = [
    ("every parameter", _everything),
    ("stream with usage", lambda c: c.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True, stream_options={"include_usage": True})),
    ("parse with a pydantic model", lambda c: c.chat.completions.parse(
        model=MODEL, messages=[{"role": "user", "content": "Forecast?"}], response_format=Forecast)),
    ("legacy functions", lambda c: c.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"},
                               {"role": "assistant", "content": None,
                                "function_call": {"name": "f", "arguments": "{}"}},
                               {"role": "function", "name": "f", "content": "done"}],
        functions=[{"name": "f", "parameters": {"type": "object", "properties": {}}}], function_call="auto")),
    ("google extra_body", lambda c: c.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}],
        extra_body={"google": {"thinking_config": {"thinking_budget": 1024, "include_thoughts": True}}})),
    ("Google's documented extra_body", lambda c: c.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}],
        extra_body={"extra_body": {"google": {"thought_tag_marker": "think"}}})),
]


@pytest.mark.parametrize("call", [row[1] for row in CALLS], ids=[row[0] for row in CALLS])
def test_sdk_chat_requests_are_accepted(call: Callable[[openai.OpenAI], Any]) -> None:
    sent = sdk_body(call)
    loaded = load_body(CHAT_REQUEST_SCHEMA, sent)
    assert loaded["model"] == MODEL
    assert len(loaded["messages"]) == len(sent["messages"])


def test_replayed_sdk_message_keeps_calls_and_signature() -> None:
    loaded = load_body(CHAT_REQUEST_SCHEMA, sdk_body(_everything))
    replayed = loaded["messages"][3]
    assert replayed["tool_calls"] == [{
        "id": "call_1", "type": "function", "function": {"name": "GetWeather", "arguments": '{"city": "Paris"}'},
        "extra_content": {"google": {"thought_signature": "AY89a1=="}},
    }]
    assert "annotations" not in replayed


def test_parse_sends_a_strict_json_schema() -> None:
    loaded = load_body(CHAT_REQUEST_SCHEMA, sdk_body(CALLS[2][1]))
    json_schema = loaded["response_format"]["json_schema"]
    assert (json_schema["name"], json_schema["strict"]) == ("Forecast", True)
    assert "$defs" in json_schema["schema"]


@pytest.mark.parametrize("kwargs", [
    {"input": "hello"},
    {"input": ["a", "b"], "dimensions": 256, "encoding_format": "float", "user": "u"},
])
def test_sdk_embedding_requests_are_accepted(kwargs: dict[str, Any]) -> None:
    sent = sdk_body(lambda c: c.embeddings.create(model="text-embedding-005", **kwargs))
    loaded = load_body(EMBEDDING_REQUEST_SCHEMA, sent)
    assert loaded["input"] == kwargs["input"]
    assert loaded["encoding_format"] in ("float", "base64")
