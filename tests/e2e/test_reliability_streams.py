"""Idle connections and timeouts, end to end: keep-alive comments while the upstream is silent
or a retry backs off, the first-byte deadline, upstream connect and read timeouts (also between
the bytes of a stream), and a client that hangs up while the upstream says nothing.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Iterator

import pytest

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.openai_schema import assert_error
from tests.support.sse_frames import KEEPALIVE, checked, read_frames, text_of
from tests.support.streams import check_stream

HELLO = [{"role": "user", "content": "Hello"}]
STREAM = {"model": "gemini-2.5-flash", "messages": HELLO, "stream": True}
WORDS = " ".join(f"w{i}" for i in range(6))
FAST = {"STREAM_KEEPALIVE_INTERVAL": "0.1", "FIRST_BYTE_DEADLINE": "0.3"}


def _events() -> list[dict[str, Any]]:
    return payloads.to_stream_events(payloads.text_response(WORDS))


def _stream(live: LiveGateway) -> tuple[Any, list[Any]]:
    response = live.post("/v1/chat/completions", STREAM, stream=True)
    assert response.status_code == 200
    return response, read_frames(response)


def test_keepalives_fill_upstream_silence_and_the_sdk_ignores_them(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, **FAST)
    emulator.enqueue(Reply.stream(_events()).between(0.25))
    _, frames = _stream(live)
    chunks, error = checked(frames)
    assert error is None and text_of(chunks) == WORDS
    check_stream(chunks, include_usage=False)
    texts = [f.text for f in frames]
    first_data = next(i for i, t in enumerate(texts) if t.startswith("data:"))
    assert texts[:first_data] == []  # the upstream answered in time: no keep-alive before the status
    assert texts.count(KEEPALIVE) >= len(_events()) - 1  # about two per 0.25 s gap
    emulator.enqueue(Reply.stream(_events()).between(0.12))
    sdk_chunks = list(live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in sdk_chunks if c.choices) == WORDS


def test_a_slow_upstream_gets_the_stream_started_at_the_first_byte_deadline(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, **FAST)
    emulator.enqueue(Reply.stream(_events()).delay(1.0))
    started = time.monotonic()
    response = live.post("/v1/chat/completions", STREAM, stream=True)
    assert response.status_code == 200
    assert time.monotonic() - started < 0.8
    frames = read_frames(response)
    assert frames[0].text == KEEPALIVE and frames[0].at - started < 0.8
    chunks, error = checked(frames)
    assert error is None and text_of(chunks) == WORDS


@pytest.mark.parametrize("status,error_type", [(503, "api_error"), (429, "rate_limit_error"), (400, "invalid_request_error")])
def test_a_failure_after_the_deadline_is_an_error_event(gateway_factory: GatewayFactory, emulator: VertexEmulator, status: int, error_type: str) -> None:
    live = gateway_factory(service_accounts=False, MAX_RETRIES="0", **FAST)
    emulator.enqueue(Reply.error(status).delay(0.6))
    _, frames = _stream(live)
    assert frames[0].text == KEEPALIVE
    chunks, error = checked(frames)
    assert chunks == [] and error is not None
    assert error["error"]["type"] == error_type
    assert error["error"]["message"] == emulator.calls_for(outcome="scripted_error")[0].error_message


def test_keepalives_flow_while_a_retry_backs_off(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, **FAST)
    emulator.enqueue(Reply.error(503, retry_after=1))
    emulator.always(Reply.stream(_events()))
    started = time.monotonic()
    _, frames = _stream(live)
    chunks, error = checked(frames)
    assert error is None and text_of(chunks) == WORDS
    before = [f for f in frames if f.at - started < 1.0]
    assert sum(f.text == KEEPALIVE for f in before) >= 5
    assert [c.credential_label for c in emulator.calls] == ["express#0", "express#1"]


def test_a_read_timeout_between_stream_bytes_ends_the_stream_with_an_error_event(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, UPSTREAM_READ_TIMEOUT="0.3", STREAM_KEEPALIVE_INTERVAL="0.1")
    emulator.enqueue(Reply.stream(_events()).between(3))
    started = time.monotonic()
    _, frames = _stream(live)
    assert time.monotonic() - started < 2
    chunks, error = checked(frames)
    assert chunks and error is not None
    assert error["error"]["code"] == "upstream_timeout"
    assert emulator.wait_until(lambda: emulator.streams()[-1].outcome == "client_disconnected", 2)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_hung_upstream_is_given_up_after_the_read_timeout(gateway_factory: GatewayFactory, emulator: VertexEmulator, stream: bool) -> None:
    live = gateway_factory(service_accounts=False, UPSTREAM_READ_TIMEOUT="0.3", MAX_RETRIES="0", FIRST_BYTE_DEADLINE="5")
    emulator.enqueue(Reply.unary(payloads.text_response("never")).hang(10))
    started = time.monotonic()
    response = live.post("/v1/chat/completions", {**STREAM, "stream": stream})
    assert time.monotonic() - started < 2
    assert response.status_code == 504
    body = response.json()
    assert_error(body)
    assert body["error"]["code"] == "upstream_timeout"


@pytest.fixture
def unanswering_port() -> Iterator[int]:
    """A port whose listen queue is full: connection attempts hang until the client gives up."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield port
    for sock in (*fillers, server):
        sock.close()


