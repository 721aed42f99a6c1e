"""Failover across credentials, end to end: what is retried, on which credential, how often,
with what pause, and what the client sees when retries run out.

Each test drives the gateway with the official SDK or plain HTTP and scripts the emulator;
every body, chunk and error the client gets is checked against OpenAI's schemas.
"""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.sse_frames import checked, read_frames, text_of

HELLO = [{"role": "user", "content": "Hello"}]
CHAT = {"model": "gemini-2.5-flash", "messages": HELLO}
ANSWER = "one two three four"
FAILURES: dict[str, Reply] = {
    "429": Reply.error(429),
    "500": Reply.error(500),
    "502": Reply.error(502),
    "503": Reply.error(503),
    "504": Reply.error(504),
    "connection dropped": Reply.error(500).hang(0),
    "read timeout": Reply.unary(payloads.text_response("never")).hang(3),
}


def _answer(emulator: VertexEmulator) -> None:
    emulator.always(Reply.unary(payloads.text_response(ANSWER)))


def _post(live: LiveGateway, stream: bool, **extra: Any) -> tuple[int, dict[str, Any] | None, str]:
    """(status, error body or None, answer text) of one request, checked against the schemas."""
    response = live.post("/v1/chat/completions", {**CHAT, "stream": stream, **extra}, stream=stream)
    return _outcome(response, stream)


def _outcome(response: Any, stream: bool) -> tuple[int, dict[str, Any] | None, str]:
    if response.status_code != 200:
        body = response.json()
        assert_error(body)
        return response.status_code, body, ""
    if not stream:
        completion = response.json()
        assert_chat_completion(completion)
        return 200, None, completion["choices"][0]["message"]["content"]
    chunks, error = checked(read_frames(response))
    return 200, error, text_of(chunks)


def _credentials_called(emulator: VertexEmulator) -> list[str]:
    return [call.credential_label or "" for call in emulator.calls if call.rpc in ("generateContent", "streamGenerateContent")]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_retryable_failures_move_to_the_next_credential(gateway_factory: GatewayFactory, emulator: VertexEmulator, failure: str, stream: bool) -> None:
    live = gateway_factory(service_accounts=False, UPSTREAM_READ_TIMEOUT="0.3")
    emulator.enqueue(FAILURES[failure])
    _answer(emulator)
    response = live.post("/v1/chat/completions", {**CHAT, "stream": stream}, stream=stream)
    status, error, text = _outcome(response, stream)
    assert (status, error, text) == (200, None, ANSWER)
    assert _credentials_called(emulator) == ["express#0", "express#1"]
    if not stream:
        assert response.headers["X-Gateway-Attempts"] == "2"
        assert response.headers["X-Gateway-Credential"] == "express#1"


def test_an_answer_cut_mid_body_fails_over(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.enqueue(Reply.unary(payloads.text_response("lost")).cut_after(1))
    _answer(emulator)
    assert _post(live, False) == (200, None, ANSWER)
    assert _credentials_called(emulator) == ["express#0", "express#1"]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_an_error_event_inside_a_200_stream_before_the_first_chunk_fails_over(gateway_factory: GatewayFactory, emulator: VertexEmulator, status: int) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.enqueue(Reply.stream(payloads.to_stream_events(payloads.text_response("lost"))).error_after(0, status=status))
    _answer(emulator)
    assert _post(live, True) == (200, None, ANSWER)
    assert _credentials_called(emulator) == ["express#0", "express#1"]
    assert emulator.calls[0].status == 200


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("status", [400, 404])
def test_client_errors_are_never_retried(gateway_factory: GatewayFactory, emulator: VertexEmulator, status: int, stream: bool) -> None:
    live = gateway_factory()
    emulator.enqueue(Reply.error(status))
    got, error, _ = _post(live, stream)
    assert got == status and error is not None
    assert len(_credentials_called(emulator)) == 1


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_each_credential_is_tried_once_within_the_default_budget(gateway_factory: GatewayFactory, emulator: VertexEmulator, stream: bool) -> None:
    live = gateway_factory()
    emulator.always(Reply.error(503))
    status, error, _ = _post(live, stream)
    assert status == 503 and error is not None and error["error"]["type"] == "api_error"
    called = _credentials_called(emulator)
    assert called == ["express#0", "express#1", "sa#0", "sa#1"]  # pool size 4, budget capped at 3 retries


@pytest.mark.parametrize("max_retries,expected", [("0", 1), ("1", 2), ("2", 3)])
def test_max_retries_bounds_the_attempts(gateway_factory: GatewayFactory, emulator: VertexEmulator, max_retries: str, expected: int) -> None:
    live = gateway_factory(MAX_RETRIES=max_retries)
    emulator.always(Reply.error(500))
    status, error, _ = _post(live, False)
    assert status == 502 and error is not None
    assert len(_credentials_called(emulator)) == expected
    assert len(set(_credentials_called(emulator))) == expected


def test_a_stream_is_not_retried_once_its_first_chunk_was_sent(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    events = payloads.to_stream_events(payloads.text_response(ANSWER))
    emulator.enqueue(Reply.stream(events).error_after(1, status=503))
    _answer(emulator)
    status, error, text = _post(live, True)
    assert status == 200 and error is not None and error["error"]["type"] == "api_error"
    assert text and ANSWER.startswith(text) and text != ANSWER
    assert len(_credentials_called(emulator)) == 1


def test_connection_refused_everywhere_is_a_502_after_the_budget(gateway_factory: GatewayFactory, emulator: VertexEmulator, closed_port: int) -> None:
    live = gateway_factory(service_accounts=False, VERTEX_BASE_URL=f"http://127.0.0.1:{closed_port}")
    started = time.monotonic()
    response = live.post("/v1/chat/completions", CHAT)
    assert response.status_code == 502
    body = response.json()
    assert_error(body)
    assert body["error"]["code"] == "upstream_unreachable"
    assert response.headers["X-Gateway-Attempts"] == "2"
    assert time.monotonic() - started < 2


def test_retry_after_on_a_5xx_is_honoured_before_the_next_attempt(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.enqueue(Reply.error(503, retry_after=1))
    _answer(emulator)
    started = time.monotonic()
    status, _, text = _post(live, False)
    elapsed = time.monotonic() - started
    assert (status, text) == (200, ANSWER)
    assert 1.0 <= elapsed < 2.5


def test_a_429_moves_on_at_once_and_the_limited_key_rests(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.enqueue(Reply.error(429, retry_after=30))
    _answer(emulator)
    started = time.monotonic()
    assert _post(live, False)[0] == 200
    assert time.monotonic() - started < 1.0
    for _ in range(3):
        assert _post(live, False)[0] == 200
    assert _credentials_called(emulator) == ["express#0", "express#1", "express#1", "express#1", "express#1"]


def test_the_sdk_sees_the_final_error_with_its_type(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.always(Reply.error(429))
    with pytest.raises(openai.RateLimitError):
        live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    with pytest.raises(openai.RateLimitError):
        list(live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
