"""Tool conversations over several turns: Gemini 3 thought signatures travel through the client
and back (whole and streamed answers, with and without ``extra_content``), history written by
another model, and the shape of the history the emulator receives."""

from __future__ import annotations

import json
from typing import Any, Callable

import openai
import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.surface import create, error_of

MODEL = "gemini-3-flash-preview"
TOOLS = [
    {
        "type": "function",
        "function": {"name": name, "parameters": {"type": "object", "properties": {key: {"type": "string"}}}},
    }
    for name, key in (("get_weather", "city"), ("get_time", "tz"))
]
STEP_ONE = [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]
STEP_TWO = [("get_time", {"tz": "Europe/Paris"}), ("get_time", {"tz": "Europe/Rome"})]
RESULTS = {"Paris": "18C, sunny", "Rome": '{"temp": 24, "sky": "clear"}', "Europe/Paris": "10:00", "Europe/Rome": "10:00"}

AssistantTurn = Callable[[openai.OpenAI, list[Any]], Any]


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False)


def _whole_turn(client: openai.OpenAI, messages: list[Any]) -> Any:
    """The assistant message exactly as the SDK returned it (a pydantic object)."""
    return client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0].message


def _streamed_turn(client: openai.OpenAI, messages: list[Any]) -> Any:
    """The assistant message the SDK's stream helper accumulated."""
    with client.chat.completions.stream(model=MODEL, messages=messages, tools=TOOLS) as events:
        return events.get_final_completion().choices[0].message


