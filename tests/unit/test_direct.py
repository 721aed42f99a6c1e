"""OpenAI direct mode (the -openai variant): request shaping, <think> splitting, response completion."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.translate.direct import (
    HARM_CATEGORIES,
    DirectChunkTranslator,
    direct_response,
    plan_direct_request,
)
from adapter.translate.signatures import join_tool_call_id
from adapter.translate.thought_tags import ThoughtTagSplitter
from tests.support.openai_schema import assert_chat_completion, assert_chunk
from tests.support.streams import VERTEX_EXAMPLES, accumulate, check_stream, read_json, read_sse

COMPAT = VERTEX_EXAMPLES / "openai-compat"
CAPS = load_capabilities()
SIG = "AY89a19eCdKurFEZ2PceOgYiyMwbMm8TLwl8DZzdn3Ie0nS/ZbkvknSZpfyQAGrkATnFm+UEFu0E3u1mq2ibcTRDR+OeTI1lJHgtGpX6GDlhcIixdZ20"
HELLO = [{"role": "user", "content": "Hi"}]


def direct(req: dict[str, Any], name: str = "gemini-2.5-flash-openai", threshold: str = "OFF") -> dict[str, Any]:
    route = parse_model_name(name)
    before = copy.deepcopy(req)
    body, _ = plan_direct_request(req, route, CAPS.lookup(route.base), safety_threshold=threshold)
    assert req == before, "the request must not be changed"
    return body


def google(body: dict[str, Any]) -> dict[str, Any]:
    return body["extra_body"]["google"]


# --- request -------------------------------------------------------------------------------


def test_request_goes_nearly_as_is_with_google_options():
    req = {"model": "gemini-2.5-flash-openai", "messages": HELLO, "temperature": 0.2, "max_tokens": 64, "stream": True, "stream_options": {"include_usage": True}}
    body = direct(req, threshold="BLOCK_ONLY_HIGH")
    assert body == {
        **req,
        "model": "google/gemini-2.5-flash",
        "extra_body": {
            "google": {
                "safety_settings": [{"category": c, "threshold": "BLOCK_ONLY_HIGH"} for c in HARM_CATEGORIES],
                "thought_tag_marker": "think",
                "thinking_config": {"include_thoughts": True},
            }
        },
    }


@pytest.mark.parametrize(
    "extra",
    [
        {"google": {"thinking_config": {"thinking_budget": 512}, "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]}},
        {"extra_body": {"google": {"thinking_config": {"thinking_budget": 512}, "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]}}},
    ],
)
def test_client_google_options_are_merged_and_win(extra):
    options = google(direct({"model": "x", "messages": HELLO, **extra}))
    assert options["safety_settings"] == [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    assert options["thinking_config"] == {"thinking_budget": 512, "include_thoughts": True}
    assert options["thought_tag_marker"] == "think"


def test_extra_body_thinking_config_and_a_foreign_tag_marker():
    req = {"model": "x", "messages": HELLO, "extra_body": {"thinking_config": {"include_thoughts": False}}, "google": {"thought_tag_marker": "thought"}}
    body, notes = plan_direct_request(req, parse_model_name("gemini-2.5-flash-openai"), CAPS.lookup("gemini-2.5-flash"), safety_threshold="OFF")
    assert google(body)["thinking_config"] == {"include_thoughts": False}
    assert google(body)["thought_tag_marker"] == "think"
    assert "google" not in body
    assert any("thought_tag_marker" in note for note in notes)


@pytest.mark.parametrize(
    "name, thinking",
    [
        ("gemini-2.5-flash-nothinking-openai", {"thinking_budget": 0}),
        ("gemini-2.5-flash-max-openai", {"thinking_budget": 24576, "include_thoughts": True}),
        ("gemini-2.5-pro-nothinking-openai", {"thinking_budget": 128, "include_thoughts": True}),
        ("gemini-2.5-pro-max-openai", {"thinking_budget": 32768, "include_thoughts": True}),
        ("gemini-3-flash-preview-nothinking-openai", {"thinking_level": "minimal", "include_thoughts": True}),
        ("gemini-3-pro-preview-nothinking-openai", {"thinking_level": "low", "include_thoughts": True}),
        ("gemini-3-pro-preview-max-openai", {"thinking_level": "high", "include_thoughts": True}),
    ],
)
def test_thinking_variants_set_thinking_config_and_replace_reasoning_effort(name, thinking):
    req = {"model": name, "messages": HELLO, "reasoning_effort": "low", "google": {"thinking_config": {"thinking_budget": 7, "thinking_level": "high"}}}
    body = direct(req, name)
    assert google(body)["thinking_config"] == thinking
    assert "reasoning_effort" not in body


def test_a_thinking_variant_on_a_model_without_thinking_is_refused():
    with pytest.raises(InvalidRequest) as caught:
        direct({"model": "x", "messages": HELLO}, "gemini-2.0-flash-nothinking-openai")
    assert caught.value.param == "model"


@pytest.mark.parametrize(
    "name, thinking, note",
    [
        ("gemini-2.5-flash-openai", {"thinking_budget": 0}, "reasoning_effort 'none' sent as thinking_budget 0"),
        ("gemini-2.5-pro-openai", {"include_thoughts": True}, "reasoning_effort 'none' dropped: gemini-2.5-pro cannot turn thinking off"),
        ("gemini-3-flash-preview-openai", {"include_thoughts": True}, "reasoning_effort 'none' dropped: gemini-3-flash-preview cannot turn thinking off"),
    ],
)
def test_reasoning_effort_none_which_vertex_refuses_is_rewritten(name, thinking, note):
    route = parse_model_name(name)
    body, notes = plan_direct_request({"model": name, "messages": HELLO, "reasoning_effort": "none"}, route, CAPS.lookup(route.base), safety_threshold="OFF")
    assert "reasoning_effort" not in body
    assert google(body)["thinking_config"] == thinking
    assert notes == [note]


@pytest.mark.parametrize(
    "name, effort, thinking, note",
    [
        ("gemini-2.5-flash-openai", "xhigh", {"thinking_budget": 24576, "include_thoughts": True}, "reasoning_effort 'xhigh' sent as thinking_budget 24576"),
        ("gemini-2.5-pro-openai", "xhigh", {"thinking_budget": 32768, "include_thoughts": True}, "reasoning_effort 'xhigh' sent as thinking_budget 32768"),
        ("gemini-2.5-pro-openai", "max", {"thinking_budget": 32768, "include_thoughts": True}, "reasoning_effort 'max' sent as thinking_budget 32768"),
        ("gemini-3-flash-preview-openai", "xhigh", {"thinking_level": "high", "include_thoughts": True}, "reasoning_effort 'xhigh' sent as thinking_level high"),
        ("gemini-3-pro-preview-openai", "max", {"thinking_level": "high", "include_thoughts": True}, "reasoning_effort 'max' sent as thinking_level high"),
        ("gemini-2.0-flash-001-openai", "max", {}, "reasoning_effort 'max' dropped: gemini-2.0-flash-001 has no thinking control"),
    ],
)
def test_efforts_above_high_which_vertex_refuses_become_a_thinking_amount(name, effort, thinking, note):
    route = parse_model_name(name)
    body, notes = plan_direct_request({"model": name, "messages": HELLO, "reasoning_effort": effort}, route, CAPS.lookup(route.base), safety_threshold="OFF")
    assert "reasoning_effort" not in body
    assert google(body).get("thinking_config", {}) == thinking
    assert notes == [note]


def test_an_explicit_thinking_amount_wins_over_an_effort_vertex_refuses():
    req = {"model": "x", "messages": HELLO, "reasoning_effort": "max", "google": {"thinking_config": {"thinking_budget": 512}}}
    body, notes = plan_direct_request(req, parse_model_name("gemini-2.5-flash-openai"), CAPS.lookup("gemini-2.5-flash"), safety_threshold="OFF")
    assert "reasoning_effort" not in body
    assert google(body)["thinking_config"] == {"thinking_budget": 512, "include_thoughts": True}
    assert notes == ["reasoning_effort 'max' dropped: thinking_config is given"]


@pytest.mark.parametrize("effort", ["minimal", "low", "medium", "high"])
def test_other_reasoning_efforts_pass_through(effort):
    assert direct({"model": "x", "messages": HELLO, "reasoning_effort": effort})["reasoning_effort"] == effort


def test_openai_platform_only_keys_are_dropped_with_notes():
    req = {"model": "x", "messages": HELLO, "store": True, "metadata": {"a": "b"}, "service_tier": "auto", "user": "u1"}
    body, notes = plan_direct_request(req, parse_model_name("gemini-2.5-flash-openai"), CAPS.lookup("gemini-2.5-flash"), safety_threshold="OFF")
    assert not {"store", "metadata", "service_tier"} & body.keys()
    assert body["user"] == "u1"
    assert len(notes) == 3


def test_history_signatures_in_ids_go_back_to_extra_content_and_reasoning_is_not_sent():
    signed_id = join_tool_call_id("call_463646", SIG)
    messages = [
        {"role": "user", "content": "Weather in Paris and in Tokyo?"},
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "I should call the tool.",
            "tool_calls": [
                {"id": signed_id, "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}},
                {"id": "call_463649", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Tokyo"}'}},
            ],
        },
        {"role": "tool", "tool_call_id": signed_id, "content": "18C, clear"},
        {"role": "tool", "tool_call_id": "call_463649", "content": "21C, rain"},
    ]
    expected = read_json(COMPAT / "chat.tools.followup.request.json")["messages"]
    body = direct({"model": "gemini-3-flash-preview-openai", "messages": messages}, "gemini-3-flash-preview-openai")
    assert body["messages"] == expected


# --- <think> splitting ----------------------------------------------------------------------


def split_all(pieces: list[str]) -> tuple[str, str, list[tuple[str, str]]]:
    splitter = ThoughtTagSplitter()
    outputs = [splitter.feed(piece) for piece in pieces] + [splitter.flush()]
    return "".join(r for r, _ in outputs), "".join(c for _, c in outputs), outputs


@pytest.mark.parametrize(
    "pieces, reasoning, content",
    [
        (["<think>plan</think>answer"], "plan", "answer"),
        (["<thi", "nk>plan</th", "ink>answer"], "plan", "answer"),
        (["<", "t", "h", "i", "n", "k", ">", "p", "<", "/", "think", ">", "a"], "p", "a"),
        (["before <think>plan</think> after"], "plan", "before  after"),
        (["<think>a</think>x<think>b</think>y"], "ab", "xy"),
        (["<think>never closed"], "never closed", ""),
        (["<think>ends with </thi"], "ends with </thi", ""),
        (["no tags at all"], "", "no tags at all"),
        (["ends with <thi"], "", "ends with <thi"),
        (["a < b and c <= d"], "", "a < b and c <= d"),
        (["<b>bold</b>"], "", "<b>bold</b>"),
        (["<think></think>"], "", ""),
        (["</think>stray"], "", "</think>stray"),
    ],
)
def test_thought_tags_are_split_out(pieces, reasoning, content):
    got_reasoning, got_content, _ = split_all(pieces)
    assert (got_reasoning, got_content) == (reasoning, content)


def test_text_is_released_as_soon_as_it_cannot_be_a_tag():
    splitter = ThoughtTagSplitter()
    assert splitter.feed("Hello <t") == ("", "Hello ")
    assert splitter.feed("able>") == ("", "<table>")
    assert splitter.feed("<think>x") == ("x", "")


@settings(max_examples=200, deadline=None, database=None)
@given(
    parts=st.lists(st.sampled_from(["<think>", "</think>", "<", "think", ">", "/", "a", "é 😀", "<thi", "nk>", "\n"]), max_size=12),
    cuts=st.lists(st.integers(0, 60), max_size=6),
)
def test_any_split_of_the_text_gives_the_same_result(parts, cuts):
    text = "".join(parts)
    whole_reasoning, whole_content, _ = split_all([text])
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    pieces = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    reasoning, content, _ = split_all(pieces)
    assert (reasoning, content) == (whole_reasoning, whole_content)
    assert len(reasoning) + len(content) <= len(text)


# --- responses ------------------------------------------------------------------------------


def test_a_direct_answer_gets_its_reasoning_split_out_and_the_model_echoed():
    resp = read_json(COMPAT / "chat.response.json")
    out = direct_response(resp, model="gemini-2.5-flash-openai")
    assert_chat_completion(out)
    message = out["choices"][0]["message"]
    assert message["content"] == "No, 391 is not prime because it is divisible by 17 and 23."
    assert message["reasoning_content"].startswith("**Testing Divisibility**")
    assert message["refusal"] is None
    assert (out["id"], out["model"], out["usage"]) == (resp["id"], "gemini-2.5-flash-openai", resp["usage"])


def test_a_direct_tool_answer_keeps_signatures_in_both_places():
    out = direct_response(read_json(COMPAT / "chat.tools.response.json"), model="gemini-3-flash-preview-openai")
    assert_chat_completion(out)
    choice = out["choices"][0]
    first, second = choice["message"]["tool_calls"]
    assert first["id"] == join_tool_call_id("call_463646", SIG)
    assert first["extra_content"]["google"]["thought_signature"] == SIG
    assert second["id"] == "call_463649"
    assert choice["message"]["content"] is None
    assert choice["finish_reason"] == "tool_calls"


@pytest.mark.parametrize(
    "finish, expected",
    [("stop", "stop"), ("length", "length"), ("MAX_TOKENS", "length"), ("SAFETY", "content_filter"), (None, "stop"), ("weird", "stop")],
)
def test_direct_finish_reasons_are_openai_values(finish, expected):
    resp = {"id": "x", "created": 1, "object": "chat.completion", "model": "google/m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": finish}]}
    out = direct_response(resp, model="m")
    assert_chat_completion(out)
    assert out["choices"][0]["finish_reason"] == expected


def test_reasoning_content_vertex_sends_itself_is_kept_before_the_split_thoughts():
    resp = {"id": "x", "created": 1, "choices": [{"index": 0, "message": {"role": "assistant", "reasoning_content": "A. ", "content": "<think>B.</think>C"}, "finish_reason": "stop"}]}
    out = direct_response(resp, model="m")
    assert_chat_completion(out)
    assert (out["choices"][0]["message"]["reasoning_content"], out["choices"][0]["message"]["content"]) == ("A. B.", "C")
    assert out["object"] == "chat.completion"


def direct_stream(chunks: list[dict[str, Any]], *, include_usage: bool = False, model: str = "gemini-2.5-flash-openai") -> list[dict[str, Any]]:
    translator = DirectChunkTranslator(model=model, include_usage=include_usage)
    out = [chunk for upstream in chunks for chunk in translator.feed(upstream)] + translator.finish()
    check_stream(out, include_usage=include_usage)
    assert {chunk["model"] for chunk in out} == {model}
    return out


def test_a_direct_stream_splits_reasoning_and_agrees_with_the_whole_answer():
    upstream = read_sse(COMPAT / "chat.stream.sse")
    chunks = direct_stream(upstream, include_usage=True)
    assert {chunk["id"] for chunk in chunks} == {upstream[0]["id"]}
    got = accumulate(chunks)["choices"][0]
    want = direct_response(read_json(COMPAT / "chat.response.json"), model="m")["choices"][0]
    assert got["message"]["content"] == want["message"]["content"]
    assert got["message"]["reasoning_content"] == want["message"]["reasoning_content"]
    assert got["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["total_tokens"] == 518


def upstream_chunk(delta: dict[str, Any], finish: str | None = None, index: int = 0) -> dict[str, Any]:
    choice = {"delta": {"role": "assistant", **delta}, "finish_reason": finish, "index": index}
    return {"id": "vtx-1", "object": "chat.completion.chunk", "created": 5, "model": "google/gemini-2.5-flash", "choices": [choice]}


def test_split_tags_held_back_text_and_a_finish_without_content():
    chunks = direct_stream(
        [
            upstream_chunk({"content": "<thi"}),
            upstream_chunk({"content": "nk>plan</think>ans"}),
            upstream_chunk({"content": "wer <th"}),
            upstream_chunk({}, "stop"),
        ]
    )
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "reasoning_content": "plan", "content": "ans"},
        {"content": "wer "},
        {"content": "<th"},
        {},
    ]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_direct_usage_only_when_asked_for():
    upstream = read_sse(COMPAT / "chat.stream.sse")
    assert all("usage" not in chunk for chunk in direct_stream(upstream))


def test_an_unfinished_direct_stream_flushes_what_it_held():
    translator = DirectChunkTranslator(model="m")
    chunks = translator.feed(upstream_chunk({"content": "<think>still thinking</th"})) + translator.finish()
    for chunk in chunks:
        assert_chunk(chunk)
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "reasoning_content": "still thinking"},
        {"reasoning_content": "</th"},
    ]


def test_direct_stream_tool_calls_carry_the_signature_in_the_id():
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}, "extra_content": {"google": {"thought_signature": SIG}}}
    chunks = direct_stream([upstream_chunk({"tool_calls": [call]}), upstream_chunk({}, "tool_calls")])
    streamed = chunks[0]["choices"][0]["delta"]["tool_calls"][0]
    assert streamed["id"] == join_tool_call_id("call_1", SIG)
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
