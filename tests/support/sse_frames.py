"""Reading a gateway stream frame by frame, keep-alive comments included, with arrival times.

The ``openai`` SDK hides SSE comments; reliability tests need to see them (and when they came),
and to validate every ``data:`` payload against OpenAI's schemas.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from tests.support.openai_schema import assert_chunk, assert_error

KEEPALIVE = ": keep-alive"
DONE = "data: [DONE]"


@dataclass(frozen=True)
class Frame:
    text: str
    at: float

    @property
    def is_keepalive(self) -> bool:
        return self.text.startswith(":")

    @property
    def payload(self) -> Any:
        assert self.text.startswith("data: ") and self.text != DONE, self.text
        return json.loads(self.text[len("data: "):])


def read_frames(response: requests.Response) -> list[Frame]:
    """Every frame of a streamed response, stamped with ``time.monotonic()`` on arrival."""
    frames: list[Frame] = []
    buffer = ""
    for piece in response.iter_content(chunk_size=None):
        buffer += piece.decode("utf-8")
        while "\n\n" in buffer:
            text, buffer = buffer.split("\n\n", 1)
            frames.append(Frame(text, time.monotonic()))
    assert buffer == "", f"the stream ended inside a frame: {buffer!r}"
    return frames


def checked(frames: list[Frame]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(chunks, error) of a stream: every payload schema-valid, ``[DONE]`` last and once,
    an error event (if any) last before it, and nothing but keep-alives and data frames."""
    assert [f.text for f in frames].count(DONE) == 1 and frames[-1].text == DONE
    chunks: list[dict[str, Any]] = []
    error = None
    for frame in frames[:-1]:
        if frame.is_keepalive:
            assert frame.text == KEEPALIVE
            continue
        assert error is None, "a frame came after the error event"
        payload = frame.payload
        if "error" in payload:
            assert_error(payload)
            error = payload
        else:
            assert_chunk(payload)
            chunks.append(payload)
    return chunks, error


def text_of(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
