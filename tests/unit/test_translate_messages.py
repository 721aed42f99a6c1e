"""OpenAI messages → Gemini systemInstruction and contents (roles, parts, tools, signatures, prefill)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import parse_model_name
from adapter.translate.messages import OPENING_NOTE, OPENING_TEXT, PREFILL_INSTRUCTION, to_contents
from adapter.translate.request import Media, to_gemini_request
from adapter.translate.signatures import BYPASS_SIGNATURE, join_tool_call_id
from tests.unit.test_translate_request_walker import FIXTURES, vertex_violations

PLAIN = ModelCapabilities(name="plain")
GEMINI_3 = ModelCapabilities(name="g3", thought_signatures_required=True)
PREFILL_OK = ModelCapabilities(name="prefill", trailing_model_turn=True)
PNG = "iVBORw0KGgo="
SIGNATURE = "AY89a19eCdKurFEZ2PceOgYiyMwbMm8TLwl8DZzdn3Ie0nS/ZbkvknSZpfyQAGrkATnFm+UEFu0E3u1mq2ibcTRDR+OeTI1lJHgtGpX6GDlhcIixdZ20"


def contents(messages: list[dict[str, Any]], caps: ModelCapabilities = PLAIN, media: dict[str, Media] | None = None) -> list[dict[str, Any]]:
    return to_contents(messages, caps, media or {})[1]


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def parts_of(content: Any, media: dict[str, Media] | None = None) -> list[dict[str, Any]]:
    return contents([user(content)], media=media)[0]["parts"]


def error_of(messages: list[dict[str, Any]], caps: ModelCapabilities = PLAIN) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        to_contents(messages, caps, {})
    return caught.value


def call(call_id: str, name: str, arguments: str = "{}", **extra: Any) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}, **extra}


# --- roles and turns --------------------------------------------------------------------------


def test_system_and_developer_messages_become_system_instruction_parts_in_order() -> None:
    system, turns = to_contents(
        [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Use French."}, {"type": "text", "text": "  "}]},
            user("Hi"),
            {"role": "system", "content": "Late rule."},
        ],
        PLAIN,
        {},
    )
    assert system == {"parts": [{"text": "Be brief."}, {"text": "Use French."}, {"text": "Late rule."}]}
    assert turns == [{"role": "user", "parts": [{"text": "Hi"}]}]


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([user("a"), user("b")], [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]),
        ([user("a"), user("   \n"), user("b")], [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]),
        ([user("q"), {"role": "assistant", "content": "x"}, {"role": "assistant", "content": "y"}, user("z")],
         [{"role": "user", "parts": [{"text": "q"}]}, {"role": "model", "parts": [{"text": "x"}, {"text": "y"}]}, {"role": "user", "parts": [{"text": "z"}]}]),
        ([user("q"), {"role": "assistant", "content": "", "reasoning_content": "secret thoughts"}, user("z")],
         [{"role": "user", "parts": [{"text": "q"}, {"text": "z"}]}]),
        ([user("q"),
          {"role": "assistant", "content": [{"type": "text", "text": "ok"}, {"type": "refusal", "refusal": "no"}], "reasoning_content": "hmm"},
          user("z")],
         [{"role": "user", "parts": [{"text": "q"}]}, {"role": "model", "parts": [{"text": "ok"}]}, {"role": "user", "parts": [{"text": "z"}]}]),
    ],
    ids=["merge-users", "blank-dropped", "merge-assistants", "empty-assistant-dropped", "reasoning-and-refusal-not-sent"],
)
def test_turns(messages: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert contents(messages) == expected


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([{"role": "system", "content": "only rules"}], "messages"),
        ([user("  ")], "messages"),
        ([{"role": "robot", "content": "x"}], "messages[0].role"),
    ],
)
def test_message_errors_name_the_field(messages: list[dict[str, Any]], param: str) -> None:
    assert error_of(messages).param == param


def test_messages_are_not_changed() -> None:
    messages = [user([{"type": "text", "text": "hi"}]), {"role": "assistant", "tool_calls": [call("c1", "f", '{"a": 1}')]},
                {"role": "tool", "tool_call_id": "c1", "content": "done"}]
    before = copy.deepcopy(messages)
    contents(messages)
    assert messages == before


# --- content parts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ({"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}, {"inlineData": {"mimeType": "image/png", "data": PNG}}),
        ({"type": "image_url", "image_url": {"url": f"data:image/JPEG;name=x.jpg;base64,{PNG}", "detail": "low"}},
         {"inlineData": {"mimeType": "image/jpeg", "data": PNG}}),
        ({"type": "image_url", "image_url": {"url": f"DATA:image/png;base64,{PNG}"}}, {"inlineData": {"mimeType": "image/png", "data": PNG}}),
        ({"type": "image_url", "image_url": {"url": "gs://bucket/cat.PNG"}}, {"fileData": {"mimeType": "image/png", "fileUri": "gs://bucket/cat.PNG"}}),
        ({"type": "image_url", "image_url": {"url": "https://example.com/cat"}}, {"inlineData": {"mimeType": "image/webp", "data": "UklGR"}}),
        ({"type": "image_url", "image_url": {"url": "HTTPS://example.com/cat"}}, {"inlineData": {"mimeType": "image/webp", "data": "UklGR"}}),
        ({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}, {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}}),
        ({"type": "input_audio", "input_audio": {"data": "SUQz", "format": "mp3"}}, {"inlineData": {"mimeType": "audio/mp3", "data": "SUQz"}}),
        ({"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}},
         {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}),
        ({"type": "file", "file": {"file_data": "JVBERi0=", "filename": "report.pdf"}}, {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}),
        ({"type": "file", "file": {"file_data": "data:video/mp4;base64,AAAA"}}, {"inlineData": {"mimeType": "video/mp4", "data": "AAAA"}}),
        ({"type": "file", "file": {"file_id": "gs://b/notes.txt"}}, {"fileData": {"mimeType": "text/plain", "fileUri": "gs://b/notes.txt"}}),
        ({"type": "file", "file": {"file_id": "https://example.com/cat"}}, {"inlineData": {"mimeType": "image/webp", "data": "UklGR"}}),
    ],
)
def test_user_content_parts(part: dict[str, Any], expected: dict[str, Any]) -> None:
    cat = Media(mime_type="image/webp", data="UklGR")
    media = {"https://example.com/cat": cat, "HTTPS://example.com/cat": cat}
    assert parts_of([{"type": "text", "text": "look"}, part], media) == [{"text": "look"}, expected]


@pytest.mark.parametrize(
    ("part", "param"),
    [
        ({"type": "image_url", "image_url": {"url": "https://example.com/missing.png"}}, "messages[0].content[1].image_url.url"),
        ({"type": "file", "file": {"file_id": "http://example.com/missing.pdf"}}, "messages[0].content[1].file.file_id"),
        ({"type": "file", "file": {"file_data": "https://example.com/missing.pdf"}}, "messages[0].content[1].file.file_data"),
    ],
)
def test_an_unfetched_url_is_the_one_part_error_translation_gives(part: dict[str, Any], param: str) -> None:
    """Everything else about a part is the schema's to refuse (tests/unit/test_schemas_chat.py)."""
    assert error_of([user([{"type": "text", "text": "x"}, part])]).param == param


