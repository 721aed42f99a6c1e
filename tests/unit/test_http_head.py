"""Parsing an upstream answer's head: status, headers in any case, framing and keep-alive."""

from __future__ import annotations

import pytest

from adapter.upstream.http_head import BadHead, head_end, is_interim, parse_head


@pytest.mark.parametrize(
    "head,status,chunked,length,keep_alive",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", 200, False, 12, True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 200, True, None, True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 200, True, None, True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", 200, True, None, False),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n", 200, False, None, False),  # ends with the connection
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: Close\r\n\r\n", 200, False, 5, False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", 200, False, 5, False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n", 200, False, 5, True),
        (b"HTTP/1.1 204 No Content\r\n\r\n", 204, False, 0, True),
        (b"HTTP/1.1 429 Too Many Requests\nContent-Length: 2\n\n", 429, False, 2, True),  # LF alone
        (b"HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", 503, False, 0, True),  # no reason phrase
        (b"HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\n", 200, False, 7, True),
    ],
)
def test_status_and_framing(head: bytes, status: int, chunked: bool, length: int | None, keep_alive: bool) -> None:
    parsed = parse_head(head)
    assert (parsed.status, parsed.chunked, parsed.length, parsed.keep_alive) == (status, chunked, length, keep_alive)


def test_headers_are_found_in_any_case_and_repeated_ones_joined() -> None:
    head = b"HTTP/1.1 429 x\r\nRetry-After: 7\r\nX-Two: a\r\nx-two: b\r\nX-Folded: one\r\n  two\r\n\r\n"
    headers = parse_head(head).headers
    assert (headers.get("retry-after"), headers["RETRY-AFTER"], "Retry-After" in headers) == ("7", "7", True)
    assert (headers.get("X-Two"), headers.get("x-folded"), headers.get("Content-Encoding")) == ("a, b", "one two", None)


@pytest.mark.parametrize(
    "head",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/2 200\r\n\r\n",
        b"HTTP/1.1 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n continued before any header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n",
    ],
)
def test_what_is_not_an_http_head_is_refused(head: bytes) -> None:
    with pytest.raises(BadHead):
        parse_head(head)


@pytest.mark.parametrize(
    "buffer,end",
    [
        (b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", 25),
        (b"HTTP/1.1 200 OK\nA: b\n\nbody", 22),
        (b"HTTP/1.1 200 OK\r\nA: b\r\n", -1),
        (b"", -1),
    ],
)
def test_the_end_of_the_head(buffer: bytes, end: int) -> None:
    assert head_end(buffer) == end


@pytest.mark.parametrize(("head", "interim"), [(b"HTTP/1.1 100 Continue\r\n\r\n", True), (b"HTTP/1.1 101 Switching\r\n\r\n", False), (b"HTTP/1.1 200 OK\r\n\r\n", False)])
def test_interim_heads(head: bytes, interim: bool) -> None:
    assert is_interim(head) is interim
