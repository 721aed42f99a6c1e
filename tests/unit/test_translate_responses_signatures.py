"""Thought signatures survive every way a Responses client sends history back: stateless replay
(Codex with ``store: false``: calls reduced to type/call_id/name/arguments, reasoning items with
``encrypted_content``), whole output items, a stream's items, and the stored document behind
``previous_response_id``."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas.responses import RESPONSE_REQUEST_SCHEMA
from adapter.translate.responses.events import EventTranslator
from adapter.translate.responses.head import response_head
from adapter.translate.responses.history import conversation_of, input_item_resources, stored_document
from adapter.translate.responses.items import Conversation
from adapter.translate.responses.output import OutputOptions
from adapter.translate.responses.request import input_items, to_gemini_request
from adapter.translate.responses.response import translate_whole
from adapter.translate.responses.signatures import encrypted_content, thought_part_of
from adapter.translate.signatures import BYPASS_SIGNATURE
from adapter.validation import load_body
from tests.support.openai_schema import assert_valid
from tests.support.streams import VERTEX_EXAMPLES, read_json, split_response
from tests.unit.test_translate_request_walker import vertex_violations

TABLE = load_capabilities()
MODEL = "gemini-3-flash-preview"
RESPONSE_ID = "resp_5151515151515151515151515151abcd"
TOOLS = [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
QUESTION = {"role": "user", "content": "Weather in Paris and Tokyo?"}
SIG = "AY89a1/IycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T1+Q=="
PARALLEL = read_json(VERTEX_EXAMPLES / "generate" / "function-call.parallel.gemini-3.response.json")
THOUGHTFUL = {"candidates": [{"finishReason": "STOP", "content": {"role": "model", "parts": [
    {"text": "I should call the tool.", "thought": True, "thoughtSignature": SIG},
    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
]}}]}


def request(body: dict[str, Any]) -> dict[str, Any]:
    return load_body(RESPONSE_REQUEST_SCHEMA, {"model": MODEL, "tools": TOOLS, **body})


def translate(body: dict[str, Any], history: Conversation = Conversation()) -> dict[str, Any]:
    route = parse_model_name(MODEL)
    out = to_gemini_request(request(body), route, TABLE.lookup(route.base), history=history).body
    assert vertex_violations(out) == []
    return out


def answer_output(resp: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    head = response_head(request({"input": [QUESTION]}), response_id=RESPONSE_ID, created_at=1, model=MODEL)
    response, parts = translate_whole(resp, head, OutputOptions(encrypted_reasoning=True))
    assert_valid(response, "Response")
    return response["output"], parts


def outputs_for(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "function_call_output", "call_id": item["call_id"], "output": "sunny"}
            for item in items if item["type"] == "function_call"]


def codex_replay(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What Codex keeps of an answer with ``store: false``."""
    kept = []
    for item in items:
        if item["type"] == "function_call":
            kept.append({key: item[key] for key in ("type", "call_id", "name", "arguments")})
        elif item["type"] == "reasoning":
            kept.append({key: item[key] for key in ("type", "summary", "encrypted_content")})
        else:
            kept.append(item)
    return kept


def model_turn(body: dict[str, Any]) -> list[dict[str, Any]]:
    turns = [content for content in body["contents"] if content["role"] == "model"]
    assert len(turns) == 1
    return turns[0]["parts"]


