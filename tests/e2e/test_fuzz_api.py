"""Fuzzing the API from its own OpenAPI document (``GET /openapi.json``) with schemathesis.

Each operation gets requests that fit the document (positive) and requests that break it
(negative), sent to the app in process; chat and embedding calls go on to the Vertex emulator.
Every answer must not be a 5xx, must have a documented status and content type, must conform
to the document (OpenAI's response schemas, the error shape for every failure), and invalid
requests must be refused with a 4xx. Every request the gateway sent to Vertex must be valid
against Google's schema. Examples are derandomized (the same cases each run, so that CI is
stable); set ``FUZZ_RANDOM=1`` to explore new ones.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from adapter.upstream.media import MediaFetcher
from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator
from tests.emulator import schema as vertex_schema
from tests.support.openai_schema import assert_chat_completion, assert_error, assert_valid
from tests.support.responses_stream import check_events
from tests.support.streams import check_stream, parse_sse

POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODELS = ["gemini-2.5-flash", "gemini-3-pro-preview", "gemini-2.0-flash-001", "gemini-2.5-flash-nothinking", "gemini-2.5-pro-search"]
VERTEX_ROOTS = {
    "generateContent": "GenerateContentRequest",
    "streamGenerateContent": "GenerateContentRequest",
    "predict": "PredictRequest",
    "countTokens": "CountTokensRequest",
}
# (path, method, mode, examples, steer the body towards requests the upstream gets)
RUNS = [
    ("/v1/chat/completions", "POST", POSITIVE, 45, True),
    ("/v1/chat/completions", "POST", POSITIVE, 20, False),
    ("/v1/chat/completions", "POST", NEGATIVE, 30, False),
    ("/v1/embeddings", "POST", POSITIVE, 20, True),
    ("/v1/embeddings", "POST", NEGATIVE, 20, False),
    ("/v1/models", "GET", POSITIVE, 5, False),
    ("/v1/models", "GET", NEGATIVE, 15, False),
    ("/v1/models/{model}", "GET", POSITIVE, 15, False),
    ("/v1/models/{model}", "GET", NEGATIVE, 15, False),
    ("/", "GET", POSITIVE, 1, False),
    ("/v1/responses", "POST", POSITIVE, 40, True),
    ("/v1/responses", "POST", POSITIVE, 15, False),
    ("/v1/responses", "POST", NEGATIVE, 30, False),
    ("/v1/responses/input_tokens", "POST", POSITIVE, 15, True),
    ("/v1/responses/{response_id}", "GET", POSITIVE, 5, False),
    ("/v1/responses/{response_id}/input_items", "GET", NEGATIVE, 15, False),
]


def _no_lookups(host: str, port: int) -> list[str]:
    raise OSError("the fuzz run resolves no names")


@pytest.fixture
def live(gateway_factory: GatewayFactory) -> LiveGateway:
    """A gateway whose remote-media fetcher never touches the network (fuzzed URLs go nowhere)."""
    served = gateway_factory(ALLOW_PRIVATE_URLS="false", MAX_RETRIES="0")
    served.gateway.media = MediaFetcher(allow_private=False, max_bytes=1000, timeout=1.0, resolver=_no_lookups)
    return served


def _steer(case: Any, model: str) -> Any:
    """Point a generated body at a model the emulator serves, and end chats (and Responses
    inputs) with a user turn, so that most positive cases get past the gateway's own checks and
    reach the upstream."""
    body = case.body
    if isinstance(body, dict) and "model" in body:
        chat, responses = "messages" in body, case.path.startswith("/v1/responses")
        body["model"] = model if chat or responses else "gemini-embedding-001"
        if isinstance(body.get("messages"), list):
            body["messages"] = [*body["messages"], {"role": "user", "content": "Hi"}]
        if responses:
            _steer_responses(body)
    return case


def _steer_responses(body: dict[str, Any]) -> None:
    """No stored history to continue (a random id is a 404), and a last user message."""
    body.pop("previous_response_id", None)
    items = body.get("input") if isinstance(body.get("input"), list) else []
    kept = [item for item in items if isinstance(item, dict) and item.get("type") != "item_reference"]
    body["input"] = [*kept, {"role": "user", "content": "Hi"}]


def _check_body(response: Any) -> None:
    """What OpenAI clients rely on, beyond the document: errors, completions and streams."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if response.status_code >= 400:
        assert_error(json.loads(response.content))
    elif content_type.startswith("text/event-stream") and "/v1/responses" in response.request.url:
        check_events(parse_sse(response.content.decode("utf-8")))
    elif content_type.startswith("text/event-stream"):
        _check_chat_stream(response.content.decode("utf-8"))
    elif response.request.url.endswith("/v1/chat/completions"):
        assert_chat_completion(json.loads(response.content))
    elif response.request.url.endswith("/v1/responses"):
        assert_valid(json.loads(response.content), "Response")


def _check_chat_stream(text: str) -> None:
    assert text.rstrip().endswith("data: [DONE]")
    events = parse_sse(text)
    failed = bool(events) and "error" in events[-1]
    if failed:
        assert_error(events[-1])
        events = events[:-1]
    if events or not failed:  # a stream that failed before its first chunk holds only the error
        check_stream(events, include_usage=bool(events) and events[-1].get("usage") is not None and events[-1]["choices"] == [])


def _settings(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        suppress_health_check=list(HealthCheck),
    )


@pytest.mark.parametrize("path,method,mode,examples,steered", RUNS, ids=[f"{m} {p} {mode.value}{' steered' if s else ''}" for p, m, mode, _, s in RUNS])
def test_the_api_survives_fuzzing(live: LiveGateway, emulator: VertexEmulator, path: str, method: str, mode: GenerationMode, examples: int, steered: bool) -> None:
    api = schemathesis.openapi.from_wsgi("/openapi.json", live.app)
    strategy = api[path][method].as_strategy(generation_mode=mode)
    if steered:
        strategy = st.tuples(strategy, st.sampled_from(MODELS)).map(lambda pair: _steer(*pair))
    checks = CHECKS + ([negative_data_rejection] if mode is NEGATIVE else [])
    statuses: list[int] = []

    @given(case=strategy)
    @_settings(examples)
    def exercise(case: Any) -> None:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {API_KEY}"}, checks=checks)
        _check_body(response)
        statuses.append(response.status_code)

    exercise()
    assert statuses
    if steered and path in ("/v1/chat/completions", "/v1/responses"):
        assert statuses.count(200) >= examples // 5, "too few fuzzed chats reached the upstream"
    sent = [call for call in emulator.calls if call.rpc in VERTEX_ROOTS]
    if steered:
        assert sent, "no fuzzed request reached Vertex"
    for call in sent:
        assert vertex_schema.validate(call.body, VERTEX_ROOTS[call.rpc], call.api_version or "v1") == [], call.body


def test_the_document_is_served_once_built_and_needs_no_key(gateway: LiveGateway) -> None:
    from adapter.openapi import build_openapi_spec
    from adapter.version import __version__

    first = requests.get(gateway.url + "/openapi.json", timeout=10)
    second = requests.get(gateway.url + "/openapi.json", timeout=10)
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("application/json")
    assert first.content == second.content
    document = first.json()
    assert document == json.loads(json.dumps(build_openapi_spec(__version__)))
    assert document["openapi"] == "3.1.0" and "/v1/chat/completions" in document["paths"]
