"""Vertex stream events → OpenAI chunks (adapter.translate.chunks), and their agreement with the
whole-answer translation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

from adapter.errors import UpstreamError
from adapter.translate.candidates import ModelFunctionCallError
from adapter.translate.chunks import ChunkTranslator
from adapter.translate.response import to_chat_completion
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import VERTEX_EXAMPLES, accumulate, check_stream, comparable, merge_events, read_json, read_sse, split_response

COMPLETION_ID = "chatcmpl-feedfacefeedfacefeedfacefeedface"
CREATED = 1700000000
MODEL = "[PAY]gemini-2.5-flash"
STREAMS = sorted(p for p in (VERTEX_EXAMPLES / "stream").glob("*.sse") if not p.name.startswith(("malformed", "error")))
ANSWERS = sorted(
    p for p in (VERTEX_EXAMPLES / "generate").glob("*.response.json") if not p.name.startswith(("count-tokens", "malformed"))
)


def stream(events: list[dict[str, Any]], *, include_usage: bool = True) -> list[dict[str, Any]]:
    """Translate events as the view does, checking every chunk and the stream's invariants."""
    translator = ChunkTranslator(completion_id=COMPLETION_ID, created=CREATED, model=MODEL, include_usage=include_usage)
    chunks = [chunk for event in events for chunk in translator.feed(event)]
    chunks += translator.finish()
    check_stream(chunks, include_usage=include_usage)
    assert {(c["id"], c["created"], c["model"]) for c in chunks} == {(COMPLETION_ID, CREATED, MODEL)}
    return chunks


def whole(resp: dict[str, Any]) -> dict[str, Any]:
    out = to_chat_completion(resp, completion_id=COMPLETION_ID, created=CREATED, model=MODEL)
    assert_chat_completion(out)
    return out


def deltas(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [choice["delta"] for chunk in chunks for choice in chunk["choices"]]


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.name)
def test_every_example_stream_accumulates_to_the_whole_translation(path: Path):
    events = read_sse(path)
    before = copy.deepcopy(events)
    chunks = stream(events)
    assert events == before, "the translation must not change its input"
    assert accumulate(chunks) == comparable(whole(merge_events(events)))


@pytest.mark.parametrize("path", ANSWERS, ids=lambda p: p.name)
def test_every_example_answer_streamed_in_pieces_accumulates_to_its_whole_translation(path: Path):
    resp = read_json(path)
    assert accumulate(stream(split_response(resp))) == comparable(whole(resp))


@pytest.mark.parametrize("path", STREAMS + [VERTEX_EXAMPLES / "stream" / "function-call.parallel.gemini-2.5.sse"], ids=lambda p: p.name)
def test_the_openai_sdk_accumulates_the_same_message(path: Path):
    events = read_sse(path)
    state = ChatCompletionStreamState()
    for chunk in stream(events):
        state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
    final = state.current_completion_snapshot.model_dump(exclude_unset=True)
    expected = whole(merge_events(events))
    for got, want in zip(final["choices"], expected["choices"], strict=True):
        assert got["finish_reason"] == want["finish_reason"]
        for key in ("content", "refusal", "reasoning_content"):
            assert got["message"].get(key) == want["message"].get(key)
        calls = [{k: c[k] for k in ("id", "type", "function")} for c in got["message"].get("tool_calls") or []]
        want_calls = [{k: c[k] for k in ("id", "type", "function")} for c in want["message"].get("tool_calls", [])]
        assert [{**c, "function": {k: c["function"][k] for k in ("name", "arguments")}} for c in calls] == want_calls
    assert final["usage"] == expected["usage"]


def test_text_stream_chunks():
    chunks = stream(read_sse(VERTEX_EXAMPLES / "stream" / "text.gemini-2.5.sse"))
    assert deltas(chunks) == [{"role": "assistant", "content": "1"}, {"content": ", 2, "}, {"content": "3, 4, 5"}, {}]
    assert [c["finish_reason"] for chunk in chunks for c in chunk["choices"]] == [None, None, None, "stop"]
    assert chunks[-1]["usage"]["total_tokens"] == 24


