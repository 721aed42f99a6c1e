"""The SSE decoder: Vertex's CRLF framing, LF framing, arbitrary byte splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapter.upstream.sse import SSEDecoder

STREAMS = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "examples" / "stream"


def decode_all(data: bytes, piece: int) -> list[bytes]:
    decoder = SSEDecoder()
    out: list[bytes] = []
    for start in range(0, len(data), piece):
        out.extend(decoder.feed(data[start : start + piece]))
    out.extend(decoder.close())
    return out


@pytest.mark.parametrize("path", sorted(STREAMS.glob("*.sse")), ids=lambda p: p.name)
@pytest.mark.parametrize("piece", [1, 2, 7, 64, 100000])
def test_every_fixture_stream_decodes_the_same_whatever_the_split(path: Path, piece: int) -> None:
    data = path.read_bytes()
    expected = [line[len(b"data: ") :] for line in data.replace(b"\r\n", b"\n").split(b"\n") if line.startswith(b"data: ")]
    events = decode_all(data, piece)
    assert events == expected
    for event in events:
        json.loads(event)


@pytest.mark.parametrize(
    "raw,expected",
    [
        (b"data: {\"a\": 1}\n\n", [b'{"a": 1}']),
        (b"data:{\"a\": 1}\r\n\r\n", [b'{"a": 1}']),
        (b": keep-alive\n\ndata: 1\n\n", [b"1"]),
        (b"event: message\nid: 3\ndata: 1\n\n", [b"1"]),
        (b"data: a\ndata: b\n\n", [b"a\nb"]),
        (b"data: tail-without-blank-line", [b"tail-without-blank-line"]),
        (b"{\"error\": {\n  \"code\": 429\n}}\n", [b'{"error": {\n  "code": 429\n}}']),
        (b"\n\n\r\n", []),
    ],
)
def test_framing_cases(raw: bytes, expected: list[bytes]) -> None:
    assert decode_all(raw, 3) == expected
