"""Whole Vertex answers → OpenAI chat.completion (adapter.translate.response)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapter.errors import UpstreamError
from adapter.translate.candidates import FINISH_REASONS, ModelFunctionCallError
from adapter.translate.response import to_chat_completion
from adapter.translate.signatures import split_tool_call_id
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import VERTEX_EXAMPLES, read_json

COMPLETION_ID = "chatcmpl-0123456789abcdef0123456789abcdef"
TAIL = COMPLETION_ID[-24:]
SIG = "AY89a1/IycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T1+Q=="
GENERATE = VERTEX_EXAMPLES / "generate"
RESPONSES = sorted(p for p in GENERATE.glob("*.response.json") if not p.name.startswith(("count-tokens", "malformed")))


def whole(resp: dict[str, Any], model: str = "gemini-2.5-flash") -> dict[str, Any]:
    out = to_chat_completion(resp, completion_id=COMPLETION_ID, created=1700000000, model=model)
    assert_chat_completion(out)
    return out


def one(parts: list[dict[str, Any]] | None, **candidate: Any) -> dict[str, Any]:
    """A one-candidate answer with ``parts`` (None: no content at all)."""
    if parts is not None:
        candidate["content"] = {"role": "model", "parts": parts}
    candidate.setdefault("finishReason", "STOP")
    return {"candidates": [candidate], "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5}}


def message(resp: dict[str, Any]) -> dict[str, Any]:
    return whole(resp)["choices"][0]["message"]


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_every_example_answer_translates_to_a_valid_completion(path):
    resp = read_json(path)
    before = copy.deepcopy(resp)
    out = to_chat_completion(resp, completion_id=COMPLETION_ID, created=7, model="my-model")
    assert_chat_completion(out)
    assert (out["id"], out["object"], out["created"], out["model"]) == (COMPLETION_ID, "chat.completion", 7, "my-model")
    assert resp == before, "the translation must not change its input"


@pytest.mark.parametrize(
    "name, finish, content_start, reasoning_start, calls",
    [
        ("text.small.response.json", "stop", "Red, Blue", None, 0),
        ("structured-output.response.json", "stop", '["red","yellow","blue"]', None, 0),
        ("thoughts.gemini-2.5.response.json", "stop", "The sky is blue", "**Explaining Sky's Hue**", 0),
        ("thoughts.gemini-3.response.json", "stop", "No, 391 is not prime", "**Testing Divisibility**", 0),
        ("gemini-3.text-signature.response.json", "stop", "To read a JSON file", None, 0),
        ("max-tokens.response.json", "length", "The fog rolled in", None, 0),
        ("max-tokens.thinking-exhausted.response.json", "length", "", None, 0),
        ("function-call.single.gemini-2.5.response.json", "tool_calls", None, None, 1),
        ("function-call.parallel.gemini-3.response.json", "tool_calls", None, None, 2),
        ("blocked.candidate-safety.response.json", "content_filter", "", None, 0),
        ("blocked.prompt-safety.response.json", "content_filter", "", None, 0),
    ],
)
def test_example_answers_map_to_the_expected_message(name, finish, content_start, reasoning_start, calls):
    choice = whole(read_json(GENERATE / name))["choices"][0]
    msg = choice["message"]
    assert choice["finish_reason"] == finish
    assert choice["logprobs"] is None
    if content_start is None:
        assert msg["content"] is None
    else:
        assert msg["content"].startswith(content_start)
    if reasoning_start is None:
        assert "reasoning_content" not in msg
    else:
        assert msg["reasoning_content"].startswith(reasoning_start)
        assert reasoning_start not in msg["content"]
    assert len(msg.get("tool_calls", [])) == calls


@pytest.mark.parametrize(
    "vertex, openai",
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("BLOCKLIST", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("SPII", "content_filter"),
        ("IMAGE_SAFETY", "content_filter"),
        ("IMAGE_PROHIBITED_CONTENT", "content_filter"),
        ("IMAGE_RECITATION", "content_filter"),
        ("MODEL_ARMOR", "content_filter"),
        ("OTHER", "stop"),
        ("FINISH_REASON_UNSPECIFIED", "stop"),
        ("LANGUAGE", "stop"),
        ("NO_IMAGE", "stop"),
        ("IMAGE_OTHER", "stop"),
        ("TOO_MANY_TOOL_CALLS", "stop"),
        ("MALFORMED_RESPONSE", "stop"),
        ("CONTINUATION", "stop"),
    ],
)
def test_finish_reasons(vertex, openai):
    choice = whole(one([{"text": "hi"}], finishReason=vertex))["choices"][0]
    assert choice["finish_reason"] == openai
    assert FINISH_REASONS.get(vertex, "stop") == openai


@pytest.mark.parametrize("vertex", ["STOP", "MAX_TOKENS", "OTHER"])
def test_a_choice_holding_a_call_finishes_with_tool_calls(vertex):
    resp = one([{"text": "Checking."}, {"functionCall": {"name": "f", "args": {}}}], finishReason=vertex)
    choice = whole(resp)["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Checking."


@pytest.mark.parametrize(
    "reason, code, fixture_message",
    [
        ("MALFORMED_FUNCTION_CALL", "malformed_function_call", None),
        ("MALFORMED_FUNCTION_CALL", "malformed_function_call", "Malformed function call: print(x("),
        ("UNEXPECTED_TOOL_CALL", "unexpected_tool_call", None),
    ],
)
def test_unusable_function_calls_are_errors_not_empty_answers(reason, code, fixture_message):
    candidate: dict[str, Any] = {"finishReason": reason}
    if fixture_message:
        candidate["finishMessage"] = fixture_message
    with pytest.raises(ModelFunctionCallError) as caught:
        to_chat_completion({"candidates": [candidate]}, completion_id=COMPLETION_ID, created=1, model="m")
    error = caught.value
    assert isinstance(error, UpstreamError)
    assert (error.status, error.error_type, error.code) == (502, "api_error", code)
    assert reason in error.message
    if fixture_message:
        assert fixture_message in error.message
    assert_error(error.to_body())


@pytest.mark.parametrize("name", ["malformed-function-call.response.json", "malformed-function-call.with-message.response.json"])
def test_malformed_call_examples_raise(name):
    with pytest.raises(ModelFunctionCallError, match="MALFORMED_FUNCTION_CALL"):
        to_chat_completion(read_json(GENERATE / name), completion_id=COMPLETION_ID, created=1, model="m")


@pytest.mark.parametrize(
    "parts, content",
    [
        (None, ""),
        ([], ""),
        ([{"text": ""}], ""),
        ([{"text": "", "thoughtSignature": SIG}], ""),
        ([{"text": "a"}, {"text": "", "thoughtSignature": SIG}, {"text": "b"}], "ab"),
        ([{"text": "visible", "thoughtSignature": SIG}], "visible"),
        ([{"text": "thinking", "thought": True}], ""),
        ([{"functionCall": {"name": "f"}}], None),
        ([{"text": "hm", "thought": True}, {"functionCall": {"name": "f"}}], None),
        ([{"functionCall": {"name": "f"}}, {"text": "after"}], "after"),
    ],
)
def test_content_is_null_only_for_tool_calls_without_text(parts, content):
    msg = message(one(parts))
    assert msg["content"] == content
    assert msg["refusal"] is None


def test_a_candidate_with_only_a_role_is_an_empty_answer():
    resp = {"candidates": [{"content": {"role": "model"}, "finishReason": "STOP"}]}
    out = whole(resp)
    assert out["choices"][0]["message"]["content"] == ""
    assert out["usage"]["total_tokens"] == 0


def test_thoughts_go_to_reasoning_content_only():
    msg = message(one([{"text": "plan ", "thought": True}, {"text": "more", "thought": True}, {"text": "answer"}]))
    assert msg["reasoning_content"] == "plan more"
    assert msg["content"] == "answer"


def test_tool_calls_keep_order_ids_arguments_and_signatures():
    parts = [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}, "thoughtSignature": SIG},
        {"functionCall": {"name": "get_weather", "args": {"city": "東京", "days": [1, 2]}, "id": "call_2"}},
        {"functionCall": {"name": "now"}},
    ]
    calls = message(one(parts))["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "get_weather", "now"]
    assert [c["function"]["arguments"] for c in calls] == ['{"city":"Paris"}', '{"city":"東京","days":[1,2]}', "{}"]
    assert all(c["type"] == "function" for c in calls)
    assert split_tool_call_id(calls[0]["id"]) == ("call_1", SIG)
    assert calls[0]["extra_content"] == {"google": {"thought_signature": SIG}}
    assert calls[1]["id"] == "call_2" and "extra_content" not in calls[1]
    assert calls[2]["id"] == f"call_{TAIL}_2"


def test_derived_ids_are_deterministic_and_unique_across_choices():
    call = {"functionCall": {"name": "f", "args": {}}}
    resp = {
        "candidates": [
            {"index": 0, "content": {"role": "model", "parts": [call, call]}, "finishReason": "STOP"},
            {"index": 1, "content": {"role": "model", "parts": [call, call]}, "finishReason": "STOP"},
        ]
    }
    first = whole(resp)
    ids = [c["id"] for choice in first["choices"] for c in choice["message"]["tool_calls"]]
    assert ids == [f"call_{TAIL}_0", f"call_{TAIL}_1", f"call_{TAIL}_1_0", f"call_{TAIL}_1_1"]
    assert whole(resp) == first


def test_one_choice_per_candidate_with_its_index():
    resp = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "zero"}]}, "finishReason": "STOP"},
            {"index": 1, "content": {"role": "model", "parts": [{"text": "one"}]}, "finishReason": "MAX_TOKENS"},
        ]
    }
    choices = whole(resp)["choices"]
    assert [(c["index"], c["message"]["content"], c["finish_reason"]) for c in choices] == [(0, "zero", "stop"), (1, "one", "length")]


@pytest.mark.parametrize(
    "parts, content",
    [
        ([{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}], "![image](data:image/png;base64,iVBORw0KGgo=)"),
        (
            [{"text": "Here it is:"}, {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}}],
            "Here it is:\n\n![image](data:image/jpeg;base64,/9j/4AAQ)",
        ),
        (
            [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}, {"text": "A cat."}],
            "![image](data:image/png;base64,iVBORw0KGgo=)\n\nA cat.",
        ),
        ([{"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}}], ""),
        ([{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}, "thought": True}], ""),
    ],
)
def test_generated_images_become_markdown_data_urls(parts, content):
    assert message(one(parts))["content"] == content


@pytest.mark.parametrize(
    "reason, finish_message, refusal",
    [
        ("SAFETY", None, "The answer was blocked by Vertex AI safety filters (SAFETY)."),
        ("RECITATION", None, "The answer was blocked by Vertex AI recitation check (RECITATION)."),
        ("SPII", "Contains a phone number", "The answer was blocked by Vertex AI personal-information (SPII) filter (SPII): Contains a phone number"),
        ("MODEL_ARMOR", None, "The answer was blocked by Vertex AI Model Armor (MODEL_ARMOR)."),
    ],
)
def test_filtered_answers_explain_themselves_in_refusal(reason, finish_message, refusal):
    candidate = {"finishReason": reason, **({"finishMessage": finish_message} if finish_message else {})}
    choice = whole(one(None, **candidate))["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "", "refusal": refusal}
    assert choice["finish_reason"] == "content_filter"


def test_partial_text_stays_when_the_answer_is_filtered():
    msg = message(one([{"text": "Sure. The first step is"}], finishReason="SAFETY"))
    assert msg["content"] == "Sure. The first step is"
    assert "SAFETY" in msg["refusal"]


@pytest.mark.parametrize(
    "name, refusal",
    [
        (
            "blocked.prompt-model-armor.response.json",
            "The prompt was blocked by Vertex AI (MODEL_ARMOR): Blocked by Model Armor Floor Setting:",
        ),
        ("blocked.prompt-safety.response.json", "The prompt was blocked by Vertex AI (SAFETY): The prompt could not be submitted."),
    ],
)
def test_blocked_prompts_are_reported_as_content_filter_with_the_reason(name, refusal):
    out = whole(read_json(GENERATE / name))
    [choice] = out["choices"]
    assert choice["finish_reason"] == "content_filter"
    assert choice["message"]["content"] == ""
    assert choice["message"]["refusal"].startswith(refusal)


def test_blocked_prompt_without_a_message():
    out = whole({"promptFeedback": {"blockReason": "JAILBREAK"}, "usageMetadata": {"trafficType": "ON_DEMAND"}})
    assert out["choices"][0]["message"]["refusal"] == "The prompt was blocked by Vertex AI (JAILBREAK)."
    assert out["usage"] == {
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


@pytest.mark.parametrize("resp", [{}, {"usageMetadata": {"trafficType": "ON_DEMAND"}}, {"candidates": [], "promptFeedback": {}}])
def test_an_answer_with_nothing_in_it_is_an_upstream_error(resp):
    with pytest.raises(UpstreamError) as caught:
        to_chat_completion(resp, completion_id=COMPLETION_ID, created=1, model="m")
    assert caught.value.status == 502
    assert_error(caught.value.to_body())


@pytest.mark.parametrize(
    "meta, usage",
    [
        ({}, (0, 0, 0, 0, 0)),
        ({"promptTokenCount": 7, "candidatesTokenCount": 158, "totalTokenCount": 877, "thoughtsTokenCount": 712}, (7, 870, 877, 712, 0)),
        ({"promptTokenCount": 10, "toolUsePromptTokenCount": 5, "candidatesTokenCount": 2, "totalTokenCount": 17}, (15, 2, 17, 0, 0)),
        ({"promptTokenCount": 100, "cachedContentTokenCount": 64, "candidatesTokenCount": 1, "totalTokenCount": 101}, (100, 1, 101, 0, 64)),
        ({"promptTokenCount": 4, "candidatesTokenCount": 3}, (4, 3, 7, 0, 0)),
    ],
)
def test_usage(meta, usage):
    resp = {**one([{"text": "x"}]), "usageMetadata": meta}
    got = whole(resp)["usage"]
    assert (
        got["prompt_tokens"],
        got["completion_tokens"],
        got["total_tokens"],
        got["completion_tokens_details"]["reasoning_tokens"],
        got["prompt_tokens_details"]["cached_tokens"],
    ) == usage


def test_logprobs():
    result = {
        "chosenCandidates": [{"token": "Hé", "logProbability": -0.25, "tokenId": 1}, {"token": "!", "logProbability": -1.5}],
        "topCandidates": [
            {"candidates": [{"token": "Hé", "logProbability": -0.25}, {"token": "Hi", "logProbability": -2.0}]},
            {"candidates": [{"token": "!", "logProbability": -1.5}]},
        ],
    }
    choice = whole(one([{"text": "Hé!"}], logprobsResult=result))["choices"][0]
    assert choice["logprobs"] == {
        "content": [
            {
                "token": "Hé",
                "logprob": -0.25,
                "bytes": [72, 195, 169],
                "top_logprobs": [
                    {"token": "Hé", "logprob": -0.25, "bytes": [72, 195, 169]},
                    {"token": "Hi", "logprob": -2.0, "bytes": [72, 105]},
                ],
            },
            {"token": "!", "logprob": -1.5, "bytes": [33], "top_logprobs": [{"token": "!", "logprob": -1.5, "bytes": [33]}]},
        ],
        "refusal": None,
    }


def test_logprobs_without_top_candidates():
    result = {"chosenCandidates": [{"token": "a", "logProbability": -0.1}]}
    choice = whole(one([{"text": "a"}], logprobsResult=result))["choices"][0]
    assert choice["logprobs"]["content"] == [{"token": "a", "logprob": -0.1, "bytes": [97], "top_logprobs": []}]
