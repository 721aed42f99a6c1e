"""Pure, incremental decoders of an HTTP/1.1 response body as it comes off the socket.

A Vertex stream is one chunk per event. Reading it through urllib3's ``read_chunked`` costs a
size line, the data and the trailing CRLF as three reads per event; reading whatever the socket
holds (one read, often several events under load) and removing the framing here is cheaper.
:func:`body_decoder` picks the decoder for the framing the response head announced (:mod:`.http_head`):
chunked, ``Content-Length``, or the end of the connection. Each ``feed`` returns the body bytes
completed so far; ``done`` turns True once the body is complete (the connection can then be
reused). Malformed framing raises :class:`ValueError`. :func:`decode_content` removes the
gzip or deflate coding of a whole answer.
"""

from __future__ import annotations

import zlib

_MAX_LINE = 4096  # a chunk-size or trailer line longer than this is not HTTP


class ChunkedBody:
    """``<hex size>[;ext]CRLF <data> CRLF`` ... ``0 CRLF [trailers] CRLF``.

    Lenient where http.client is: the size line may end in LF alone, and the two bytes after
    each chunk's data are skipped without being checked.
    """

    __slots__ = ("_buffer", "_left", "_skip", "_trailers", "done")

    ends_with_connection = False

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # data bytes still to come in the current chunk
        self._skip = 0  # bytes of the CRLF after the current chunk's data still to skip
        self._trailers = False  # past the last chunk, reading trailer lines
        self.done = False

    def feed(self, data: bytes) -> bytes:
        buffer = self._buffer + data if self._buffer else data
        pieces: list[bytes] = []
        position, size = 0, len(buffer)
        left, skip = self._left, self._skip
        while position < size and not self.done:
            if left:
                end = position + left if position + left < size else size
                pieces.append(buffer[position:end])
                left -= end - position
                position = end
            elif skip:
                step = skip if skip < size - position else size - position
                skip -= step
                position += step
            else:
                line_end = buffer.find(b"\n", position)
                if line_end < 0:
                    if size - position > _MAX_LINE:
                        raise ValueError("chunk size line too long")
                    break
                chunk_size = self._line(buffer[position:line_end])
                position = line_end + 1
                end = position + chunk_size
                if chunk_size and end + 2 <= size:  # the whole chunk and its CRLF are here
                    pieces.append(buffer[position:end])
                    position = end + 2
                else:
                    left, skip = chunk_size, 2 if chunk_size else 0
        self._left, self._skip = left, skip
        self._buffer = buffer[position:] if not self.done else b""
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _line(self, line: bytes) -> int:
        """Read a size or trailer line; the size of the chunk it starts (0: none)."""
        if self._trailers:
            self.done = not line.strip()
            return 0
        chunk_size = int(line.split(b";", 1)[0] if b";" in line else line, 16)  # int() strips the CR and spaces
        if chunk_size < 0:
            raise ValueError("negative chunk size")
        if chunk_size == 0:
            self._trailers = True
        return chunk_size


class PlainBody:
    """A body of ``Content-Length`` bytes, or (``length`` None) one that ends with the connection."""

    __slots__ = ("_left", "done", "ends_with_connection")

    def __init__(self, length: int | None) -> None:
        self._left = length
        self.ends_with_connection = length is None
        self.done = length == 0

    def feed(self, data: bytes) -> bytes:
        if self._left is None:
            return data
        if len(data) >= self._left:
            data = data[: self._left]
            self.done = True
        self._left -= len(data)
        return data


def body_decoder(*, chunked: bool, length: int | None) -> ChunkedBody | PlainBody:
    """The decoder for a response whose head announced ``chunked`` or ``length``."""
    return ChunkedBody() if chunked else PlainBody(length)


def decode_content(content: bytes, encoding: str | None) -> bytes:
    """``content`` without its ``Content-Encoding`` (gzip, deflate, in the order applied).

    requests' default headers ask for ``gzip, deflate``, so Vertex may compress a whole answer;
    any other coding is left as it came, as urllib3 did. Corrupt data raises ``zlib.error``.
    """
    if not encoding:
        return content
    for coding in reversed(encoding.lower().split(",")):
        coding = coding.strip()
        if coding in ("gzip", "x-gzip"):
            content = _gunzip(content)
        elif coding == "deflate":
            content = _inflate(content)
    return content


def _gunzip(content: bytes) -> bytes:
    """All gzip members of ``content`` (a body may hold several, one after another)."""
    pieces: list[bytes] = []
    while content:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pieces.append(decoder.decompress(content))
        if not decoder.eof:
            raise zlib.error("the gzip data ended early")
        content = decoder.unused_data.lstrip(b"\x00")
    return b"".join(pieces)


def _inflate(content: bytes) -> bytes:
    """A deflate body: zlib-wrapped as the standard says, or raw as some servers send it."""
    try:
        return zlib.decompress(content)
    except zlib.error:
        return zlib.decompress(content, -zlib.MAX_WBITS)
