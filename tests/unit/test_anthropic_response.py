"""Gemini answers → Anthropic messages and stream events, and the stream accumulated by the
official ``anthropic`` SDK (``messages.stream()``) equal to the whole answer (``messages.create()``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from adapter.errors import UpstreamError
from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas.anthropic import MESSAGES_REQUEST_SCHEMA, load_anthropic_body
from adapter.translate.anthropic.assembly import AnswerOptions
from adapter.translate.anthropic.events import EventTranslator
from adapter.translate.anthropic.request import to_gemini_request
from adapter.translate.anthropic.response import to_message
from adapter.translate.anthropic.signatures import encode
from adapter.translate.candidates import ModelFunctionCallError
from tests.support.anthropic_shapes import assert_event, assert_message, sdk_client, sse_bytes
from tests.support.streams import VERTEX_EXAMPLES, merge_events, read_json, read_sse

MESSAGE_ID = "msg_0123456789abcdef01234567"
MODEL = "gemini-3-flash-preview"
STREAMS = sorted(p for p in (VERTEX_EXAMPLES / "stream").glob("*.sse") if not p.name.startswith(("malformed", "error")))
ANSWERS = sorted(
    p for p in (VERTEX_EXAMPLES / "generate").glob("*.response.json") if not p.name.startswith(("count-tokens", "malformed"))
)
NO_OPTIONS = AnswerOptions()
SIG = "AY89a19eCdKurFEZ2PceOgYiyMwbMm8TLwl8DZzd"


def whole(resp: dict[str, Any], options: AnswerOptions = NO_OPTIONS) -> dict[str, Any]:
    message = to_message(resp, message_id=MESSAGE_ID, model=MODEL, options=options)
    assert_message(message)
    return message


def stream(events: list[dict[str, Any]], options: AnswerOptions = NO_OPTIONS) -> list[dict[str, Any]]:
    """Translate a stream as the view does, checking every event and the stream's grammar."""
    translator = EventTranslator(message_id=MESSAGE_ID, model=MODEL, options=options)
    out = [event for gemini in events for event in translator.feed(gemini)] + translator.finish()
    for event in out:
        assert_event(event)
    _check_grammar(out)
    return out


def _check_grammar(events: list[dict[str, Any]]) -> None:
    types = [event["type"] for event in events]
    assert types[0] == "message_start" and types[-2:] == ["message_delta", "message_stop"]
    open_index = None
    for index, event in enumerate(e for e in events if e["type"].startswith("content_block")):
        if event["type"] == "content_block_start":
            assert open_index is None
            open_index = event["index"]
        else:
            assert event["index"] == open_index
            if event["type"] == "content_block_stop":
                open_index = None
    assert open_index is None
    starts = [event["index"] for event in events if event["type"] == "content_block_start"]
    assert starts == list(range(len(starts)))


def sdk_views(gemini_events: list[dict[str, Any]], options: AnswerOptions = NO_OPTIONS) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the SDK's ``create()`` result for the merged answer, its ``stream()`` accumulation of the events)."""
    merged = merge_events(gemini_events)

    def answer(request: httpx2.Request) -> httpx2.Response:
        if json.loads(request.content).get("stream"):
            body = sse_bytes(stream(gemini_events, options))
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)
        return httpx2.Response(200, json=whole(merged, options))

    client = sdk_client(answer)
    params: dict[str, Any] = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
    created = client.messages.create(**params).to_dict(exclude_unset=False)
    with client.messages.stream(**params) as live:
        accumulated = live.get_final_message().to_dict(exclude_unset=False)
    return created, accumulated


def realistic_split(resp: dict[str, Any], *, trailing_signature: bool) -> list[dict[str, Any]]:
    """Events as Vertex streams ``resp``: text in two deltas, a text's signature on the last one
    (or, as Gemini 3 does, on a trailing empty text part), usage counts on the last event."""
    candidate = resp["candidates"][0]
    parts: list[dict[str, Any]] = []
    for part in (candidate.get("content") or {}).get("parts", ()):
        text, signature = part.get("text"), part.get("thoughtSignature")
        if not text or "functionCall" in part:
            parts.append(part)
            continue
        bare = {key: value for key, value in part.items() if key != "thoughtSignature"}
        half = len(text) // 2
        parts += [{**bare, "text": text[:half]}, {**bare, "text": text[half:]}]
        if signature and trailing_signature:
            parts.append({"text": "", "thoughtSignature": signature})
        elif signature:
            parts[-1]["thoughtSignature"] = signature
    closing = {key: value for key, value in candidate.items() if key != "content"}
    events = [{"candidates": [{"content": {"role": "model", "parts": [part]}}], "usageMetadata": {"trafficType": "ON_DEMAND"}}
              for part in parts]
    events.append({"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, **closing}],
                   "usageMetadata": resp.get("usageMetadata", {})})
    return events


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_captured_streams_accumulate_to_the_whole_answer(path: Path) -> None:
    created, accumulated = sdk_views(read_sse(path))
    assert accumulated == created


