"""The Anthropic Messages API end to end: the official ``anthropic`` SDK → the gateway on
loopback → the Vertex emulator. Whole and streamed answers, tools over several Gemini 3 steps
with the emulator enforcing thought signatures, count_tokens, aliases, and errors in
Anthropic's shape."""

from __future__ import annotations

import json
from typing import Any, Callable

import anthropic
import pytest

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.anthropic_shapes import assert_error, assert_event, assert_message

GEMINI_3 = "gemini-3-flash-preview"
TOOLS = [
    {"name": name, "description": f"The {key} lookup", "input_schema": {"type": "object", "properties": {key: {"type": "string"}}}}
    for name, key in (("get_weather", "city"), ("get_time", "tz"))
]
STEP_ONE = [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]
STEP_TWO = [("get_time", {"tz": "Europe/Paris"})]
BETA = {"anthropic-beta": "interleaved-thinking-2025-05-14,claude-code-20250219"}

Turn = Callable[[anthropic.Anthropic, list[Any]], Any]


def sdk(gateway: LiveGateway, *, api_key: str = API_KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gateway.url, api_key=api_key, max_retries=0, timeout=30, default_headers=BETA)


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False)


@pytest.fixture
def client(gateway: LiveGateway) -> anthropic.Anthropic:
    return sdk(gateway)


def _whole(client: anthropic.Anthropic, messages: list[Any], **params: Any) -> Any:
    message = client.messages.create(model=GEMINI_3, max_tokens=2048, messages=messages, tools=TOOLS, **params)
    assert_message(message.to_dict())
    return message


def _streamed(client: anthropic.Anthropic, messages: list[Any], **params: Any) -> Any:
    with client.messages.stream(model=GEMINI_3, max_tokens=2048, messages=messages, tools=TOOLS, **params) as events:
        message = events.get_final_message()
    assert_message(message.to_dict())
    return message


def _sse(text: str) -> list[dict[str, Any]]:
    """The events of a raw Anthropic stream, each checked: its ``event:`` name is its ``type``."""
    events = []
    for frame in (frame for frame in text.split("\n\n") if frame.strip()):
        name, data = frame.split("\n")
        event = json.loads(data.removeprefix("data: "))
        assert name == f"event: {event['type']}"
        assert_event(event)
        events.append(event)
    return events


