"""Minimal valid Anthropic Messages API answers (streamed and whole), for the recording server
that stands in for the gateway when we learn what Claude Code sends.

``tool_use_turn`` is a signed ``thinking`` block then one ``tool_use`` block (stop reason
``tool_use``); ``text_turn`` is one ``text`` block (``end_turn``). The event sequence is the one
Anthropic documents: ``message_start``, per block ``content_block_start`` / ``_delta`` /
``_stop``, ``message_delta``, ``message_stop``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

INPUT_TOKENS = 12
OUTPUT_TOKENS = 7


@dataclass(frozen=True)
class CannedToolUse:
    name: str
    input: dict[str, Any]
    tool_use_id: str = "toolu_canned_1"
    thinking: str = "I will run one command."
    signature: str = "canned-thinking-signature-1"


def usage(output_tokens: int) -> dict[str, int]:
    return {"input_tokens": INPUT_TOKENS, "output_tokens": output_tokens, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}


def message(message_id: str, model: str, content: list[dict[str, Any]], stop_reason: str | None) -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage(OUTPUT_TOKENS if stop_reason else 1),
    }


def block_events(index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
    """start / delta(s) / stop for one content block, as Anthropic streams it."""
    kind = block["type"]
    if kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": block["thinking"]}, {"type": "signature_delta", "signature": block["signature"]}]
    elif kind == "tool_use":
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
    else:
        start = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": block["text"]}]
    return [
        {"type": "content_block_start", "index": index, "content_block": start},
        *({"type": "content_block_delta", "index": index, "delta": delta} for delta in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def stream_events(whole: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"type": "message_start", "message": {**whole, "content": [], "stop_reason": None, "usage": usage(1)}}]
    for index, block in enumerate(whole["content"]):
        events.extend(block_events(index, block))
    events.append({"type": "message_delta", "delta": {"stop_reason": whole["stop_reason"], "stop_sequence": None}, "usage": {"output_tokens": OUTPUT_TOKENS}})
    events.append({"type": "message_stop"})
    return events


def tool_use_turn(call: CannedToolUse, model: str, message_id: str = "msg_canned_1") -> dict[str, Any]:
    content = [
        {"type": "thinking", "thinking": call.thinking, "signature": call.signature},
        {"type": "tool_use", "id": call.tool_use_id, "name": call.name, "input": call.input},
    ]
    return message(message_id, model, content, "tool_use")


def text_turn(text: str, model: str, message_id: str = "msg_canned_2") -> dict[str, Any]:
    return message(message_id, model, [{"type": "text", "text": text}], "end_turn")