def test_markdown_data_url_images_in_assistant_text_become_inline_data() -> None:
    text = f"Here you go:\n![image](data:image/png;base64,{PNG})\nAnd a second: ![](data:image/jpeg;base64,AAAA)"
    turns = contents([user("draw"), {"role": "assistant", "content": text}, user("make it blue")])
    assert turns[1]["parts"] == [
        {"text": "Here you go:\n"},
        {"inlineData": {"mimeType": "image/png", "data": PNG}},
        {"text": "\nAnd a second: "},
        {"inlineData": {"mimeType": "image/jpeg", "data": "AAAA"}},
    ]


def test_markdown_images_in_user_text_stay_text() -> None:
    text = f"![x](data:image/png;base64,{PNG})"
    assert parts_of(text) == [{"text": text}]


# --- tool calls, results and thought signatures -----------------------------------------------


def test_three_turn_parallel_tool_conversation_matches_googles_follow_up_request() -> None:
    expected = json.loads((FIXTURES / "vertex/examples/generate/function-call.followup.request.json").read_text(encoding="utf-8"))
    messages = [
        user("Weather in Paris and in Tokyo? Call the tool for both cities at once."),
        {"role": "assistant", "content": None, "tool_calls": [
            call(join_tool_call_id("call_463646", SIGNATURE), "get_weather", '{"city": "Paris"}'),
            call("call_463649", "get_weather", '{"city":"Tokyo"}'),
        ]},
        {"role": "tool", "tool_call_id": join_tool_call_id("call_463646", SIGNATURE), "content": "18C, clear"},
        {"role": "tool", "tool_call_id": "call_463649", "content": "21C, rain"},
    ]
    assert contents(messages, GEMINI_3) == expected["contents"]