@pytest.mark.parametrize("trailing", [False, True], ids=["signed-last-delta", "signed-empty-part"])
@pytest.mark.parametrize("path", [p for p in ANSWERS if not p.name.startswith("blocked.prompt")], ids=lambda p: p.name)
def test_every_answer_streamed_accumulates_to_the_whole_answer(path: Path, trailing: bool) -> None:
    resp = read_json(path)
    events = realistic_split(resp, trailing_signature=trailing)
    created, accumulated = sdk_views(events)
    assert accumulated == created
    assert whole(merge_events(events)) == whole(resp)


def _blocks(name: str) -> list[dict[str, Any]]:
    return whole(read_json(VERTEX_EXAMPLES / "generate" / name))["content"]


def test_thoughts_then_text_and_the_answer_ends_with_its_text() -> None:
    """A thinking block after the final text would make Claude Code print nothing: the signature
    Gemini 3 puts on a final text is not carried (Vertex checks only call signatures)."""
    resp = read_json(VERTEX_EXAMPLES / "generate" / "thoughts.gemini-3.response.json")
    parts = resp["candidates"][0]["content"]["parts"]
    assert "thoughtSignature" in parts[1]
    assert _blocks("thoughts.gemini-3.response.json") == [
        {"type": "thinking", "thinking": parts[0]["text"], "signature": ""},
        {"type": "text", "text": parts[1]["text"]},
    ]
    assert _blocks("gemini-3.text-signature.response.json")[-1]["type"] == "text"


def test_calls_become_tool_use_blocks_after_their_signature() -> None:
    resp = read_json(VERTEX_EXAMPLES / "generate" / "function-call.parallel.gemini-3.response.json")
    calls = [part for part in resp["candidates"][0]["content"]["parts"] if "functionCall" in part]
    message = whole(resp)
    assert message["content"] == [
        {"type": "thinking", "thinking": "", "signature": encode("call", calls[0]["thoughtSignature"])},
        *({"type": "tool_use", "id": f"toolu_{c['functionCall']['id']}", "name": c["functionCall"]["name"],
           "input": c["functionCall"]["args"]} for c in calls),
    ]
    assert message["stop_reason"] == "tool_use"
    unnamed = whole(read_json(VERTEX_EXAMPLES / "generate" / "function-call.parallel.gemini-2.5.response.json"))
    assert [block["id"] for block in unnamed["content"]] == ["toolu_0123456789abcdef01234567_0", "toolu_0123456789abcdef01234567_1"]


def test_a_call_signed_after_thought_text_signs_that_thinking_block() -> None:
    resp = {"candidates": [{"content": {"role": "model", "parts": [
        {"text": "I should look it up.", "thought": True},
        {"functionCall": {"name": "get_weather", "args": {}}, "thoughtSignature": SIG}]}, "finishReason": "STOP"}]}
    assert whole(resp)["content"][0] == {"type": "thinking", "thinking": "I should look it up.", "signature": encode("call", SIG)}
    signed_thought = {"candidates": [{"content": {"role": "model", "parts": [
        {"text": "Plan.", "thought": True, "thoughtSignature": SIG}, {"text": "Done."}]}, "finishReason": "STOP"}]}
    assert whole(signed_thought)["content"] == [
        {"type": "thinking", "thinking": "Plan.", "signature": encode("thought", SIG)}, {"type": "text", "text": "Done."}]


@pytest.mark.parametrize(
    ("name", "stop_reason", "explanation"),
    [
        ("text.response.json", "end_turn", None),
        ("max-tokens.response.json", "max_tokens", None),
        ("max-tokens.thinking-exhausted.response.json", "max_tokens", None),
        ("blocked.candidate-safety.response.json", "refusal", "The answer was blocked by Vertex AI safety filters (SAFETY)."),
        ("blocked.prompt-safety.response.json", "refusal", "The prompt was blocked by Vertex AI (SAFETY): The prompt could not be submitted."),
        ("blocked.prompt-model-armor.response.json", "refusal", "The prompt was blocked by Vertex AI (MODEL_ARMOR)"),
    ],
)
def test_stop_reasons(name: str, stop_reason: str, explanation: str | None) -> None:
    message = whole(read_json(VERTEX_EXAMPLES / "generate" / name))
    assert (message["stop_reason"], message["stop_sequence"]) == (stop_reason, None)
    if explanation is None:
        assert message["stop_details"] is None
    else:
        assert message["stop_details"]["type"] == "refusal"
        assert message["stop_details"]["explanation"].startswith(explanation)


def test_usage_moves_cached_tokens_out_of_input() -> None:
    resp = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 1000, "cachedContentTokenCount": 800, "toolUsePromptTokenCount": 5,
                              "candidatesTokenCount": 7, "thoughtsTokenCount": 30, "totalTokenCount": 1042}}
    assert whole(resp)["usage"] == {"input_tokens": 205, "output_tokens": 37, "cache_creation_input_tokens": 0,
                                    "cache_read_input_tokens": 800}


def _text_answer(*texts: str, call: bool = False) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"text": text} for text in texts]
    if call:
        parts.append({"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}})
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 9}}


