"""The whole request translation: Google's example requests reproduced, remote media, purity,
and property tests (any valid-looking OpenAI request gives a Vertex-valid body or a 400)."""

from __future__ import annotations

import copy
import dataclasses
import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.translate.request import (
    Media,
    TranslatedRequest,
    remote_media_urls,
    to_gemini_request,
)
from adapter.validation import load_body
from tests.unit.test_translate_request_walker import FIXTURES, vertex_violations

TABLE = load_capabilities()
EXAMPLES = FIXTURES / "vertex" / "examples" / "generate"
CORPUS = sorted((FIXTURES / "tool_schemas").glob("*.json"))
REMOTE = "https://img.example.com/cat.png"
MEDIA = {REMOTE: Media(mime_type="image/png", data="iVBORw0KGgo=")}


def translate(req: dict[str, Any], **kwargs: Any) -> TranslatedRequest:
    route = parse_model_name(req["model"])
    return to_gemini_request(req, route, TABLE.lookup(route.base), **kwargs)


def _example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_reproduces_googles_thinking_request() -> None:
    expected = _example("thoughts.gemini-3.request.json")
    body = translate({"model": "gemini-3-flash-preview", "reasoning_effort": "medium",
                      "messages": [{"role": "user", "content": "Is 391 prime? Answer in one short sentence."}]}).body
    assert body["contents"] == expected["contents"]
    assert body["generationConfig"] == expected["generationConfig"]


def test_reproduces_googles_function_call_request() -> None:
    expected = _example("function-call.request.json")
    declaration = expected["tools"][0]["functionDeclarations"][0]
    req: dict[str, Any] = {
        "model": "gemini-3-flash-preview",
        "reasoning_effort": "low",
        "tool_choice": "auto",
        "messages": [{"role": "user", "content": expected["contents"][0]["parts"][0]["text"]}],
        "tools": [{"type": "function", "function": {
            "name": "get_weather", "description": declaration["description"],
            "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]},
        }}],
    }
    route = parse_model_name(req["model"])
    caps = dataclasses.replace(TABLE.lookup(route.base), parameters_json_schema=False)
    body = to_gemini_request(req, route, caps).body
    assert {key: body[key] for key in expected} == expected


def test_remote_media_urls_lists_each_http_url_and_gs_uri_once_in_order() -> None:
    req = {"model": "m", "messages": [
        {"role": "system", "content": "s"},
        {"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": REMOTE}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
            {"type": "image_url", "image_url": {"url": "gs://b/x.png"}},
            {"type": "file", "file": {"file_data": "http://files.example.com/a.pdf"}},
        ]},
        {"role": "tool", "tool_call_id": "c", "content": [{"type": "image_url", "image_url": {"url": REMOTE}},
                                                          {"type": "file", "file": {"file_id": "https://x.example.com/b.pdf"}}]},
    ]}
    assert remote_media_urls(req) == {
        REMOTE: "messages[1].content[0].image_url.url",
        "gs://b/x.png": "messages[1].content[2].image_url.url",
        "http://files.example.com/a.pdf": "messages[1].content[3].file",
        "https://x.example.com/b.pdf": "messages[2].content[1].file",
    }


def test_remote_media_is_inlined_from_what_the_edge_fetched() -> None:
    req = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": REMOTE}}]}]}
    assert translate(req, media=MEDIA).body["contents"][0]["parts"] == [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]
    with pytest.raises(InvalidRequest) as caught:
        translate(req)
    assert caught.value.param == "messages[0].content[0].image_url.url"


def test_plain_request_body() -> None:
    result = translate({"model": "gemini-2.0-flash-001", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]})
    assert result.rewrites == ()
    assert result.body == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "safetySettings": [{"category": c, "threshold": "OFF"} for c in (
            "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_HARASSMENT",
            "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_CIVIC_INTEGRITY")],
    }


# --- property tests ---------------------------------------------------------------------------

MODELS = [caps.name for caps in TABLE.listed_models()] + ["gemini-9-unknown"]
SUFFIXES = ["", "-search", "-nothinking", "-max", "-search-max"]
NAMES = ["get_weather", "search", "read_file", "run.cmd", "ns:tool"]
texts = st.text(alphabet=string.ascii_letters + " \n\t.!", max_size=20)
args = st.dictionaries(st.sampled_from(["city", "n", "flag"]), st.one_of(st.integers(), st.text(max_size=5), st.booleans()), max_size=3)

text_part = st.builds(lambda t: {"type": "text", "text": t}, texts)
image_part = st.sampled_from([
    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
    {"type": "image_url", "image_url": {"url": "gs://bucket/photo.jpg", "detail": "low"}},
    {"type": "image_url", "image_url": {"url": REMOTE}},
    {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}},
])
user_content = st.one_of(texts, st.lists(st.one_of(text_part, image_part), min_size=1, max_size=3))


