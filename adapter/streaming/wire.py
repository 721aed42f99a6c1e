"""What a front door brings to a stream: a translator of upstream events, and a wire framing.

An :class:`EventTranslator` turns one upstream event (a Gemini ``GenerateContentResponse``
chunk, or an OpenAI-format chunk in direct mode) into the front door's events; an
:class:`SSEWire` says how those events are written: Chat Completions sends ``data:`` lines and
ends with ``data: [DONE]``, Responses and Messages name each event (``event: <type>``) and end
with the last event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

import orjson

from ..errors import AdapterError

SSE_DONE = b"data: [DONE]\n\n"
SSE_KEEPALIVE = b": keep-alive\n\n"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class EventTranslator(Protocol):
    """Translates one stream, event by event (one per request, never shared)."""

    def feed(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The front door's events for one upstream event."""

    def finish(self) -> list[dict[str, Any]]:
        """The closing events, once the upstream stream has ended well."""

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        """The events that end a stream failing after its first byte."""


def data_frame(event: Any) -> bytes:
    """``data: {json}`` (Chat Completions)."""
    return b"data: " + orjson.dumps(event) + b"\n\n"


def typed_frame(event: Any) -> bytes:
    """``event: {type}`` then ``data: {json}`` (Responses, Messages)."""
    return b"event: " + str(event["type"]).encode("utf-8") + b"\ndata: " + orjson.dumps(event) + b"\n\n"


@dataclass(frozen=True)
class SSEWire:
    """How a front door's events look on the wire.

    ``keepalive`` goes out while the upstream is silent; ``fake_keepalive`` (default:
    ``keepalive``) while a fake stream (``FAKE_STREAMING``) waits for its whole answer.
    """

    frame: Callable[[Any], bytes]
    done: bytes
    keepalive: bytes = SSE_KEEPALIVE
    fake_keepalive: bytes | None = None


DATA_WIRE = SSEWire(frame=data_frame, done=SSE_DONE)
"""Chat Completions: ``data:`` frames ending with ``data: [DONE]``."""

TYPED_WIRE = SSEWire(frame=typed_frame, done=b"")
"""Responses and Messages: named events, nothing after the last one (Messages may replace the
keep-alive with a ``ping`` event)."""
