"""HTTP body framing removed as bytes come off the socket: chunked, Content-Length, until close;
and the gzip or deflate coding of a whole answer."""

from __future__ import annotations

import gzip
import zlib

import pytest

from adapter.upstream.body import ChunkedBody, PlainBody, body_decoder, decode_content

PAYLOADS = [b"data: {\"a\": 1}\r\n\r\n", b"data: " + b"x" * 700 + b"\r\n\r\n", b"d", b"data: [DONE]\n\n"]


def chunked(payloads: list[bytes], *, trailer: bytes = b"", ext: bytes = b"", eol: bytes = b"\r\n") -> bytes:
    body = b"".join(b"%x%s%s%s\r\n" % (len(p), ext, eol, p) for p in payloads)
    return body + b"0" + eol + trailer + b"\r\n"


def feed_in_pieces(decoder: ChunkedBody | PlainBody, raw: bytes, piece: int) -> bytes:
    out = b""
    for start in range(0, len(raw), piece):
        out += decoder.feed(raw[start : start + piece])
    return out


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 1000, 100000])
@pytest.mark.parametrize(
    "raw",
    [
        chunked(PAYLOADS),
        chunked(PAYLOADS, trailer=b"X-Trailer: 1\r\nX-Other: 2\r\n"),
        chunked(PAYLOADS, ext=b";name=value"),
        chunked(PAYLOADS, eol=b"\n"),
    ],
    ids=["plain", "trailers", "extensions", "lf-size-lines"],
)
def test_chunked_bodies_decode_the_same_whatever_the_split(raw: bytes, piece: int) -> None:
    decoder = ChunkedBody()
    assert feed_in_pieces(decoder, raw, piece) == b"".join(PAYLOADS)
    assert decoder.done


def test_a_chunked_body_is_not_done_before_its_last_chunk() -> None:
    decoder = ChunkedBody()
    raw = chunked(PAYLOADS)
    assert decoder.feed(raw[:-5]) == b"".join(PAYLOADS)
    assert not decoder.done and not decoder.ends_with_connection
    decoder.feed(raw[-5:])
    assert decoder.done


@pytest.mark.parametrize("raw", [b"zz\r\ndata\r\n", b"-5\r\n", b"1" * 5000], ids=["not-hex", "negative", "endless-size-line"])
def test_malformed_chunk_framing_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        ChunkedBody().feed(raw)


@pytest.mark.parametrize("piece", [1, 5, 1000])
def test_a_content_length_body_ends_at_its_length(piece: int) -> None:
    decoder = body_decoder(chunked=False, length=20)
    assert feed_in_pieces(decoder, b"a" * 20 + b"ignored", piece) == b"a" * 20
    assert decoder.done and not decoder.ends_with_connection


def test_a_body_without_length_ends_with_the_connection() -> None:
    decoder = body_decoder(chunked=False, length=None)
    assert decoder.feed(b"abc") == b"abc" and decoder.feed(b"def") == b"def"
    assert not decoder.done and decoder.ends_with_connection
    assert body_decoder(chunked=False, length=0).done
    assert isinstance(body_decoder(chunked=True, length=None), ChunkedBody)


_ANSWER = b'{"candidates": [{"content": {"parts": [{"text": "hi"}]}}]}'


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(wbits=wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    "content,encoding",
    [
        (_ANSWER, None),
        (_ANSWER, "identity"),
        (gzip.compress(_ANSWER), "gzip"),
        (gzip.compress(_ANSWER[:20]) + gzip.compress(_ANSWER[20:]), "GZIP"),  # two members
        (_deflate(_ANSWER, zlib.MAX_WBITS), "deflate"),
        (_deflate(_ANSWER, -zlib.MAX_WBITS), "deflate"),  # raw, as some servers send it
        (gzip.compress(_deflate(_ANSWER, zlib.MAX_WBITS)), "deflate, gzip"),
        (_ANSWER, "br"),  # not asked for: left as it came
    ],
)
def test_content_codings_are_removed(content: bytes, encoding: str | None) -> None:
    assert decode_content(content, encoding) == _ANSWER


@pytest.mark.parametrize("content,encoding", [(gzip.compress(_ANSWER)[:-12], "gzip"), (b"not deflate", "deflate")])
def test_corrupt_content_codings_raise(content: bytes, encoding: str) -> None:
    with pytest.raises(zlib.error):
        decode_content(content, encoding)
