"""The chat request schema: what it accepts and loads, and the 400 it gives for the rest."""

from __future__ import annotations

import math
from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.validation import load_body

MODEL = "gemini-2.5-flash"
USER = {"role": "user", "content": "Hi"}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
CALL = {
    "id": "call_1__thought__AY89a1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    "extra_content": {"google": {"thought_signature": "AY89a1=="}},
}


def body(*messages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": list(messages) or [USER], **fields}


def load(request: dict[str, Any]) -> dict[str, Any]:
    return load_body(CHAT_REQUEST_SCHEMA, request)


TOOL_CONVERSATION = (
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "content": None, "tool_calls": [CALL], "reasoning_content": "I should call the tool."},
    {"role": "tool", "tool_call_id": CALL["id"], "content": '{"temp": 21}'},
)
MULTIMODAL = {
    "role": "user",
    "content": [
        {"type": "text", "text": "What is in these?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
        {"type": "image_url", "image_url": {"url": "gs://bucket/dog.webp", "detail": "low"}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"}},
        {"type": "file", "file": {"file_id": "gs://bucket/report.pdf"}},
    ],
}

# Requests the gateway accepts, as the openai SDK and common clients send them.
VALID: list[tuple[str, dict[str, Any]]] = [
    ("minimal", body()),
    ("sampling at the bounds", body(
        temperature=2, top_p=0, top_k=40, n=8, max_tokens=1, max_completion_tokens=65536, seed=-1,
        presence_penalty=-2, frequency_penalty=2.0, logprobs=True, top_logprobs=20,
        stop=["a", "b", "c", "d", "e"])),
    ("every effort", body(reasoning_effort="xhigh")),
    ("effort none", body(reasoning_effort="none")),
    ("effort max", body(reasoning_effort="max")),
    ("metadata-only fields", body(
        user="u-1", metadata={"app": "chat", "team": "x" * 512}, store=False, service_tier="flex",
        safety_identifier="hash", prompt_cache_key="k", prompt_cache_retention="24h",
        prompt_cache_options={"mode": "implicit", "ttl": "30m"}, verbosity="low", parallel_tool_calls=False,
        stream=True, stream_options={"include_usage": True, "include_obfuscation": False})),
    ("web search", body(web_search_options={
        "search_context_size": "high",
        "user_location": {"type": "approximate", "approximate": {"city": "Paris", "country": "FR"}}})),
    ("multimodal user", body(MULTIMODAL)),
    ("tool conversation", body(*TOOL_CONVERSATION, tools=[WEATHER_TOOL], tool_choice="auto")),
    ("assistant refusal parts", body(USER, {"role": "assistant", "content": [
        {"type": "text", "text": "No."}, {"type": "refusal", "refusal": "I can't."}], "refusal": "I can't."}, USER)),
    ("developer and text-part system", body(
        {"role": "developer", "content": "Rules.", "name": "ops"},
        {"role": "system", "content": [{"type": "text", "text": "More rules."}]}, USER)),
    ("tool result with an image", body(USER, {"role": "assistant", "tool_calls": [CALL]}, {
        "role": "tool", "tool_call_id": "call_1", "content": [
            {"type": "text", "text": "chart:"},
            {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4A=="}}]})),
    ("tool_choice required", body(tools=[WEATHER_TOOL], tool_choice="required")),
    ("tool_choice none without tools", body(tool_choice="none")),
    ("tool_choice named", body(tools=[WEATHER_TOOL, TIME_TOOL],
                               tool_choice={"type": "function", "function": {"name": "get_time"}})),
    ("tool_choice allowed_tools", body(tools=[WEATHER_TOOL, TIME_TOOL], tool_choice={
        "type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
            {"type": "function", "function": {"name": "get_weather"}}]}})),
    ("strict tool with Gemini-only name", body(tools=[{"type": "function", "function": {
        "name": "mcp.server:read-file_" + "x" * 106, "parameters": {"type": "object"}, "strict": True}}])),
    ("response_format text", body(response_format={"type": "text"})),
    ("response_format json_object", body(response_format={"type": "json_object"})),
    ("response_format json_schema", body(response_format={"type": "json_schema", "json_schema": {
        "name": "Answer", "description": "d", "strict": True,
        "schema": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"],
                   "additionalProperties": False}}})),
    ("image output", body(modalities=["text", "image"])),
    ("gemini extensions", body(
        google={"thinking_config": {"thinking_budget": 0, "include_thoughts": True}, "thought_tag_marker": "think",
                "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}]},
        extra_body={"google": {"thinking_config": {"thinking_level": "low"}}, "thinking_config": {"thinking_budget": -1}},
        thinking_config={"include_thoughts": True, "thinking_level": "HIGH"})),
    ("all optional nulls", body(
        temperature=None, top_p=None, n=None, max_tokens=None, stop=None, seed=None, logprobs=None,
        top_logprobs=None, reasoning_effort=None, response_format=None, tool_choice=None, audio=None,
        prediction=None, moderation=None, logit_bias=None, metadata=None, stream=None, stream_options=None,
        modalities=None, service_tier=None, web_search_options=None, verbosity=None, tools=None,
        functions=None, function_call=None)),
    ("legacy functions", body(functions=[WEATHER_TOOL["function"]], function_call={"name": "get_weather"})),
]


@pytest.mark.parametrize("request_body", [row[1] for row in VALID], ids=[row[0] for row in VALID])
def test_accepts(request_body: dict[str, Any]) -> None:
    loaded = load(request_body)
    assert loaded["model"] == MODEL
    assert None not in loaded.values()


NORMALISED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("nulls and empty logit_bias left out", body(temperature=None, logit_bias={}, stream=None), body()),
    ("stop string becomes a list", body(stop="END"), body(stop=["END"])),
    ("empty stop sequences dropped", body(stop=["", "x", ""]), body(stop=["x"])),
    ("only empty stop: no stop", body(stop=""), body()),
    ("integral floats are integers", body(max_tokens=100.0, n=2.0), body(max_tokens=100, n=2)),
    ("integer temperature is a float", body(temperature=1), body(temperature=1.0)),
    ("unknown top-level keys ignored",
     body(foo=1, reasoning={"effort": "high"}, repetition_penalty=1.1, min_p=0.1), body()),
    ("extension keys passed on", body(google={"thought_tag_marker": "think", "future_option": [1]}, top_k=5),
     body(google={"thought_tag_marker": "think", "future_option": [1]}, top_k=5)),
    ("camelCase thinking_config becomes snake_case",
     body(extra_body={"google": {"thinking_config": {"thinkingBudget": 512, "includeThoughts": True}}}),
     body(extra_body={"google": {"thinking_config": {"thinking_budget": 512, "include_thoughts": True}}})),
    ("unknown keys inside messages and parts ignored", body(
        {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]},
        {"role": "assistant", "content": "yo", "annotations": [], "audio": None, "function_call": None}),
     body({"role": "user", "content": [{"type": "text", "text": "hi"}]},
          {"role": "assistant", "content": "yo", "audio": None, "function_call": None})),
    ("bare image_url string", body({"role": "user", "content": [
        {"type": "image_url", "image_url": "https://example.com/a.png"}]}),
     body({"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]})),
    ("legacy functions become tools", body(
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": "{}"}},
        {"role": "function", "name": "get_weather", "content": "sunny"},
        functions=[WEATHER_TOOL["function"]], function_call="auto"),
     body({"role": "user", "content": "Weather?"},
          {"role": "assistant", "content": None, "tool_calls": [
              {"id": "legacy_call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "legacy_call_1", "name": "get_weather", "content": "sunny"},
          tools=[WEATHER_TOOL], tool_choice="auto")),
    ("legacy named function_call", body(functions=[WEATHER_TOOL["function"]], function_call={"name": "get_weather"}),
     body(tools=[WEATHER_TOOL], tool_choice={"type": "function", "function": {"name": "get_weather"}})),
]


@pytest.mark.parametrize(("request_body", "expected"), [row[1:] for row in NORMALISED], ids=[r[0] for r in NORMALISED])
def test_loaded_dict(request_body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert load(request_body) == expected


@pytest.mark.parametrize(
    ("request_body", "legacy"),
    [
        (body(functions=[WEATHER_TOOL["function"]]), True),
        (body(functions=[WEATHER_TOOL["function"]], function_call="auto"), True),
        (body(tools=[WEATHER_TOOL], tool_choice="auto"), False),
        (body(), False),
    ],
    ids=["functions", "functions and function_call", "tools", "neither"],
)
def test_a_request_declaring_functions_is_flagged_for_the_legacy_answer_shape(request_body: dict[str, Any], legacy: bool) -> None:
    loaded = CHAT_REQUEST_SCHEMA.load(request_body)
    assert loaded.legacy_functions is legacy and "functions" not in loaded


def test_loading_never_changes_the_request() -> None:
    request = body(*TOOL_CONVERSATION, stop="x", temperature=None, functions=[WEATHER_TOOL["function"]])
    snapshot = repr(request)
    load(request)
    assert repr(request) == snapshot


def _message(index: int, message: dict[str, Any]) -> dict[str, Any]:
    return body(*([USER] * index), message)


# (request, param, message fragment, code)
INVALID: list[tuple[str, dict[str, Any], str | None, str, str]] = [
    ("no model", {"messages": [USER]}, "model", "Missing required parameter: 'model'.", "missing_required_parameter"),
    ("empty model", body(model=""), "model", "must not be empty", "invalid_value"),
    ("model not a string", body(model=5), "model", "must be a string", "invalid_value"),
    ("no messages", {"model": MODEL}, "messages", "Missing required parameter: 'messages'", "missing_required_parameter"),
    ("empty messages", {"model": MODEL, "messages": []}, "messages", "at least one message", "invalid_value"),
    ("messages not a list", {"model": MODEL, "messages": USER}, "messages", "must be an array", "invalid_value"),
    ("message not an object", body("hi"), "messages[0]", "must be an object", "invalid_value"),
    ("no role", body({"content": "x"}), "messages[0].role", "Missing required parameter", "missing_required_parameter"),
    ("unknown role", body({"role": "bot", "content": "x"}), "messages[0].role", "must be one of 'system'", "invalid_value"),
    ("no content", body({"role": "user"}), "messages[0].content", "Missing required", "missing_required_parameter"),
    ("null user content", body({"role": "user", "content": None}), "messages[0].content", "must not be null",
     "invalid_value"),
    ("content a number", body({"role": "user", "content": 3}), "messages[0].content", "string or an array",
     "invalid_value"),
    ("unknown part type", body({"role": "user", "content": [{"type": "video", "video": {}}]}),
     "messages[0].content[0].type", "must be one of 'text', 'image_url', 'input_audio', 'file'", "invalid_value"),
    ("image in system", body({"role": "system", "content": [{"type": "image_url", "image_url": {"url": "gs://a/b"}}]}),
     "messages[0].content[0].type", "must be one of 'text'", "invalid_value"),
    ("text part without text", body({"role": "user", "content": [{"type": "text"}]}), "messages[0].content[0].text",
     "Missing required parameter: 'messages[0].content[0].text'.", "missing_required_parameter"),
    ("ftp image", _message(2, {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x/y"}}]}),
     "messages[2].content[0].image_url.url", "Invalid value for 'messages[2].content[0].image_url.url': must be an "
     "http(s) URL", "invalid_value"),
    ("data URL not base64", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png,abc"}}]}),
     "messages[0].content[0].image_url.url", "base64 data: URL", "invalid_value"),
    ("data URL without type", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:;base64,AAAA"}}]}),
     "messages[0].content[0].image_url.url", "base64 data: URL", "invalid_value"),
    ("bad image detail", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "gs://a/b.png", "detail": "ultra"}}]}),
     "messages[0].content[0].image_url.detail", "must be one of 'auto'", "invalid_value"),
    ("audio format", body({"role": "user", "content": [{"type": "input_audio", "input_audio": {
        "data": "AAAA", "format": "pcm16"}}]}), "messages[0].content[0].input_audio.format", "'wav', 'mp3'",
     "invalid_value"),
    ("data URL without payload", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,"}}]}),
     "messages[0].content[0].image_url.url", "base64 data: URL", "invalid_value"),
    ("data URL with a bad type", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:nonsense;name=a/b;base64,AA"}}]}),
     "messages[0].content[0].image_url.url", "base64 data: URL", "invalid_value"),
    ("gs URI without extension", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "gs://bucket/blob"}}]}),
     "messages[0].content[0].image_url.url", "known file extension", "invalid_value"),
    ("file gs URI without extension", body({"role": "user", "content": [
        {"type": "file", "file": {"file_id": "gs://bucket/blob"}}]}),
     "messages[0].content[0].file.file_id", "known file extension", "invalid_value"),
    ("file data URL without type", body({"role": "user", "content": [
        {"type": "file", "file": {"file_data": "data:;base64,AAAA"}}]}),
     "messages[0].content[0].file.file_data", "base64 data: URL", "invalid_value"),
    ("bare file data without a known extension", body({"role": "user", "content": [
        {"type": "file", "file": {"file_data": "AAAA", "filename": "blob"}}]}),
     "messages[0].content[0].file.filename", "known extension", "invalid_value"),
    ("bare file data without a filename", body({"role": "user", "content": [
        {"type": "file", "file": {"file_data": "AAAA"}}]}),
     "messages[0].content[0].file.filename", "known extension", "invalid_value"),
    ("empty file data", body({"role": "user", "content": [
        {"type": "file", "file": {"file_data": "", "filename": "a.pdf"}}]}),
     "messages[0].content[0].file.file_data", "must not be empty", "invalid_value"),
    ("empty audio", body({"role": "user", "content": [{"type": "input_audio", "input_audio": {
        "data": "", "format": "wav"}}]}), "messages[0].content[0].input_audio.data", "must not be empty",
     "invalid_value"),
    ("audio not base64", body({"role": "user", "content": [{"type": "input_audio", "input_audio": {
        "data": "0", "format": "wav"}}]}), "messages[0].content[0].input_audio.data", "must be base64",
     "invalid_value"),
    ("data URL payload not base64", body({"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,a b!"}}]}),
     "messages[0].content[0].image_url.url", "the payload must be base64", "invalid_value"),
    ("bare file data not base64", body({"role": "user", "content": [
        {"type": "file", "file": {"file_data": "not base64!", "filename": "a.pdf"}}]}),
     "messages[0].content[0].file.file_data", "must be base64", "invalid_value"),
    ("file without data", body({"role": "user", "content": [{"type": "file", "file": {"filename": "a.pdf"}}]}),
     "messages[0].content[0].file.file_data", "Missing required parameter", "missing_required_parameter"),
    ("OpenAI file id", body({"role": "user", "content": [{"type": "file", "file": {"file_id": "file-abc123"}}]}),
     "messages[0].content[0].file.file_id", "uploaded files are not available", "unsupported_value"),
    ("assistant without content or calls", _message(1, {"role": "assistant", "content": None}),
     "messages[1].content", "Missing required parameter: 'messages[1].content'.", "missing_required_parameter"),
    ("assistant with empty tool_calls", _message(1, {"role": "assistant", "tool_calls": []}),
     "messages[1].content", "Missing required", "missing_required_parameter"),
    ("custom tool call", _message(1, {"role": "assistant", "tool_calls": [
        {"id": "c", "type": "custom", "custom": {"name": "x", "input": "y"}}]}),
     "messages[1].tool_calls[0].type", "custom tool calls are not supported", "unsupported_value"),
    ("tool call without id", _message(1, {"role": "assistant", "tool_calls": [
        {"type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
     "messages[1].tool_calls[0].id", "Missing required parameter", "missing_required_parameter"),
    ("tool call without arguments", _message(1, {"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f"}}]}),
     "messages[1].tool_calls[0].function.arguments", "Missing required", "missing_required_parameter"),
    ("bad thought signature", _message(1, {"role": "assistant", "tool_calls": [
        {**CALL, "extra_content": {"google": {"thought_signature": 5}}}]}),
     "messages[1].tool_calls[0].extra_content.google.thought_signature", "must be a string", "invalid_value"),
    ("assistant audio", _message(1, {"role": "assistant", "content": "x", "audio": {"id": "audio_1"}}),
     "messages[1].audio", "Unsupported parameter: 'messages[1].audio'.", "unsupported_parameter"),
    ("tool message without id", _message(1, {"role": "tool", "content": "r"}), "messages[1].tool_call_id",
     "Missing required parameter: 'messages[1].tool_call_id'.", "missing_required_parameter"),
    ("temperature too high", body(temperature=2.5), "temperature",
     "Invalid value for 'temperature': must be between 0 and 2.", "invalid_value"),
    ("temperature negative", body(temperature=-0.1), "temperature", "between 0 and 2", "invalid_value"),
    ("temperature boolean", body(temperature=True), "temperature", "must be a number", "invalid_value"),
    ("temperature string", body(temperature="0.5"), "temperature", "must be a number", "invalid_value"),
    ("temperature NaN", body(temperature=math.nan), "temperature", "must be a number", "invalid_value"),
    ("top_p infinite", body(top_p=math.inf), "top_p", "must be a number", "invalid_value"),
    ("top_p above 1", body(top_p=1.5), "top_p", "between 0 and 1", "invalid_value"),
    ("top_k zero", body(top_k=0), "top_k", "between 1 and", "invalid_value"),
    ("n above Gemini's limit", body(n=9), "n", "must be between 1 and 8", "invalid_value"),
    ("n zero", body(n=0), "n", "between 1 and 8", "invalid_value"),
    ("n boolean", body(n=True), "n", "must be an integer", "invalid_value"),
    ("max_tokens zero", body(max_tokens=0), "max_tokens", "between 1 and", "invalid_value"),
    ("max_tokens fractional", body(max_tokens=1.5), "max_tokens", "must be an integer", "invalid_value"),
    ("max_completion_tokens boolean", body(max_completion_tokens=False), "max_completion_tokens",
     "must be an integer", "invalid_value"),
    ("seed beyond 64 bits", body(seed=2**63), "seed", "between", "invalid_value"),
    ("presence_penalty", body(presence_penalty=3), "presence_penalty", "between -2 and 2", "invalid_value"),
    ("logprobs string", body(logprobs="yes"), "logprobs", "must be a boolean", "invalid_value"),
    ("top_logprobs too high", body(logprobs=True, top_logprobs=21), "top_logprobs", "between 0 and 20",
     "invalid_value"),
    ("top_logprobs without logprobs", body(top_logprobs=3), "top_logprobs", "requires 'logprobs' to be true",
     "invalid_value"),
    ("top_logprobs with logprobs false", body(top_logprobs=3, logprobs=False), "top_logprobs", "requires 'logprobs'",
     "invalid_value"),
    ("reasoning_effort", body(reasoning_effort="extreme"), "reasoning_effort", "must be one of 'none', 'minimal'",
     "invalid_value"),
    ("audio modality", body(modalities=["audio"]), "modalities[0]", "Unsupported value for 'modalities[0]': audio "
     "output is not supported", "unsupported_value"),
    ("logit_bias", body(logit_bias={"50256": -100}), "logit_bias", "Unsupported parameter: 'logit_bias'. Gemini has "
     "no token-level logit bias.", "unsupported_parameter"),
    ("audio output", body(audio={"voice": "alloy", "format": "wav"}), "audio", "Unsupported parameter: 'audio'.",
     "unsupported_parameter"),
    ("prediction", body(prediction={"type": "content", "content": "x"}), "prediction", "Predicted Outputs",
     "unsupported_parameter"),
    ("moderation", body(moderation={"model": "omni-moderation-latest"}), "moderation", "moderation",
     "unsupported_parameter"),
    ("six stop sequences", body(stop=list("abcdef")), "stop", "at most 5 sequences", "invalid_value"),
    ("stop number", body(stop=5), "stop", "must be a string or an array of strings", "invalid_value"),
    ("stop list of numbers", body(stop=["a", 1]), "stop[1]", "must be a string", "invalid_value"),
    ("stream string", body(stream="true"), "stream", "must be a boolean", "invalid_value"),
    ("stream_options value", body(stream=True, stream_options={"include_usage": "yes"}),
     "stream_options.include_usage", "must be a boolean", "invalid_value"),
    ("stream_options not an object", body(stream_options=5), "stream_options", "must be an object", "invalid_value"),
    ("custom tool", body(tools=[{"type": "custom", "custom": {"name": "grammar"}}]), "tools[0].type",
     "custom tools are not supported", "unsupported_value"),
    ("tool name with a space", body(tools=[{"type": "function", "function": {"name": "get weather"}}]),
     "tools[0].function.name", "Invalid value for 'tools[0].function.name': must start with a letter or an "
     "underscore", "invalid_value"),
    ("tool name starting with a digit", body(tools=[{"type": "function", "function": {"name": "1st"}}]),
     "tools[0].function.name", "Gemini's rule", "invalid_value"),
    ("tool name too long", body(tools=[TIME_TOOL, {"type": "function", "function": {"name": "a" * 129}}]),
     "tools[1].function.name", "at most 128 characters", "invalid_value"),
    ("tool name with a newline", body(tools=[{"type": "function", "function": {"name": "f\n"}}]),
     "tools[0].function.name", "Gemini's rule", "invalid_value"),
    ("duplicate tool names", body(tools=[WEATHER_TOOL, TIME_TOOL, WEATHER_TOOL]), "tools[2].function.name",
     "duplicates the name at 'tools[0].function.name'", "invalid_value"),
    ("parameters not an object", body(tools=[{"type": "function", "function": {"name": "f", "parameters": []}}]),
     "tools[0].function.parameters", "must be an object", "invalid_value"),
    ("tool without function", body(tools=[{"type": "function"}]), "tools[0].function", "Missing required",
     "missing_required_parameter"),
    ("tools not a list", body(tools=WEATHER_TOOL), "tools", "must be an array", "invalid_value"),
    ("tool_choice word", body(tools=[WEATHER_TOOL], tool_choice="any"), "tool_choice", "must be one of 'none'",
     "invalid_value"),
    ("tool_choice undeclared", body(tools=[WEATHER_TOOL], tool_choice={"type": "function", "function": {
        "name": "get_time"}}), "tool_choice.function.name", "must name a function declared in 'tools'",
     "invalid_value"),
    ("tool_choice required without tools", body(tool_choice="required"), "tool_choice", "requires 'tools'",
     "invalid_value"),
    ("allowed tool undeclared", body(tools=[WEATHER_TOOL], tool_choice={"type": "allowed_tools", "allowed_tools": {
        "mode": "auto", "tools": [{"type": "function", "function": {"name": "get_weather"}},
                                  {"type": "function", "function": {"name": "nope"}}]}}),
     "tool_choice.allowed_tools.tools[1].function.name", "declared in 'tools'", "invalid_value"),
    ("no allowed tools", body(tools=[WEATHER_TOOL], tool_choice={"type": "allowed_tools", "allowed_tools": {
        "mode": "required", "tools": []}}), "tool_choice.allowed_tools.tools", "must name at least one tool",
     "invalid_value"),
    ("custom tool_choice", body(tools=[WEATHER_TOOL], tool_choice={"type": "custom", "custom": {"name": "x"}}),
     "tool_choice.type", "custom tools are not supported", "unsupported_value"),
    ("functions with tools", body(tools=[WEATHER_TOOL], functions=[TIME_TOOL["function"]]), "functions",
     "cannot be combined with 'tools'", "invalid_value"),
    ("function_call with tool_choice", body(functions=[TIME_TOOL["function"]], function_call="auto",
                                            tool_choice="auto"), "function_call", "cannot be combined",
     "invalid_value"),
    ("function_call undeclared", body(functions=[TIME_TOOL["function"]], function_call={"name": "x"}),
     "function_call.name", "declared in 'functions'", "invalid_value"),
    ("legacy function name", body(functions=[{"name": "bad name"}]), "functions[0].name", "Gemini's rule",
     "invalid_value"),
    ("json_schema missing", body(response_format={"type": "json_schema"}), "response_format.json_schema",
     "Missing required", "missing_required_parameter"),
    ("json_schema without name", body(response_format={"type": "json_schema", "json_schema": {"schema": {}}}),
     "response_format.json_schema.name", "Missing required", "missing_required_parameter"),
    ("response_format type", body(response_format={"type": "xml"}), "response_format.type",
     "must be one of 'text', 'json_object', 'json_schema'", "invalid_value"),
    ("metadata too many keys", body(metadata={f"k{i}": "v" for i in range(17)}), "metadata", "at most 16 keys",
     "invalid_value"),
    ("metadata value not a string", body(metadata={"k": 1}), "metadata.k", "must be a string", "invalid_value"),
    ("service_tier", body(service_tier="gold"), "service_tier", "must be one of 'auto'", "invalid_value"),
    ("user location type", body(web_search_options={"user_location": {"type": "exact", "approximate": {}}}),
     "web_search_options.user_location.type", "must be one of 'approximate'", "invalid_value"),
    ("budget and level", body(thinking_config={"thinking_budget": 10, "thinking_level": "low"}),
     "thinking_config.thinking_level", "cannot be combined with 'thinking_budget'", "invalid_value"),
    ("budget type", body(google={"thinking_config": {"thinking_budget": "lots"}}),
     "google.thinking_config.thinking_budget", "must be an integer", "invalid_value"),
    ("budget below -1", body(extra_body={"thinking_config": {"thinkingBudget": -5}}),
     "extra_body.thinking_config.thinking_budget", "between -1 and", "invalid_value"),
    ("thinking level", body(thinking_config={"thinking_level": "ultra"}), "thinking_config.thinking_level",
     "must be one of 'minimal'", "invalid_value"),
    ("safety setting", body(extra_body={"google": {"safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT"}]}}),
     "extra_body.google.safety_settings[0].threshold", "Missing required", "missing_required_parameter"),
    ("google not an object", body(google="yes"), "google", "must be an object", "invalid_value"),
]


@pytest.mark.parametrize(
    ("request_body", "param", "fragment", "code"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID]
)
def test_refuses(request_body: dict[str, Any], param: str, fragment: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        load(request_body)
    error = caught.value
    assert (error.status, error.param, error.code) == (400, param, code)
    assert fragment in error.message
    assert f"'{param}'" in error.message
    assert error.to_body()["error"]["type"] == "invalid_request_error"


def test_first_offending_field_in_body_order() -> None:
    request = {"model": MODEL, "temperature": 9, "messages": [{"role": "tool", "content": "x"}], "n": 99}
    with pytest.raises(InvalidRequest) as caught:
        load(request)
    assert caught.value.param == "temperature"


def test_missing_fields_reported_after_present_ones() -> None:
    with pytest.raises(InvalidRequest) as caught:
        load({"messages": [{"role": "user", "content": 1}]})
    assert caught.value.param == "messages[0].content"


def test_legacy_result_without_a_call_is_refused_naming_the_message() -> None:
    with pytest.raises(InvalidRequest) as caught:
        load_body(CHAT_REQUEST_SCHEMA, body(USER, {"role": "function", "name": "get_weather", "content": None}))
    assert caught.value.param == "messages[1].name"
    assert "earlier assistant function_call" in caught.value.message
