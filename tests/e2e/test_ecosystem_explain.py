"""Explainability: the headers every chat answer carries (plain and streamed), and ``X-Dry-Run``
showing the exact Vertex request, credential and rewrites without calling Vertex."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.emulator.schema import validate
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import check_stream, parse_sse

HELLO = [{"role": "user", "content": "Hello there"}]
EXPLAIN_HEADERS = ("X-Request-ID", "X-Gateway-Upstream-Model", "X-Gateway-Credential", "X-Gateway-Attempts")
REWRITTEN = {"model": "gemini-2.5-flash-max", "messages": HELLO, "reasoning_effort": "low"}


def dry_run(gateway: LiveGateway, body: dict[str, Any], path: str = "/v1/chat/completions") -> tuple[dict[str, Any], Any]:
    response = gateway.post(path, body, headers={"X-Dry-Run": "1"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Dry-Run"] == "1"
    return response.json(), response.headers


@pytest.mark.parametrize("stream", [False, True])
def test_chat_answers_say_what_happened(gateway: LiveGateway, stream: bool) -> None:
    response = gateway.post("/v1/chat/completions", {**REWRITTEN, "stream": stream}, headers={"X-Request-ID": "trace-123"}, stream=stream)
    assert response.status_code == 200
    if stream:
        check_stream(parse_sse(response.content.decode()), include_usage=False)
    else:
        assert_chat_completion(response.json())
    assert all(response.headers.get(name) for name in EXPLAIN_HEADERS)
    assert response.headers["X-Request-ID"] == "trace-123"
    assert response.headers["X-Gateway-Upstream-Model"] == "gemini-2.5-flash"
    assert response.headers["X-Gateway-Credential"] == "express#0"
    assert response.headers["X-Gateway-Attempts"] == "1"
    assert "reasoning" in response.headers["X-Gateway-Rewrites"]


@pytest.mark.parametrize(
    "body,url_tail,credential",
    [
        ({"model": "gemini-2.5-flash", "messages": HELLO}, "/v1/publishers/google/models/gemini-2.5-flash:generateContent", "express#0"),
        ({"model": "gemini-2.5-flash", "messages": HELLO, "stream": True}, "/v1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "express#0"),
        ({"model": "[PAY]gemini-2.5-pro", "messages": HELLO}, "/v1/projects/proj-alpha/locations/global/publishers/google/models/gemini-2.5-pro:generateContent", "sa#0"),
    ],
)
def test_chat_dry_run_is_the_request_that_would_be_sent(gateway: LiveGateway, emulator: VertexEmulator, credentials: Credentials, body: dict[str, Any], url_tail: str, credential: str) -> None:
    plan, headers = dry_run(gateway, body)
    assert emulator.calls == []
    assert plan["object"] == "gateway.dry_run" and plan["endpoint"] == "chat.completions"
    assert plan["model"] == body["model"] and plan["credential"] == credential == headers["X-Gateway-Credential"]
    assert headers["X-Gateway-Attempts"] == "0" and headers["X-Request-ID"]
    (request,) = plan["requests"]
    assert request["method"] == "POST" and request["url"] == emulator.url + url_tail
    assert validate(request["body"], "GenerateContentRequest", "v1") == []
    assert request["body"]["contents"] == [{"role": "user", "parts": [{"text": "Hello there"}]}]
    assert not any(secret in str(plan) + str(dict(headers)) for secret in credentials.secrets())
    sent = gateway.post("/v1/chat/completions", body, stream=bool(body.get("stream")))
    assert sent.status_code == 200
    call = emulator.last_call()
    assert call.body == request["body"]
    assert emulator.url + call.path + ("?alt=sse" if call.query.get("alt") else "") == request["url"]
    assert call.credential_label == credential


def test_dry_run_lists_the_rewrites_the_real_call_reports(gateway: LiveGateway) -> None:
    plan, headers = dry_run(gateway, REWRITTEN)
    real = gateway.post("/v1/chat/completions", REWRITTEN)
    assert plan["rewrites"] and "; ".join(plan["rewrites"]) == real.headers["X-Gateway-Rewrites"] == headers["X-Gateway-Rewrites"]
    assert plan["upstream_model"] == "gemini-2.5-flash" and plan["model"] == "gemini-2.5-flash-max"


def test_dry_run_takes_no_round_robin_turn(gateway: LiveGateway) -> None:
    body = {"model": "gemini-2.5-flash", "messages": HELLO}
    assert [dry_run(gateway, body)[0]["credential"] for _ in range(3)] == ["express#0"] * 3
    labels = [gateway.post("/v1/chat/completions", body).headers["X-Gateway-Credential"] for _ in range(3)]
    assert labels == ["express#0", "express#1", "express#0"]
    assert dry_run(gateway, body)[0]["credential"] == "express#1"


def test_direct_mode_dry_run_targets_the_openai_compatible_endpoint(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    plan, _ = dry_run(gateway, {"model": "gemini-2.5-flash-openai", "messages": HELLO})
    (request,) = plan["requests"]
    assert request["url"] == emulator.url + "/v1beta1/projects/proj-alpha/locations/global/endpoints/openapi/chat/completions"
    assert request["body"]["model"] == "google/gemini-2.5-flash"
    assert plan["credential"] == "sa#0" and plan["credential_order"] == ["sa"]
    assert emulator.calls == []


@pytest.mark.parametrize("value,dry", [("1", True), ("true", True), ("0", False), ("", False)])
def test_only_a_yes_value_makes_a_dry_run(gateway: LiveGateway, emulator: VertexEmulator, value: str, dry: bool) -> None:
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO}, headers={"X-Dry-Run": value})
    assert response.status_code == 200
    assert (response.json()["object"] == "gateway.dry_run") is dry
    assert bool(emulator.calls) is not dry


def test_dry_run_of_an_invalid_request_is_the_same_400(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO, "temperature": 9}, headers={"X-Dry-Run": "1"})
    assert response.status_code == 400
    assert_error(response.json())
    assert response.json()["error"]["param"] == "temperature"
    assert emulator.calls == []


def test_dry_run_with_fake_streaming_shows_the_unary_call(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(FAKE_STREAMING="true")
    plan, _ = dry_run(gateway, {"model": "gemini-2.5-flash", "messages": HELLO, "stream": True})
    assert plan["requests"][0]["url"].endswith(":generateContent")
    assert plan["selection"] == "round_robin"


def test_a_stream_that_starts_before_vertex_answers_still_names_request_and_model(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(FIRST_BYTE_DEADLINE="0.2", STREAM_KEEPALIVE_INTERVAL="0.1")
    emulator.enqueue(Reply.from_sse_fixture("stream/text.gemini-2.5.sse").delay(0.6))
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO, "stream": True}, stream=True)
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] and response.headers["X-Gateway-Upstream-Model"] == "gemini-2.5-flash"
    assert "X-Gateway-Credential" not in response.headers
    check_stream(parse_sse(response.content.decode()), include_usage=False)


def test_dry_run_skips_cooling_credentials_and_says_when_none_is_ready(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(service_accounts=False)
    body = {"model": "gemini-2.5-flash", "messages": HELLO}
    emulator.enqueue(Reply.error(429, retry_after=30), credential="express#0")
    assert gateway.post("/v1/chat/completions", body).headers["X-Gateway-Credential"] == "express#1"
    assert dry_run(gateway, body)[0]["credential"] == "express#1"
    emulator.always(Reply.error(429, retry_after=30))
    assert gateway.post("/v1/chat/completions", body).status_code == 429
    plan, headers = dry_run(gateway, body)
    assert plan["credential"] is None and "X-Gateway-Credential" not in headers
    assert plan["requests"][0]["url"].endswith("/v1/publishers/google/models/gemini-2.5-flash:generateContent")