def test_thoughts_stream_as_reasoning_content_before_content():
    chunks = stream(read_sse(VERTEX_EXAMPLES / "stream" / "thoughts-then-text.gemini-3.sse"))
    kinds = [next(k for k in ("reasoning_content", "content") if k in d) for d in deltas(chunks)[:-1]]
    assert kinds == ["reasoning_content", "content", "content"]


@pytest.mark.parametrize("name", ["function-call.parallel.gemini-3.sse", "function-call.parallel.gemini-2.5.sse"])
def test_parallel_calls_each_get_their_own_index_and_whole_arguments(name):
    chunks = stream(read_sse(VERTEX_EXAMPLES / "stream" / name))
    calls = [call for d in deltas(chunks) for call in d.get("tool_calls", [])]
    assert [call["index"] for call in calls] == [0, 1]
    assert [call["function"]["arguments"] for call in calls] == ['{"city":"Paris"}', '{"city":"Tokyo"}']
    assert all(call["type"] == "function" and call["id"] and call["function"]["name"] == "get_weather" for call in calls)
    assert all(len(d.get("tool_calls", [])) <= 1 for d in deltas(chunks))
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_gemini_3_signs_only_the_first_parallel_call():
    chunks = stream(read_sse(VERTEX_EXAMPLES / "stream" / "function-call.parallel.gemini-3.sse"))
    first, second = [call for d in deltas(chunks) for call in d.get("tool_calls", [])]
    assert first["extra_content"]["google"]["thought_signature"].startswith("AY89a1")
    assert "__thought__" in first["id"]
    assert "extra_content" not in second and second["id"] == "call_463649"


def test_stream_ids_match_the_whole_translation_ids():
    resp = read_json(VERTEX_EXAMPLES / "generate" / "function-call.parallel.gemini-2.5.response.json")
    streamed = [c["id"] for d in deltas(stream(split_response(resp))) for c in d.get("tool_calls", [])]
    assert streamed == [c["id"] for c in whole(resp)["choices"][0]["message"]["tool_calls"]]
    assert streamed == [f"call_{COMPLETION_ID[-24:]}_0", f"call_{COMPLETION_ID[-24:]}_1"]


def test_blocked_prompt_streams_a_refusal_and_content_filter():
    chunks = stream(read_sse(VERTEX_EXAMPLES / "stream" / "blocked-prompt.sse"))
    assert deltas(chunks)[0] == {
        "role": "assistant",
        "content": "",
        "refusal": "The prompt was blocked by Vertex AI (PROHIBITED_CONTENT): The prompt is blocked due to prohibited contents.",
    }
    assert chunks[1]["choices"][0]["finish_reason"] == "content_filter"
    assert chunks[2]["usage"]["prompt_tokens"] == 9


def test_filtered_candidate_streams_refusal_before_its_finish():
    chunks = stream(read_sse(VERTEX_EXAMPLES / "stream" / "candidate-safety.sse"))
    assert deltas(chunks)[1] == {"refusal": "The answer was blocked by Vertex AI safety filters (SAFETY)."}
    assert chunks[2]["choices"][0]["finish_reason"] == "content_filter"


@pytest.mark.parametrize(
    "event",
    [
        {"usageMetadata": {"trafficType": "ON_DEMAND"}},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}}]},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "", "thoughtSignature": "AY89"}]}}]},
        {"candidates": [{"content": {"role": "model"}}]},
        {"promptFeedback": {"safetyRatings": []}},
    ],
)
def test_events_without_anything_to_say_give_no_chunk(event):
    translator = ChunkTranslator(completion_id=COMPLETION_ID, created=CREATED, model=MODEL, include_usage=True)
    assert translator.feed(event) == []


def test_usage_comes_from_the_last_event_with_counts_and_only_when_asked():
    events = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "a"}]}, "finishReason": "STOP"}], "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 1, "totalTokenCount": 3}},
        {"usageMetadata": {"trafficType": "ON_DEMAND"}},
    ]
    assert stream(events)[-1]["usage"]["total_tokens"] == 3
    assert all("usage" not in chunk for chunk in stream(events, include_usage=False))


