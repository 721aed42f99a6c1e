"""A small HTTP/1.1 load generator (asyncio, raw sockets, keep-alive) for the benchmark.

It sends one prepared request again and again over ``concurrency`` keep-alive connections,
reads each answer whole (``Content-Length`` or chunked), checks it, and records its latency.
Raw sockets keep the client's own cost per request in the tens of microseconds, well below
what it measures.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import orjson

Check = Callable[[int, bytes], "str | None"]
READ_LIMIT = 1 << 20


@dataclass(frozen=True)
class Target:
    """Where to send what, and how to tell a good answer."""

    host: str
    port: int
    request: bytes
    check: Check


@dataclass
class RunResult:
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


def http_request(host: str, port: int, path: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> bytes:
    """The bytes of a keep-alive ``POST path`` with a JSON body."""
    payload = orjson.dumps(body)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json", f"Content-Length: {len(payload)}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def expect_json(marker: bytes) -> Check:
    """A 200 whose body contains ``marker``."""

    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        return None if marker in body else "unexpected body"

    return check


def expect_sse(min_events: int, done: bool, last_event: bytes | None = None) -> Check:
    """A 200 stream of at least ``min_events`` ``data:`` events (ending with ``[DONE]`` if
    ``done``); with ``last_event``, typed events (Responses, Messages): the last ``event:`` is
    that one and none is ``event: error`` (their objects carry ``"error": null``)."""

    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        if done and not body.rstrip().endswith(b"data: [DONE]"):
            return "stream did not end with [DONE]"
        if last_event is not None and body.rfind(b"event: " + last_event) < body.rfind(b"event: "):
            return f"stream did not end with {last_event.decode()}"
        if (b"event: error" if last_event is not None else b'"error"') in body:
            return "error event in stream"
        events = body.count(b"data: ")
        return None if events >= min_events else f"stream had {events} events"

    return check


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lowered = head.lower()
    keep_alive = b"connection: close" not in lowered
    if b"transfer-encoding: chunked" in lowered:
        return status, await _read_chunked(reader), keep_alive
    start = lowered.find(b"content-length:")
    if start < 0:
        return status, await reader.read(), False
    length = int(lowered[start + 15 : lowered.index(b"\r\n", start)])
    return status, await reader.readexactly(length), keep_alive


CHUNKED_END = b"\r\n0\r\n\r\n"


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """A chunked body, read in whatever pieces arrive and decoded once at the end.

    The answers measured here never hold ``CRLF 0 CRLF CRLF`` inside a chunk (SSE frames end
    with blank lines), so the body ends when the buffer does; reading by the piece instead of
    by the chunk keeps the client's cost per stream event low.
    """
    buffer = bytearray()
    while not (buffer.endswith(CHUNKED_END) or buffer == b"0\r\n\r\n"):
        piece = await reader.read(READ_LIMIT)
        if not piece:
            raise asyncio.IncompleteReadError(bytes(buffer), None)
        buffer += piece
    return dechunk(bytes(buffer))


def dechunk(raw: bytes) -> bytes:
    """The payload of a complete chunked body."""
    parts: list[bytes] = []
    position = 0
    while True:
        line_end = raw.index(b"\r\n", position)
        size = int(raw[position:line_end].split(b";", 1)[0], 16)
        if size == 0:
            return b"".join(parts)
        start = line_end + 2
        parts.append(raw[start : start + size])
        position = start + size + 2


class _Connection:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.target.host, self.target.port, limit=READ_LIMIT)
        assert self.reader is not None
        self.writer.write(self.target.request)
        status, body, keep_alive = await _read_response(self.reader)
        if not keep_alive:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _worker(target: Target, remaining: list[int], result: RunResult) -> None:
    connection = _Connection(target)
    try:
        while remaining[0] > 0:
            remaining[0] -= 1
            started = time.perf_counter()
            try:
                status, body = await connection.exchange()
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                connection.close()
                result.failures[type(exc).__name__] += 1
                continue
            problem = target.check(status, body)
            if problem is None:
                result.latencies.append(time.perf_counter() - started)
            else:
                result.failures[problem] += 1
    finally:
        connection.close()


async def run(target: Target, total: int, concurrency: int) -> RunResult:
    """Send ``total`` requests over ``concurrency`` connections (closed loop)."""
    result = RunResult()
    remaining = [total]
    started = time.perf_counter()
    await asyncio.gather(*(_worker(target, remaining, result) for _ in range(min(concurrency, total))))
    result.wall = time.perf_counter() - started
    return result
