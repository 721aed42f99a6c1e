"""Responses requests → Vertex bodies (adapter.translate.responses.request), as tables.

Every request goes through the request schema first (as the view does), and every body must
be one Vertex accepts (``vertex_violations``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas.responses import RESPONSE_REQUEST_SCHEMA
from adapter.translate.responses.items import Conversation
from adapter.translate.responses.request import (
    Media,
    TranslatedResponseRequest,
    remote_media_urls,
    to_gemini_request,
)
from adapter.translate.signatures import BYPASS_SIGNATURE
from adapter.validation import load_body
from tests.unit.test_translate_request_walker import vertex_violations

TABLE = load_capabilities()
G3 = "gemini-3-flash-preview"
G25 = "gemini-2.5-flash"
SIG = "AY89a1/IycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T1+Q=="
SIGNED_ID = "call_1__thought__AY89a1_IycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T1-Q"
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
FUNCTION = {"type": "function", "name": "get_weather", "description": "Weather.", "parameters": WEATHER}
REMOTE = "https://img.example.com/cat.png"


def translate(body: dict[str, Any], **kwargs: Any) -> TranslatedResponseRequest:
    req = load_body(RESPONSE_REQUEST_SCHEMA, {"model": G25, **body})
    before = copy.deepcopy(req)
    route = parse_model_name(req["model"])
    out = to_gemini_request(req, route, TABLE.lookup(route.base), **kwargs)
    assert req == before, "translation must not change its input"
    assert vertex_violations(out.body) == []
    return out


def error(body: dict[str, Any], **kwargs: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        translate(body, **kwargs)
    return caught.value


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


@pytest.mark.parametrize(
    "body, contents, system",
    [
        ({"input": "Hi"}, [user("Hi")], None),
        ({"input": "Hi", "instructions": "Be brief."}, [user("Hi")], ["Be brief."]),
        (
            {"instructions": "Be brief.", "input": [
                {"role": "developer", "content": "Use French."},
                {"role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
                {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "No emoji."}]},
            ]},
            [user("Hi")],
            ["Be brief.", "Use French.", "No emoji."],
        ),
        (
            {"input": [
                {"role": "user", "content": "Hi"},
                {"type": "message", "role": "assistant", "content": [
                    {"type": "output_text", "text": "Hello!", "annotations": []}, {"type": "refusal", "refusal": "no"}]},
                {"role": "user", "content": "Again"},
            ]},
            [user("Hi"), {"role": "model", "parts": [{"text": "Hello!"}]}, user("Again")],
            None,
        ),
    ],
)
def test_messages_and_instructions(body: dict[str, Any], contents: list[Any], system: list[str] | None) -> None:
    out = translate(body).body
    assert out["contents"] == contents
    expected = {"parts": [{"text": text} for text in system]} if system else None
    assert out.get("systemInstruction") == expected


def test_calls_of_one_step_are_one_model_turn_and_outputs_one_user_turn_in_call_order() -> None:
    out = translate({"tools": [FUNCTION], "input": [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
        {"type": "function_call", "call_id": "c2", "name": "get_weather", "arguments": '{"city":"Rome"}'},
        {"type": "function_call_output", "call_id": "c2", "output": "sunny"},
        {"type": "function_call_output", "call_id": "c1", "output": '{"temp": 12}'},
    ]}).body
    assert out["contents"][1:] == [
        {"role": "model", "parts": [
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}},
            {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}, "id": "c2"}},
        ]},
        {"role": "user", "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"temp": 12}, "id": "c1"}},
            {"functionResponse": {"name": "get_weather", "response": {"output": "sunny"}, "id": "c2"}},
        ]},
    ]


def test_custom_tool_calls_carry_their_raw_input_as_one_string_argument() -> None:
    patch = "*** Begin Patch\n*** End Patch"
    out = translate({"tools": [{"type": "custom", "name": "apply_patch", "description": "Edit files."}], "input": [
        {"role": "user", "content": "Fix it"},
        {"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch", "input": patch},
        {"type": "custom_tool_call_output", "call_id": "p1", "output": "Done"},
    ]}).body
    assert out["contents"][1]["parts"] == [{"functionCall": {"name": "apply_patch", "args": {"input": patch}, "id": "p1"}}]
    assert out["contents"][2]["parts"] == [{"functionResponse": {"name": "apply_patch", "response": {"output": "Done"}, "id": "p1"}}]
    declaration = out["tools"][0]["functionDeclarations"][0]
    assert declaration["parametersJsonSchema"] == {
        "type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]}
    assert declaration["description"].startswith("Edit files.")


def test_a_grammar_is_described_to_the_model() -> None:
    tool = {"type": "custom", "name": "sql", "format": {"type": "grammar", "syntax": "lark", "definition": "start: WORD"}}
    description = translate({"input": "q", "tools": [tool]}).body["tools"][0]["functionDeclarations"][0]["description"]
    assert "lark grammar" in description and "start: WORD" in description


@pytest.mark.parametrize(
    "model, call_id, expected",
    [
        (G3, SIGNED_ID, SIG),
        (G3, "call_from_elsewhere", BYPASS_SIGNATURE),
        (G25, "call_from_elsewhere", None),
    ],
)
def test_call_signatures_come_back_from_the_call_id(model: str, call_id: str, expected: str | None) -> None:
    out = translate({"model": model, "tools": [FUNCTION], "input": [
        {"role": "user", "content": "Weather?"},
        {"type": "function_call", "call_id": call_id, "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": call_id, "output": "rain"},
    ]}).body
    part = out["contents"][1]["parts"][0]
    assert part.get("thoughtSignature") == expected
    assert part["functionCall"]["id"] == call_id.partition("__thought__")[0]
    assert out["contents"][2]["parts"][0]["functionResponse"]["id"] == part["functionCall"]["id"]


@pytest.mark.parametrize(
    "body, config",
    [
        ({"max_output_tokens": 100, "temperature": 0.5, "top_p": 0.9}, {"maxOutputTokens": 100, "temperature": 0.5, "topP": 0.9}),
        ({"reasoning": {"effort": "low"}}, {"thinkingConfig": {"thinkingBudget": 1024}}),
        ({"reasoning": {"effort": "high", "summary": "auto"}}, {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 24576}}),
        ({"reasoning": {"summary": "detailed"}}, {"thinkingConfig": {"includeThoughts": True}}),
        ({"text": {"format": {"type": "json_object"}}}, {"responseMimeType": "application/json"}),
        ({"text": {"format": {"type": "json_schema", "name": "w", "schema": WEATHER, "strict": True}}},
         {"responseMimeType": "application/json", "responseJsonSchema": WEATHER}),
        ({"text": {"format": {"type": "text"}, "verbosity": "medium"}}, {}),
        ({"include": ["message.output_text.logprobs"], "top_logprobs": 3}, {"responseLogprobs": True, "logprobs": 3}),
        ({"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "data:image/png;base64,iVBO", "detail": "high"}]}]},
         {"mediaResolution": "MEDIA_RESOLUTION_HIGH"}),
    ],
)
def test_generation_parameters(body: dict[str, Any], config: dict[str, Any]) -> None:
    assert translate({"input": "Hi", **body}).body.get("generationConfig", {}) == config


@pytest.mark.parametrize(
    "body, note",
    [
        ({"truncation": "auto"}, "truncation=auto not applied"),
        ({"text": {"verbosity": "low"}}, "text.verbosity ignored"),
        ({"parallel_tool_calls": False, "tools": [FUNCTION]}, "parallel_tool_calls=false not enforced"),
        ({"service_tier": "flex"}, "service_tier ignored"),
        ({"max_tool_calls": 3}, "max_tool_calls not enforced"),
        ({"metadata": {"Bad Key": "x"}}, "metadata: 1 entries dropped"),
        ({"model": G3, "reasoning": {"effort": "none"}}, "reasoning.effort=none -> thinkingLevel=MINIMAL"),
        ({"tools": [{"type": "web_search"}], "tool_choice": {"type": "web_search_preview"}}, "tool_choice web_search_preview -> auto"),
    ],
)
def test_accepted_parameters_without_effect_are_listed_as_rewrites(body: dict[str, Any], note: str) -> None:
    rewrites = translate({"input": "Hi", **body}).rewrites
    assert any(rewrite.startswith(note) for rewrite in rewrites), rewrites


def test_metadata_becomes_labels() -> None:
    assert translate({"input": "Hi", "metadata": {"team": "search"}}).body["labels"] == {"team": "search"}


@pytest.mark.parametrize(
    "body, tools, config",
    [
        ({"tools": [FUNCTION]}, [{"functionDeclarations": [{"name": "get_weather", "description": "Weather.", "parametersJsonSchema": WEATHER}]}], None),
        ({"tools": [FUNCTION], "tool_choice": "required"}, None, {"functionCallingConfig": {"mode": "ANY"}}),
        ({"tools": [FUNCTION], "tool_choice": "none"}, None, {"functionCallingConfig": {"mode": "NONE"}}),
        ({"tools": [FUNCTION], "tool_choice": {"type": "function", "name": "get_weather"}}, None,
         {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}),
        ({"tools": [FUNCTION, {"type": "custom", "name": "patch"}],
          "tool_choice": {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "custom", "name": "patch"}]}}, None,
         {"functionCallingConfig": {"mode": "VALIDATED", "allowedFunctionNames": ["patch"]}}),
        ({"tools": [{"type": "web_search_preview"}]}, [{"googleSearch": {}}], None),
        ({"model": f"{G25}-search"}, [{"googleSearch": {}}], None),
        ({"model": G3, "tools": [FUNCTION, {"type": "web_search"}]}, [
            {"functionDeclarations": [{"name": "get_weather", "description": "Weather.", "parametersJsonSchema": WEATHER}]},
            {"googleSearch": {}}], None),
    ],
)
def test_tools_and_tool_choice(body: dict[str, Any], tools: list[Any] | None, config: dict[str, Any] | None) -> None:
    out = translate({"input": "Hi", **body}).body
    if tools is not None:
        assert out["tools"] == tools
    assert out.get("toolConfig") == config


@pytest.mark.parametrize(
    "body, param",
    [
        ({"tools": [FUNCTION, {"type": "web_search"}]}, "tools"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tools": [FUNCTION], "tool_choice": {"type": "function", "name": "other"}}, "tool_choice.name"),
        ({"tools": [FUNCTION], "text": {"format": {"type": "json_object"}}}, "text.format"),
        ({"model": "gemini-2.0-flash", "include": ["message.output_text.logprobs"]}, None),
        ({"model": G3, "include": ["message.output_text.logprobs"]}, "include"),
        ({"input": [{"role": "user", "content": "x"}, {"type": "function_call_output", "call_id": "nope", "output": "x"}]}, "input[1].call_id"),
        ({"input": [{"role": "user", "content": "x"}, {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"}]}, "input[1]"),
        ({"input": [{"role": "user", "content": "x"}, {"type": "function_call", "call_id": "c", "name": "f", "arguments": "[1]"}]}, "input[1].arguments"),
        ({"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "file-1"}]}]}, "input[0].content[0].file_id"),
        ({"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "ftp://x"}]}]}, "input[0].content[0].image_url"),
        ({"input": [{"role": "user", "content": [{"type": "input_file", "file_data": "AAAA", "filename": "x.unknown"}]}]}, "input[0].content[0].filename"),
        ({"input": [{"role": "system", "content": [{"type": "input_image", "image_url": "data:image/png;base64,AA"}]}]}, "input[0].content[0].type"),
        ({"input": [{"role": "user", "content": "x"}, {"type": "item_reference", "id": "msg_unknown"}]}, "input[1].id"),
        ({"input": []}, "input"),
    ],
)
def test_what_cannot_be_sent_is_a_400_naming_the_field(body: dict[str, Any], param: str | None) -> None:
    if param is None:
        translate({"input": "Hi", **body})
        return
    assert error({"input": "Hi", **body}).param == param


def test_remote_media_are_listed_for_the_edge_and_used_once_fetched() -> None:
    body = {"input": [
        {"role": "user", "content": [{"type": "input_image", "image_url": REMOTE}, {"type": "input_file", "file_url": REMOTE}]},
    ]}
    req = load_body(RESPONSE_REQUEST_SCHEMA, {"model": G25, **body})
    assert remote_media_urls(req) == {REMOTE: "input[0].content[0].image_url"}
    out = translate(body, media={REMOTE: Media(mime_type="image/png", data="iVBORw0KGgo=")}).body
    assert out["contents"][0]["parts"] == [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}] * 2
    assert error(body).param == "input[0].content[0].image_url"


def test_input_files_audio_and_gcs_uris() -> None:
    out = translate({"input": [{"role": "user", "content": [
        {"type": "input_file", "file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"},
        {"type": "input_file", "file_data": "JVBERi0=", "filename": "b.pdf"},
        {"type": "input_file", "file_url": "gs://bucket/c.pdf"},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    ]}]}).body
    assert out["contents"][0]["parts"] == [
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://bucket/c.pdf"}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
    ]


def test_tool_output_media_follow_the_responses() -> None:
    out = translate({"tools": [FUNCTION], "input": [
        {"role": "user", "content": "Look"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": [
            {"type": "input_text", "text": "a chart"}, {"type": "input_image", "image_url": "data:image/png;base64,iVBO"}]},
    ]}).body
    assert out["contents"][2]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"output": "a chart"}, "id": "c1"}},
        {"inlineData": {"mimeType": "image/png", "data": "iVBO"}},
    ]


def test_item_references_are_replaced_by_the_stored_items() -> None:
    stored = {"type": "message", "role": "user", "content": "From the store"}
    out = translate({"input": [{"type": "item_reference", "id": "msg_x_0"}]}, references={"msg_x_0": stored}).body
    assert out["contents"] == [user("From the store")]


def test_history_comes_first_and_its_calls_can_be_answered_without_instructions_inherited() -> None:
    history = Conversation(
        system=({"text": "Use French."},),
        contents=(user("Weather?"), {"role": "model", "parts": [
            {"functionCall": {"name": "get_weather", "args": {}, "id": "call_7"}, "thoughtSignature": SIG}]}),
    )
    before = copy.deepcopy(history)
    out = translate(
        {"model": G3, "tools": [FUNCTION], "instructions": "New rules.",
         "input": [{"type": "function_call_output", "call_id": f"call_7__thought__{SIG[:4]}", "output": "rain"}]},
        history=history,
    )
    assert out.body["contents"][:2] == list(history.contents)
    assert out.body["contents"][2]["parts"][0]["functionResponse"]["id"] == "call_7"
    assert out.body["systemInstruction"] == {"parts": [{"text": "New rules."}, {"text": "Use French."}]}
    assert out.conversation.system == ({"text": "Use French."},)
    assert history == before


def test_a_previous_conversation_still_needs_new_input() -> None:
    history = Conversation(contents=(user("Hi"), {"role": "model", "parts": [{"text": "Hello"}]}))
    req = load_body(RESPONSE_REQUEST_SCHEMA, {"model": G25})
    route = parse_model_name(G25)
    with pytest.raises(InvalidRequest) as caught:
        to_gemini_request(req, route, TABLE.lookup(route.base), history=history)
    assert caught.value.param == "input"