def _without_extra_content(message: Any) -> dict[str, Any]:
    """What a client that keeps only OpenAI's own fields sends back."""
    calls = [{"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}} for c in message.tool_calls]
    return {"role": "assistant", "content": message.content, "tool_calls": calls}


def _results(message: Any) -> list[dict[str, Any]]:
    return [
        {"role": "tool", "tool_call_id": call.id, "content": RESULTS[next(iter(json.loads(call.function.arguments).values()))]}
        for call in message.tool_calls
    ]


def _signature(reply: dict[str, Any]) -> str:
    signature: str = reply["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    return signature


def _model_turns(body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [content["parts"] for content in body["contents"] if content["role"] == "model"]


@pytest.mark.parametrize("keep_extra_content", [True, False], ids=["as_given", "extra_content_dropped"])
@pytest.mark.parametrize("turn", [_whole_turn, _streamed_turn], ids=["whole", "stream"])
def test_three_turn_signed_conversation_with_parallel_calls(
    client: openai.OpenAI, emulator: VertexEmulator, turn: AssistantTurn, keep_extra_content: bool
) -> None:
    first, second = payloads.function_call_response(STEP_ONE, MODEL), payloads.function_call_response(STEP_TWO, MODEL)
    emulator.enqueue(first, second, payloads.text_response("Paris 18C at 10:00, Rome 24C at 10:00.", MODEL))
    messages: list[Any] = [{"role": "user", "content": "Weather and time in Paris and Rome?"}]
    for _ in range(2):
        message = turn(client, messages)
        assert len(message.tool_calls) == 2
        messages += [message if keep_extra_content else _without_extra_content(message), *_results(message)]
    final = turn(client, messages)
    assert final.content == "Paris 18C at 10:00, Rome 24C at 10:00."
    calls = emulator.calls
    assert [call.outcome for call in calls] == ["ok", "ok", "ok"], calls[-1].error_message
    last = calls[-1].body
    steps = _model_turns(last)
    assert [[part["functionCall"]["name"] for part in parts] for parts in steps] == [["get_weather"] * 2, ["get_time"] * 2]
    assert [[part.get("thoughtSignature") for part in parts] for parts in steps] == [[_signature(first), None], [_signature(second), None]]
    assert [[part["functionCall"]["id"] for part in parts] for parts in steps] == [
        [payloads.call_id(MODEL, name, i) for i, (name, _) in enumerate(step)] for step in (STEP_ONE, STEP_TWO)
    ]
    answers = [content["parts"] for content in last["contents"][2::2]]
    assert [[part["functionResponse"]["id"] for part in parts] for parts in answers] == [
        [part["functionCall"]["id"] for part in parts] for parts in steps
    ]
    assert answers[0][0]["functionResponse"]["response"] == {"output": "18C, sunny"}
    assert answers[0][1]["functionResponse"]["response"] == {"temp": 24, "sky": "clear"}
    assert [content["role"] for content in last["contents"]] == ["user", "model", "user", "model", "user"]


def test_signature_in_id_survives_alone(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    reply = payloads.function_call_response(STEP_ONE[:1], MODEL)
    emulator.enqueue(reply)
    message = _whole_turn(client, [{"role": "user", "content": "Paris?"}])
    (call,) = message.tool_calls
    assert getattr(call, "extra_content")["google"]["thought_signature"] == _signature(reply)
    assert call.id.startswith(payloads.call_id(MODEL, "get_weather", 0) + "__thought__")
    assert len(call.id) <= 256
    messages = [{"role": "user", "content": "Paris?"}, _without_extra_content(message), *_results(message)]
    create(client, model=MODEL, messages=messages, tools=TOOLS)
    sent = emulator.last_call()
    assert sent.outcome == "ok", sent.error_message
    assert sent.body["contents"][1]["parts"][0]["thoughtSignature"] == _signature(reply)


FOREIGN_HISTORY: list[dict[str, Any]] = [
    {"role": "system", "content": "You are a travel helper."},
    {"role": "user", "content": "Weather in Paris and Rome?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_Xa1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
            {"id": "call_Xa2", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'}},
        ],
    },
    {"role": "tool", "tool_call_id": "call_Xa2", "content": "24C"},
    {"role": "tool", "tool_call_id": "call_Xa1", "content": "18C"},
    {"role": "assistant", "content": "Paris 18C, Rome 24C."},
    {"role": "user", "content": "And the time there?"},
    {"role": "assistant", "content": "", "tool_calls": [{"id": "call_Xb1", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "call_Xb1", "content": "10:00"},
]


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_history_from_another_model_gets_the_bypass_signature(client: openai.OpenAI, emulator: VertexEmulator, streamed: bool) -> None:
    if streamed:
        list(client.chat.completions.create(model=MODEL, messages=FOREIGN_HISTORY, tools=TOOLS, stream=True))
    else:
        create(client, model=MODEL, messages=FOREIGN_HISTORY, tools=TOOLS)
    sent = emulator.last_call()
    assert sent.outcome == "ok", sent.error_message
    steps = _model_turns(sent.body)
    call_parts = [[part for part in parts if "functionCall" in part] for parts in steps]
    signatures = [[part.get("thoughtSignature") for part in parts] for parts in call_parts if parts]
    assert signatures == [["skip_thought_signature_validator", None], ["skip_thought_signature_validator"]]
    results = [part["functionResponse"] for part in sent.body["contents"][2]["parts"]]
    assert [(r["name"], r["id"], r["response"]) for r in results] == [
        ("get_weather", "call_Xa1", {"output": "18C"}),
        ("get_weather", "call_Xa2", {"output": "24C"}),
    ]


def test_same_history_on_a_2_5_model_has_no_signatures(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    create(client, model="gemini-2.5-flash", messages=FOREIGN_HISTORY, tools=TOOLS)
    sent = emulator.last_call()
    assert sent.outcome == "ok", sent.error_message
    assert not any("thoughtSignature" in part for parts in _model_turns(sent.body) for part in parts)



def test_calls_split_over_two_assistant_messages_get_results_in_call_order(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    messages = [
        {"role": "user", "content": "Weather and time in Paris?"},
        {"role": "assistant", "tool_calls": [{"id": "w1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "get_time", "arguments": '{"tz": "CET"}'}}]},
        {"role": "tool", "tool_call_id": "t1", "content": "10:00"},
        {"role": "tool", "tool_call_id": "w1", "content": "18C"},
    ]
    create(client, model="gemini-2.5-flash", messages=messages, tools=TOOLS)
    sent = emulator.last_call()
    assert sent.outcome == "ok", sent.error_message
    assert [part["functionCall"]["name"] for part in sent.body["contents"][1]["parts"]] == ["get_weather", "get_time"]
    assert [part["functionResponse"]["name"] for part in sent.body["contents"][2]["parts"]] == ["get_weather", "get_time"]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.0-flash-001"])
def test_ending_with_calls_that_have_no_results_is_a_clear_400(gateway: LiveGateway, emulator: VertexEmulator, model: str) -> None:
    messages = [FOREIGN_HISTORY[1], FOREIGN_HISTORY[2]]
    error = error_of(gateway.post("/v1/chat/completions", {"model": model, "messages": messages, "tools": TOOLS}))
    assert error["param"] == "messages[1].tool_calls"
    assert "no results" in error["message"]
    assert emulator.calls == []


def test_consecutive_messages_of_one_role_become_one_turn(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    messages = [
        {"role": "user", "content": "First question."},
        {"role": "user", "content": [{"type": "text", "text": "Second part."}]},
        {"role": "assistant", "content": "Answer one."},
        {"role": "assistant", "content": [{"type": "text", "text": "Answer two."}]},
        {"role": "user", "content": "Thanks."},
    ]
    create(client, model="gemini-3-flash-preview", messages=messages)
    sent = emulator.last_call()
    assert sent.outcome == "ok", sent.error_message
    assert sent.body["contents"] == [
        {"role": "user", "parts": [{"text": "First question."}, {"text": "Second part."}]},
        {"role": "model", "parts": [{"text": "Answer one."}, {"text": "Answer two."}]},
        {"role": "user", "parts": [{"text": "Thanks."}]},
    ]
