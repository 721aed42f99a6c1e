"""The OpenAPI document: valid OpenAPI 3.1, complete, and in agreement with the validators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from adapter.openapi import build_openapi_spec
from adapter.errors import InvalidRequest, RateLimited
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.validation import load_body
from tests.unit import test_schemas_chat as chat_cases
from tests.unit import test_schemas_embeddings as embedding_cases

SPEC = build_openapi_spec("1.2.3")
OPENAI_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "openai" / "openai_schemas.json"


def component(name: str) -> Draft202012Validator:
    """A validator for ``components/schemas/<name>`` that resolves references in the document."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]})


def test_document_is_valid_openapi_3_1() -> None:
    validate(SPEC)
    assert SPEC["openapi"] == "3.1.0"
    assert SPEC["info"]["version"] == "1.2.3"


def test_building_twice_gives_equal_independent_documents() -> None:
    again = build_openapi_spec("1.2.3")
    assert again == SPEC
    again["paths"].clear()
    assert SPEC["paths"]


@pytest.mark.parametrize(("path", "method", "operation_id"), [
    ("/", "get", "health"),
    ("/v1/chat/completions", "post", "createChatCompletion"),
    ("/v1/models", "get", "listModels"),
    ("/v1/models/{model}", "get", "retrieveModel"),
    ("/v1/embeddings", "post", "createEmbedding"),
    ("/v1/usage", "get", "getUsage"),
])
def test_paths(path: str, method: str, operation_id: str) -> None:
    operation = SPEC["paths"][path][method]
    assert operation["operationId"] == operation_id
    assert "200" in operation["responses"]


def test_bearer_auth_everywhere_but_health() -> None:
    assert SPEC["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert SPEC["security"] == [{"bearerAuth": []}]
    assert SPEC["paths"]["/"]["get"]["security"] == []


def test_chat_responses() -> None:
    responses = SPEC["paths"]["/v1/chat/completions"]["post"]["responses"]
    assert set(responses) >= {"200", "400", "401", "404", "413", "429", "5XX", "default"}
    content = responses["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/CreateChatCompletionResponse"}
    event = content["text/event-stream"]["schema"]  # one server-sent event, as schemathesis reads them
    assert (event["type"], event["required"], event["properties"]["data"]) == ("object", ["data"], {"type": "string"})
    error = SPEC["components"]["responses"]["Error400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


def test_openai_response_schemas_are_copied_faithfully() -> None:
    fixture = json.loads(OPENAI_FIXTURE.read_text(encoding="utf-8").replace("#/$defs/", "#/components/schemas/"))
    for name in ("CreateChatCompletionResponse", "CreateChatCompletionStreamResponse", "ListModelsResponse", "Model"):
        assert SPEC["components"]["schemas"][name] == fixture["$defs"][name]


@pytest.mark.parametrize("error", [
    InvalidRequest("Invalid value for 'temperature': must be between 0 and 2.", param="temperature"),
    RateLimited("Slow down."),
])
def test_error_bodies_match_the_error_schema(error: InvalidRequest) -> None:
    body = error.to_body()
    component("Error").validate(body)
    fixture = json.loads(OPENAI_FIXTURE.read_text(encoding="utf-8"))
    Draft202012Validator({"$ref": "#/$defs/ErrorResponse", "$defs": fixture["$defs"]}).validate(body)


def test_embedding_response_schema() -> None:
    component("EmbeddingList").validate({
        "object": "list", "model": "text-embedding-005", "usage": {"prompt_tokens": 2, "total_tokens": 2},
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, -0.2]},
                 {"object": "embedding", "index": 1, "embedding": "zczMPQ=="}],
    })


CHAT_ACCEPTED = [row[1] for row in chat_cases.VALID] + [row[1] for row in chat_cases.NORMALISED]


@pytest.mark.parametrize("body", CHAT_ACCEPTED)
def test_document_accepts_what_the_schema_accepts(body: dict[str, Any]) -> None:
    component("ChatCompletionRequest").validate(body)


# Refused by the gateway but not expressible in (or not sendable as) JSON Schema / JSON:
# rules across lists (described in the document), NaN and infinity (not JSON), camelCase aliases.
NOT_IN_DOCUMENT = {
    "temperature NaN", "top_p infinite", "duplicate tool names", "tool_choice undeclared",
    "tool_choice required without tools", "allowed tool undeclared", "functions with tools",
    "function_call with tool_choice", "function_call undeclared", "budget below -1",
    "bare file data without a known extension", "bare file data without a filename",
}
CHAT_REFUSED = [row for row in chat_cases.INVALID if row[0] not in NOT_IN_DOCUMENT]