@pytest.mark.parametrize(
    ("texts", "sequences", "text", "matched"),
    [
        (["Hello <", "/answer> tail"], ("</answer>",), "Hello ", "</answer>"),
        (["one END two STOP"], ("STOP", "END"), "one ", "END"),
        (["ab", "c", "d"], ("bcd",), "a", "bcd"),
        (["no match <", "/ans"], ("</answer>",), "no match </ans", None),
        (["END right away"], ("END",), "", "END"),
    ],
)
def test_stop_sequences_cut_the_text_whole_and_streamed(texts: list[str], sequences: tuple[str, ...], text: str,
                                                        matched: str | None) -> None:
    options = AnswerOptions(stop_sequences=sequences)
    resp = _text_answer(*texts, call=True)
    message = whole(resp, options)
    expected_text = [{"type": "text", "text": text}] if text else []
    if matched is None:
        assert message["content"][:1] == expected_text and message["stop_reason"] == "tool_use"
        return
    assert message["content"] == expected_text
    assert (message["stop_reason"], message["stop_sequence"]) == ("stop_sequence", matched)
    events = [{"candidates": [{"content": {"role": "model", "parts": [part]}}]} for part in resp["candidates"][0]["content"]["parts"]]
    events.append({"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP"}],
                   "usageMetadata": resp["usageMetadata"]})
    created, accumulated = sdk_views(events, options)
    assert accumulated == created and created["stop_sequence"] == matched


def test_disable_parallel_tool_use_keeps_the_first_call() -> None:
    resp = read_json(VERTEX_EXAMPLES / "generate" / "function-call.parallel.gemini-3.response.json")
    message = whole(resp, AnswerOptions(single_tool_use=True))
    assert [block["type"] for block in message["content"]] == ["thinking", "tool_use"]
    assert message["content"][1]["input"] == {"city": "Paris"}


def test_a_malformed_call_and_an_empty_answer_raise() -> None:
    with pytest.raises(ModelFunctionCallError):
        whole(read_json(VERTEX_EXAMPLES / "generate" / "malformed-function-call.response.json"))
    with pytest.raises(ModelFunctionCallError):
        stream(read_sse(VERTEX_EXAMPLES / "stream" / "malformed-function-call.sse"))
    with pytest.raises(UpstreamError) as caught:
        whole({"usageMetadata": {"promptTokenCount": 3}})
    assert caught.value.code == "empty_response"
    translator = EventTranslator(message_id=MESSAGE_ID, model=MODEL, options=NO_OPTIONS)
    assert [e["type"] for e in translator.feed({"usageMetadata": {"trafficType": "ON_DEMAND"}})] == ["message_start"]
    with pytest.raises(UpstreamError):
        translator.finish()


def test_a_cut_stream_still_closes_its_blocks() -> None:
    events = read_sse(VERTEX_EXAMPLES / "stream" / "thoughts-then-text.gemini-3.sse")[:2]
    out = stream(events)
    assert out[-2]["delta"]["stop_reason"] == "end_turn"


def test_fail_gives_anthropics_error_event() -> None:
    translator = EventTranslator(message_id=MESSAGE_ID, model=MODEL, options=NO_OPTIONS)
    [event] = translator.fail(UpstreamError("Vertex AI is overloaded.", upstream_status=503))
    assert event == {"type": "error", "error": {"type": "overloaded_error", "message": "Vertex AI is overloaded."}}
    assert_event(event)


def test_an_answer_sent_back_restores_every_signature_on_its_part() -> None:
    """Several tool steps on Gemini 3: each assistant message, sent back as received, gives Vertex
    the parts it came from with their signatures."""
    table = load_capabilities()
    resp = read_json(VERTEX_EXAMPLES / "generate" / "function-call.parallel.gemini-3.response.json")
    answer = read_json(VERTEX_EXAMPLES / "generate" / "thoughts.gemini-3.response.json")
    first, final = whole(resp), whole(answer)
    results = [{"type": "tool_result", "tool_use_id": b["id"], "content": "18 C"} for b in first["content"] if b["type"] == "tool_use"]
    messages = [{"role": "user", "content": "Weather in Paris and Tokyo?"}, {"role": "assistant", "content": first["content"]},
                {"role": "user", "content": results}, {"role": "assistant", "content": final["content"]},
                {"role": "user", "content": "Thanks"}]
    tools = [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    body = load_anthropic_body(MESSAGES_REQUEST_SCHEMA, copy.deepcopy(
        {"model": "gemini-3-flash-preview", "max_tokens": 100, "messages": messages, "tools": tools}))
    route = parse_model_name(body["model"])
    contents = to_gemini_request(body, route, table.lookup(route.base)).body["contents"]
    sent_calls = contents[1]["parts"]
    original_calls = [{**p, "functionCall": {**p["functionCall"], "id": f"toolu_{p['functionCall']['id']}"}}
                      for p in resp["candidates"][0]["content"]["parts"]]
    assert sent_calls == original_calls
    assert contents[3]["parts"] == [{"text": answer["candidates"][0]["content"]["parts"][1]["text"]}]
