"""Core chat completions through the official openai SDK: express and service-account paths,
non-streaming and streaming, every response validated against OpenAI's schemas."""

from __future__ import annotations

from collections import Counter

import openai
import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_chunk
from tests.support.streams import check_stream

HELLO = [{"role": "user", "content": "Hello there"}]


@pytest.mark.parametrize(
    "model,kind,path_fragment",
    [
        ("gemini-2.5-flash", "express", "/v1/publishers/google/models/gemini-2.5-flash:generateContent"),
        ("[EXPRESS] gemini-2.5-flash", "express", "/v1/publishers/google/models/gemini-2.5-flash:generateContent"),
        ("[PAY]gemini-2.5-flash", "service_account", "/v1/projects/proj-alpha/locations/global/publishers/google/models/gemini-2.5-flash:generateContent"),
    ],
)
def test_non_streaming_answer_on_each_credential_path(gateway: LiveGateway, emulator: VertexEmulator, model: str, kind: str, path_fragment: str) -> None:
    emulator.enqueue(payloads.text_response("Paris is the capital of France.", "gemini-2.5-flash"))
    completion = gateway.client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Capital of France?"}])
    assert completion.choices[0].message.content == "Paris is the capital of France."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == model
    assert completion.id.startswith("chatcmpl-")
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert_chat_completion(completion.model_dump(exclude_unset=True))
    call = emulator.last_call("generateContent")
    assert call.credential[0] == kind
    assert call.path == path_fragment
    assert call.body["contents"] == [{"role": "user", "parts": [{"text": "Capital of France?"}]}]


def test_raw_response_has_required_openai_fields(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response("Hi!", "gemini-2.5-flash"))
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO})
    body = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert body["object"] == "chat.completion"
    choice = body["choices"][0]
    assert choice["message"]["refusal"] is None and "logprobs" in choice
    assert choice["message"]["role"] == "assistant"
    assert_chat_completion(body)
    assert response.headers["X-Request-ID"]
    assert response.headers["X-Gateway-Credential"] == "express#0"
    assert response.headers["X-Gateway-Upstream-Model"] == "gemini-2.5-flash"


def test_ids_are_unique_per_request(client: openai.OpenAI) -> None:
    ids = {client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO).id for _ in range(5)}
    assert len(ids) == 5


def test_usage_maps_thoughts_and_cached_tokens(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    answer = payloads.text_response("42", "gemini-2.5-flash", thought="Let me think.")
    answer["usageMetadata"].update({"promptTokenCount": 10, "candidatesTokenCount": 2, "thoughtsTokenCount": 7, "cachedContentTokenCount": 4, "totalTokenCount": 19})
    emulator.enqueue(answer)
    completion = gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (10, 9, 19)
    assert usage.completion_tokens_details is not None and usage.completion_tokens_details.reasoning_tokens == 7
    assert usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 4
    message = completion.choices[0].message
    assert message.content == "42"
    assert getattr(message, "reasoning_content") == "Let me think."


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "[PAY]gemini-3-flash-preview"])
def test_streaming_chunks_follow_openai_rules(gateway: LiveGateway, model: str) -> None:
    stream = gateway.client.chat.completions.create(model=model, messages=HELLO, stream=True, stream_options={"include_usage": True})
    chunks = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    check_stream(chunks, include_usage=True)
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
    assert {c["model"] for c in chunks} == {model}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    for chunk in chunks[:-2]:
        assert chunk["choices"][0]["finish_reason"] is None
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert "You said: Hello there" in text


def test_stream_without_usage_option_has_no_usage_chunk(client: openai.OpenAI) -> None:
    chunks = [chunk.model_dump(exclude_unset=True) for chunk in client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True)]
    check_stream(chunks, include_usage=False)
    assert all(chunk["choices"] for chunk in chunks)


def test_stream_wire_format(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply.from_sse_fixture("stream/text.gemini-2.5.sse"))
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO, "stream": True}, stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    raw = response.content.decode()
    frames = [frame for frame in raw.split("\n\n") if frame]
    assert frames[-1] == "data: [DONE]"
    assert all(frame.startswith("data: ") for frame in frames)
    assert emulator.last_call("streamGenerateContent").query.get("alt") == "sse"


def test_streams_arrive_as_the_upstream_sends_them(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    events = payloads.to_stream_events(payloads.text_response("one two three four", "gemini-2.5-flash"))
    emulator.enqueue(Reply.stream(events).between(0.3))
    stream = gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True)
    first = next(iter(stream))
    assert first.choices[0].delta.role == "assistant"
    assert emulator.wait_until(lambda: emulator.streams()[-1].outcome == "open", 1)
    stream.close()


