"""Minimal valid OpenAI Responses API streams, for the recording server that stands in for the
gateway when we learn what Codex CLI sends (``tests/clients/test_agent_recordings.py``).

Two turns are enough for an agent task: ``tool_call_turn`` (a reasoning item carrying an opaque
``encrypted_content``, then one ``function_call``) and ``text_turn`` (one assistant message).
Every event validates against ``ResponseStreamEvent`` in the OpenAI schema extract.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

USAGE = {
    "input_tokens": 12,
    "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
    "output_tokens": 7,
    "output_tokens_details": {"reasoning_tokens": 3},
    "total_tokens": 19,
}


@dataclass(frozen=True)
class CannedCall:
    """The one function call of a tool-call turn, and the reasoning item that precedes it."""

    name: str
    arguments: dict[str, Any]
    call_id: str = "call_canned_1"
    encrypted_content: str = "canned-reasoning-secret-1"
    summary: str = "I will run one command."


def response_object(response_id: str, model: str, status: str, output: list[dict[str, Any]]) -> dict[str, Any]:
    response = {
        "id": response_id,
        "object": "response",
        "created_at": 1_700_000_000,
        "status": status,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
    }
    if status == "completed":
        response["usage"] = USAGE
    return response


class _Stream:
    """Builds one stream's events with increasing ``sequence_number``s."""

    def __init__(self, response_id: str, model: str) -> None:
        self.response_id = response_id
        self.model = model
        self.events: list[dict[str, Any]] = []
        self.output: list[dict[str, Any]] = []

    def add(self, event_type: str, **fields: Any) -> None:
        self.events.append({"type": event_type, "sequence_number": len(self.events), **fields})

    def start(self) -> None:
        self.add("response.created", response=response_object(self.response_id, self.model, "in_progress", []))
        self.add("response.in_progress", response=response_object(self.response_id, self.model, "in_progress", []))

    def item(self, added: dict[str, Any], done: dict[str, Any], middle: list[tuple[str, dict[str, Any]]]) -> None:
        index = len(self.output)
        self.add("response.output_item.added", output_index=index, item=added)
        for event_type, fields in middle:
            self.add(event_type, output_index=index, item_id=done["id"], **fields)
        self.add("response.output_item.done", output_index=index, item=done)
        self.output.append(done)

    def finish(self) -> list[dict[str, Any]]:
        self.add("response.completed", response=response_object(self.response_id, self.model, "completed", self.output))
        return self.events


def reasoning_item(call: CannedCall, item_id: str) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    added = {"type": "reasoning", "id": item_id, "summary": []}
    done = {**added, "summary": [{"type": "summary_text", "text": call.summary}], "encrypted_content": call.encrypted_content}
    part = {"type": "summary_text", "text": call.summary}
    middle = [
        ("response.reasoning_summary_part.added", {"summary_index": 0, "part": {"type": "summary_text", "text": ""}}),
        ("response.reasoning_summary_text.delta", {"summary_index": 0, "delta": call.summary}),
        ("response.reasoning_summary_text.done", {"summary_index": 0, "text": call.summary}),
        ("response.reasoning_summary_part.done", {"summary_index": 0, "part": part}),
    ]
    return added, done, middle


def function_call_item(call: CannedCall, item_id: str) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    arguments = json.dumps(call.arguments)
    added = {"type": "function_call", "id": item_id, "call_id": call.call_id, "name": call.name, "arguments": "", "status": "in_progress"}
    done = {**added, "arguments": arguments, "status": "completed"}
    middle = [
        ("response.function_call_arguments.delta", {"delta": arguments}),
        ("response.function_call_arguments.done", {"arguments": arguments, "name": call.name}),
    ]
    return added, done, middle


def message_item(text: str, item_id: str) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    added = {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []}
    done = {**added, "status": "completed", "content": [part]}
    middle = [
        ("response.content_part.added", {"content_index": 0, "part": {**part, "text": ""}}),
        ("response.output_text.delta", {"content_index": 0, "delta": text, "logprobs": []}),
        ("response.output_text.done", {"content_index": 0, "text": text, "logprobs": []}),
        ("response.content_part.done", {"content_index": 0, "part": part}),
    ]
    return added, done, middle


def tool_call_turn(call: CannedCall, model: str, response_id: str = "resp_canned_1") -> list[dict[str, Any]]:
    stream = _Stream(response_id, model)
    stream.start()
    stream.item(*reasoning_item(call, "rs_canned_1"))
    stream.item(*function_call_item(call, "fc_canned_1"))
    return stream.finish()


def text_turn(text: str, model: str, response_id: str = "resp_canned_2") -> list[dict[str, Any]]:
    stream = _Stream(response_id, model)
    stream.start()
    stream.item(*message_item(text, "msg_canned_2"))
    return stream.finish()
