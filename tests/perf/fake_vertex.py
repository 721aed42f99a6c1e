"""A fast fake Vertex AI for the benchmark: static answers, SSE streams, a token endpoint.

A raw asyncio HTTP/1.1 server (keep-alive, no framework), so that its own cost stays far below
the gateway's. It does not validate anything; it only answers:

- ``POST ...:generateContent``: a fixed Vertex answer (``text.small.response.json``, pretty JSON);
- ``POST ...:streamGenerateContent``: ``CHUNKS`` SSE events (CRLF framing, Vertex's one-line JSON
  style), ``--chunk-interval`` seconds apart, each its own HTTP chunk; when the request body
  contains :data:`DELAY_MARKER`, the first event waits ``--delay`` seconds; when it contains
  :data:`AT_ONCE_MARKER`, the whole stream is written at once (an upstream that has the answer
  ready, as the zero-cost nginx upstream of issue 16's first measurement);
- ``POST /token``: an OAuth2 access token for any JWT-bearer grant;
- ``GET /``: ``ok`` (readiness).

Run: ``python3 -m tests.perf.fake_vertex --port 0`` prints ``READY <port>`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

logger = logging.getLogger("perf.fake_vertex")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "examples"
DELAY_MARKER = b"@@perf-delay@@"
AT_ONCE_MARKER = b"@@perf-at-once@@"
CHUNKS = 50
MAX_HEAD = 64 * 1024

TOKEN_BODY = b'{\n  "access_token": "ya29.perf-fake-token",\n  "expires_in": 3599,\n  "token_type": "Bearer"\n}\n'
_CHUNK_PREFIX = b'{"candidates": [{"content": {"role": "model","parts": [{"text": "'
_CHUNK_META = b'"usageMetadata": {"trafficType": "ON_DEMAND"},'
_CHUNK_SUFFIX = b'"modelVersion": "gemini-2.5-flash","createTime": "2026-09-23T18:14:28.713244Z","responseId": "BBe0apzEK8uSsbwPiefy0Qk"}'
_FINAL_USAGE = (
    b'"usageMetadata": {"promptTokenCount": 11,"candidatesTokenCount": 100,"totalTokenCount": 111,'
    b'"trafficType": "ON_DEMAND","candidatesTokensDetails": [{"modality": "TEXT","tokenCount": 100}]},'
)


def _http_chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def sse_events(count: int = CHUNKS) -> list[bytes]:
    """The stream's events, each already framed as ``data: ...\\r\\n\\r\\n`` inside an HTTP chunk."""
    events = []
    for index in range(count):
        last = index == count - 1
        text = b"word%d " % index
        finish = b']},"finishReason": "STOP"}],' if last else b"]}}],"
        body = _CHUNK_PREFIX + text + b'"}' + finish + (_FINAL_USAGE if last else _CHUNK_META) + _CHUNK_SUFFIX
        events.append(_http_chunk(b"data: " + body + b"\r\n\r\n"))
    return events


def _response(status: bytes, content_type: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )


GENERATE_RESPONSE = _response(b"200 OK", b"application/json; charset=UTF-8", (FIXTURES / "generate" / "text.small.response.json").read_bytes())
TOKEN_RESPONSE = _response(b"200 OK", b"application/json; charset=utf-8", TOKEN_BODY)
READY_RESPONSE = _response(b"200 OK", b"text/plain", b"ok")
NOT_FOUND = _response(b"404 Not Found", b"application/json; charset=UTF-8", b'{\n  "error": {\n    "code": 404,\n    "message": "Not found.",\n    "status": "NOT_FOUND"\n  }\n}\n')
STREAM_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
STREAM_END = b"0\r\n\r\n"
STREAM_AT_ONCE = STREAM_HEAD + b"".join(sse_events()) + STREAM_END


class _Ticker:
    """Writes the next event of every running stream each ``interval`` seconds (one timer for all).

    One shared clock instead of a sleep per stream and event keeps the fake's cost per event to
    a socket write, so that 1000 concurrent streams measure the gateway, not the fake.
    """

    def __init__(self, events: list[bytes], interval: float) -> None:
        self.events = events
        self.interval = interval
        self.running: dict[asyncio.StreamWriter, tuple[int, asyncio.Future[None]]] = {}
        self.task: asyncio.Task[None] | None = None

    def play(self, writer: asyncio.StreamWriter) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.running[writer] = (0, done)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        return done

    async def _run(self) -> None:
        while self.running:
            await asyncio.sleep(self.interval)
            for writer, (position, done) in list(self.running.items()):
                if writer.is_closing():
                    del self.running[writer]
                    done.set_result(None)
                    continue
                writer.write(self.events[position])
                if position + 1 < len(self.events):
                    self.running[writer] = (position + 1, done)
                else:
                    writer.write(STREAM_END)
                    del self.running[writer]
                    done.set_result(None)


class FakeVertex:
    def __init__(self, *, delay: float, chunk_interval: float) -> None:
        self.delay = delay
        self.ticker = _Ticker(sse_events(), chunk_interval)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, _, header_block = head.partition(b"\r\n")
                body = await reader.readexactly(_content_length(header_block)) if header_block else b""
                await self._answer(request_line, body, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, request_line: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        target = request_line.split(b" ", 2)[1] if request_line.count(b" ") >= 2 else b""
        if b":streamGenerateContent" in target and AT_ONCE_MARKER in body:
            writer.write(STREAM_AT_ONCE)
        elif b":streamGenerateContent" in target:
            writer.write(STREAM_HEAD)
            if DELAY_MARKER in body:
                await asyncio.sleep(self.delay)
            await self.ticker.play(writer)
        elif b":generateContent" in target:
            writer.write(GENERATE_RESPONSE)
        elif target == b"/token":
            writer.write(TOKEN_RESPONSE)
        elif target == b"/":
            writer.write(READY_RESPONSE)
        else:
            writer.write(NOT_FOUND)
        await writer.drain()


def _content_length(header_block: bytes) -> int:
    for line in header_block.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


async def _main(args: argparse.Namespace) -> None:
    fake = FakeVertex(delay=args.delay, chunk_interval=args.chunk_interval)
    server = await asyncio.start_server(fake.serve, args.host, args.port, backlog=4096, limit=MAX_HEAD)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=5.0, help="seconds before the first event of a delayed stream")
    parser.add_argument("--chunk-interval", type=float, default=0.002, help="seconds between stream events")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(_main(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