def test_the_connect_timeout_bounds_an_unanswering_upstream(gateway_factory: GatewayFactory, unanswering_port: int) -> None:
    live = gateway_factory(service_accounts=False, VERTEX_BASE_URL=f"http://127.0.0.1:{unanswering_port}", UPSTREAM_CONNECT_TIMEOUT="0.2")
    started = time.monotonic()
    response = live.post("/v1/chat/completions", {**STREAM, "stream": False})
    assert time.monotonic() - started < 1.5
    assert response.status_code == 504
    assert_error(response.json())
    assert response.headers["X-Gateway-Attempts"] == "2"


def _raw_request(live: LiveGateway, stream: bool = True) -> socket.socket:
    host, port = live.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    body = json.dumps({**STREAM, "stream": stream}).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {API_KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def _received_until(sock: socket.socket, marker: bytes, seconds: float = 5.0) -> bytes:
    """What the socket brings until ``marker`` shows (the head and the first chunk may come in
    separate writes), or ``seconds`` pass."""
    sock.settimeout(seconds)
    received = b""
    while marker not in received:
        piece = sock.recv(65536)
        if not piece:
            break
        received += piece
    return received


@pytest.mark.parametrize("phase", ["before the first byte", "after the first chunk", "waiting for a whole answer"])
def test_a_client_hanging_up_during_upstream_silence_closes_the_upstream_promptly(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture, phase: str
) -> None:
    live = gateway_factory(service_accounts=False)  # keep-alives every 10 s: no write reveals the hang-up
    if phase == "waiting for a whole answer":
        reply = Reply.unary(payloads.text_response(WORDS)).delay(20)
    else:
        reply = Reply.stream(_events()).delay(20) if phase == "before the first byte" else Reply.stream(_events()).between(20)
    emulator.enqueue(reply)
    sock = _raw_request(live, stream=phase != "waiting for a whole answer")
    assert emulator.wait_until(lambda: bool(emulator.calls), 2)
    if phase == "after the first chunk":
        assert b"data: " in _received_until(sock, b"data: ")
    hung_up = time.monotonic()
    sock.close()
    assert emulator.wait_until(lambda: emulator.calls[-1].outcome == "client_gone" or bool(emulator.streams()) and emulator.streams()[-1].outcome == "client_disconnected", 3)
    assert time.monotonic() - hung_up < 2.0
    assert live.gateway is not None
    assert emulator.wait_until(lambda: any("status=499" in r.getMessage() for r in caplog.records), 2)
    assert len(emulator.calls) == 1, "no failover attempt after the client left"