def test_two_candidates_stream_with_their_own_indices_and_finishes():
    events = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "A1"}]}}, {"index": 1, "content": {"role": "model", "parts": [{"text": "B1"}]}}]},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "A2"}]}, "finishReason": "STOP"}, {"index": 1, "content": {"role": "model", "parts": [{"functionCall": {"name": "f"}}]}}]},
        {"candidates": [{"index": 1, "finishReason": "STOP"}]},
    ]
    chunks = stream(events)
    finishes = [(c["index"], c["finish_reason"]) for chunk in chunks for c in chunk["choices"] if c["finish_reason"]]
    assert finishes == [(0, "stop"), (1, "tool_calls")]
    assert accumulate(chunks) == comparable(whole(merge_events(events)))


def test_a_stream_ending_without_a_finish_reason_is_closed_by_finish():
    chunks = stream([{"candidates": [{"content": {"role": "model", "parts": [{"text": "cut"}]}}]}])
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"


def test_a_stream_of_thoughts_only_ends_with_empty_content():
    events = [{"candidates": [{"content": {"role": "model", "parts": [{"text": "hmm", "thought": True}]}, "finishReason": "MAX_TOKENS"}]}]
    chunks = stream(events)
    assert deltas(chunks) == [{"role": "assistant", "reasoning_content": "hmm"}, {"content": ""}, {}]


def test_events_for_a_finished_choice_are_ignored():
    events = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "done"}]}, "finishReason": "STOP"}]},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "late"}]}}]},
    ]
    assert accumulate(stream(events))["choices"][0]["message"]["content"] == "done"


def test_logprobs_ride_on_the_chunk_of_their_event():
    result = {"chosenCandidates": [{"token": "Hi", "logProbability": -0.5}], "topCandidates": [{"candidates": [{"token": "Hi", "logProbability": -0.5}]}]}
    events = [{"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}, "logprobsResult": result, "finishReason": "STOP"}]}]
    chunks = stream(events)
    assert chunks[0]["choices"][0]["logprobs"]["content"][0]["token"] == "Hi"
    assert all(chunk["choices"][0]["logprobs"] is None for chunk in chunks[1:-1])


@pytest.mark.parametrize("name", ["malformed-function-call.sse"])
def test_malformed_function_call_raises_from_feed(name):
    translator = ChunkTranslator(completion_id=COMPLETION_ID, created=CREATED, model=MODEL, include_usage=False)
    with pytest.raises(ModelFunctionCallError) as caught:
        for event in read_sse(VERTEX_EXAMPLES / "stream" / name):
            translator.feed(event)
    assert caught.value.code == "malformed_function_call"
    assert_error(caught.value.to_body())


def test_a_stream_with_no_candidates_at_all_is_an_upstream_error():
    translator = ChunkTranslator(completion_id=COMPLETION_ID, created=CREATED, model=MODEL, include_usage=True)
    assert translator.feed({"usageMetadata": {"trafficType": "ON_DEMAND"}}) == []
    with pytest.raises(UpstreamError) as caught:
        translator.finish()
    assert caught.value.status == 502
    assert_error(caught.value.to_body())


def test_events_before_a_mid_stream_error_translate_normally():
    events = read_sse(VERTEX_EXAMPLES / "stream" / "error-mid-stream.sse")
    before_error = events[: next(i for i, event in enumerate(events) if "error" in event)]
    chunks = stream(before_error)
    assert accumulate(chunks)["choices"][0]["message"]["content"] == "Here is the first part of the answer"


def test_the_json_array_framing_without_alt_sse_translates_the_same():
    events = read_json(VERTEX_EXAMPLES / "stream" / "no-alt-sse.json-array.json")
    chunks = stream(events)
    assert accumulate(chunks) == comparable(whole(merge_events(events)))
    assert accumulate(chunks)["choices"][0]["message"]["content"] == "Hello there! How can I help you today?\n"
