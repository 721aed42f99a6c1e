"""Vertex stream events → Responses stream events (adapter.translate.responses.events): every
event valid and numbered, the SDK's accumulator content, and agreement with the whole answer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from adapter.errors import UpstreamError
from adapter.translate.candidates import ModelFunctionCallError
from adapter.translate.responses.events import EventTranslator
from adapter.translate.responses.head import response_head
from adapter.translate.responses.output import OutputOptions
from adapter.translate.responses.response import translate_whole
from tests.support.responses_stream import check_events, sdk_accumulate, sdk_snapshot
from tests.support.streams import VERTEX_EXAMPLES, merge_events, read_json, read_sse, split_response

RESPONSE_ID = "resp_feedfacefeedfacefeedfacefeedface"
STREAMS = sorted(p for p in (VERTEX_EXAMPLES / "stream").glob("*.sse") if not p.name.startswith(("malformed", "error")))
ANSWERS = sorted(
    p for p in (VERTEX_EXAMPLES / "generate").glob("*.response.json") if not p.name.startswith(("count-tokens", "malformed"))
)
HEAD = response_head({"model": "m", "input": "Hi"}, response_id=RESPONSE_ID, created_at=1700000000, model="gemini-2.5-flash")
OPTIONS = OutputOptions(custom_names=frozenset({"apply_patch"}), encrypted_reasoning=True)
DELTA_FIELDS = {
    "response.output_text.delta": ("content", "text"),
    "response.reasoning_summary_text.delta": ("summary", "text"),
    "response.refusal.delta": ("content", "refusal"),
}


def stream(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], EventTranslator]:
    translator = EventTranslator(HEAD, OPTIONS)
    out = [e for event in events for e in translator.feed(event)]
    out += translator.finish()
    check_events(out)
    return out, translator


def delta_output(events: list[dict[str, Any]]) -> dict[int, str]:
    """Per output index, every delta of the stream joined (text, summary, refusal, arguments, input)."""
    joined: dict[int, str] = {}
    for event in events:
        if event["type"].endswith(".delta"):
            joined[event["output_index"]] = joined.get(event["output_index"], "") + event["delta"]
    return joined


def sdk_plain(value: Any) -> Any:
    """An SDK object's dict without the fields ``responses.parse`` adds (``parsed``, ``parsed_arguments``)."""
    if isinstance(value, dict):
        return {k: sdk_plain(v) for k, v in value.items() if k not in ("parsed", "parsed_arguments")}
    if isinstance(value, list):
        return [sdk_plain(v) for v in value]
    return value


def item_text(item: dict[str, Any]) -> str:
    if item["type"] == "message":
        return "".join(part.get("text", part.get("refusal", "")) for part in item["content"])
    if item["type"] == "reasoning":
        return "".join(part["text"] for part in item["summary"])
    return item.get("arguments", item.get("input", ""))


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_recorded_streams_accumulate_in_the_sdk_to_the_whole_answer(path: Path) -> None:
    upstream = read_sse(path)
    events, translator = stream(copy.deepcopy(upstream))
    final = events[-1]["response"]
    whole, parts = translate_whole(merge_events(upstream), HEAD, OPTIONS)
    assert final == whole
    assert translator.response == whole
    sdk = sdk_accumulate(events)
    assert sdk.id == RESPONSE_ID and [sdk_plain(item.to_dict()) for item in sdk.output] == whole["output"]
    assert {i: t for i, t in delta_output(events).items() if t} == {
        i: item_text(item) for i, item in enumerate(whole["output"]) if item_text(item)
    }


@pytest.mark.parametrize("path", ANSWERS, ids=lambda p: p.name)
def test_split_answers_stream_to_the_whole_answer(path: Path) -> None:
    resp = read_json(path)
    events, translator = stream(split_response(resp))
    whole, parts = translate_whole(resp, HEAD, OPTIONS)
    assert events[-1]["response"] == whole
    assert translator.answer_parts == parts
    snapshot = sdk_snapshot(events)
    texts = {i: item_text(item) for i, item in enumerate(snapshot) if item["type"] == "message"}
    assert texts == {i: "".join(p.get("text", "") for p in item["content"] if p["type"] == "output_text")
                     for i, item in enumerate(whole["output"]) if item["type"] == "message"}


