"""Whole Vertex answers → Responses ``Response`` objects (adapter.translate.responses.response)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from adapter.errors import UpstreamError
from adapter.translate.candidates import ModelFunctionCallError
from adapter.translate.responses.head import response_head
from adapter.translate.responses.items_out import response_id_of_item
from adapter.translate.responses.output import OutputOptions
from adapter.translate.responses.response import to_response, translate_whole
from adapter.translate.signatures import split_tool_call_id
from tests.support.openai_schema import assert_valid
from tests.support.streams import VERTEX_EXAMPLES, read_json

RESPONSE_ID = "resp_0123456789abcdef0123456789abcdef"
GENERATE = VERTEX_EXAMPLES / "generate"
ANSWERS = sorted(p for p in GENERATE.glob("*.response.json") if not p.name.startswith(("count-tokens", "malformed")))
SIG = "AY89a1/IycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T1+Q=="
REQUEST = {
    "model": "gemini-3-flash-preview", "input": "Hi", "instructions": "Be brief.", "temperature": 0.2,
    "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}, {"type": "custom", "name": "apply_patch"}],
    "reasoning": {"effort": "low", "summary": "auto"}, "metadata": {"team": "a"}, "store": False,
}
HEAD = response_head(REQUEST, response_id=RESPONSE_ID, created_at=1700000000, model="gemini-3-flash-preview")


def whole(resp: dict[str, Any], **options: Any) -> dict[str, Any]:
    out = to_response(resp, HEAD, OutputOptions(custom_names=frozenset({"apply_patch"}), **options))
    assert_valid(out, "Response")
    return out


def answer(parts: list[dict[str, Any]], finish: str = "STOP", **candidate: Any) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, **candidate}],
        "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 5, "thoughtsTokenCount": 3,
                          "cachedContentTokenCount": 2, "totalTokenCount": 15},
    }


@pytest.mark.parametrize("path", ANSWERS, ids=lambda p: p.name)
def test_every_example_answer_translates_to_a_valid_response(path):
    resp = read_json(path)
    before = copy.deepcopy(resp)
    out = whole(resp, encrypted_reasoning=True)
    assert (out["id"], out["object"], out["created_at"]) == (RESPONSE_ID, "response", 1700000000)
    assert out["status"] in ("completed", "incomplete")
    assert resp == before, "translation must not change its input"
    ids = [item["id"] for item in out["output"]]
    assert len(set(ids)) == len(ids) and all(response_id_of_item(i) == RESPONSE_ID for i in ids)


def test_the_head_echoes_the_request() -> None:
    out = whole(answer([{"text": "Hello"}]))
    assert {key: out[key] for key in ("instructions", "temperature", "top_p", "store", "metadata", "tool_choice", "parallel_tool_calls")} == {
        "instructions": "Be brief.", "temperature": 0.2, "top_p": None, "store": False, "metadata": {"team": "a"},
        "tool_choice": "auto", "parallel_tool_calls": True,
    }
    assert out["tools"][0] == {"type": "function", "name": "get_weather", "description": None,
                               "parameters": {"type": "object"}, "strict": None}
    assert out["reasoning"] == {"effort": "low", "summary": "auto"}
    assert out["text"] == {"format": {"type": "text"}, "verbosity": "medium"}


def test_usage_counts_thoughts_as_output_and_reports_reasoning_and_cached_tokens() -> None:
    assert whole(answer([{"text": "Hello"}]))["usage"] == {
        "input_tokens": 7, "input_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 0},
        "output_tokens": 8, "output_tokens_details": {"reasoning_tokens": 3}, "total_tokens": 15,
    }


def test_usage_is_present_with_zeros_when_vertex_sends_none() -> None:
    resp = answer([{"text": "Hello"}])
    del resp["usageMetadata"]
    usage = whole(resp)["usage"]
    assert usage["output_tokens_details"] == {"reasoning_tokens": 0} and usage["total_tokens"] == 0


def test_items_follow_the_parts_in_order() -> None:
    out = whole(answer([
        {"text": "Thinking", "thought": True},
        {"text": " more", "thought": True},
        {"text": "Let me check."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": SIG},
        {"functionCall": {"name": "apply_patch", "args": {"input": "*** Begin Patch"}}},
    ]))
    tail = RESPONSE_ID[-24:]
    assert [(item["type"], item["id"]) for item in out["output"]] == [
        ("reasoning", "rs_0123456789abcdef0123456789abcdef_0"),
        ("message", "msg_0123456789abcdef0123456789abcdef_1"),
        ("function_call", "fc_0123456789abcdef0123456789abcdef_2"),
        ("custom_tool_call", "ctc_0123456789abcdef0123456789abcdef_3"),
    ]
    reasoning, message, call, custom = out["output"]
    assert reasoning["summary"] == [{"type": "summary_text", "text": "Thinking more"}]
    assert "encrypted_content" not in reasoning
    assert message["content"] == [{"type": "output_text", "text": "Let me check.", "annotations": [], "logprobs": []}]
    assert message["status"] == "completed"
    assert split_tool_call_id(call["call_id"]) == (f"call_{tail}_0", SIG)
    assert (call["name"], json.loads(call["arguments"]), call["status"]) == ("get_weather", {"city": "Paris"}, "completed")
    assert custom == {"id": custom["id"], "type": "custom_tool_call", "call_id": f"call_{tail}_1",
                      "name": "apply_patch", "input": "*** Begin Patch"}


def test_gemini_call_ids_are_kept() -> None:
    call = whole(answer([{"functionCall": {"id": "abc", "name": "get_weather", "args": {}}}]))["output"][0]
    assert call["call_id"] == "abc" and call["arguments"] == "{}"


@pytest.mark.parametrize(
    "finish, status, reason",
    [("STOP", "completed", None), ("MAX_TOKENS", "incomplete", "max_output_tokens"), ("SAFETY", "incomplete", "content_filter"),
     ("OTHER", "completed", None)],
)
def test_status_and_incomplete_details(finish: str, status: str, reason: str | None) -> None:
    out = whole(answer([{"text": "Part"}], finish))
    assert out["status"] == status
    assert out["incomplete_details"] == ({"reason": reason} if reason else None)


def test_a_content_filter_adds_a_refusal_part_to_the_message() -> None:
    content = whole(answer([{"text": "Partial"}], "SAFETY"))["output"][0]["content"]
    assert [part["type"] for part in content] == ["output_text", "refusal"]
    assert "safety filters (SAFETY)" in content[1]["refusal"]


def test_a_blocked_prompt_is_an_incomplete_response_with_a_refusal() -> None:
    out = whole(read_json(GENERATE / "blocked.prompt-safety.response.json"))
    assert (out["status"], out["incomplete_details"]) == ("incomplete", {"reason": "content_filter"})
    assert [part["type"] for part in out["output"][0]["content"]] == ["refusal"]


def test_grounding_becomes_url_citations_on_the_text() -> None:
    out = whole(read_json(GENERATE / "grounded.response.json"))
    part = out["output"][0]["content"][0]
    assert part["annotations"]
    for annotation in part["annotations"]:
        assert annotation["type"] == "url_citation"
        assert 0 <= annotation["start_index"] < annotation["end_index"] <= len(part["text"])


def test_logprobs_go_on_the_output_text() -> None:
    result = {"chosenCandidates": [{"token": "Hi", "logProbability": -0.5}],
              "topCandidates": [{"candidates": [{"token": "Hi", "logProbability": -0.5}, {"token": "Yo", "logProbability": -2.0}]}]}
    part = whole(answer([{"text": "Hi"}], logprobsResult=result))["output"][0]["content"][0]
    assert part["logprobs"] == [{"token": "Hi", "logprob": -0.5, "bytes": [72, 105], "top_logprobs": [
        {"token": "Hi", "logprob": -0.5, "bytes": [72, 105]}, {"token": "Yo", "logprob": -2.0, "bytes": [89, 111]}]}]


def test_encrypted_content_only_when_asked_and_only_ours() -> None:
    parts = [{"text": "Plan", "thought": True, "thoughtSignature": SIG}, {"text": "Done"}]
    assert "encrypted_content" not in whole(answer(parts))["output"][0]
    encrypted = whole(answer(parts), encrypted_reasoning=True)["output"][0]["encrypted_content"]
    assert encrypted.startswith("gemini-thought.v1:")
    unsigned = whole(answer([{"text": "Plan", "thought": True}]), encrypted_reasoning=True)["output"][0]
    assert unsigned["encrypted_content"] is None


def test_the_answer_parts_for_the_store_keep_signatures_and_call_ids() -> None:
    _, parts = translate_whole(answer([
        {"text": "Plan", "thought": True}, {"text": "Ok", "thoughtSignature": SIG},
        {"functionCall": {"name": "get_weather", "args": {}}, "thoughtSignature": SIG},
    ]), HEAD, OutputOptions())
    assert parts == [
        {"text": "Plan", "thought": True}, {"text": "Ok", "thoughtSignature": SIG},
        {"functionCall": {"name": "get_weather", "args": {}, "id": f"call_{RESPONSE_ID[-24:]}_0"}, "thoughtSignature": SIG},
    ]


@pytest.mark.parametrize("name", ["malformed-function-call.response.json", "malformed-function-call.with-message.response.json"])
def test_malformed_calls_raise_for_the_pipeline_retry(name: str) -> None:
    with pytest.raises(ModelFunctionCallError):
        to_response(read_json(GENERATE / name), HEAD, OutputOptions())


def test_no_candidates_and_no_block_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError) as caught:
        to_response({"usageMetadata": {}}, HEAD, OutputOptions())
    assert caught.value.code == "empty_response"