@pytest.mark.parametrize("body", [row[1] for row in CHAT_REFUSED], ids=[row[0] for row in CHAT_REFUSED])
def test_document_refuses_what_the_schema_refuses(body: dict[str, Any]) -> None:
    assert not component("ChatCompletionRequest").is_valid(body)


def test_exceptions_are_real_rows() -> None:
    assert NOT_IN_DOCUMENT <= {row[0] for row in chat_cases.INVALID}


@pytest.mark.parametrize("body", [row[1] for row in embedding_cases.VALID])
def test_document_accepts_embedding_requests(body: dict[str, Any]) -> None:
    component("EmbeddingRequest").validate(body)


@pytest.mark.parametrize("body", [row[1] for row in embedding_cases.INVALID], ids=[r[0] for r in embedding_cases.INVALID])
def test_document_refuses_embedding_requests(body: dict[str, Any]) -> None:
    assert not component("EmbeddingRequest").is_valid(body)


KEYS = [
    "role", "content", "type", "text", "refusal", "image_url", "url", "detail", "input_audio", "data", "format",
    "file", "file_data", "file_id", "name", "tool_calls", "tool_call_id", "id", "function", "arguments",
    "extra_content", "google", "thought_signature", "function_call", "reasoning_content", "audio",
    "parameters", "strict", "json_schema", "schema", "allowed_tools", "tools", "mode", "thinking_config",
    "thinking_budget", "thinking_level", "include_thoughts", "safety_settings", "category", "threshold",
]
GOOD_VALUES: dict[str, list[Any]] = {
    "temperature": [0.5, 2], "top_p": [1], "top_k": [1, 40], "n": [1, 8], "max_tokens": [16], "stop": ["x", ["a"]],
    "seed": [-1], "logprobs": [True], "top_logprobs": [None], "tools": [[chat_cases.WEATHER_TOOL]],
    "tool_choice": ["auto", "none"], "response_format": [{"type": "json_object"}], "modalities": [["text"]],
    "metadata": [{"a": "b"}], "logit_bias": [{}], "stream": [True], "stream_options": [{"include_usage": True}],
    "reasoning_effort": ["low"], "web_search_options": [{}], "google": [{"thought_tag_marker": "think"}],
    "extra_body": [{"google": {}}], "thinking_config": [{"thinking_budget": 0}], "audio": [None],
    "prediction": [None], "service_tier": ["auto"], "user": ["u"],
}
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "text", "function", "user", "assistant", "tool", "auto", "required", "gs://b/o", "f"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    max_leaves=10,
)
good_messages = st.sampled_from([message for _, request in chat_cases.VALID for message in request["messages"]])
random_messages = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5).map(
    lambda message: {"role": "user", **message}
)
random_bodies = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["gemini-2.5-flash"] * 9 + [""]),
        "messages": st.lists(good_messages | good_messages | random_messages, min_size=1, max_size=3),
    },
    optional={key: st.sampled_from(values) | json_values for key, values in GOOD_VALUES.items()},
)


@settings(max_examples=200, deadline=None)
@given(random_bodies)
def test_random_bodies_fail_cleanly_and_agree_with_document(body: dict[str, Any]) -> None:
    try:
        load_body(CHAT_REQUEST_SCHEMA, body)
    except InvalidRequest as error:
        assert error.param is None or f"'{error.param}'" in error.message
        return
    component("ChatCompletionRequest").validate(body)


@pytest.mark.parametrize(("path", "method", "operation_id"), [
    ("/v1/responses", "post", "createResponse"),
    ("/v1/responses/input_tokens", "post", "countResponseInputTokens"),
    ("/v1/responses/{response_id}", "get", "getResponse"),
    ("/v1/responses/{response_id}", "delete", "deleteResponse"),
    ("/v1/responses/{response_id}/input_items", "get", "listInputItems"),
])
def test_responses_paths(path: str, method: str, operation_id: str) -> None:
    operation = SPEC["paths"][path][method]
    assert operation["operationId"] == operation_id and "200" in operation["responses"]


def test_the_responses_answer_is_openais_response_schema() -> None:
    fixture = json.loads(OPENAI_FIXTURE.read_text(encoding="utf-8").replace("#/$defs/", "#/components/schemas/"))
    content = SPEC["paths"]["/v1/responses"]["post"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Response"}
    for name in ("Response", "ResponseItemList"):
        assert SPEC["components"]["schemas"][name] == fixture["$defs"][name]


def test_background_true_is_documented_as_refused() -> None:
    assert not component("ResponseRequest").is_valid({"model": "m", "background": True})
    assert component("ResponseRequest").is_valid({"model": "m", "background": False, "input": "Hi"})
