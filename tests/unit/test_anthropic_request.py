"""Anthropic Messages request → Gemini body (adapter.translate.anthropic.request), as tables.

Every request is loaded through the Messages schema first, as the view does, and every body
the translation gives must pass the Vertex checker (schema and request rules).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas.anthropic import COUNT_TOKENS_REQUEST_SCHEMA, MESSAGES_REQUEST_SCHEMA, load_anthropic_body
from adapter.translate.anthropic.assembly import AnswerOptions
from adapter.translate.anthropic.blocks import remote_media_urls
from adapter.translate.anthropic.request import MessagesTranslation, to_count_tokens_request, to_gemini_request
from adapter.translate.anthropic.signatures import encode
from adapter.translate.parts import Media
from adapter.translate.signatures import BYPASS_SIGNATURE
from tests.unit.test_translate_request_walker import schema_violations, vertex_violations

TABLE = load_capabilities()
GEMINI_3 = "gemini-3-flash-preview"
REMOTE = "https://img.example.com/cat.png"
MEDIA = {REMOTE: Media(mime_type="image/png", data="iVBORw0KGgo=")}
SIG = "AY89a19eCdKurFEZ2PceOgYiyMwbMm8TLwl8DZzd"
SIG2 = "AY89a18F86qTRNOglIpYqN/kZnCtY22JzpO9qF7Q"
USER = {"role": "user", "content": "What is the weather in Paris?"}
TOOLS = [{"name": "get_weather", "description": "Weather of a city",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


def request(**fields: Any) -> dict[str, Any]:
    return {"model": "gemini-2.5-flash", "max_tokens": 1024, "messages": [USER], **fields}


def translate(body: dict[str, Any], *, media: dict[str, Media] | None = None) -> MessagesTranslation:
    loaded = load_anthropic_body(MESSAGES_REQUEST_SCHEMA, copy.deepcopy(body))
    route = parse_model_name(loaded["model"])
    out = to_gemini_request(loaded, route, TABLE.lookup(route.base), media=media)
    assert vertex_violations(out.body) == []
    return out


def call_turn(*blocks: dict[str, Any]) -> list[dict[str, Any]]:
    """A tool step: the user's question, the assistant's blocks, the tool result."""
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C, sunny"}
    return [USER, {"role": "assistant", "content": list(blocks)}, {"role": "user", "content": [result]}]


TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
CALL = {"functionCall": {"id": "toolu_1", "name": "get_weather", "args": {"city": "Paris"}}}
RESPONSE = {"functionResponse": {"id": "toolu_1", "name": "get_weather", "response": {"output": "18 C, sunny"}}}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"contents": [{"role": "user", "parts": [{"text": "What is the weather in Paris?"}]}]}),
        ({"system": "Be brief."}, {"systemInstruction": {"parts": [{"text": "Be brief."}]}}),
        ({"system": [{"type": "text", "text": "A", "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": " "},
                     {"type": "text", "text": "B"}]},
         {"systemInstruction": {"parts": [{"text": "A"}, {"text": "B"}]}}),
        ({"temperature": 0, "top_p": 0.5, "top_k": 40},
         {"generationConfig": {"temperature": 0.0, "topP": 0.5, "topK": 40, "maxOutputTokens": 1024}}),
        ({"top_k": 0}, {"generationConfig": {"maxOutputTokens": 1024}}),
        ({"metadata": {"user_id": "user-42"}}, {"labels": {"user_id": "user-42"}}),
        ({"tools": TOOLS}, {"tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather of a city",
                                                                 "parametersJsonSchema": TOOLS[0]["input_schema"]}]}]}),
        ({"tools": TOOLS, "tool_choice": {"type": "auto"}}, {"toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}}),
        ({"tools": TOOLS, "tool_choice": {"type": "any"}}, {"toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}),
        ({"tools": TOOLS, "tool_choice": {"type": "none"}}, {"toolConfig": {"functionCallingConfig": {"mode": "NONE"}}}),
        ({"tools": TOOLS, "tool_choice": {"type": "tool", "name": "get_weather"}},
         {"toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}}),
        ({"tool_choice": {"type": "none"}}, {}),
        ({"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
         {"generationConfig": {"maxOutputTokens": 1024, "responseMimeType": "application/json",
                               "responseJsonSchema": {"type": "object"}}}),
    ],
)
def test_request_fields(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    body = translate(request(**fields)).body
    for key, value in expected.items():
        assert body[key] == value
    absent = {"systemInstruction", "tools", "toolConfig", "labels"} - set(expected) - set(fields)
    assert absent.isdisjoint(body)
    assert body["safetySettings"][0] == {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "OFF"}


@pytest.mark.parametrize(
    ("model", "fields", "thinking", "note"),
    [
        ("gemini-2.5-flash", {}, None, None),
        ("gemini-2.5-flash", {"thinking": {"type": "enabled", "budget_tokens": 2048}},
         {"includeThoughts": True, "thinkingBudget": 2048}, None),
        ("gemini-2.5-flash", {"thinking": {"type": "enabled", "budget_tokens": 30000}, "max_tokens": 32000},
         {"includeThoughts": True, "thinkingBudget": 24576}, "thinking.budget_tokens=30000 -> thinkingBudget=24576"),
        ("gemini-2.5-flash", {"thinking": {"type": "enabled", "budget_tokens": 2048, "display": "omitted"}},
         {"thinkingBudget": 2048}, None),
        ("gemini-2.5-flash", {"thinking": {"type": "disabled"}}, {"thinkingBudget": 0}, None),
        ("gemini-2.5-pro", {"thinking": {"type": "disabled"}}, {"thinkingBudget": 128}, "cannot turn thinking off"),
        ("gemini-2.5-flash", {"thinking": {"type": "adaptive"}}, {"includeThoughts": True, "thinkingBudget": -1}, None),
        ("gemini-2.5-flash", {"output_config": {"effort": "high"}}, {"thinkingBudget": 24576}, None),
        (GEMINI_3, {"thinking": {"type": "enabled", "budget_tokens": 1024}},
         {"includeThoughts": True, "thinkingLevel": "LOW"}, "thinking.budget_tokens=1024 -> thinkingLevel=LOW"),
        (GEMINI_3, {"thinking": {"type": "enabled", "budget_tokens": 8000}},
         {"includeThoughts": True, "thinkingLevel": "MEDIUM"}, "thinking.budget_tokens=8000 -> thinkingLevel=MEDIUM"),
        (GEMINI_3, {"thinking": {"type": "enabled", "budget_tokens": 31999}, "max_tokens": 32000},
         {"includeThoughts": True, "thinkingLevel": "HIGH"}, "budget_tokens=31999 -> thinkingLevel=HIGH"),
        # A tie between the levels the model takes goes up, as for chat.
        ("gemini-3-pro-preview", {"thinking": {"type": "enabled", "budget_tokens": 8000}},
         {"includeThoughts": True, "thinkingLevel": "HIGH"}, "budget_tokens=8000 -> thinkingLevel=HIGH"),
        (GEMINI_3, {"thinking": {"type": "disabled"}}, {"thinkingLevel": "MINIMAL"},
         "thinking.type=disabled -> thinkingLevel=MINIMAL (the model cannot turn thinking off)"),
        # What Claude Code sends: adaptive thinking, thoughts not displayed, an effort.
        ("gemini-3-pro-preview", {"thinking": {"type": "adaptive", "display": "omitted"}, "output_config": {"effort": "high"}},
         {"thinkingLevel": "HIGH"}, None),
        ("gemini-3-pro-preview", {"thinking": {"type": "adaptive", "display": "omitted"}, "output_config": {"effort": "medium"}},
         {"thinkingLevel": "HIGH"}, "output_config.effort=medium -> thinkingLevel=HIGH (the model accepts LOW, HIGH)"),
        (GEMINI_3, {"thinking": {"type": "adaptive"}}, {"includeThoughts": True}, None),
        (GEMINI_3 + "-max", {"thinking": {"type": "enabled", "budget_tokens": 1024}},
         {"includeThoughts": True, "thinkingLevel": "HIGH"}, "model variant -max overrides"),
        ("gemini-2.0-flash-001", {"thinking": {"type": "enabled", "budget_tokens": 1024}}, None,
         "thinking enabled dropped: the model has no thinking control"),
    ],
)
def test_thinking(model: str, fields: dict[str, Any], thinking: dict[str, Any] | None, note: str | None) -> None:
    out = translate(request(model=model, **{"max_tokens": 8192, **fields}))
    assert out.body["generationConfig"].get("thinkingConfig") == thinking
    if note is None:
        assert not any("thinking" in rewrite for rewrite in out.rewrites)
    else:
        assert any(note in rewrite for rewrite in out.rewrites), out.rewrites


def test_system_messages_join_the_system_instruction_in_order() -> None:
    """Claude Code sends a ``system`` message inside ``messages`` (its environment description)."""
    out = translate(request(system=[{"type": "text", "text": "You are Claude Code."}], messages=[
        {"role": "user", "content": [{"type": "text", "text": "<system-reminder>x</system-reminder>"}, {"type": "text", "text": "List files"}]},
        {"role": "system", "content": [{"type": "text", "text": "Working directory: /tmp/w"}]},
        {"role": "assistant", "content": "Sure."},
        {"role": "system", "content": "Today is Friday."},
        {"role": "user", "content": "Go on"},
    ]))
    assert out.body["systemInstruction"] == {"parts": [
        {"text": "You are Claude Code."}, {"text": "Working directory: /tmp/w"}, {"text": "Today is Friday."}]}
    assert [content["role"] for content in out.body["contents"]] == ["user", "model", "user"]


def test_a_user_id_vertex_cannot_take_as_a_label_is_noted() -> None:
    claude_code_id = '{"device_id":"5f2c","account_uuid":"","session_id":"9a1e"}'
    out = translate(request(metadata={"user_id": claude_code_id}))
    assert "labels" not in out.body
    assert [r for r in out.rewrites if r.startswith("metadata.user_id not sent as a Vertex label")]


def test_max_tokens_is_capped_at_the_models_maximum() -> None:
    out = translate(request(max_tokens=100000))
    assert out.body["generationConfig"]["maxOutputTokens"] == 65535
    assert "max_tokens=100000 -> maxOutputTokens=65535 (the model's maximum)" in out.rewrites


def test_answer_options_carry_what_gemini_does_not_do() -> None:
    out = translate(request(stop_sequences=["END", ""], tools=TOOLS,
                            tool_choice={"type": "auto", "disable_parallel_tool_use": True}))
    assert out.answer == AnswerOptions(stop_sequences=("END",), single_tool_use=True)
    assert "stopSequences" not in out.body["generationConfig"]
    assert any(r.startswith("stop_sequences applied by the gateway") for r in out.rewrites)
    assert any(r.startswith("disable_parallel_tool_use") for r in out.rewrites)
    assert translate(request()).answer == AnswerOptions()


@pytest.mark.parametrize(
    ("block", "parts"),
    [
        ({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
         [{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]),
        ({"type": "image", "source": {"type": "url", "url": REMOTE}},
         [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]),
        ({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}},
         [{"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}]),
        ({"type": "document", "title": "Notes", "context": "From the meeting",
          "source": {"type": "text", "media_type": "text/plain", "data": "Ship on Friday."}},
         [{"text": "Notes\nFrom the meeting"}, {"text": "Ship on Friday."}]),
        ({"type": "document", "source": {"type": "content", "content": [
            {"type": "text", "text": "Page one"}, {"type": "image", "source": {"type": "url", "url": REMOTE}}]}},
         [{"text": "Page one"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]),
        ({"type": "document", "source": {"type": "content", "content": "Plain"}}, [{"text": "Plain"}]),
        ({"type": "text", "text": "  ", "cache_control": {"type": "ephemeral"}}, []),
    ],
)
def test_user_blocks(block: dict[str, Any], parts: list[dict[str, Any]]) -> None:
    body = translate(request(messages=[{"role": "user", "content": [block, {"type": "text", "text": "Describe it."}]}]),
                     media=MEDIA).body
    assert body["contents"] == [{"role": "user", "parts": [*parts, {"text": "Describe it."}]}]


def test_remote_media_urls_name_where_each_url_first_appears() -> None:
    image = {"type": "image", "source": {"type": "url", "url": REMOTE}}
    pdf = {"type": "document", "source": {"type": "url", "url": "https://docs.example.com/a.pdf"}}
    body = request(messages=[
        {"role": "user", "content": [{"type": "text", "text": "hi"}, image]},
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [pdf, image]},
                                     {"type": "document", "source": {"type": "content", "content": [image]}}]},
    ])
    assert remote_media_urls(body) == {
        REMOTE: "messages.0.content.1.source.url",
        "https://docs.example.com/a.pdf": "messages.2.content.0.content.0.source.url",
    }
    with pytest.raises(InvalidRequest) as caught:
        translate(body)
    assert caught.value.param == "messages.0.content.1.source.url"


def test_tool_results_answer_the_calls_in_order_with_their_media_after() -> None:
    second = {**TOOL_USE, "id": "toolu_2", "input": {"city": "Oslo"}}
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    body = translate(request(tools=TOOLS, messages=[
        USER,
        {"role": "assistant", "content": [{"type": "text", "text": "Checking."}, TOOL_USE, second]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "{\"temp\": 3}"}, image]},
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "boom", "is_error": True},
            {"type": "text", "text": "Compare them."},
        ]},
    ])).body
    assert body["contents"][1] == {"role": "model", "parts": [
        {"text": "Checking."}, CALL, {"functionCall": {"id": "toolu_2", "name": "get_weather", "args": {"city": "Oslo"}}}]}
    assert body["contents"][2] == {"role": "user", "parts": [
        {"functionResponse": {"id": "toolu_1", "name": "get_weather", "response": {"error": "boom"}}},
        {"functionResponse": {"id": "toolu_2", "name": "get_weather", "response": {"temp": 3}}},
        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
        {"text": "Compare them."},
    ]}


@pytest.mark.parametrize(
    ("model", "blocks", "model_parts"),
    [
        # Our signatures go back to the parts they came from.
        (GEMINI_3, [{"type": "thinking", "thinking": "", "signature": encode("call", SIG)}, TOOL_USE],
         [{**CALL, "thoughtSignature": SIG}]),
        (GEMINI_3, [{"type": "thinking", "thinking": "Let me look.", "signature": encode("call", SIG)}, TOOL_USE,
                    {**TOOL_USE, "id": "toolu_9"}],
         [{**CALL, "thoughtSignature": SIG}, {"functionCall": {**CALL["functionCall"], "id": "toolu_9"}}]),
        (GEMINI_3, [{"type": "thinking", "thinking": "Plan", "signature": encode("thought", SIG2)},
                    {"type": "text", "text": "Sure."},
                    {"type": "thinking", "thinking": "", "signature": encode("call", SIG)}, TOOL_USE],
         [{"text": "Plan", "thought": True, "thoughtSignature": SIG2}, {"text": "Sure."}, {**CALL, "thoughtSignature": SIG}]),
        # A signature of ours for a part kind we never carry is foreign.
        (GEMINI_3, [{"type": "thinking", "thinking": "", "signature": "gemini.v1.text." + SIG}, TOOL_USE],
         [{**CALL, "thoughtSignature": BYPASS_SIGNATURE}]),
        # Claude's own history: its signatures are foreign, the first call gets Google's placeholder.
        (GEMINI_3, [{"type": "thinking", "thinking": "Claude thinks", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA"},
                    {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"}, TOOL_USE],
         [{**CALL, "thoughtSignature": BYPASS_SIGNATURE}]),
        (GEMINI_3, [TOOL_USE, {**TOOL_USE, "id": "toolu_9"}],
         [{**CALL, "thoughtSignature": BYPASS_SIGNATURE}, {"functionCall": {**CALL["functionCall"], "id": "toolu_9"}}]),
        # Models that need no signature get none invented, but keep the ones they issued.
        ("gemini-2.5-flash", [TOOL_USE], [CALL]),
        ("gemini-2.5-flash", [{"type": "thinking", "thinking": "", "signature": encode("call", SIG)}, TOOL_USE],
         [{**CALL, "thoughtSignature": SIG}]),
    ],
)
def test_signatures_return_to_their_parts(model: str, blocks: list[dict[str, Any]], model_parts: list[dict[str, Any]]) -> None:
    results = [{"type": "tool_result", "tool_use_id": block["id"], "content": "18 C, sunny"}
               for block in blocks if block["type"] == "tool_use"]
    messages = [USER, {"role": "assistant", "content": blocks}, {"role": "user", "content": results}]
    body = translate(request(model=model, tools=TOOLS, messages=messages)).body
    assert body["contents"][1] == {"role": "model", "parts": model_parts}


def test_consecutive_turns_merge_and_a_prefill_moves_where_needed() -> None:
    messages = [{"role": "user", "content": "A"}, {"role": "user", "content": [{"type": "text", "text": "B"}]},
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": encode("thought", SIG)},
                                                  {"type": "text", "text": "The answer is"}]}]
    out = translate(request(model="gemini-2.0-flash-001", messages=messages))
    assert out.body["contents"] == [{"role": "user", "parts": [{"text": "A"}, {"text": "B"}]},
                                    {"role": "model", "parts": [{"text": "The answer is"}]}]
    moved = translate(request(messages=messages))
    assert moved.body["contents"][-1]["role"] == "user" and len(moved.body["contents"]) == 1
    assert moved.body["contents"][0]["parts"][-1]["text"].endswith("The answer is")
    assert any("prefill" in rewrite for rewrite in moved.rewrites)


def test_a_conversation_opening_with_a_call_gets_a_user_turn_first() -> None:
    messages = [{"role": "assistant", "content": [TOOL_USE]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]}]
    out = translate(request(tools=TOOLS, messages=messages))
    assert out.body["contents"][0]["role"] == "user" and out.body["contents"][1]["parts"][0]["functionCall"]["id"] == "toolu_1"


@pytest.mark.parametrize(
    ("fields", "param", "phrase"),
    [
        ({"messages": [USER, {"role": "assistant", "content": [TOOL_USE]}]}, "messages.1.content.0",
         "tool_use blocks that have no tool_result"),
        ({"messages": [{"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_404", "content": "x"}]}]},
         "messages.0.content.0.tool_use_id", "no earlier tool_use block has this id"),
        ({"messages": [{"role": "user", "content": " "}]}, "messages", "messages hold no content"),
        ({"tools": [*TOOLS, *TOOLS]}, "tools.1.name", "declared twice"),
        ({"tools": TOOLS, "tool_choice": {"type": "tool", "name": "nope"}}, "tool_choice.name", "not among the tools"),
        ({"tool_choice": {"type": "any"}}, "tool_choice.type", "needs tools"),
    ],
)
def test_what_cannot_be_sent_is_a_400_naming_the_field(fields: dict[str, Any], param: str, phrase: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        translate(request(**fields))
    assert caught.value.param is not None and caught.value.param.startswith(param)
    assert phrase in caught.value.message


def test_count_tokens_body_holds_contents_system_and_tools_only() -> None:
    loaded = load_anthropic_body(COUNT_TOKENS_REQUEST_SCHEMA, {
        "model": GEMINI_3, "system": "Be brief.", "tools": TOOLS, "tool_choice": {"type": "any"},
        "thinking": {"type": "enabled", "budget_tokens": 2048}, "messages": [USER]})
    route = parse_model_name(GEMINI_3)
    body = to_count_tokens_request(loaded, route, TABLE.lookup(route.base))
    assert set(body) == {"contents", "systemInstruction", "tools"}
    assert schema_violations(body, "GoogleCloudAiplatformV1CountTokensRequest") == []


def test_translation_does_not_touch_its_input() -> None:
    body = load_anthropic_body(MESSAGES_REQUEST_SCHEMA, request(
        tools=TOOLS, messages=call_turn({"type": "thinking", "thinking": "", "signature": encode("call", SIG)}, TOOL_USE)))
    before = copy.deepcopy(body)
    route = parse_model_name(body["model"])
    first = to_gemini_request(body, route, TABLE.lookup(route.base))
    again = to_gemini_request(body, route, TABLE.lookup(route.base))
    assert body == before and first == again
