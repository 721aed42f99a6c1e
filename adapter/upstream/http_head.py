"""Parsing the head of an HTTP/1.1 response (status line and headers) from the bytes read.

http.client parses a head line by line from a buffered file and hands the headers to the
``email`` package's parser (~88 µs of a ~1.1 CPU-ms gateway request in py-spy, most of what
reading Vertex's answer cost). A Vertex answer's head is a few hundred bytes that arrive in one
read: splitting them here costs a few µs. What the gateway needs from it is the status, the
headers (Google's errors read ``Retry-After``, the client checks ``Content-Encoding``), how the
body is framed and whether the connection can serve another request.

Lenient where http.client is: lines may end in LF alone, a folded header line continues the
one before, repeated headers are joined with ``", "`` (as urllib3's ``HTTPHeaderDict``).
A head that is not HTTP raises :class:`BadHead` (a ``ValueError``).
"""

from __future__ import annotations

from typing import NamedTuple

MAX_HEAD = 65536  # http.client's longest line; a Vertex head is a few hundred bytes
_BODYLESS = frozenset((204, 304))


class BadHead(ValueError):
    """The bytes are not an HTTP/1.x response head."""


class Headers(dict[str, str]):
    """Response headers by lower-cased name; :meth:`get` and ``[]`` take any case."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and dict.__contains__(self, name.lower())


class ResponseHead(NamedTuple):
    status: int
    headers: Headers
    chunked: bool
    length: int | None  # None: the body is chunked or ends with the connection
    keep_alive: bool  # the connection may serve another request once the body is read


def head_end(buffer: bytes) -> int:
    """The offset just past the blank line that ends the head in ``buffer``, or -1."""
    end = buffer.find(b"\r\n\r\n")
    if end >= 0:
        return end + 4
    end = buffer.find(b"\n\n")
    return end + 2 if end >= 0 else -1


def is_interim(head: bytes) -> bool:
    """True for a 1xx head (``100 Continue``...), which a final answer follows (101 aside)."""
    return head[9:10] == b"1" and head[9:12] != b"101"


def parse_head(head: bytes) -> ResponseHead:
    """The status, headers and framing of a response head (blank line included)."""
    lines = head.decode("latin-1").split("\n")
    version, _, rest = lines[0].rstrip("\r").partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise BadHead("not an HTTP/1.x status line")
    headers = _headers(lines[1:])
    status = int(code)
    connection = (headers.get("connection") or "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    if status in _BODYLESS or status < 200:
        return ResponseHead(status, headers, False, 0, keep_alive)
    encoding = headers.get("transfer-encoding")
    if encoding is not None:
        chunked = encoding.lower().rsplit(",", 1)[-1].strip() == "chunked"
        return ResponseHead(status, headers, chunked, None, keep_alive and chunked)
    length = _length(headers.get("content-length"))
    return ResponseHead(status, headers, False, length, keep_alive and length is not None)


def _headers(lines: list[str]) -> Headers:
    headers = Headers()
    last = ""
    for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            continue
        if line[0] in " \t":
            if not last:
                raise BadHead("a continuation line before any header")
            headers[last] = f"{dict.__getitem__(headers, last)} {line.strip()}"
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadHead("a header line without a name")
        last = name.lower()
        value = value.strip()
        previous = dict.get(headers, last)
        headers[last] = value if previous is None else f"{previous}, {value}"
    return headers


def _length(value: str | None) -> int | None:
    if value is None:
        return None
    first = value.split(",", 1)[0].strip()  # repeated identical Content-Length headers were joined
    if not first.isdigit():
        raise BadHead("an invalid Content-Length")
    return int(first)