@st.composite
def tool_step(draw: st.DrawFn, step: int) -> list[dict[str, Any]]:
    """An assistant turn with tool calls, followed by one result per call (in any order)."""
    count = draw(st.integers(1, 3))
    calls = []
    for k in range(count):
        call: dict[str, Any] = {"id": f"call_{step}_{k}", "type": "function",
                                "function": {"name": draw(st.sampled_from(NAMES)), "arguments": json.dumps(draw(args))}}
        if draw(st.booleans()):
            call["id"] += "__thought__QVk4OWExc2ln"
        calls.append(call)
    assistant = {"role": "assistant", "content": draw(st.one_of(st.none(), texts)), "tool_calls": calls}
    if draw(st.booleans()):
        assistant["reasoning_content"] = draw(texts)
    result_content = st.one_of(texts, st.just('{"ok": 1}'), st.lists(st.one_of(text_part, image_part), max_size=2))
    results = [{"role": "tool", "tool_call_id": c["id"], "content": draw(result_content)} for c in calls]
    return [assistant, *draw(st.permutations(results))]


@st.composite
def conversations(draw: st.DrawFn) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": draw(st.sampled_from(["system", "developer"])), "content": draw(texts)}] if draw(st.booleans()) else []
    messages.append({"role": "user", "content": draw(user_content)})
    for step in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["user", "assistant", "tools"]))
        if kind == "user":
            messages.append({"role": "user", "content": draw(user_content)})
        elif kind == "assistant":
            messages.append({"role": "assistant", "content": draw(texts)})
        else:
            messages.extend(draw(tool_step(step)))
    return messages


def _tools(draw: st.DrawFn) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(CORPUS), max_size=3, unique=True))
    tools = []
    for name, path in zip(NAMES, chosen):
        entry = json.loads(path.read_text(encoding="utf-8"))
        tools.append({"type": "function", "function": {"name": name, "description": entry["description"], "parameters": entry["parameters"]}})
    return tools


OPTIONAL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "temperature": st.floats(0, 2),
    "top_p": st.floats(0, 1),
    "top_k": st.integers(1, 100),
    "max_tokens": st.integers(1, 8192),
    "max_completion_tokens": st.integers(1, 8192),
    "stop": st.one_of(texts, st.lists(texts, max_size=4)),
    "n": st.integers(1, 8),
    "seed": st.integers(-(2**31), 2**31 - 1),
    "presence_penalty": st.sampled_from([0, 0.5, -1.5]),
    "frequency_penalty": st.sampled_from([0, 1.0]),
    "logprobs": st.booleans(),
    "top_logprobs": st.integers(0, 20),
    "reasoning_effort": st.sampled_from(["none", "minimal", "low", "medium", "high", "xhigh", "max"]),
    "modalities": st.sampled_from([["text"], ["text", "image"], ["image"]]),
    "response_format": st.sampled_from([
        {"type": "text"}, {"type": "json_object"},
        {"type": "json_schema", "json_schema": {"name": "o", "schema": {"type": "object", "properties": {"a": {"type": ["string", "null"]}}}}},
    ]),
    "tool_choice": st.sampled_from(["none", "auto", "required", {"type": "function", "function": {"name": "get_weather"}}]),
    "parallel_tool_calls": st.booleans(),
    "web_search_options": st.just({}),
    "metadata": st.dictionaries(st.sampled_from(["team", "Env", "run_id"]), st.sampled_from(["a", "B", "x-1"]), max_size=3),
    "google": st.sampled_from([{"thinking_config": {"thinking_budget": 1024}}, {"thinking_config": {"thinking_level": "high"}},
                               {"thinking_config": {"include_thoughts": False}}]),
}


@st.composite
def chat_requests(draw: st.DrawFn) -> dict[str, Any]:
    req: dict[str, Any] = {"model": draw(st.sampled_from(MODELS)) + draw(st.sampled_from(SUFFIXES)), "messages": draw(conversations())}
    for name in draw(st.lists(st.sampled_from(sorted(OPTIONAL_FIELDS)), max_size=6, unique=True)):
        req[name] = draw(OPTIONAL_FIELDS[name])
    if draw(st.booleans()):
        req["tools"] = _tools(draw)
    return req


def _first_calls_signed(body: dict[str, Any]) -> bool:
    for content in body["contents"]:
        calls = [part for part in content["parts"] if "functionCall" in part]
        if calls and "thoughtSignature" not in calls[0]:
            return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chat_requests())
def test_any_valid_request_gives_a_vertex_valid_body_or_a_400(req: dict[str, Any]) -> None:
    before = copy.deepcopy(req)
    route = parse_model_name(req["model"])
    caps = TABLE.lookup(route.base)
    try:
        result = to_gemini_request(req, route, caps, media=MEDIA)
    except InvalidRequest as exc:
        assert exc.param
        return
    finally:
        assert req == before
    assert vertex_violations(result.body) == []
    assert not caps.thought_signatures_required or _first_calls_signed(result.body)
    assert all(isinstance(note, str) and note for note in result.rewrites)


PART_KEYS = ["type", "text", "url", "image_url", "function", "id", "name", "arguments", "file", "file_data"]
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(PART_KEYS), inner, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "tool", "function"])},
    optional={"content": json_values, "tool_calls": json_values, "tool_call_id": json_values, "name": json_values, "function_call": json_values},
), min_size=1, max_size=5))
def test_odd_message_shapes_the_schema_loads_only_ever_raise_invalid_request(messages: list[dict[str, Any]]) -> None:
    try:
        body = translate(load_body(CHAT_REQUEST_SCHEMA, {"model": "gemini-3-pro-preview", "messages": messages})).body
    except InvalidRequest:
        return
    assert body["contents"]
