"""The canned answers the recording server gives coding agents are what a real server sends:
Responses events valid against OpenAI's schema, Anthropic streams that add up to the whole message."""

from __future__ import annotations

import json
from typing import Any

from tests.support import canned_messages, canned_responses
from tests.support.openai_schema import assert_valid

MODEL = "gemini-3-pro-preview"
CALL = canned_responses.CannedCall("exec_command", {"cmd": "ls"})
TOOL_USE = canned_messages.CannedToolUse("Bash", {"command": "ls"})


def test_canned_responses_streams_are_schema_valid_with_increasing_sequence_numbers() -> None:
    for events in (canned_responses.tool_call_turn(CALL, MODEL), canned_responses.text_turn("Done.", MODEL)):
        for event in events:
            assert_valid(event, "ResponseStreamEvent")
        assert [e["sequence_number"] for e in events] == list(range(len(events)))
        assert_valid(events[-1]["response"], "Response")


def test_the_tool_call_turn_carries_the_reasoning_secret_then_the_call() -> None:
    output = canned_responses.tool_call_turn(CALL, MODEL)[-1]["response"]["output"]
    assert [item["type"] for item in output] == ["reasoning", "function_call"]
    assert output[0]["encrypted_content"] == CALL.encrypted_content
    assert json.loads(output[1]["arguments"]) == CALL.arguments and output[1]["call_id"] == CALL.call_id


def accumulate(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Anthropic's stream folded back into a message, as the SDK's stream helper does."""
    message = dict(events[0]["message"], content=[])
    for event in events[1:]:
        if event["type"] == "content_block_start":
            message["content"].append(dict(event["content_block"]))
        elif event["type"] == "content_block_delta":
            block, delta = message["content"][event["index"]], event["delta"]
            key = {"text_delta": "text", "thinking_delta": "thinking", "signature_delta": "signature", "input_json_delta": "partial"}[delta["type"]]
            block[key] = block.get(key, "") + delta[key if key != "partial" else "partial_json"]
        elif event["type"] == "message_delta":
            message.update(event["delta"])
    for block in message["content"]:
        if "partial" in block:
            block["input"] = json.loads(block.pop("partial"))
    return message


def test_canned_message_streams_add_up_to_the_whole_message() -> None:
    for whole in (canned_messages.tool_use_turn(TOOL_USE, MODEL), canned_messages.text_turn("Done.", MODEL)):
        events = canned_messages.stream_events(whole)
        assert [events[0]["type"], *[e["type"] for e in events[-2:]]] == ["message_start", "message_delta", "message_stop"]
        folded = accumulate(events)
        assert folded["content"] == whole["content"] and folded["stop_reason"] == whole["stop_reason"]