def test_signature_comes_from_extra_content_first() -> None:
    extra: dict[str, Any] = {"extra_content": {"google": {"thought_signature": "c2lnbmVk"}}}
    result = {"role": "tool", "tool_call_id": "call_1", "content": "ok"}
    turns = contents([user("go"), {"role": "assistant", "tool_calls": [call("call_1", "f", **extra)]}, result], GEMINI_3)
    assert turns[1]["parts"] == [{"functionCall": {"name": "f", "args": {}, "id": "call_1"}, "thoughtSignature": "c2lnbmVk"}]


@pytest.mark.parametrize(
    ("caps", "first", "second"),
    [(GEMINI_3, BYPASS_SIGNATURE, None), (PLAIN, None, None)],
    ids=["signatures-required", "signatures-optional"],
)
def test_unsigned_history_gets_the_bypass_signature_on_the_first_call_only(caps: ModelCapabilities, first: str | None, second: str | None) -> None:
    messages = [user("go"), {"role": "assistant", "content": "Let me check.", "tool_calls": [call("a", "f"), call("b", "g")]},
                {"role": "tool", "tool_call_id": "a", "content": "1"}, {"role": "tool", "tool_call_id": "b", "content": "2"}]
    parts = contents(messages, caps)[1]["parts"]
    assert parts[0] == {"text": "Let me check."}
    assert [p.get("thoughtSignature") for p in parts[1:]] == [first, second]


def test_each_assistant_step_gets_its_own_bypass_signature() -> None:
    messages = [user("go"),
                {"role": "assistant", "tool_calls": [call("a", "f")]}, {"role": "tool", "tool_call_id": "a", "content": "1"},
                {"role": "assistant", "tool_calls": [call("b", "f")]}, {"role": "tool", "tool_call_id": "b", "content": "2"}]
    turns = contents(messages, GEMINI_3)
    assert [turn["parts"][0].get("thoughtSignature") for turn in turns if turn["role"] == "model"] == [BYPASS_SIGNATURE] * 2
    assert vertex_violations({"contents": turns}) == []


def test_tool_results_are_grouped_in_call_order_with_images_after_them() -> None:
    messages = [
        user("go"),
        {"role": "assistant", "tool_calls": [call("c1", "shot"), call("c2", "read"), call("c3", "count")]},
        {"role": "tool", "tool_call_id": "c3", "content": "[1, 2]"},
        {"role": "tool", "tool_call_id": "c1", "content": [
            {"type": "text", "text": "Screenshot taken"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        ]},
        {"role": "tool", "tool_call_id": "c2", "content": '{"text": "hello", "lines": 1}'},
        user("thanks"),
    ]
    turns = contents(messages)
    assert turns[2] == {"role": "user", "parts": [
        {"functionResponse": {"name": "shot", "response": {"output": "Screenshot taken"}, "id": "c1"}},
        {"functionResponse": {"name": "read", "response": {"text": "hello", "lines": 1}, "id": "c2"}},
        {"functionResponse": {"name": "count", "response": {"output": [1, 2]}, "id": "c3"}},
        {"inlineData": {"mimeType": "image/png", "data": PNG}},
        {"text": "thanks"},
    ]}
    assert vertex_violations({"contents": turns}) == []


@pytest.mark.parametrize(
    ("content", "response"),
    [
        ("plain text", {"output": "plain text"}),
        ('{"ok": true}', {"ok": True}),
        ("[1, 2]", {"output": [1, 2]}),
        ("{not json", {"output": "{not json"}),
        ("", {"output": ""}),
        ([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], {"output": "a\nb"}),
    ],
)
def test_tool_result_content(content: Any, response: dict[str, Any]) -> None:
    messages = [user("go"), {"role": "assistant", "tool_calls": [call("c1", "f")]}, {"role": "tool", "tool_call_id": "c1", "content": content}]
    assert contents(messages)[2]["parts"][0]["functionResponse"]["response"] == response


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([user("go"), {"role": "assistant", "tool_calls": [call("c1", "f", "{bad")]}], "messages[1].tool_calls[0].function.arguments"),
        ([user("go"), {"role": "assistant", "tool_calls": [call("c1", "f"), call("c2", "f", "[1]")]}], "messages[1].tool_calls[1].function.arguments"),
        ([user("go"), {"role": "tool", "tool_call_id": "nowhere", "content": "x"}], "messages[1].tool_call_id"),
    ],
)
def test_tool_errors_name_the_field(messages: list[dict[str, Any]], param: str) -> None:
    assert error_of(messages).param == param