def test_create_answers_a_message(client: anthropic.Anthropic, emulator: VertexEmulator) -> None:
    message = client.messages.create(
        model="gemini-2.5-flash", max_tokens=256, extra_body={"temperature": 0.2}, metadata={"user_id": "user-7"},
        system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "Say hello"}],
    )
    assert_message(message.to_dict())
    assert message.id.startswith("msg_") and message.model == "gemini-2.5-flash"
    assert message.content[0].type == "text" and "Say hello" in message.content[0].text
    assert message.stop_reason == "end_turn" and message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    sent = emulator.last_call()
    assert (sent.rpc, sent.outcome) == ("generateContent", "ok")
    assert sent.body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert sent.body["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 256}
    assert sent.body["labels"] == {"user_id": "user-7"}


@pytest.mark.parametrize(
    "reply",
    [
        payloads.text_response("Hello there.", GEMINI_3, thought="**Greeting**\n\nSay hi back."),
        payloads.function_call_response(STEP_ONE, GEMINI_3, thought="Look both up."),
        payloads.safety_blocked_response("Sure. The first step is", GEMINI_3),
        payloads.max_tokens_response(model=GEMINI_3),
    ],
    ids=["thoughts-and-text", "parallel-calls", "refusal", "max-tokens"],
)
def test_the_stream_helper_accumulates_the_message_create_gives(
    client: anthropic.Anthropic, emulator: VertexEmulator, reply: dict[str, Any]
) -> None:
    emulator.enqueue(reply, reply)
    thinking: Any = {"type": "enabled", "budget_tokens": 1024}
    created = _whole(client, [{"role": "user", "content": "Hi"}], thinking=thinking)
    streamed = _streamed(client, [{"role": "user", "content": "Hi"}], thinking=thinking)
    assert emulator.calls[-1].rpc == "streamGenerateContent"
    created_dict, streamed_dict = created.to_dict(), streamed.to_dict()
    assert streamed_dict.pop("id") != created_dict.pop("id")
    assert streamed_dict == created_dict


def test_stream_events_are_named_by_their_type(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.function_call_response(STEP_ONE, GEMINI_3, thought="Look both up."))
    body = {"model": GEMINI_3, "max_tokens": 100, "stream": True, "tools": TOOLS, "messages": [{"role": "user", "content": "Weather?"}]}
    response = gateway.post("/v1/messages", body, headers={"x-api-key": API_KEY, "Authorization": ""})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    events = _sse(response.text)
    assert [e["type"] for e in events if e["type"] in ("message_start", "message_delta", "message_stop")] == [
        "message_start", "message_delta", "message_stop"]
    starts = [e["content_block"]["type"] for e in events if e["type"] == "content_block_start"]
    assert starts == ["thinking", "tool_use", "tool_use"]
    assert events[-2]["delta"]["stop_reason"] == "tool_use"


def test_a_quiet_stream_gets_ping_events(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, STREAM_KEEPALIVE_INTERVAL="0.1", FIRST_BYTE_DEADLINE="5")
    emulator.enqueue(Reply.unary(payloads.text_response("slow words arrive", GEMINI_3)).between(0.35))
    body = {"model": GEMINI_3, "max_tokens": 100, "stream": True, "messages": [{"role": "user", "content": "Hi"}]}
    events = _sse(live.post("/v1/messages", body).text)
    assert {"type": "ping"} in events
    assert events[-1] == {"type": "message_stop"}


def _tool_results(message: Any) -> list[dict[str, Any]]:
    return [{"type": "tool_result", "tool_use_id": block.id, "content": json.dumps(block.input), "cache_control": {"type": "ephemeral"}}
            for block in message.content if block.type == "tool_use"]


def _first_signature(reply: dict[str, Any]) -> str:
    signature: str = reply["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    return signature


@pytest.mark.parametrize("turn", [_whole, _streamed], ids=["whole", "stream"])
def test_tools_over_several_gemini_3_steps_carry_every_signature(
    client: anthropic.Anthropic, emulator: VertexEmulator, turn: Turn
) -> None:
    first, second = payloads.function_call_response(STEP_ONE, GEMINI_3), payloads.function_call_response(STEP_TWO, GEMINI_3)
    emulator.enqueue(first, second, payloads.text_response("Paris 18C at 10:00, Rome 24C.", GEMINI_3))
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris and Rome, and the time in Paris?"}]
    for expected in (STEP_ONE, STEP_TWO):
        message = turn(client, messages)
        assert message.stop_reason == "tool_use"
        assert [(b.name, b.input) for b in message.content if b.type == "tool_use"] == expected
        messages += [message.to_param(), {"role": "user", "content": _tool_results(message)}]
    final = turn(client, messages)
    assert [b.text for b in final.content if b.type == "text"] == ["Paris 18C at 10:00, Rome 24C."]
    assert [call.outcome for call in emulator.calls] == ["ok", "ok", "ok"], emulator.calls[-1].error_message
    sent = emulator.calls[-1].body["contents"]
    model_turns = [content["parts"] for content in sent if content["role"] == "model"]
    assert [[part.get("thoughtSignature") for part in parts] for parts in model_turns] == [
        [_first_signature(first), None], [_first_signature(second)]]
    assert [content["role"] for content in sent] == ["user", "model", "user", "model", "user"]
    assert sent[2]["parts"][0]["functionResponse"]["response"] == {"city": "Paris"}


def test_history_written_by_claude_gets_googles_placeholder(client: anthropic.Anthropic, emulator: VertexEmulator) -> None:
    history: list[Any] = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "I should call the tool.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZAYmVhcg=="},
            {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": "18C"}]},
    ]
    message = _whole(client, history)
    assert message.stop_reason == "end_turn"
    sent = emulator.last_call()
    assert sent.outcome == "ok", sent.error_message
    assert sent.body["contents"][1]["parts"] == [{
        "functionCall": {"id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "args": {"city": "Paris"}},
        "thoughtSignature": "skip_thought_signature_validator"}]


def test_count_tokens(client: anthropic.Anthropic, emulator: VertexEmulator) -> None:
    counted = client.messages.count_tokens(model=GEMINI_3, system="Be brief.", tools=TOOLS,  # type: ignore[arg-type]
                                           messages=[{"role": "user", "content": "How many tokens is this?"}])
    sent = emulator.last_call()
    assert (sent.rpc, sent.outcome) == ("countTokens", "ok")
    assert set(sent.body) == {"contents", "systemInstruction", "tools"}
    assert counted.input_tokens > 0
    emulator.enqueue({"totalTokens": 4242}, method="countTokens")
    assert client.messages.count_tokens(model=GEMINI_3, messages=[{"role": "user", "content": "x"}]).input_tokens == 4242


def test_model_aliases_reach_the_chosen_gemini_model(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    aliases = "claude-opus-5-5=gemini-2.5-flash,claude-*=gemini-3-flash-preview,gpt-4o=gemini-2.5-flash,text-embedding-3-small=text-embedding-005"
    live = gateway_factory(service_accounts=False, MODEL_ALIASES=aliases)
    client = sdk(live)
    message = client.messages.create(model="claude-opus-5-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
    assert message.model == "claude-opus-5-5" and emulator.last_call().model == "gemini-2.5-flash"
    client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
    assert emulator.last_call().model == GEMINI_3
    chat = live.client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    assert chat.model == "gpt-4o" and emulator.last_call().model == "gemini-2.5-flash"
    embedded = live.client.embeddings.create(model="text-embedding-3-small", input="Hi")
    assert embedded.model == "text-embedding-3-small" and emulator.last_call().model == "text-embedding-005"
    listed = [model.id for model in live.client.models.list()]
    assert {"claude-opus-5-5", "gpt-4o"} <= set(listed) and "claude-*" not in listed
    assert live.client.models.retrieve("claude-opus-4-1").id == "claude-opus-4-1"


def test_a_dry_run_shows_the_plan(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    body = {"model": GEMINI_3, "max_tokens": 64, "stop_sequences": ["END"], "messages": [{"role": "user", "content": "Hi"}]}
    plan = gateway.post("/v1/messages", body, headers={"X-Dry-Run": "1"}).json()
    assert plan["object"] == "gateway.dry_run" and plan["endpoint"] == "messages"
    assert plan["requests"][0]["url"].endswith(f"/models/{GEMINI_3}:generateContent")
    assert plan["rewrites"][0].startswith("stop_sequences applied by the gateway")
    assert emulator.calls == []


def test_an_unknown_key_is_a_401_in_anthropics_shape(gateway: LiveGateway) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        sdk(gateway, api_key="sk-wrong").messages.create(model=GEMINI_3, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    assert caught.value.status_code == 401
    assert_error(caught.value.body)  # type: ignore[arg-type]
    assert caught.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]


def test_a_bad_field_is_a_400_naming_it(client: anthropic.Anthropic, emulator: VertexEmulator) -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "Qk0="}}
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=GEMINI_3, max_tokens=8, messages=[{"role": "user", "content": [image]}])  # type: ignore[list-item]
    body: Any = caught.value.body
    assert_error(body)
    assert body["error"]["message"].startswith("messages.0.content.0.source.media_type: must be one of")
    assert body["request_id"] == caught.value.response.headers["X-Request-ID"]
    assert emulator.calls == []


@pytest.mark.parametrize(
    ("model", "message"),
    [("gemini-2.5-flash-openai", "model: The variant -openai answers in OpenAI's format only"),
     ("gemini-2.5-flash-nothinking-max", "model: Invalid model name")],
)
def test_a_model_the_front_door_cannot_serve_is_a_400_naming_it(client: anthropic.Anthropic, model: str, message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=model, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    assert caught.value.body["error"]["message"].startswith(message)  # type: ignore[index]


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(
    ("status", "error_class", "error_type", "client_status"),
    [(429, anthropic.RateLimitError, "rate_limit_error", 429), (503, anthropic.InternalServerError, "overloaded_error", 529)],
)
def test_upstream_errors_keep_their_meaning(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, streamed: bool,
    status: int, error_class: type[anthropic.APIStatusError], error_type: str, client_status: int,
) -> None:
    live = gateway_factory(service_accounts=False, MAX_RETRIES="0")
    emulator.always(Reply.error(status))
    with pytest.raises(error_class) as caught:
        if streamed:
            _streamed(sdk(live), [{"role": "user", "content": "Hi"}])
        else:
            _whole(sdk(live), [{"role": "user", "content": "Hi"}])
    assert caught.value.status_code == client_status
    body: Any = caught.value.body
    assert_error(body)
    assert body["error"]["type"] == error_type


def test_a_failure_after_the_first_byte_is_an_error_event(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply.unary(payloads.text_response("A long answer in pieces", GEMINI_3)).error_after(1, status=503))
    body = {"model": GEMINI_3, "max_tokens": 100, "stream": True, "messages": [{"role": "user", "content": "Hi"}]}
    events = _sse(gateway.post("/v1/messages", body).text)
    assert events[0]["type"] == "message_start"
    assert events[-1]["type"] == "error" and events[-1]["error"]["type"] == "overloaded_error"
    with pytest.raises(anthropic.APIStatusError) as caught:
        emulator.enqueue(Reply.unary(payloads.text_response("A long answer in pieces", GEMINI_3)).error_after(1, status=503))
        _streamed(sdk(gateway), [{"role": "user", "content": "Hi"}])
    assert caught.value.body["error"]["type"] == "overloaded_error"  # type: ignore[index]


def test_unknown_paths_under_messages_answer_in_anthropics_shape(gateway: LiveGateway) -> None:
    response = gateway.post("/v1/messages/batches", {})
    assert response.status_code == 404
    assert_error(response.json())
    assert gateway.get("/v1/messages").status_code == 405
    assert "error" in gateway.post("/v1/chat/completions", {}).json()
