"""Reading a Vertex stream with a timeout per read (as the relay does), against the emulator."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any, Iterator

import pytest
import requests

from adapter.errors import UpstreamError
from adapter.upstream.credentials import Credential, express_credentials
from adapter.upstream.inflight import mount_tracked_pool
from adapter.upstream.stream import UpstreamStream
from adapter.upstream.vertex import VertexClient
from tests.conftest import Credentials
from tests.emulator import Reply, VertexEmulator, payloads

MODEL = "gemini-2.5-flash"
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
WORDS = "one two three four"


def _open_at(base_url: str, credentials: Credentials, read_timeout: float = 5) -> UpstreamStream:
    session = requests.Session()
    mount_tracked_pool(session, 4)
    cred: Credential = express_credentials(credentials.express_keys[:1], session)[0]
    client = VertexClient(base_url=base_url, location="global", connect_timeout=2, read_timeout=read_timeout)
    return client.open_stream(cred, client.model_url(cred, MODEL, "streamGenerateContent") + "?alt=sse", BODY)


def _open(emulator: VertexEmulator, credentials: Credentials, reply: Reply, read_timeout: float = 5) -> UpstreamStream:
    emulator.enqueue(reply)
    return _open_at(emulator.url, credentials, read_timeout)


def _events() -> list[dict[str, Any]]:
    return payloads.to_stream_events(payloads.text_response(WORDS, MODEL))


def _first(stream: UpstreamStream) -> list[Any]:
    while not (events := stream.read()):
        assert events is not None
    return events


def _read_polling(stream: UpstreamStream, wait: float) -> tuple[list[Any], int]:
    """Every event of the stream, read with ``wait`` s per read, and how many reads came back empty."""
    events, empty_reads = _first(stream), 0
    while (batch := stream.read(wait)) is not None:
        events.extend(batch)
        empty_reads += not batch
    return events, empty_reads


def _text(events: list[Any]) -> str:
    return "".join(p.get("text", "") for e in events for p in e["candidates"][0]["content"]["parts"])


def test_reads_come_back_empty_while_the_upstream_is_silent(emulator: VertexEmulator, credentials: Credentials) -> None:
    stream = _open(emulator, credentials, Reply.stream(_events()).between(0.25))
    try:
        events, empty_reads = _read_polling(stream, 0.05)
    finally:
        stream.close()
    assert _text(events) == WORDS
    assert empty_reads >= 2 * (len(_events()) - 1)  # about four per 0.25 s gap


def test_silence_past_the_read_timeout_is_a_timeout(emulator: VertexEmulator, credentials: Credentials) -> None:
    stream = _open(emulator, credentials, Reply.stream(_events()).between(3), read_timeout=0.3)
    started = time.monotonic()
    try:
        assert _first(stream)
        with pytest.raises(UpstreamError) as caught:
            while stream.read(0.1) is not None:
                pass
    finally:
        stream.close()
    assert caught.value.code == "upstream_timeout" and caught.value.status == 504
    assert time.monotonic() - started < 1.5


def test_events_before_an_error_event_come_out_first(emulator: VertexEmulator, credentials: Credentials) -> None:
    stream = _open(emulator, credentials, Reply.stream(_events()).error_after(2, status=503))
    received: list[Any] = []
    try:
        with pytest.raises(UpstreamError) as caught:
            while (batch := stream.read(1)) is not None:
                received.extend(batch)
    finally:
        stream.close()
    assert len(received) == 2 and caught.value.upstream_status == 503


def test_a_cut_connection_breaks_the_stream(emulator: VertexEmulator, credentials: Credentials) -> None:
    stream = _open(emulator, credentials, Reply.stream(_events()).between(0.05).cut_after(1))
    try:
        with pytest.raises(UpstreamError) as caught:
            while stream.read(1) is not None:
                pass
    finally:
        stream.close()
    assert caught.value.code == "upstream_stream_broken"


def test_abort_from_another_thread_ends_a_blocked_read(emulator: VertexEmulator, credentials: Credentials) -> None:
    stream = _open(emulator, credentials, Reply.stream(_events()).between(10))
    assert _first(stream)
    threading.Timer(0.2, stream.abort).start()
    started = time.monotonic()
    try:
        with pytest.raises(UpstreamError):
            while stream.read() is not None:
                pass
    finally:
        stream.close()
    assert time.monotonic() - started < 2
    assert emulator.wait_until(lambda: emulator.streams()[-1].outcome == "client_disconnected", 3)


def _sse(text: str) -> bytes:
    return b"data: " + json.dumps(payloads.text_response(text, MODEL)).encode() + b"\r\n\r\n"


def _read_request(conn: socket.socket) -> None:
    request = b""
    while b"\r\n\r\n" not in request:
        request += conn.recv(65536)
    head, _, body = request.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += conn.recv(65536)


FRAMINGS = {
    # name: (extra response headers, how each event is framed, the end of the body)
    "chunked, connection closed after": (b"Transfer-Encoding: chunked\r\nConnection: close\r\n", lambda e: b"%x\r\n%s\r\n" % (len(e), e), b"0\r\n\r\n"),
    "content-length": (b"Content-Length: %d\r\n", lambda e: e, b""),
    "until the connection closes": (b"Connection: close\r\n", lambda e: e, b""),
}


@pytest.fixture(params=sorted(FRAMINGS))
def framed_upstream(request: pytest.FixtureRequest) -> Iterator[str]:
    """One SSE answer of two events 0.3 s apart, in the framing of the parameter."""
    headers, frame, end = FRAMINGS[request.param]
    events = [_sse("one "), _sse("two")]
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            _read_request(conn)  # all of it: closing with unread bytes would reset the connection
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + (headers % sum(map(len, events)) if b"%d" in headers else headers)
            conn.sendall(head + b"\r\n" + frame(events[0]))
            time.sleep(0.3)
            conn.sendall(frame(events[1]) + end)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_every_body_framing_reads_with_timeouts(credentials: Credentials, framed_upstream: str) -> None:
    stream = _open_at(framed_upstream, credentials)
    try:
        events, empty_reads = _read_polling(stream, 0.05)
    finally:
        stream.close()
    assert _text(events) == "one two" and empty_reads >= 3
