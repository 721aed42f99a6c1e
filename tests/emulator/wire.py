"""Byte-exact serialisation in Vertex AI's styles (wire facts 1, 2, 16, 17, 20, 31)."""

from __future__ import annotations

import json
from typing import Any, Iterable

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
SSE_CONTENT_TYPE = "text/event-stream"


def pretty(obj: Any) -> bytes:
    """Unary body: 2-space indent, raw UTF-8, trailing newline."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sse_event(obj: Any) -> bytes:
    """One SSE event: ``data: {...}`` with ``', '``-less separators, CRLF framing."""
    line = json.dumps(obj, separators=(",", ": "), ensure_ascii=False)
    return b"data: " + line.encode("utf-8") + b"\r\n\r\n"


def json_array(objs: Iterable[Any]) -> bytes:
    """``streamGenerateContent`` without ``alt=sse``: ``[{...}\\n,\\n{...}\\n]``."""
    items = [json.dumps(obj, indent=2, ensure_ascii=False) for obj in objs]
    return ("[" + "\n,\n".join(items) + "\n]").encode("utf-8")


def json_array_error(body: Any) -> bytes:
    """An error without ``alt=sse`` (and on the OpenAI-compatible endpoint): ``[{"error": ...}]``."""
    return (json.dumps([body], indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def openai_json(obj: Any) -> bytes:
    """OpenAI-compatible endpoint body: keys sorted, pretty."""
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def openai_sse_event(obj: Any) -> bytes:
    """OpenAI-compatible stream event: compact, keys sorted, LF framing."""
    line = json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return b"data: " + line.encode("utf-8") + b"\n\n"


OPENAI_DONE = b"data: [DONE]\n\n"