def test_tool_result_answering_no_call_is_refused_even_with_a_name() -> None:
    with pytest.raises(InvalidRequest) as caught:
        contents([user("go"), {"role": "tool", "tool_call_id": "x1", "name": "f", "content": "ok"}])
    assert caught.value.param == "messages[1].tool_call_id"


# --- prefill ----------------------------------------------------------------------------------


def _translate(messages: list[dict[str, Any]], caps: ModelCapabilities) -> Any:
    return to_gemini_request({"model": caps.name, "messages": messages}, parse_model_name(caps.name), caps)


def test_prefill_is_kept_as_a_trailing_model_turn_where_accepted() -> None:
    result = _translate([user("Write a haiku"), {"role": "assistant", "content": "Autumn moon"}], PREFILL_OK)
    assert result.body["contents"][-1] == {"role": "model", "parts": [{"text": "Autumn moon"}]}
    assert result.rewrites == ()


def test_prefill_moves_into_the_last_user_turn_elsewhere() -> None:
    result = _translate([user("Write a haiku"), {"role": "assistant", "content": "Autumn moon"}], PLAIN)
    assert result.body["contents"] == [
        {"role": "user", "parts": [{"text": "Write a haiku"}, {"text": PREFILL_INSTRUCTION + "Autumn moon"}]},
    ]
    assert len(result.rewrites) == 1 and "prefill" in result.rewrites[0]
    assert "Autumn" not in result.rewrites[0]


def test_history_starting_with_tool_calls_gets_a_user_turn_first() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "rules"}, {"role": "assistant", "tool_calls": [call("c1", "f")]},
                {"role": "tool", "tool_call_id": "c1", "content": "ok"}]
    result = _translate(messages, PLAIN)
    assert result.body["contents"][0] == {"role": "user", "parts": [{"text": OPENING_TEXT}]}
    assert result.rewrites == (OPENING_NOTE,)
    assert vertex_violations(result.body) == []


@pytest.mark.parametrize("caps", [PLAIN, PREFILL_OK], ids=["plain", "prefill_ok"])
@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([user("go"), {"role": "assistant", "tool_calls": [call("c1", "f")]}], "messages[1].tool_calls"),
        ([user("go"), {"role": "assistant", "tool_calls": [call("c1", "f")]}, {"role": "assistant", "content": "wait"}], "messages[1].tool_calls"),
        (
            [user("go"), {"role": "assistant", "tool_calls": [call("c1", "f")]}, {"role": "tool", "tool_call_id": "c1", "content": "1"},
             {"role": "assistant", "tool_calls": [call("c2", "f")]}, {"role": "system", "content": "s"}],
            "messages[3].tool_calls",
        ),
    ],
)
def test_ending_with_unanswered_tool_calls_is_refused(messages: list[dict[str, Any]], param: str, caps: ModelCapabilities) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _translate(messages, caps)
    assert caught.value.param == param and "no results" in caught.value.message


def test_unanswered_calls_earlier_in_the_history_are_left_to_the_model() -> None:
    messages = [user("go"), {"role": "assistant", "tool_calls": [call("c1", "f")]}, user("never mind"), {"role": "assistant", "content": "Fine"}]
    assert _translate(messages, PREFILL_OK).body["contents"][-1] == {"role": "model", "parts": [{"text": "Fine"}]}


def test_calls_split_over_consecutive_assistant_messages_get_results_in_call_order() -> None:
    messages = [
        user("go"),
        {"role": "assistant", "tool_calls": [call("c1", "f")]},
        {"role": "assistant", "tool_calls": [call("c2", "g")]},
        {"role": "tool", "tool_call_id": "c2", "content": "2"},
        {"role": "tool", "tool_call_id": "c1", "content": "1"},
    ]
    turns = _translate(messages, PLAIN).body["contents"]
    assert [part["functionCall"]["id"] for part in turns[1]["parts"]] == ["c1", "c2"]
    assert [part["functionResponse"]["id"] for part in turns[2]["parts"]] == ["c1", "c2"]