def test_the_event_sequence_of_thoughts_text_and_a_call() -> None:
    parts = [{"text": "Hmm", "thought": True}, {"text": "Checking."},
             {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"}]
    events, _ = stream(split_response({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]}))
    assert [event["type"].removeprefix("response.") for event in events] == [
        "created", "in_progress",
        "output_item.added", "reasoning_summary_part.added", "reasoning_summary_text.delta", "reasoning_summary_text.delta",
        "reasoning_summary_text.done", "reasoning_summary_part.done", "output_item.done",
        "output_item.added", "content_part.added", "output_text.delta", "output_text.delta",
        "output_text.done", "content_part.done", "output_item.done",
        "output_item.added", "function_call_arguments.delta", "function_call_arguments.done", "output_item.done",
        "completed",
    ]
    done = next(event for event in events if event["type"] == "response.function_call_arguments.done")
    assert (done["name"], json.loads(done["arguments"])) == ("get_weather", {"city": "Paris"})
    assert events[0]["response"]["status"] == "in_progress" and "usage" not in events[0]["response"]


def test_custom_tool_calls_stream_their_input() -> None:
    parts = [{"functionCall": {"name": "apply_patch", "args": {"input": "*** Begin Patch"}}}]
    events, _ = stream([{"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]}])
    kinds = [event["type"] for event in events]
    assert "response.custom_tool_call_input.delta" in kinds
    done = next(event for event in events if event["type"] == "response.custom_tool_call_input.done")
    assert done["input"] == "*** Begin Patch"


def test_logprobs_ride_on_the_text_deltas_of_their_event() -> None:
    result = {"chosenCandidates": [{"token": "Hi", "logProbability": -0.5}], "topCandidates": []}
    events, _ = stream([{"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}, "logprobsResult": result,
                                         "finishReason": "STOP"}]}])
    delta = next(event for event in events if event["type"] == "response.output_text.delta")
    assert delta["logprobs"] == [{"token": "Hi", "logprob": -0.5, "bytes": [72, 105], "top_logprobs": []}]


def test_grounding_annotations_are_added_before_the_text_is_done() -> None:
    events, _ = stream(split_response(read_json(VERTEX_EXAMPLES / "generate" / "grounded.response.json")))
    kinds = [event["type"] for event in events]
    assert "response.output_text.annotation.added" in kinds
    assert kinds.index("response.output_text.annotation.added") < kinds.index("response.output_text.done")


def test_a_failure_after_the_first_byte_ends_with_response_failed() -> None:
    translator = EventTranslator(HEAD, OPTIONS)
    first = translator.feed({"candidates": [{"content": {"role": "model", "parts": [{"text": "Partial"}]}}]})
    error = UpstreamError("Resource exhausted.", upstream_status=429)
    events = first + translator.fail(error)
    check_events(events)
    failed = events[-1]["response"]
    assert failed["status"] == "failed" and failed["error"] == {"code": "rate_limit_exceeded", "message": "Resource exhausted."}


def test_a_failure_before_any_event_still_opens_the_stream() -> None:
    events = EventTranslator(HEAD, OPTIONS).fail(UpstreamError("Bad gateway.", upstream_status=500))
    check_events(events)
    assert events[-1]["response"]["error"]["code"] == "server_error"


def test_malformed_function_calls_raise() -> None:
    translator = EventTranslator(HEAD, OPTIONS)
    with pytest.raises(ModelFunctionCallError):
        for event in read_sse(VERTEX_EXAMPLES / "stream" / "malformed-function-call.sse"):
            translator.feed(event)


def test_a_stream_without_any_answer_is_an_upstream_error() -> None:
    translator = EventTranslator(HEAD, OPTIONS)
    translator.feed({"usageMetadata": {"trafficType": "ON_DEMAND"}})
    with pytest.raises(UpstreamError):
        translator.finish()


def test_usage_comes_from_the_last_event_with_counts() -> None:
    events, _ = stream([
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}}], "usageMetadata": {"trafficType": "ON_DEMAND"}},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "!"}]}, "finishReason": "STOP"}],
         "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 2, "thoughtsTokenCount": 6, "totalTokenCount": 12}},
    ])
    assert events[-1]["response"]["usage"]["output_tokens"] == 8
    assert events[-1]["response"]["usage"]["output_tokens_details"] == {"reasoning_tokens": 6}


def test_the_stored_answer_joins_fragments_and_leaves_out_empty_text() -> None:
    signed = [{"text": "Sunny"}, {"text": " today"}, {"text": "", "thoughtSignature": "c2ln"}]
    call = [{"functionCall": {"id": "c1", "name": "get_weather", "args": {}}, "thoughtSignature": "c2ln"}, {"text": ""}]
    for parts, expected in (
        (signed, [{"text": "Sunny today", "thoughtSignature": "c2ln"}]),
        (call, [call[0]]),
    ):
        events = [{"candidates": [{"content": {"role": "model", "parts": [part]}}]} for part in parts]
        _, translator = stream([*events, {"candidates": [{"finishReason": "STOP"}]}])
        assert translator.answer_parts == expected