def test_round_robin_spreads_over_every_credential(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(ROUNDROBIN="true")
    for _ in range(4):
        live.client.chat.completions.create(model="[EXPRESS] gemini-2.5-flash", messages=HELLO)
        live.client.chat.completions.create(model="[PAY]gemini-2.5-flash", messages=HELLO)
    used = Counter(call.credential_label for call in emulator.calls_for("generateContent"))
    assert used == {"express#0": 2, "express#1": 2, "sa#0": 2, "sa#1": 2}


def test_random_choice_still_reaches_every_credential(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(ROUNDROBIN="false")
    for _ in range(30):
        live.client.chat.completions.create(model="[EXPRESS] gemini-2.5-flash", messages=HELLO)
    assert {call.credential_label for call in emulator.calls_for("generateContent")} == {"express#0", "express#1"}


def test_service_account_tokens_are_cached_not_fetched_per_request(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(express=False)
    for _ in range(6):
        live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert emulator.token_grants() == 2
    assert all(call.headers.get("Authorization", "").startswith("Bearer ya29.") for call in emulator.calls_for("generateContent"))


def test_express_key_travels_in_a_header_not_the_url(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    call = emulator.last_call("generateContent")
    assert "key" not in call.query
    assert call.headers.get("X-Goog-Api-Key") or call.headers.get("x-goog-api-key")


def test_plain_name_uses_service_accounts_when_no_express_key(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(express=False)
    live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert emulator.last_call("generateContent").credential[0] == "service_account"


def test_regional_location_uses_the_location_in_the_path(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(express=False, GCP_LOCATION="us-central1")
    live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert emulator.last_call("generateContent").path.startswith("/v1/projects/proj-alpha/locations/us-central1/")


def test_project_override(gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials) -> None:
    live = gateway_factory(express=False, GCP_PROJECT_ID="proj-beta")
    emulator.register_service_account(credentials.service_accounts[0], extra_projects=["proj-beta"])
    live.client.chat.completions.create(model="[PAY]gemini-2.5-flash", messages=HELLO)
    assert emulator.calls_for("generateContent")[0].project == "proj-beta"


def test_system_and_developer_messages_become_system_instruction(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    client.chat.completions.create(
        model="gemini-2.5-flash",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": "Answer in French."},
            {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "   "}]},
            {"role": "assistant", "content": "Bonjour"},
            {"role": "user", "content": "Again"},
        ],
        temperature=0.3,
        top_p=0.9,
        max_tokens=100,
        stop="END",
        seed=7,
    )
    body = emulator.last_call("generateContent").body
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}, {"text": "Answer in French."}]
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert body["contents"][0]["parts"] == [{"text": "Hi"}]
    config = body["generationConfig"]
    assert (config["temperature"], config["topP"], config["maxOutputTokens"], config["stopSequences"], config["seed"]) == (0.3, 0.9, 100, ["END"], 7)
    assert {s["threshold"] for s in body["safetySettings"]} == {"OFF"}


@pytest.mark.parametrize(
    "finish,expected",
    [("MAX_TOKENS", "length"), ("SAFETY", "content_filter"), ("RECITATION", "content_filter"), ("PROHIBITED_CONTENT", "content_filter"), ("STOP", "stop")],
)
def test_finish_reasons(client: openai.OpenAI, emulator: VertexEmulator, finish: str, expected: str) -> None:
    emulator.enqueue(payloads.text_response("partial", "gemini-2.5-flash", finish=finish))
    assert client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO).choices[0].finish_reason == expected


def test_blocked_prompt_is_reported_not_an_empty_success(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.blocked_prompt_response("PROHIBITED_CONTENT", "The prompt was blocked."))
    completion = gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    choice = completion.choices[0]
    assert choice.finish_reason == "content_filter"
    assert choice.message.refusal and "PROHIBITED_CONTENT" in choice.message.refusal
    emulator.enqueue(payloads.blocked_prompt_response("SAFETY"))
    chunks = list(gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    assert any(c.choices[0].delta.refusal for c in chunks)


def test_empty_stop_candidate_is_an_empty_answer_not_a_crash(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.response([{"content": {"role": "model"}, "finishReason": "STOP"}], payloads.usage(5), "gemini-2.5-flash"))
    completion = client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert completion.choices[0].message.content == ""
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens == 5


def test_fake_streaming_sends_keepalive_chunks_then_the_answer(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(FAKE_STREAMING="true", FAKE_STREAMING_INTERVAL="0.1")
    emulator.enqueue(Reply.unary(payloads.text_response("All at once.", "gemini-2.5-flash")).delay(0.5))
    chunks = [c.model_dump(exclude_unset=True) for c in live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True)]
    for chunk in chunks:
        assert_chunk(chunk)
    keepalives = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content") == "" and c["choices"][0]["finish_reason"] is None]
    assert len(keepalives) >= 3
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == "All at once."
    assert emulator.calls_for("streamGenerateContent") == []
    assert len(emulator.calls_for("generateContent")) == 1
