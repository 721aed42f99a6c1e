"""Span attributes after the GenAI and HTTP semantic conventions (pure tables)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapter.telemetry.attributes import (
    answer_facts,
    attempt_attributes,
    attempt_error_type,
    content_attribute,
    operation_of,
    outcome_attributes,
    usage_attributes,
)
from adapter.telemetry.content import input_messages, output_messages

OPERATIONS = [
    ("/v1/chat/completions", "chat"),
    ("/v1/responses", "chat"),
    ("/v1/messages", "chat"),
    ("/v1/embeddings", "embeddings"),
    ("/v1/models", None),
    ("/", None),
    ("unmatched", None),
]


@pytest.mark.parametrize(("route", "operation"), OPERATIONS)
def test_api_routes_have_an_operation_and_nothing_else_does(route: str, operation: str | None) -> None:
    assert operation_of(route) == operation


USAGE = [
    ("chat completions", {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
     {"gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 7}),
    ("responses and messages", {"input_tokens": 3, "output_tokens": 4}, {"gen_ai.usage.input_tokens": 3, "gen_ai.usage.output_tokens": 4}),
    ("embeddings", {"prompt_tokens": 9}, {"gen_ai.usage.input_tokens": 9}),
    ("none", None, {}),
    ("not numbers", {"prompt_tokens": "5", "completion_tokens": True}, {}),
]


@pytest.mark.parametrize(("usage", "expected"), [row[1:] for row in USAGE], ids=[row[0] for row in USAGE])
def test_usage_becomes_genai_token_counts(usage: dict[str, Any] | None, expected: dict[str, int]) -> None:
    assert usage_attributes(usage) == expected


def test_a_successful_outcome() -> None:
    assert outcome_attributes(status=200, requested_model="[PAY]gemini-2.5-flash", response_model="gemini-2.5-flash",
                              usage={"prompt_tokens": 1, "completion_tokens": 2}, finish_reasons=("stop",), attempts=1,
                              error_type=None, client_key="alice") == {
        "http.response.status_code": 200,
        "gen_ai.request.model": "[PAY]gemini-2.5-flash",
        "gen_ai.response.model": "gemini-2.5-flash",
        "gen_ai.usage.input_tokens": 1,
        "gen_ai.usage.output_tokens": 2,
        "gen_ai.response.finish_reasons": ["stop"],
        "vertex_gateway.attempts": 1,
        "vertex_gateway.client_key": "alice",
    }


def test_a_refused_request_names_its_error_and_omits_what_is_unknown() -> None:
    assert outcome_attributes(status=400, requested_model=None, response_model=None, usage=None, finish_reasons=(),
                              attempts=0, error_type="invalid_value") == {"http.response.status_code": 400, "error.type": "invalid_value"}


def test_an_attempt_names_the_credential_by_label_and_its_number() -> None:
    assert attempt_attributes(operation="chat", model="gemini-2.5-flash", server_address="aiplatform.googleapis.com",
                              server_port=None, credential="sa#1", attempt=2) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "gcp.vertex_ai",
        "gen_ai.request.model": "gemini-2.5-flash",
        "server.address": "aiplatform.googleapis.com",
        "vertex_gateway.credential": "sa#1",
        "vertex_gateway.attempt": 2,
    }


@pytest.mark.parametrize(("status", "error_type"), [(429, "429"), (503, "503"), (0, "timeout")])
def test_a_failed_attempt_error_type(status: int, error_type: str) -> None:
    assert attempt_error_type(status) == error_type


def test_content_is_compact_json_keeping_non_ascii() -> None:
    assert content_attribute("gen_ai.input.messages", [{"role": "user", "content": "café"}]) == {
        "gen_ai.input.messages": '[{"role":"user","content":"café"}]'
    }
    assert content_attribute("gen_ai.output.messages", None) == {}


INPUTS = [
    ("chat", {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 1}, [{"role": "user", "content": "hi"}]),
    ("responses", {"model": "m", "instructions": "be brief", "input": "hi"}, {"instructions": "be brief", "input": "hi"}),
    ("anthropic", {"model": "m", "system": "be brief", "messages": [{"role": "user", "content": "hi"}]},
     {"system": "be brief", "messages": [{"role": "user", "content": "hi"}]}),
    ("embeddings", {"model": "m", "input": ["a", "b"]}, {"input": ["a", "b"]}),
    ("no prompt", {"model": "m"}, None),
    ("not JSON", b"{", None),
]


@pytest.mark.parametrize(("body", "expected"), [row[1:] for row in INPUTS], ids=[row[0] for row in INPUTS])
def test_input_messages_are_the_prompt_as_the_front_door_shapes_it(body: Any, expected: Any) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    assert input_messages(raw) == expected


OUTPUTS = [
    ("chat", {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}}]}, [{"role": "assistant", "content": "hello"}]),
    ("responses", {"output": [{"type": "message", "content": []}]}, [{"type": "message", "content": []}]),
    ("anthropic", {"content": [{"type": "text", "text": "hello"}]}, [{"type": "text", "text": "hello"}]),
    ("embeddings", {"object": "list", "data": []}, None),
    ("an error", {"error": {"message": "x"}}, None),
]


@pytest.mark.parametrize(("answer", "expected"), [row[1:] for row in OUTPUTS], ids=[row[0] for row in OUTPUTS])
def test_output_messages_are_what_the_model_generated(answer: Any, expected: Any) -> None:
    assert output_messages(json.dumps(answer).encode()) == expected


ANSWERS = [
    ("whole answer", {"modelVersion": "gemini-2.5-flash", "candidates": [{"finishReason": "STOP"}, {"finishReason": "MAX_TOKENS"}],
                      "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4, "thoughtsTokenCount": 2, "totalTokenCount": 9}},
     ("gemini-2.5-flash", ("stop", "max_tokens"), {"prompt_tokens": 3, "completion_tokens": 6})),
    ("a stream event before the end", {"candidates": [{"content": {"parts": [{"text": "a"}]}}], "usageMetadata": {"promptTokenCount": 3}},
     (None, (), None)),
    ("an embeddings answer", {"predictions": [{"embeddings": {"values": [0.1], "statistics": {"token_count": 4.0}}},
                                              {"embeddings": {"values": [0.2], "statistics": {"token_count": 3}}}]},
     (None, (), {"prompt_tokens": 7})),
    ("not an object", ["x"], (None, (), None)),
]


@pytest.mark.parametrize(("answer", "expected"), [row[1:] for row in ANSWERS], ids=[row[0] for row in ANSWERS])
def test_what_a_vertex_answer_tells_the_spans(answer: Any, expected: tuple[Any, ...]) -> None:
    assert answer_facts(answer) == expected
