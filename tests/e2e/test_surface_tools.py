"""Function calling end to end through the openai SDK: calls and parallel calls (whole and
streamed), every tool_choice, the tool-schema corpus, and model errors about calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import openai
import pytest
from pydantic import BaseModel

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.streams import accumulate
from tests.support.surface import answer, create, error_of, stream

TOOL_SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "tool_schemas"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}},
}
ASK = [{"role": "user", "content": "Weather and time in Paris and Rome?"}]
PARALLEL = [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"}), ("get_time", {"tz": "Europe/Rome"})]
MODELS = ["gemini-2.5-flash", "gemini-3-flash-preview"]


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    """Express keys only: every model here is served in Express mode (and the app starts faster)."""
    return gateway_factory(service_accounts=False)


def _calls(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    calls = result["choices"][0]["message"]["tool_calls"]
    return [(call["function"]["name"], json.loads(call["function"]["arguments"])) for call in calls]


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", MODELS)
def test_a_tool_call(client: openai.OpenAI, emulator: VertexEmulator, model: str, streamed: bool) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris", "unit": "c"})], model))
    result = answer(client, streamed, model=model, messages=ASK, tools=[WEATHER])
    choice = result["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"]
    assert _calls(result) == [("get_weather", {"city": "Paris", "unit": "c"})]
    if model.startswith("gemini-3"):
        assert call["extra_content"]["google"]["thought_signature"].startswith("AY89a1")
        assert call["id"].startswith(payloads.call_id(model, "get_weather", 0))
    sent = emulator.last_call().body
    assert sent["tools"] == [{"functionDeclarations": [{
        "name": "get_weather", "description": "Current weather in a city.", "parametersJsonSchema": WEATHER["function"]["parameters"],
    }]}]
    assert "toolConfig" not in sent


@pytest.mark.parametrize("model", MODELS)
def test_parallel_calls_streamed_accumulate_like_the_whole_answer(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    reply = payloads.function_call_response(PARALLEL, model)
    emulator.enqueue(reply, reply)
    whole = create(client, model=model, messages=ASK, tools=[WEATHER, TIME])
    chunks = stream(client, model=model, messages=ASK, tools=[WEATHER, TIME])
    deltas = [call for chunk in chunks for choice in chunk["choices"] for call in choice["delta"].get("tool_calls", ())]
    assert [delta["index"] for delta in deltas] == [0, 1, 2]
    assert all(delta["id"] and delta["function"]["name"] for delta in deltas)
    assert all(json.loads(delta["function"]["arguments"]) for delta in deltas)
    assert len({delta["id"] for delta in deltas}) == 3
    assert _calls(whole) == [(name, args) for name, args in PARALLEL]
    assert _calls(accumulate(chunks)) == _calls(whole)
    if model.startswith("gemini-3"):
        assert [delta["id"] for delta in deltas] == [call["id"] for call in whole["choices"][0]["message"]["tool_calls"]]


def _sdk_call(call: Any, model: str) -> dict[str, Any]:
    """What a client keeps of an SDK tool call (ids are the model's on Gemini 3, else per answer)."""
    kept = {"type": call.type, "function": {"name": call.function.name, "arguments": call.function.arguments}}
    kept["extra_content"] = getattr(call, "extra_content", None)
    if model.startswith("gemini-3"):
        kept["id"] = call.id
    return kept


@pytest.mark.parametrize("model", MODELS)
def test_sdk_stream_helper_gets_the_same_calls(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    reply = payloads.function_call_response(PARALLEL, model)
    emulator.enqueue(reply, reply)
    whole = client.chat.completions.create(model=model, messages=ASK, tools=[WEATHER, TIME])
    with client.chat.completions.stream(model=model, messages=ASK, tools=[WEATHER, TIME]) as events:
        done = [event for event in events if event.type == "tool_calls.function.arguments.done"]
        final = events.get_final_completion()
    assert [(event.index, event.name, json.loads(event.arguments)) for event in done] == [(i, *call) for i, call in enumerate(PARALLEL)]
    assert [_sdk_call(call, model) for call in final.choices[0].message.tool_calls or []] == [
        _sdk_call(call, model) for call in whole.choices[0].message.tool_calls or []
    ]
    assert final.choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize(
    "tool_choice,expected",
    [
        ("none", {"functionCallingConfig": {"mode": "NONE"}}),
        ("auto", {"functionCallingConfig": {"mode": "AUTO"}}),
        ("required", {"functionCallingConfig": {"mode": "ANY"}}),
        ({"type": "function", "function": {"name": "get_time"}}, {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}}),
        (
            {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [{"type": "function", "function": {"name": "get_weather"}}]}},
            {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
        ),
    ],
    ids=["none", "auto", "required", "named", "allowed_tools"],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_tool_choice(client: openai.OpenAI, emulator: VertexEmulator, tool_choice: Any, expected: dict[str, Any], streamed: bool) -> None:
    answer(client, streamed, model="gemini-2.5-flash", messages=ASK, tools=[WEATHER, TIME], tool_choice=tool_choice)
    call = emulator.last_call()
    assert call.accepted
    assert call.body["toolConfig"] == expected


@pytest.mark.parametrize(
    "body,param",
    [
        ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "get_stock"}}}, "tool_choice.function.name"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tool_choice": {"type": "function", "function": {"name": "get_weather"}}}, "tool_choice"),
        ({"tools": [WEATHER, WEATHER]}, "tools[1].function.name"),
        ({"tools": [{"type": "function", "function": {"name": "bad name!"}}]}, "tools[0].function.name"),
    ],
)
def test_tool_choice_and_tools_that_cannot_work_are_400s(gateway: LiveGateway, emulator: VertexEmulator, body: dict[str, Any], param: str) -> None:
    error = error_of(gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": ASK, **body}))
    assert error["param"] == param
    assert emulator.calls == []


def _corpus() -> list[Any]:
    return [pytest.param(json.loads(path.read_text(encoding="utf-8")), id=path.stem) for path in sorted(TOOL_SCHEMAS.glob("*.json"))]


@pytest.mark.parametrize("tool", _corpus())
def test_tool_schema_corpus_is_accepted_upstream(client: openai.OpenAI, emulator: VertexEmulator, tool: dict[str, Any]) -> None:
    function = {key: tool[key] for key in ("name", "description", "parameters") if key in tool}
    for model, field in (("gemini-2.5-flash", "parametersJsonSchema"), ("gemini-2.0-flash-001", "parameters")):
        emulator.enqueue(payloads.function_call_response([(tool["name"], {})], model))
        completion = create(client, model=model, messages=ASK, tools=[{"type": "function", "function": function}], tool_choice="required")
        assert completion["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == tool["name"]
        call = emulator.last_call(model=model)
        assert call.outcome == "ok", call.error_message
        (declaration,) = call.body["tools"][0]["functionDeclarations"]
        assert set(declaration) - {"name", "description"} <= {field}
        if field == "parametersJsonSchema":
            assert declaration[field] == tool["parameters"]


@pytest.mark.parametrize("reason", ["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL"])
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_unusable_function_call_is_a_clear_error(gateway: LiveGateway, emulator: VertexEmulator, reason: str, streamed: bool) -> None:
    message = "Malformed function call: print(default_api.get_weather(city='Paris'"
    emulator.enqueue(payloads.response([payloads.candidate([], reason, finishMessage=message)], payloads.usage(27, 0, 34), "gemini-2.5-flash"))
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": ASK, "tools": [WEATHER], "stream": streamed})
    error = error_of(response, 502)
    assert reason in error["message"] and message in error["message"]
    assert error["code"] == reason.lower()
    assert len(emulator.calls) == 1


@pytest.mark.parametrize("max_retries", [{}, {"MAX_RETRIES": "0"}], ids=["default", "no failover"])
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_malformed_call_is_retried_once_when_configured(gateway_factory: GatewayFactory, emulator: VertexEmulator, streamed: bool, max_retries: dict[str, str]) -> None:
    live = gateway_factory(MALFORMED_FUNCTION_CALL_RETRY="true", **max_retries)
    emulator.enqueue(payloads.malformed_function_call_response(), payloads.function_call_response([("get_weather", {"city": "Oslo"})]))
    result = answer(live.client, streamed, model="gemini-2.5-flash", messages=ASK, tools=[WEATHER])
    assert _calls(result) == [("get_weather", {"city": "Oslo"})]
    assert len(emulator.calls) == 2 and emulator.pending() == []


def test_malformed_call_twice_is_still_an_error_with_retry(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(MALFORMED_FUNCTION_CALL_RETRY="true")
    emulator.enqueue(payloads.malformed_function_call_response(), times=2)
    with pytest.raises(openai.APIStatusError) as caught:
        live.client.chat.completions.create(model="gemini-2.5-flash", messages=ASK, tools=[WEATHER])
    assert caught.value.status_code == 502 and "MALFORMED_FUNCTION_CALL" in caught.value.message
    assert len(emulator.calls) == 2


def test_call_with_text_and_gemini_stop_reason_is_still_tool_calls(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    parts = [{"text": "Let me check."}, {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]
    emulator.enqueue(payloads.response([payloads.candidate(parts, "STOP")], payloads.usage(5, 5), "gemini-2.5-flash"))
    completion = create(client, model="gemini-2.5-flash", messages=ASK, tools=[WEATHER])
    choice = completion["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Let me check."


def test_captured_gemini_3_parallel_stream(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    """One call per event, the first signed, then an empty text part with the finish reason."""
    emulator.enqueue(Reply.from_sse_fixture("stream/function-call.parallel.gemini-3.sse"))
    chunks = stream(client, model="gemini-3.8-flash", messages=ASK, tools=[WEATHER, TIME])
    deltas = [call for chunk in chunks for choice in chunk["choices"] for call in choice["delta"].get("tool_calls", ())]
    assert [(delta["index"], delta["function"]["name"]) for delta in deltas] == [(0, "get_weather"), (1, "get_weather")]
    assert [json.loads(delta["function"]["arguments"]) for delta in deltas] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert deltas[0]["id"].startswith("call_463646__thought__") and deltas[1]["id"] == "call_463649"
    assert "extra_content" in deltas[0] and "extra_content" not in deltas[1]
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


class GetWeather(BaseModel):
    city: str
    unit: Literal["c", "f"] | None


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview", "gemini-2.0-flash-001"])
def test_parse_with_a_pydantic_function_tool(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    emulator.enqueue(payloads.function_call_response([("GetWeather", {"city": "Lyon", "unit": None})], model))
    completion = client.chat.completions.parse(model=model, messages=ASK, tools=[openai.pydantic_function_tool(GetWeather)])
    (call,) = completion.choices[0].message.tool_calls or []
    assert call.function.parsed_arguments == GetWeather(city="Lyon", unit=None)
    assert emulator.last_call().outcome == "ok"


def test_fake_streaming_gives_the_same_parallel_calls(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, FAKE_STREAMING="true", FAKE_STREAMING_INTERVAL="0.1")
    reply = payloads.function_call_response(PARALLEL, "gemini-3-flash-preview")
    emulator.enqueue(reply, reply)
    whole = create(live.client, model="gemini-3-flash-preview", messages=ASK, tools=[WEATHER, TIME])
    streamed = accumulate(stream(live.client, model="gemini-3-flash-preview", messages=ASK, tools=[WEATHER, TIME]))
    assert streamed["choices"][0]["message"]["tool_calls"] == whole["choices"][0]["message"]["tool_calls"]
    assert emulator.calls_for("streamGenerateContent") == []