def sent_form(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gemini parts as we send them back: calls with the id their call_id names, unsigned thoughts left out."""
    return [part for part in parts if not (part.get("thought") and "thoughtSignature" not in part)]


@pytest.mark.parametrize("resp", [PARALLEL, THOUGHTFUL], ids=["parallel-calls", "signed-thought"])
@pytest.mark.parametrize("replay", [codex_replay, list], ids=["codex-stateless", "whole-items"])
def test_a_replayed_answer_gives_vertex_back_every_signature_on_its_part(resp: dict[str, Any], replay: Any) -> None:
    items, parts = answer_output(resp)
    body = translate({"store": False, "input": [QUESTION, *replay(items), *outputs_for(items)]})
    assert model_turn(body) == sent_form(parts)
    assert any("thoughtSignature" in part for part in model_turn(body))


def test_a_streamed_answer_replays_the_same_way() -> None:
    head = response_head(request({"input": [QUESTION]}), response_id=RESPONSE_ID, created_at=1, model=MODEL)
    translator = EventTranslator(head, OutputOptions(encrypted_reasoning=True))
    events = [e for event in split_response(THOUGHTFUL) for e in translator.feed(event)] + translator.finish()
    items = [event["item"] for event in events if event["type"] == "response.output_item.done"]
    body = translate({"input": [QUESTION, *codex_replay(items), *outputs_for(items)]})
    assert model_turn(body) == sent_form(translator.answer_parts)


def test_the_stored_document_rebuilds_the_conversation_exactly() -> None:
    first_req = {"input": [QUESTION], "instructions": "Be brief."}
    first = translate(first_req)
    items, parts = answer_output(PARALLEL)
    document = stored_document(
        response={"id": RESPONSE_ID}, input_items=input_item_resources(input_items(request(first_req)), RESPONSE_ID),
        system=(), sent_contents=first["contents"], answer_parts=parts, owner="default",
    )
    body = translate({"input": outputs_for(items)}, history=conversation_of(document))
    assert body["contents"][:2] == [*first["contents"], {"role": "model", "parts": parts}]
    assert [part["functionResponse"]["id"] for part in body["contents"][2]["parts"]] == [
        part["functionCall"]["id"] for part in parts]
    assert "systemInstruction" not in body, "instructions are not inherited"


def test_history_from_another_model_gets_googles_placeholder_on_the_first_call_of_each_step() -> None:
    foreign = [
        {"type": "reasoning", "summary": [], "encrypted_content": "gAAAAABo-openai-blob"},
        {"type": "function_call", "call_id": "call_a", "name": "get_weather", "arguments": '{"city":"Paris"}'},
        {"type": "function_call", "call_id": "call_b", "name": "get_weather", "arguments": '{"city":"Tokyo"}'},
        {"type": "function_call_output", "call_id": "call_a", "output": "sunny"},
        {"type": "function_call_output", "call_id": "call_b", "output": "rain"},
        {"type": "function_call", "call_id": "call_c", "name": "get_weather", "arguments": '{"city":"Rome"}'},
        {"type": "function_call_output", "call_id": "call_c", "output": "snow"},
    ]
    body = translate({"input": [QUESTION, *foreign]})
    signatures = [[part.get("thoughtSignature") for part in content["parts"]] for content in body["contents"] if content["role"] == "model"]
    assert signatures == [[BYPASS_SIGNATURE, None], [BYPASS_SIGNATURE]]


@pytest.mark.parametrize(
    "value, part",
    [
        (encrypted_content("Plan é", SIG), {"text": "Plan é", "thought": True, "thoughtSignature": SIG}),
        (encrypted_content("", SIG), {"text": ".", "thought": True, "thoughtSignature": SIG}),
        ("gAAAAABo-openai-blob", None),
        ("gemini-thought.v1:!!!", None),
        ("gemini-thought.v1:e30", None),
        (None, None),
    ],
)
def test_encrypted_content_is_versioned_and_only_ours_is_read(value: Any, part: dict[str, Any] | None) -> None:
    assert thought_part_of(value) == part


def test_input_items_are_listed_with_ids_and_valid_shapes() -> None:
    items, _ = answer_output(PARALLEL)
    listed = input_item_resources(input_items(request({"input": [
        QUESTION, {"role": "assistant", "content": "Sure."}, *items, *outputs_for(items),
        {"type": "item_reference", "id": "msg_x_0"},
    ]})), RESPONSE_ID, references={"msg_x_0": {"type": "message", "id": "msg_x_0", "role": "user", "status": "completed",
                                               "content": [{"type": "input_text", "text": "Earlier"}]}})
    page = {"object": "list", "data": listed, "first_id": listed[0]["id"], "last_id": listed[-1]["id"], "has_more": False}
    assert_valid(page, "ResponseItemList")
    assert len({item["id"] for item in listed}) == len(listed)
    assert listed[-1]["content"][0]["text"] == "Earlier"
